"""FSM states of the core. StatesGroup names carry the owner's prefix: aiogram keys states by class name."""

from aiogram.fsm.state import State, StatesGroup


class CoreSignup(StatesGroup):
    consent = State()
    field = State()


class CoreProfileEdit(StatesGroup):
    value = State()

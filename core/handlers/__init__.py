"""The core's own handlers. Each factory returns a fresh Router (routers attach to one parent)."""

from __future__ import annotations

from aiogram import Router


def build_core_routers(app) -> list[Router]:
    from core.handlers import admin, cabinet, gate, privacy, schedule, signup, start

    # signup first: while a user fills the form, their text answers belong to it. The gate comes
    # next: past it (the cabinet, the schedule, the admin panel, every plugin) only people who
    # finished the sign-up their event asks for.
    return [start.router(), signup.router(), privacy.router(), gate.router(),
            cabinet.router(), schedule.router(), admin.router()]


def build_fallback_router(app) -> Router:
    from core.handlers import fallback

    return fallback.router()

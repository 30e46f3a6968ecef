"""Local Telegram Bot API emulator and scripted users for tests, demos and benchmarks."""

from core.sandbox.emulator import BotAPIEmulator
from core.sandbox.state import RecordedRequest

__all__ = ["BotAPIEmulator", "RecordedRequest", "SandboxUser"]


def __getattr__(name: str) -> object:
    # client.py is imported lazily so the emulator alone stays importable while the client evolves.
    if name == "SandboxUser":
        from core.sandbox.client import SandboxUser

        return SandboxUser
    raise AttributeError(name)

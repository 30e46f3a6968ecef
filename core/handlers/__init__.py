"""The core's own handlers. Each factory returns a fresh Router (routers attach to one parent)."""

from __future__ import annotations

from aiogram import Router


def build_core_routers(app) -> list[Router]:
    from core.handlers import admin, cabinet, schedule, signup, start

    # signup first: while a user fills the form, their text answers belong to it.
    return [start.router(), signup.router(), cabinet.router(), schedule.router(), admin.router()]


def build_fallback_router(app) -> Router:
    from core.handlers import fallback

    return fallback.router()

"""`organizer doctor`: what would stop the bot from working here, checked one by one.

Read-only: it never creates a database file, a table or a migration. Each check runs whatever
the others found, so a broken or missing config still gets the checks that do not need it.
"""

from __future__ import annotations

UPGRADE = "run `organizer db upgrade`"


async def run_checks(config_file: str | None) -> list[tuple[str, bool, str]]:
    from core.app import OrganizerApp
    from core.config import ConfigError
    from core.plugins import PluginLoadError

    results: list[tuple[str, bool, str]] = []
    app = None
    try:
        app = OrganizerApp.from_config(config_file, require_token=False)
        results.append(("config", True, f"{len(app.settings.events)} event(s), {len(app.registry.plugins)} plugin(s)"
                        + ("" if app.settings.events else "; no events yet: add [events.<slug>] to your config")))
    except ConfigError as exc:
        results += [("config", False, str(issue)) for issue in exc.issues]
    except PluginLoadError as exc:
        results.append(("config", False, f"plugins: {exc}"))
    if app is None:
        results.append(("database", False, "not checked: fix the config first"))
        results.append(("bot api", False, "not checked: fix the config first"))
    else:
        results.append(await _database(app))
        results.append(await _bot_api(app))
    results.append(_zbar())
    return results


async def _database(app) -> tuple[str, bool, str]:
    from core.readonly import schema_state

    backend = app.engine.url.get_backend_name()
    try:
        state = await schema_state(app)
    except Exception as exc:
        return "database", False, f"cannot connect: {exc.__class__.__name__}: {exc}"
    finally:
        await app.engine.dispose()
    if state.state == "current":
        return "database", True, f"{backend} reachable; schema up to date"
    if state.state == "behind":
        return "database", False, f"{backend} reachable; schema behind the installed code: {UPGRADE}"
    return "database", False, f"{state.detail}: {UPGRADE}"


async def _bot_api(app) -> tuple[str, bool, str]:
    if not app.settings.bot.token:
        return "bot api", False, "no bot token: set bot.token in your config or ORGANIZER_BOT__TOKEN"
    from core.app import close_bot

    bot = app.make_bot()
    try:
        me = await bot.get_me()
        server = app.settings.bot.api_server or "api.telegram.org"
        return "bot api", True, f"{server} answers as @{me.username}"
    except Exception as exc:
        return "bot api", False, f"{exc.__class__.__name__}: {exc}"
    finally:
        await close_bot(bot)


def _zbar() -> tuple[str, bool, str]:
    try:
        from pyzbar import pyzbar  # noqa: F401

        return "zbar", True, "libzbar found (QR scanning works)"
    except ImportError as exc:
        return "zbar", False, f"{exc}; install it: apt-get install libzbar0"

"""`organizer doctor`: what would stop the bot from working here, checked one by one."""

from __future__ import annotations


async def run_checks(app) -> list[tuple[str, bool, str]]:
    from core import migrations

    results: list[tuple[str, bool, str]] = [
        ("config", True, f"{len(app.settings.events)} event(s), {len(app.registry.plugins)} plugin(s)")]
    try:
        async with app.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
        up = await migrations.is_up_to_date(app.engine, app.registry)
        results.append(("database", True, f"{app.engine.url.get_backend_name()} reachable; schema "
                        + ("up to date" if up else "behind — run `organizer db upgrade`")))
    except Exception as exc:
        results.append(("database", False, f"cannot connect: {exc.__class__.__name__}: {exc}"))
    finally:
        await app.engine.dispose()
    bot = app.make_bot()
    try:
        me = await bot.get_me()
        server = app.settings.bot.api_server or "api.telegram.org"
        results.append(("bot api", True, f"{server} answers as @{me.username}"))
    except Exception as exc:
        results.append(("bot api", False, f"{exc.__class__.__name__}: {exc}"))
    finally:
        await bot.session.close()
    try:
        from pyzbar import pyzbar  # noqa: F401

        results.append(("zbar", True, "libzbar found (QR scanning works)"))
    except ImportError as exc:
        results.append(("zbar", False, f"{exc}; install it: apt-get install libzbar0"))
    return results

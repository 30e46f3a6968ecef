"""QR passes and the check-in desk: a signed pass per participant, scanned from phone photos by
organizers and checkers, one check-in per person however many desks scan it at once.
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, BotCommand, MenuItem, PluginManifest, ProfileSection, hookimpl
from plugins.qr.config import QrConfig

HERE = Path(__file__).resolve().parent

manifest = PluginManifest(
    name="qr",
    version="0.1.0",
    description="QR passes (signed, re-issuable), a check-in desk for organizers and checkers, badge printing",
    config_model=QrConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)

PASS_ITEM = MenuItem("qr-menu-pass", "qr:pass", order=15)
DESK_ITEM = MenuItem("qr-menu-desk", "qr:desk", order=800)


@hookimpl
def register_routers(app):
    from plugins.qr.handlers import router

    return [router()]


@hookimpl
def menu_items(app, event, member):
    from core.models import Role

    # Checkers get the desk in their main menu (they have no organizer panel); organizers find it there.
    if member is not None and member.role == Role.CHECKER.value:
        return [PASS_ITEM, DESK_ITEM]
    return [PASS_ITEM]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("qr-admin-desk", "qr:desk", order=40)]


@hookimpl
def register_bot_commands(app):
    return [BotCommand("pass", "qr-cmd-pass")]


@hookimpl
async def profile_sections(app, session, event, member, tr):
    from zoneinfo import ZoneInfo

    from plugins.qr import service, tokens

    pass_ = await service.live_pass(session, event, member.user_id)
    lines = [tr("qr-profile-live", code=tokens.show_code(pass_.short_code)) if pass_ else tr("qr-profile-none")]
    came = await service.is_checked_in(session, event, member.user_id)
    if came is not None:
        local = came.astimezone(ZoneInfo(event.timezone or "UTC"))
        lines.append(tr("qr-profile-checked-in", when=f"{local:%d.%m %H:%M}"))
    return [ProfileSection("qr-profile-title", tuple(lines), order=15)]


@hookimpl(optionalhook=True)  # the news plugin's hook: it may not be installed
async def news_audiences(app, session, event, tr):
    from plugins.news.public import NewsAudience  # only called when the news plugin is there
    from plugins.qr import service

    absent = await service.not_checked_in(app, session, event)
    return [NewsAudience(service.NEWS_KEY, tr("qr-news-audience"), len(absent))]


@hookimpl(optionalhook=True)
async def news_recipients(app, session, event, key):
    from plugins.qr import service

    if key != service.NEWS_KEY:
        return None
    return await service.not_checked_in(app, session, event)


@hookimpl(optionalhook=True)  # core's hook (forgetting a member); optional until every branch has it
async def forget_member(app, session, event, member):
    from plugins.qr import service

    await service.forget(session, event, member.user_id)


@hookimpl
def on_shutdown(app):
    from plugins.qr import imaging

    imaging.shutdown()


@hookimpl
def register_cli(cli):
    from plugins.qr.cli import qr_cli

    cli.add_typer(qr_cli, name="qr")

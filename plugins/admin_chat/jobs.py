"""The helpdesk's periodic tick: forum topics, and whatever a race or a failure left waiting."""

from __future__ import annotations


async def relay_tick(ctx, session, payload) -> None:
    from plugins.admin_chat import relay

    await relay.tick(ctx.app, session, ctx.bot)

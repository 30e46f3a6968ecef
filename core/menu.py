"""Main menu and admin menu: core entries plus what the event's active plugins contribute."""

from __future__ import annotations

from core.context import EventContext
from core.contributions import AdminItem, MenuItem

CABINET = MenuItem("menu-cabinet", "core:cabinet", order=10)
SCHEDULE = MenuItem("menu-schedule", "core:schedule", order=20)
SWITCH_EVENT = MenuItem("menu-switch-event", "core:events", order=900)
ADMIN = MenuItem("menu-admin", "core:admin", order=1000)


async def main_menu_items(app, ctx: EventContext) -> list[MenuItem]:
    items = [CABINET, SCHEDULE]
    items += [i for i in await app.registry.call("menu_items", active=ctx.active, app=app,
                                                  event=ctx.event, member=ctx.member)
              if isinstance(i, MenuItem) and not isinstance(i, AdminItem)]
    if len(app.settings.events) > 1:
        items.append(SWITCH_EVENT)
    if ctx.is_admin:
        items.append(ADMIN)
    return sorted(items, key=lambda i: (i.order, i.text_key))


async def admin_menu_items(app, ctx: EventContext) -> list[AdminItem]:
    if not ctx.is_admin:
        return []
    items = await app.registry.call("admin_items", active=set(ctx.active), app=app, event=ctx.event, member=ctx.member)
    return sorted((i for i in items if isinstance(i, MenuItem)), key=lambda i: (i.order, i.text_key))

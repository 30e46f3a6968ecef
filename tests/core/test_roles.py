"""One rule for organizers: the config's admins are organizers while the config lists them;
a role granted in the bot or with `organizer admin add` stays until `organizer admin remove`."""

from core import people
from core.models import Role
from core.sandbox.harness import Sandbox


def demo(admins):
    return {"demo": {"title": "DemoConf", "timezone": "Europe/Moscow", "signup": {"enabled": False},
                     "admins": admins}}


async def has_panel(user) -> bool:
    await user.send("/menu")
    await user.expect(text="Главное меню")
    return any("Панель организатора" in b for b in user.buttons())


async def restart(sandbox, db_url, emulator, admins) -> Sandbox:
    await sandbox.stop()
    box = Sandbox(db_url, emulator=emulator)
    await box.start(plugins=["faq"], events=demo(admins))
    return box


async def test_a_config_admin_loses_the_role_when_taken_off_the_list(sandbox, db_url, emulator):
    olga, gleb = sandbox.user("Olga"), sandbox.user("Gleb")
    await sandbox.start(plugins=["faq"], events=demo([olga.id]))
    app = sandbox.app
    await olga.send("/start demo")
    await olga.expect(text="Главное меню")
    assert await has_panel(olga)
    await olga.send("/cabinet")
    await olga.expect(text="Роль: организатор")
    # Gleb is granted the role with the CLI's service, not listed in the config.
    async with app.transaction() as s:
        await people.set_role(s, await people.event_by_slug(s, "demo"), gleb.id, Role.ADMIN)
    await gleb.send("/start demo")
    await gleb.expect(text="Главное меню")
    assert await has_panel(gleb)

    box = await restart(sandbox, db_url, emulator, admins=[])
    try:
        assert not await has_panel(olga)
        await olga.send("/admin")
        await olga.expect(text="только организаторам")
        assert await has_panel(gleb)  # granted, not from the config: stays
    finally:
        await box.stop()


async def test_a_config_admin_who_was_also_granted_stays_and_a_removed_grant_goes(sandbox, db_url, emulator):
    olga = sandbox.user("Olga")
    await sandbox.start(plugins=["faq"], events=demo([]))
    await olga.send("/start demo")
    await olga.expect(text="Главное меню")
    assert not await has_panel(olga)
    box = await restart(sandbox, db_url, emulator, admins=[olga.id])
    try:
        assert await has_panel(olga)  # listed: an organizer while listed
        async with box.app.transaction() as s:  # `organizer admin remove` does not beat the config
            await people.set_role(s, await people.event_by_slug(s, "demo"), olga.id, Role.PARTICIPANT)
        box.app.context_cache.clear()
        assert await has_panel(olga)
    finally:
        await box.stop()

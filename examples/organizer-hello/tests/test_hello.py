"""The example plugin tested with the same fixtures as the built-ins (`sandbox` and `db_url` come
from Pocket Organizer's pytest plugin, registered automatically when it is installed). Every test
runs on SQLite and on PostgreSQL; without a PostgreSQL server those runs are skipped, saying why."""

import organizer_hello

EVENTS = {"demo": {"title": "Demo", "signup": {"enabled": False}, "plugins": {"hello": {"greeting_limit": 1}}}}


async def test_wave_button_counts_greetings(sandbox):
    await sandbox.start(plugins=[], extra_plugins=[organizer_hello], events=EVENTS)
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    await alice.send("/start demo")
    await alice.click("Помахать")
    await alice.expect(text="Всего приветствий: 1")
    await alice.click("В меню")  # core.keyboards.back_to_menu
    await alice.expect(text="Главное меню")
    await bob.send("/start demo")
    await bob.click("Помахать")
    await bob.expect(text="приветствий уже 2 — хватит")


async def test_organizers_see_the_count_in_their_panel(sandbox):
    await sandbox.start(plugins=[], extra_plugins=[organizer_hello], events=EVENTS)
    olga = await sandbox.admin("Olga")  # after start(): the event row exists from then on
    await olga.send("/start demo")
    await olga.click("Помахать")
    await olga.click("В меню")
    await olga.click("Панель организатора")
    await olga.click("Приветствия")
    await olga.expect(text="Приветствий в мероприятии: 1. Последнее: 20")


async def test_cli_stats_reads_the_sandbox_database(sandbox):
    await sandbox.start(plugins=[], extra_plugins=[organizer_hello], events=EVENTS)
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.click("Помахать")
    await alice.expect(text="Всего приветствий: 1")
    result = await sandbox.cli("hello", "stats", "demo")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "demo: 1 greeting"
    unknown = await sandbox.cli("hello", "stats", "nosuch")
    assert unknown.exit_code == 2 and "organizer events sync" in unknown.output

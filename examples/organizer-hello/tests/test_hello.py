"""The example plugin tested with the same fixtures as the built-ins (the `sandbox` fixture comes
from Pocket Organizer's pytest plugin, registered automatically when it is installed)."""

import organizer_hello


async def test_wave_button_counts_greetings(sandbox):
    await sandbox.start(plugins=[], extra_plugins=[organizer_hello],
                        events={"demo": {"title": "Demo", "signup": {"enabled": False},
                                         "plugins": {"hello": {"greeting_limit": 1}}}})
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    await alice.send("/start demo")
    await alice.click("Помахать")
    await alice.expect(text="Всего приветствий: 1")
    await bob.send("/start demo")
    await bob.click("Помахать")
    await bob.expect(text="приветствий уже 2 — хватит")

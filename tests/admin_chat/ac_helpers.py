"""Shared set-up for the helpdesk tests: an event, organizers, participants, a bound group."""

from __future__ import annotations

import io

from PIL import Image

EVENTS = {"demo": {"title": "Demo", "timezone": "UTC", "language": "ru", "signup": {"enabled": False}}}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="PNG")
    return out.getvalue()


async def start(sandbox, plugins=("admin_chat",), events=None):
    return await sandbox.start(plugins=list(plugins), events=events or EVENTS)


async def organizer(sandbox, name: str):
    person = await sandbox.admin(name)
    await person.send("/start demo")
    await person.expect(text="Главное меню")
    return person


async def participant(sandbox, name: str):
    person = sandbox.user(name)
    await person.send("/start demo")
    await person.expect(text="Главное меню")
    return person


async def bound_group(sandbox, owner, *others, forum: bool = False):
    """A group with the organizers in it, bound to the event by ``owner``; returns (chat, owner there)."""
    chat = sandbox.emulator.add_group("Orgs", [owner.id, *(o.id for o in others)], supergroup=True, forum=forum)
    there = owner.in_chat(chat["id"])
    await there.send("/bind")
    await there.expect(text="Готово")
    return chat, there


async def ask(person, text: str) -> None:
    await person.click("Вопрос организаторам")
    await person.send(text)
    await person.expect(text="передано организаторам")

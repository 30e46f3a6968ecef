"""The check-in rules on both databases, without Telegram: one check-in however many desks scan
at once, who may scan or undo, keys rotated without breaking passes, forgetting a member."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from core import people, privacy
from core.models import Member, Role
from plugins.qr import service, tokens
from plugins.qr.models import CheckIn, Pass, Scan
from plugins.qr.service import Outcome

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}


async def setup(sandbox, qr=None, n=1):
    events = {"demo": dict(EVENTS["demo"], plugins={"qr": qr or {}})}
    app = await sandbox.start(plugins=["qr"], events=events, poll=False)
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        for uid in range(1000, 1000 + n):
            await people.set_role(s, ev, uid, Role.PARTICIPANT)
        for uid in range(2000, 2020):
            await people.set_role(s, ev, uid, Role.CHECKER)
    return app


async def member(session, uid):
    ev = await people.event_by_slug(session, "demo")
    return ev, await people.get_member(session, ev.id, uid)


async def payload_of(app, uid) -> str:
    async with app.transaction() as s:
        ev, m = await member(s, uid)
        return await service.payload(app, s, ev, await service.my_pass(app, s, ev, m))


async def scan(app, by: int, payload: str) -> service.ScanResult:
    async with app.transaction() as s:
        ev, desk = await member(s, by)
        return await service.check_in_payloads(app, s, ev, desk, [payload])


async def test_twenty_desks_scanning_one_pass_at_once_check_it_in_exactly_once(sandbox):
    app = await setup(sandbox)
    token = await payload_of(app, 1000)
    results = await asyncio.gather(*(scan(app, 2000 + i, token) for i in range(20)))
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.OK) == 1 and outcomes.count(Outcome.ALREADY) == 19, outcomes
    first = next(r for r in results if r.outcome is Outcome.OK)
    assert all(r.at == first.at and r.checkin_id == first.checkin_id for r in results)
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(CheckIn)) == 1
        assert await s.scalar(select(func.count()).select_from(Scan)) == 20


async def test_a_double_tap_on_my_pass_issues_one_pass(sandbox):
    app = await setup(sandbox)

    async def open_pass():
        async with app.transaction() as s:
            ev, m = await member(s, 1000)
            return (await service.my_pass(app, s, ev, m)).id

    ids = await asyncio.gather(*(open_pass() for _ in range(10)))
    assert len(set(ids)) == 1
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Pass)) == 1


async def test_only_desk_staff_scan_and_only_organizers_undo(sandbox):
    app = await setup(sandbox, n=2)
    token = await payload_of(app, 1000)
    with pytest.raises(service.NotAllowed):
        await scan(app, 1001, token)  # a participant
    result = await scan(app, 2000, token)
    assert result.outcome is Outcome.OK
    async with app.transaction() as s:
        ev, checker = await member(s, 2000)
        with pytest.raises(service.NotAllowed):
            await service.undo(app, s, ev, checker, result.checkin_id)
        assert await service.undo(app, s, ev, service.SYSTEM, result.checkin_id) == "—"
        assert await service.undo(app, s, ev, service.SYSTEM, result.checkin_id) is None  # already undone
    assert (await scan(app, 2001, token)).outcome is Outcome.OK


async def test_rotated_keys_keep_issued_passes_valid_and_a_dropped_key_makes_them_forged(sandbox, tmp_path):
    old = {"keys": {"k1": "a" * 24}, "sign_with": "k1"}
    app = await setup(sandbox, qr=old)
    token = await payload_of(app, 1000)
    assert tokens.parse(token).key_id == "k1"
    app._plugin_configs.clear()  # what a restart with the rotated config does
    app.settings.events["demo"].plugins["qr"] = {"keys": {"k1": "a" * 24, "k2": "b" * 24}, "sign_with": "k2"}
    assert (await scan(app, 2000, token)).outcome is Outcome.OK
    async with app.transaction() as s:
        ev, m = await member(s, 1000)
        fresh = await service.reissue(app, s, ev, m)
        assert fresh.key_id == "k2"
    app._plugin_configs.clear()
    app.settings.events["demo"].plugins["qr"] = {"keys": {"k2": "b" * 24}, "sign_with": "k2"}
    assert (await scan(app, 2000, token)).outcome is Outcome.FORGED


async def test_config_keys_are_checked():
    from pydantic import ValidationError

    from plugins.qr.config import QrConfig

    for bad, problem in (({"keys": {"k1": "short"}, "sign_with": "k1"}, "too short"),
                         ({"keys": {"k1": "a" * 20}}, "sign_with must name one of the keys"),
                         ({"sign_with": "k1"}, "there are no keys"),
                         ({"keys": {"auto": "a" * 20}, "sign_with": "auto"}, "reserved")):
        with pytest.raises(ValidationError, match=problem):
            QrConfig.model_validate(bad)


async def test_forgetting_a_member_revokes_their_pass_and_drops_their_check_in(sandbox):
    app = await setup(sandbox)
    token = await payload_of(app, 1000)
    assert (await scan(app, 2000, token)).outcome is Outcome.OK
    async with app.transaction() as s:
        ev, m = await member(s, 1000)
        await privacy.forget_member(app, s, ev, m)  # what "delete my data", /delete and the CLI run
    result = await scan(app, 2000, token)
    assert result.outcome is Outcome.REVOKED and result.revoked_reason == "forgotten"
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(CheckIn)) == 0
        assert 1000 not in (await s.scalars(select(Scan.user_id))).all()


async def test_signup_not_finished_means_no_pass_and_not_registered_at_the_door(sandbox):
    events = {"demo": {"title": "Demo", "timezone": "UTC", "plugins": {"qr": {}}}}  # sign-up on
    app = await sandbox.start(plugins=["qr"], events=events, poll=False)
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        m = await people.set_role(s, ev, 1000, Role.PARTICIPANT)
        await people.set_role(s, ev, 2000, Role.CHECKER)
        with pytest.raises(service.NoPass):
            await service.my_pass(app, s, ev, m)
        people.complete_registration(m, {"full_name": "Алиса Петрова"})
        token = await service.payload(app, s, ev, await service.my_pass(app, s, ev, m))
    async with app.transaction() as s:
        m = await s.scalar(select(Member).where(Member.user_id == 1000))
        m.registered_at = None  # left half-way (e.g. re-registration)
    result = await scan(app, 2000, token)
    assert result.outcome is Outcome.NOT_REGISTERED and result.name == "Алиса Петрова"


async def test_a_second_yes_to_reissue_does_not_revoke_the_new_pass(sandbox):
    app = await setup(sandbox)
    async with app.transaction() as s:
        ev, m = await member(s, 1000)
        shown = await service.my_pass(app, s, ev, m)
        first = await service.reissue(app, s, ev, m, replacing=shown.id)
        again = await service.reissue(app, s, ev, m, replacing=shown.id)  # the same question's button
        assert first.id == again.id != shown.id
        assert (await service.reissue(app, s, ev, m, replacing=first.id)).id != first.id

"""The pass and the check-in desk through the real bot and the emulator: passes sent as photos,
phone photos of them decoded with pyzbar, every wrong pass named with its reason."""

from __future__ import annotations

import io
import re

from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import select

from core import people
from core.models import Role
from desk import checker, checkins, code_of, joined, pass_png, start
from photos import phone_photo, photo_without_qr, qr_png
from plugins.qr import tokens
from plugins.qr.models import Scan


async def test_photos_of_passes_rotated_scaled_and_compressed_all_check_in_and_a_second_scan_says_already(sandbox):
    app = await start(sandbox)
    angles = (0, 90, 180, 15, -15)
    people_ = await joined(sandbox, *(f"Guest{i}" for i in range(len(angles))))
    kate = await checker(sandbox)
    pngs = []
    for user in people_:
        png, first = await pass_png(sandbox, user)
        again, second = await pass_png(sandbox, user)
        assert code_of(first) == code_of(second)  # the same pass on every view
        pngs.append(png)
    for i, (angle, png) in enumerate(zip(angles, pngs)):
        await kate.send_photo(phone_photo(png, angle=angle, seed=i))
        await kate.expect(text=re.compile(rf"✅ Guest{i} — участник"))
    assert await checkins(app) == len(angles)

    await kate.send_photo(phone_photo(pngs[3], angle=180, seed=42))
    already = await kate.expect(text="Уже отмечен")
    assert "Guest3" in already["text"] and "Kate" in already["text"]
    assert re.search(r"в \d\d:\d\d", already["text"])  # the first scan's time
    assert "Отменить отметку" not in kate.buttons()  # a checker only scans
    assert await checkins(app) == len(angles)


async def test_every_wrong_pass_gets_its_own_answer(sandbox):
    app = await start(sandbox)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    (olaf,) = await joined(sandbox, "Olaf", event="other")
    kate = await checker(sandbox)
    alice_png, alice_msg = await pass_png(sandbox, alice)
    bob_png, _ = await pass_png(sandbox, bob)
    await olaf.send("/start other")
    olaf_png, _ = await pass_png(sandbox, olaf)

    real = tokens.parse(decode(Image.open(io.BytesIO(alice_png)))[0].data.decode())
    altered = tokens.Token(real.event, real.key_id, real.nonce[:-1] + ("A" if real.nonce[-1] != "A" else "B"), real.mac)
    forged = tokens.Token(real.event, real.key_id, tokens.new_nonce(), real.mac)
    unknown_key = tokens.Token(real.event, "k9", real.nonce, real.mac)

    def as_text(t):
        return f"PO1.{t.event}.{t.key_id}.{t.nonce}.{t.mac}"

    for payload in (as_text(altered), as_text(forged), as_text(unknown_key)):
        await kate.send_photo(phone_photo(qr_png(payload), angle=10))
        await kate.expect(text="Поддельный или изменённый пропуск")
    await kate.send_photo(phone_photo(olaf_png, angle=90))
    await kate.expect(text="Пропуск на другое мероприятие: «Other Conf»")
    await kate.send_photo(phone_photo(qr_png("https://example.com/free-entry"), angle=0))
    await kate.expect(text="Это не пропуск")
    await kate.send_document(b"%PDF-1.4 not really", file_name="pass.pdf", mime_type="application/pdf")
    await kate.expect(text="Это не изображение")
    await kate.send_document(b"just some notes", file_name="notes")  # no type given: fetched, then refused
    await kate.expect(text="Это не изображение")
    await kate.send_photo(photo_without_qr())
    await kate.expect(text="QR не найден")
    await kate.send("ZZZZ-2222")
    await kate.expect(text="Код не найден: «ZZZZ-2222»")

    # Bob re-issues his pass: the old picture is revoked, the new one works.
    await bob.click("Перевыпустить")
    await bob.click("Да, выпустить новый")
    fresh = await bob.expect(text="вот новый пропуск")
    await kate.send_photo(phone_photo(bob_png, angle=-15))
    await kate.expect(text=re.compile("Пропуск отозван.*выпущен новый.*Bob"))
    await kate.send_photo(phone_photo(sandbox.emulator.world.files[fresh["photo_file_id"]].data, angle=15))
    await kate.expect(text="✅ Bob")

    # A poster's big QR behind a pass shot from afar (100 px: unreadable at half size, where the
    # poster is read) does not hide the pass.
    carol_png, _ = await pass_png(sandbox, (await joined(sandbox, "Carol"))[0])
    await kate.send_photo(phone_photo(carol_png, qr_px=100, poster=qr_png("https://example.com/wifi")))
    await kate.expect(text="✅ Carol")

    # The short code typed by hand, in lower case with a space.
    await kate.send(code_of(alice_msg).lower().replace("-", " "))
    await kate.expect(text="✅ Alice")
    # A pass sent as a file (an image document) is read too.
    await kate.send_document(phone_photo(alice_png, angle=90), file_name="IMG_0001.jpg", mime_type="image/jpeg")
    await kate.expect(text="Уже отмечен")
    assert await checkins(app) == 3
    async with app.sessions() as s:
        results = (await s.scalars(select(Scan.result).order_by(Scan.id))).all()
    assert results.count("forged") == 3 and {"other_event", "not_ours", "not_image", "no_qr", "bad_code",
                                             "revoked", "ok", "already"} <= set(results)


async def test_organizer_undoes_a_check_in_and_sees_live_counts_participants_may_not_scan(sandbox):
    app = await start(sandbox)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    alice_png, _ = await pass_png(sandbox, alice)

    # A participant has no desk in the menu; a checker whose role was taken away mid-shift is refused.
    assert "📷 Пункт регистрации" not in bob.buttons()
    kate = await checker(sandbox)
    async with app.transaction() as session:
        await people.set_role(session, await people.event_by_slug(session, "demo"), kate.id, Role.PARTICIPANT)
    await kate.send_photo(phone_photo(alice_png, angle=90))
    await kate.expect(text="Сканировать пропуска могут только организаторы и контролёры")
    assert await checkins(app) == 0

    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Регистрация на входе")
    await olga.expect(text="Присылайте фото пропусков")
    await olga.send_photo(phone_photo(alice_png, angle=90))
    await olga.expect(text="✅ Alice")
    await olga.click("Статистика")
    await olga.expect(text=re.compile(r"Отметились: 1 из 4\n\d\d\.\d\d \d\d:00 — 1"))
    await olga.send_photo(phone_photo(alice_png, angle=180))
    await olga.expect(text="Уже отмечен")
    await olga.click("Отменить отметку")
    await olga.expect(text="Отметка снята: Alice")
    assert await checkins(app) == 0
    await olga.send_photo(phone_photo(alice_png, angle=0))
    await olga.expect(text="✅ Alice")
    async with app.sessions() as s:
        assert "undo" in (await s.scalars(select(Scan.result))).all()

    # Bob's cabinet: his pass code; Alice's: she came in.
    await alice.send("/cabinet")
    await alice.expect(text="Вы отметились на входе")


async def test_the_desk_names_the_workshops_the_person_booked_for_today(sandbox):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from core.db import utcnow
    from plugins.workshops.models import Booking, Workshop

    app = await start(sandbox, plugins=("qr", "workshops"))
    (alice,) = await joined(sandbox, "Alice")
    # Rows written directly: "earlier today" must work at any hour the suite runs, and creating a
    # workshop in the past is (rightly) refused by the organizer's tools.
    moscow = ZoneInfo("Europe/Moscow")
    today = dt.datetime.combine(dt.datetime.now(moscow).date(), dt.time(0, 1), moscow).astimezone(dt.UTC)
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        for title, starts in (("Пайка", today), ("Завтрашний", today + dt.timedelta(days=1, hours=1))):
            w = Workshop(event_id=ev.id, title=title, starts_at=starts, ends_at=starts + dt.timedelta(minutes=30),
                         capacity=5, created_at=utcnow(), updated_at=utcnow())
            s.add(w)
            await s.flush()
            s.add(Booking(workshop_id=w.id, event_id=ev.id, user_id=alice.id))
    png, _ = await pass_png(sandbox, alice)
    kate = await checker(sandbox)
    await kate.send_photo(phone_photo(png, angle=90))
    answer = await kate.expect(text="✅ Alice")
    assert "Мастер-классы сегодня: Пайка" in answer["text"] and "Завтрашний" not in answer["text"]


async def test_two_desks_scanning_the_same_pass_at_once_one_admits_the_other_says_already(sandbox):
    import asyncio

    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    png, _ = await pass_png(sandbox, alice)
    kate, lena = await checker(sandbox, "Kate"), await checker(sandbox, "Lena")
    await asyncio.gather(kate.send_photo(phone_photo(png, angle=90, seed=1)),
                         lena.send_photo(phone_photo(png, angle=180, seed=2)))
    answers = [(await desk.expect(text=re.compile("Alice")))["text"] for desk in (kate, lena)]
    assert sorted(a[:1] for a in answers) == ["⚠", "✅"], answers
    assert await checkins(app) == 1


async def test_no_pass_and_no_desk_without_consent(sandbox):
    events = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "signup": {"enabled": True}}}
    await sandbox.start(plugins=["qr"], events=events)
    gus = sandbox.user("Gus")
    await gus.send("/start demo")
    await gus.click("Не согласен")
    await gus.send("/pass")
    await gus.expect(text="Сначала завершите регистрацию")
    assert not any(m["photo_file_id"] for m in gus.messages())

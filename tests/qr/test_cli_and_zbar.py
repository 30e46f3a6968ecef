"""`organizer qr scan|stats|print|checker` and what happens on a machine without the zbar library:
the doctor and the scan command name the package; the rest of the bot keeps working."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import zipfile

from PIL import Image
from sqlalchemy import select

from core import people
from core.models import Member, Role
from photos import phone_photo
from plugins.qr import imaging

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}
CONFIG = ('[bot]\ntoken = "1:x"\n[database]\nurl = "{url}"\n'
          '[events.demo]\ntitle = "Demo"\n[events.demo.signup]\nenabled = false\n')


def no_zbar(tmp_path) -> str:
    """A PYTHONPATH where `import pyzbar.pyzbar` fails as it does when libzbar0 is not installed."""
    fake = tmp_path / "nozbar" / "pyzbar"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "pyzbar.py").write_text("raise ImportError('Unable to find zbar shared library')\n")
    return str(fake.parent)


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def run_cli(*args: str, config, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-m", "core.cli", "qr", *args, "-c", str(config)],
                          capture_output=True, text=True, env=env, timeout=120)


async def members(app, n):
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        for uid in range(1000, 1000 + n):
            m = await people.set_role(s, ev, uid, Role.PARTICIPANT)
            people.complete_registration(m, {"full_name": f"Гость {uid}"})


async def test_print_scan_and_stats_from_the_terminal(sandbox, tmp_path):
    app = await sandbox.start(plugins=["qr"], events=EVENTS, poll=False)
    await members(app, 3)
    config = tmp_path / "organizer.toml"
    config.write_text(CONFIG.format(url=sandbox.db_url))

    done = await asyncio.to_thread(run_cli, "print", "demo", str(tmp_path / "badges.zip"), config=config)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "badges.zip") as archive:
        assert sorted(archive.namelist()) == ["pass-1000.png", "pass-1001.png", "pass-1002.png"]
        pngs = [archive.read(name) for name in sorted(archive.namelist())]
    done = await asyncio.to_thread(run_cli, "print", "demo", str(tmp_path / "two.pdf"), "--user", "1002",
                                   "--user", "1000", config=config)
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "two.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pages(pdf) == 2
    refused = await asyncio.to_thread(run_cli, "print", "demo", str(tmp_path / "x.pdf"), "--user", "77",
                                       config=config)
    assert refused.returncode == 2 and "not registered in demo: 77" in refused.stderr

    photos = []
    for i, png in enumerate(pngs[:2]):
        photos.append(tmp_path / f"photo{i}.jpg")
        photos[-1].write_bytes(phone_photo(png, angle=90 * i, seed=i))
    photos.append(tmp_path / "again.jpg")
    photos[-1].write_bytes(phone_photo(pngs[0], angle=15, seed=9))
    done = await asyncio.to_thread(run_cli, "scan", "demo", *map(str, photos), config=config)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 1  # not every image was a first check-in
    assert "\tok\tname=Гость 1000" in lines[0] and "\tok\tname=Гость 1001" in lines[1]
    assert "\talready\tname=Гость 1000, at=" in lines[2]

    done = await asyncio.to_thread(run_cli, "stats", "demo", config=config)
    assert done.returncode == 0 and "checked in: 2 of 3 registered" in done.stdout

    done = await asyncio.to_thread(run_cli, "checker", "demo", "1002", config=config)
    assert done.returncode == 0, done.stderr
    async with app.sessions() as s:
        assert await s.scalar(select(Member.role).where(Member.user_id == 1002)) == "checker"


async def test_without_zbar_the_doctor_and_scan_name_the_package_and_the_bot_keeps_working(sandbox, tmp_path,
                                                                                           monkeypatch):
    app = await sandbox.start(plugins=["qr"], events=EVENTS, poll=True)
    await members(app, 1)
    config = tmp_path / "organizer.toml"
    config.write_text(CONFIG.format(url=sandbox.db_url))
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"whatever")
    done = await asyncio.to_thread(run_cli, "scan", "demo", str(photo), config=config, pythonpath=no_zbar(tmp_path))
    assert done.returncode == 2 and "apt-get install libzbar0" in done.stderr, done.stderr

    # In the running bot: pyzbar's import fails the same way.
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    assert "libzbar0" in imaging.scanner_problem()
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.click("Мой пропуск")  # passes are still drawn and sent
    got = await alice.expect(text="Код:")
    code = got["caption"].split("Код: ")[1][:9]
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Регистрация на входе")
    await olga.expect(text="не установлена библиотека zbar (пакет libzbar0)")
    await olga.send_photo(phone_photo(sandbox.emulator.world.files[got["photo_file_id"]].data))
    await olga.expect(text="Распознавание фото на этом сервере не работает")
    await olga.send(code)  # the code under the QR still works
    await olga.expect(text="✅ Alice")


async def test_doctor_names_the_zbar_package_when_it_is_missing(emulator, tmp_path):
    emulator.add_bot("7:DOC", username="doc_bot")
    config = tmp_path / "o.toml"
    config.write_text(f'[bot]\ntoken = "7:DOC"\napi_server = "{emulator.base_url}"\n'
                      f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "o.db"}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    env["PYTHONPATH"] = no_zbar(tmp_path)
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "core.cli", "doctor", "-c", str(config)],
                                   capture_output=True, text=True, env=env, timeout=120)
    assert "[FAIL] zbar:" in done.stdout and "apt-get install libzbar0" in done.stdout, done.stdout
    assert "[ok] bot api:" in done.stdout


def test_passes_pdf_has_one_page_per_pass():
    picture = imaging.PassPicture("PO1.demo.k.N.M", "Demo", "Имя", "ABCD-2345")
    pdf = imaging.passes_pdf([picture, picture, picture])
    assert pdf.startswith(b"%PDF") and pages(pdf) == 3
    png = imaging.pass_png(picture)
    assert Image.open(io.BytesIO(png)).size[0] >= 480

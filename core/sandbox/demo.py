"""``organizer demo``: the whole product on one laptop, with no token and no internet.

One process runs the Bot API emulator, the real app (aiogram polling the emulator, SQLite under
``data_dir``), the sample event from ``config/demo/`` and a browser chat page (``web/`` +
``webapi.py``) where one plays participants and organizers side by side.

What survives a restart (unless ``--reset``): the database (sign-ups, bookings, roles...) and the
list of demo people with their Telegram ids (``demo-state.json``), so the bot still knows them.
Chat histories live in the emulator's memory and start empty after a restart, as on a new phone.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import signal
import socket
import sys
import tomllib
import zoneinfo
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from sqlalchemy import select

from core import people
from core.models import Member, Role
from core.plugins import builtin_plugins
from core.sandbox.emulator import BotAPIEmulator
from core.sandbox.harness import TEST_TOKEN, Sandbox
from core.sandbox.webguard import is_loopback, new_token

log = logging.getLogger(__name__)

REPO_DIR = Path(__file__).resolve().parents[2]
DEMO_CONFIG_DIR = REPO_DIR / "config" / "demo"
WEB_DIR = Path(__file__).resolve().parent / "web"
EVENT_SLUG = "demo"
DB_FILE = "demo.db"
STATE_FILE = "demo-state.json"
STATE_VERSION = 1
KEEP_REQUESTS = 2000
FIRST_USER_ID = 100_000_001  # the emulator's own numbering starts here too
ROLES = {"participant": Role.PARTICIPANT, "organizer": Role.ADMIN}
# Who is there on the very first start: a participant to try the bot at once, an organizer beside her.
DEFAULT_PEOPLE = (("Алиса", "ru", "participant"), ("Ольга", "ru", "organizer"))


@dataclass
class DemoPerson:
    id: int
    first_name: str
    language_code: str = "ru"


def fake_phone(user_id: int) -> str:
    """A stable, obviously fake Russian mobile number for the "share my phone" button."""
    return f"+7999{user_id % 10_000_000:07d}"


# ------------------------------------------------------------------------------------------ config


def load_event_config(config_dir: Path = DEMO_CONFIG_DIR) -> dict[str, Any]:
    with open(config_dir / "settings.toml", "rb") as f:
        data = tomllib.load(f)
    return data.get("events") or {}


def load_program(config_dir: Path = DEMO_CONFIG_DIR) -> dict[str, Any]:
    path = config_dir / "program.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def rebase_program_dates(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Move every ``*_at`` timestamp forward by whole days if the earliest one is not after ``today``.

    The sample program carries fixed dates; shifting keeps local times and gaps intact while
    making every item upcoming (bookable) whenever the demo database is created.
    """
    stamps: list[tuple[dict, str, dt.datetime]] = []
    lists = [s for s in data.values() if isinstance(s, list)]
    # A section may also be a mapping of lists (schedule: {speakers: [...], sessions: [...]}).
    lists += [v for s in data.values() if isinstance(s, dict) for v in s.values() if isinstance(v, list)]
    for section in lists:
        for item in section:
            if not isinstance(item, dict):
                continue
            for key, value in item.items():
                if not key.endswith("_at"):
                    continue
                if isinstance(value, dt.datetime):
                    stamps.append((item, key, value))
                elif isinstance(value, str):
                    with contextlib.suppress(ValueError):
                        stamps.append((item, key, dt.datetime.fromisoformat(value)))
    if not stamps:
        return data
    earliest = min(s[2].date() for s in stamps)
    if earliest > today:
        return data
    shift = dt.timedelta(days=(today - earliest).days + 1)
    for item, key, value in stamps:
        moved = value + shift
        item[key] = moved.isoformat() if isinstance(item[key], str) else moved
    return data


# ------------------------------------------------------------------------------------------ server


class DemoServer:
    """Emulator + app + page. ``await start()``, then ``url``; ``await stop()`` undoes everything."""

    def __init__(self, data_dir: str | Path, *, host: str = "127.0.0.1", port: int = 8080, reset: bool = False,
                 config_dir: Path = DEMO_CONFIG_DIR, public: bool = False):
        if not public and not is_loopback(host):
            # The page acts as any user, organizers included: not for the network by accident.
            raise DemoError(f"refusing to listen on {host}: the demo lets whoever reaches it act as any user, "
                            "organizers included. Use the default 127.0.0.1, or add --public if you really "
                            "mean to open it to your network.")
        self.data_dir = Path(data_dir)
        self.public = public
        self.api_token = new_token()  # per run: the page gets it in its HTML, the API requires it
        self.host = host
        self.port = port
        self.reset = reset
        self.config_dir = config_dir
        self.emulator: BotAPIEmulator | None = None
        self.sandbox: Sandbox | None = None
        self.people: dict[int, DemoPerson] = {}
        self.imported_sections: set[str] = set()  # program sections already in the database
        self.import_messages: list[str] = []
        self.restored = False  # True when people came from an earlier run
        self.slug = EVENT_SLUG
        self._runner: web.AppRunner | None = None
        self._housekeeping: asyncio.Task | None = None
        self.webapi = None  # the page's API (core.sandbox.webapi.DemoApi) once started
        self._lock = asyncio.Lock()

    # --- paths and state ------------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def db_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path.resolve()}"

    @property
    def state_path(self) -> Path:
        return self.data_dir / STATE_FILE

    @property
    def app(self):
        assert self.sandbox is not None and self.sandbox.app is not None
        return self.sandbox.app

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def _wipe(self) -> None:
        for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal", STATE_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / name).unlink()

    def _load_state(self) -> None:
        if not self.state_path.exists():
            return
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            people_list = [DemoPerson(int(p["id"]), str(p["first_name"]), str(p.get("language_code") or "ru"))
                           for p in state.get("people", [])]
        except (ValueError, KeyError, TypeError) as exc:
            raise DemoError(f"{self.state_path} is damaged ({exc}); start with --reset to begin anew") from None
        self.people = {p.id: p for p in people_list}
        self.imported_sections = {str(x) for x in state.get("imported_sections", [])}
        self.restored = bool(self.people)

    def save_state(self) -> None:
        state = {"version": STATE_VERSION, "imported_sections": sorted(self.imported_sections),
                 "people": [asdict(p) for p in self.people.values()]}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.state_path)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> DemoServer:
        if self.port:
            _check_port_free(self.host, self.port)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.reset:
            self._wipe()
        self._load_state()
        if self.people and not self.db_path.exists():
            # The database was removed by hand: the people list alone would describe strangers.
            self.people, self.imported_sections, self.restored = {}, set(), False

        # Every built-in plugin, as in a real deployment: a broken one fails the demo loudly.
        plugins = {name.rsplit(".", 1)[1] for name in builtin_plugins()}
        try:
            self.emulator = await BotAPIEmulator().start("127.0.0.1", 0)
            self.emulator.add_bot(TEST_TOKEN, first_name="Pocket Organizer", username="pocket_organizer_demo_bot")
            for person in self.people.values():
                self.emulator.add_user(person.first_name, language_code=person.language_code, user_id=person.id)
            events = self._events_config(plugins)
            self.sandbox = Sandbox(self.db_url, emulator=self.emulator)
            await self.sandbox.start(plugins=sorted(plugins), events=events)
            with contextlib.suppress(Exception):  # the "/" command menu is a nicety, not a requirement
                await self.app.set_commands()
            await self._import_program()
            if not self.people:
                for name, lang, role in DEFAULT_PEOPLE:
                    await self.add_person(name, lang, role)
            self.save_state()

            from core.sandbox.webapi import API_KEY, create_web_app

            web_app = create_web_app(self)
            self.webapi = web_app[API_KEY]
            self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=2.0)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, self.port)
            await site.start()
            sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
            if sockets:
                self.port = sockets[0].getsockname()[1]
            self._housekeeping = asyncio.create_task(self._trim_records())
        except BaseException:
            await self.stop()
            raise
        return self

    async def _trim_records(self) -> None:
        # The emulator records every Bot API request for tests; a demo left open for days must not grow.
        while True:
            await asyncio.sleep(30)
            if self.emulator is not None and len(self.emulator.requests) > KEEP_REQUESTS:
                del self.emulator.requests[:-KEEP_REQUESTS]

    async def stop(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.sandbox is not None:
            with contextlib.suppress(Exception):
                await self.sandbox.stop()
            self.sandbox = None
        if self.emulator is not None:
            await self.emulator.stop()
            self.emulator = None

    async def __aenter__(self) -> DemoServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- the sample event -----------------------------------------------------------------

    def _events_config(self, plugins: set[str]) -> dict[str, Any]:
        events = load_event_config(self.config_dir)
        for conf in events.values():
            sections = conf.get("plugins") or {}
            conf["plugins"] = {k: v for k, v in sections.items() if k in plugins}
        return events

    async def _import_program(self) -> None:
        """Import the sample program's sections not imported yet whose plugin is active.

        Once per section: later runs keep what organizers changed in the bot. A section whose plugin
        is missing now is imported on the first run that has it.
        """
        from core.program import import_program, sections_of

        data = await asyncio.to_thread(load_program, self.config_dir)  # YAML parsing: off the loop
        readable = set()
        for name in self.app.active_plugins(self.slug):
            readable.update(sections_of(self.app, name))
        todo = sorted((set(data) & readable) - self.imported_sections)
        waiting = sorted(set(data) - readable - self.imported_sections)
        if waiting:
            self.import_messages.append(f"sections waiting for their plugin: {', '.join(waiting)}")
        if not todo:
            return
        tz = zoneinfo.ZoneInfo(self.app.settings.events[self.slug].timezone)
        data = rebase_program_dates({k: data[k] for k in todo}, dt.datetime.now(tz).date())
        report = await import_program(self.app, self.slug, data)
        self.import_messages += [line for line in report.lines() if not line.startswith("  ")]
        if report.errors:
            for line in report.errors:
                log.warning("demo program: %s", line)
            return  # nothing was written; the next start tries again
        self.imported_sections.update(todo)

    # --- people ---------------------------------------------------------------------------

    async def add_person(self, first_name: str, language_code: str = "ru", role: str = "participant") -> DemoPerson:
        first_name = " ".join(first_name.split())[:64]
        if not first_name:
            raise ValueError("first_name must not be empty")
        if language_code not in ("ru", "en"):
            raise ValueError("language_code must be ru or en")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        async with self._lock:
            new_id = max([FIRST_USER_ID - 1, *self.people, *self.emulator.world.users]) + 1
            self.emulator.add_user(first_name, language_code=language_code, user_id=new_id)
            person = DemoPerson(new_id, first_name, language_code)
            self.people[new_id] = person
            self.save_state()
        if role != "participant":
            await self.set_role(new_id, role)
        return person

    async def set_role(self, user_id: int, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if user_id not in self.people:
            raise LookupError(f"unknown user {user_id}")
        async with self.app.transaction() as session:
            event = await people.event_by_slug(session, self.slug)
            await people.set_role(session, event, user_id, ROLES[role])

    async def memberships(self) -> dict[int, dict[str, Any]]:
        """Role and sign-up state of each person in the demo event, from the database."""
        async with self.app.sessions() as session:
            event = await people.event_by_slug(session, self.slug)
            if event is None:
                return {}
            rows = await session.execute(select(Member.user_id, Member.role, Member.registered_at)
                                         .where(Member.event_id == event.id))
            return {uid: {"role": role, "registered": registered is not None} for uid, role, registered in rows}

    async def people_view(self) -> list[dict[str, Any]]:
        members = await self.memberships()
        out = []
        for person in self.people.values():
            member = members.get(person.id)
            role = member["role"] if member else Role.PARTICIPANT.value
            if member and person.id in self.app.settings.events[self.slug].admins:
                role = Role.ADMIN.value  # the config's admins are organizers while it lists them
            out.append({
                "id": person.id,
                "first_name": person.first_name,
                "language_code": person.language_code,
                "role": "organizer" if role == Role.ADMIN.value else role,
                "joined": member is not None,
                "registered": bool(member and member["registered"]),
            })
        return out


# ------------------------------------------------------------------------------------------ CLI


class DemoError(Exception):
    """A problem the person running the demo can fix; shown without a traceback."""


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise DemoError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                            f"is another demo running? Pick another port: organizer demo --port {port + 1}") from None


async def _serve(server: DemoServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    await server.start()
    try:
        title = server.app.settings.events[server.slug].title
        print(f"Pocket Organizer demo — «{title}»", flush=True)
        for line in server.import_messages:
            print(f"  program: {line}", flush=True)
        print(f"  data: {server.data_dir.resolve()}" + ("  (restored from the last run)" if server.restored else ""),
              flush=True)
        print(f"Open {server.url} in your browser. Ctrl+C stops.", flush=True)
        await stop.wait()
    finally:
        print("Stopping…", flush=True)
        await server.stop()


def run_demo(*, host: str = "127.0.0.1", port: int = 8080, reset: bool = False,
             data_dir: str | Path = ".organizer-demo", public: bool = False) -> None:
    """Blocking entry point of ``organizer demo``; returns after Ctrl+C or SIGTERM."""
    from core import logs

    logs.configure("WARNING")
    try:
        server = DemoServer(data_dir, host=host, port=port, reset=reset, public=public)
    except DemoError as exc:
        print(f"organizer demo: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if public and not is_loopback(host):
        print(f"WARNING: the demo listens on {host}: anyone who can reach this port and open the page can act "
              "as any demo user, organizers included. Stop it (Ctrl+C) when you are done.", file=sys.stderr,
              flush=True)
    try:
        asyncio.run(_serve(server))
    except KeyboardInterrupt:
        pass
    except DemoError as exc:
        print(f"organizer demo: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

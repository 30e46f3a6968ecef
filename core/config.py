"""Settings: dynaconf loads the layers, pydantic validates them, errors are reported all at once.

Layers, later wins: ``config/settings.toml`` (defaults shipped with the package), the user file
(``--config`` or ``ORGANIZER_CONFIG``), then environment variables ``ORGANIZER_<SECTION>__<KEY>``.
Validation covers the core model and every plugin's model for every event, and each error names
its dotted path, the file (or env var) it came from and what is expected.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.toml"
ENV_PREFIX = "ORGANIZER"
SUPPORTED_LANGUAGES = ("ru", "en")
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


PLACEHOLDER_TOKEN = re.compile(r"REPLACE-WITH|YOUR-TOKEN|YOUR_TOKEN|^123456:ABC-DEF$", re.IGNORECASE)  # the examples' tokens


class BotSettings(Strict):
    # Required to run the bot (``validate(require_token=True)``); commands that never talk to
    # Telegram (`db upgrade`, `plugins list`) work without it: deploy pipelines migrate before
    # the secret exists.
    token: str | None = Field(default=None, description="Bot token from @BotFather, e.g. 123456:ABC-DEF")
    username: str | None = Field(default=None, description="The bot's @username, for t.me links when offline")
    api_server: str | None = Field(
        default=None, description="Base URL of a Bot API-compatible server (self-hosted or the sandbox)"
    )

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not TOKEN_RE.match(value):
            raise ValueError("expected a bot token like 123456:ABC-DEF from @BotFather")
        if PLACEHOLDER_TOKEN.search(value):
            raise ValueError("this is the example's placeholder, not a token: put the token @BotFather "
                             "gave your bot here, or set ORGANIZER_BOT__TOKEN")
        return value

    @field_validator("username")
    @classmethod
    def _username_shape(cls, value: str | None) -> str | None:
        value = value.removeprefix("@") if value else value
        if value and not re.match(r"^[A-Za-z][A-Za-z0-9_]{3,31}$", value):
            raise ValueError("expected the bot's username as @BotFather shows it, e.g. my_event_bot")
        return value

    @field_validator("api_server")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("expected an http(s) URL such as http://127.0.0.1:8081")
        return value.rstrip("/") if value else value


class DatabaseSettings(Strict):
    url: str = "sqlite+aiosqlite:///organizer.db"
    echo: bool = False
    context_cache_seconds: float = Field(
        default=10.0, ge=0, le=3600,
        description="how long a user's context (row, current event, role) is reused without a "
                    "database read; writes by this process drop it at once, writes by other "
                    "processes (the CLI) show within this time; 0 = off; off when Redis is set")

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "expected a database URL such as sqlite+aiosqlite:///organizer.db "
                "or postgresql+asyncpg://user@host/db"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported backend {url.get_backend_name()!r}: use sqlite or postgresql")
        return value


class RedisSettings(Strict):
    url: str | None = Field(default=None, description="redis://host:6379/0 — shared FSM and locks")


class WebhookSettings(Strict):
    """``organizer run --webhook``: an aiohttp server behind a reverse proxy (see README, deployment)."""

    host: str = Field(default="127.0.0.1", description="address to listen on (the proxy forwards here)")
    port: int = Field(default=8080, ge=1, le=65535)
    path: str = Field(default="/telegram/webhook", pattern=r"^/[A-Za-z0-9/_-]*$")
    url: str | None = Field(default=None, description="public https URL Telegram calls, e.g. "
                            "https://bot.example.org/telegram/webhook; set with setWebhook at start if given")
    secret_token: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$",
                                     description="compared with X-Telegram-Bot-Api-Secret-Token on every request")


class DeliverySettings(Strict):
    # Telegram's "about 30 a second"; the limiter keeps 3 % below it (HEADROOM in core.delivery.ratelimit).
    global_rate: float = Field(default=30.0, gt=0, le=1000, description="messages per second, all chats")
    private_chat_rate: float = Field(default=1.0, gt=0, description="messages per second to one private chat")
    private_chat_burst: int = Field(default=3, ge=1)
    group_per_minute: int = Field(default=20, ge=1)
    batch_size: int = Field(default=50, ge=1, le=1000)
    max_attempts: int = Field(default=8, ge=1)
    claim_timeout_seconds: float = Field(default=60.0, gt=0)
    lease_seconds: float = Field(default=6.0, gt=0, description="a worker silent this long is taken for dead; "
                                 "its claimed messages and jobs go back to the queue")
    poll_interval_seconds: float = Field(default=0.5, gt=0)
    reply_max_age_seconds: float = Field(default=60.0, gt=0,
                                         description="a reply its user has waited longer for is dropped, not sent stale")
    user_updates_per_second: float = Field(default=2.0, gt=0,
                                           description="updates one user may send a second; the rest are dropped")
    user_updates_burst: int = Field(default=5, ge=1, description="updates one user may send at once")


class LoggingSettings(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = Field(default=False, alias="json")


class SignupField(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    kind: Literal["text", "phone", "email"] = "text"
    required: bool = True
    label: dict[str, str] = Field(default_factory=dict, description="per-language label, e.g. {ru=..., en=...}")
    max_length: int = Field(default=200, ge=1, le=1000)


class SignupSettings(Strict):
    enabled: bool = True
    fields: list[SignupField] = Field(
        default_factory=lambda: [
            SignupField(key="full_name", label={"ru": "ФИО", "en": "Full name"}),
            SignupField(key="phone", kind="phone", label={"ru": "Телефон", "en": "Phone"}),
            SignupField(key="company", required=False, label={"ru": "Компания", "en": "Company"}),
        ]
    )
    consent_url: str | None = None


class EventSettings(Strict):
    title: str = Field(min_length=1, max_length=200)
    timezone: str = "UTC"
    language: Literal["ru", "en"] = "ru"
    open: bool = Field(default=True, description="listed in the event picker")
    admins: list[int] = Field(default_factory=list)
    signup: SignupSettings = Field(default_factory=SignupSettings)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA timezone such as Europe/Moscow") from None
        return value


class CoreSettings(Strict):
    bot: BotSettings = Field(default_factory=BotSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict, description="defaults for every event")
    blocked_plugins: list[str] = Field(default_factory=list)
    events: dict[str, EventSettings] = Field(default_factory=dict)

    @field_validator("events")
    @classmethod
    def _slugs(cls, value: dict[str, EventSettings]) -> dict[str, EventSettings]:
        for slug in value:
            if problem := slug_problem(slug):
                raise ValueError(problem)
        return value


def slug_problem(slug: str) -> str | None:
    if re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", str(slug)):
        return None
    return f"event slug {slug!r}: use lowercase letters, digits, '-' and '_' (deep links)"


@dataclass(frozen=True)
class ConfigIssue:
    path: str
    message: str
    source: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} (from {self.source})"


class ConfigError(Exception):
    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class RawConfig:
    data: dict[str, Any]
    sources: list[tuple[str, dict[str, Any]]]  # (label, data) in load order

    def source_of(self, path: tuple) -> str:
        found = "defaults"
        for label, data in self.sources:
            if _lookup(data, path):
                found = label
        if found == "defaults" and not _lookup(self.data, path):
            return "not set anywhere"
        return found


def _lookup(data: Any, path: tuple) -> bool:
    for part in path:
        if isinstance(data, dict) and str(part).lower() in {str(k).lower() for k in data}:
            data = next(v for k, v in data.items() if str(k).lower() == str(part).lower())
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


def lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_layer(environ: dict[str, str]) -> dict[str, Any]:
    """``ORGANIZER_BOT__TOKEN=x`` → ``{"bot": {"token": "x"}}``, values parsed like dynaconf does."""
    layer: dict[str, Any] = {}
    prefix = ENV_PREFIX + "_"
    for name, raw in environ.items():
        if not name.startswith(prefix) or name == "ORGANIZER_CONFIG":
            continue
        parts = [p.lower() for p in name[len(prefix):].split("__") if p]
        if not parts:
            continue
        node = layer
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            from dynaconf.utils.parse_conf import parse_conf_data  # imported only if a variable is set

            node[parts[-1]] = parse_conf_data(raw, tomlfy=True, box_settings={})
    return layer


def _read_file(path: Path) -> dict[str, Any]:
    """One layer. Our own defaults file is plain TOML (a test checks dynaconf reads it the same),
    so it skips dynaconf's import (~50 ms of start-up); a user's file goes through dynaconf."""
    if path == DEFAULTS_FILE:
        import tomllib

        with path.open("rb") as f:
            return tomllib.load(f)
    from dynaconf import Dynaconf

    # One Dynaconf per file keeps the provenance of every key; env is layered below.
    return Dynaconf(settings_files=[str(path)], loaders=[], environments=False).as_dict()


def load_raw(config_file: str | os.PathLike | None = None, environ: dict[str, str] | None = None) -> RawConfig:
    """Read the layers with dynaconf. Raises ConfigError if a file is missing or unreadable."""
    environ = dict(os.environ if environ is None else environ)
    config_file = config_file or environ.get("ORGANIZER_CONFIG")
    sources: list[tuple[str, dict[str, Any]]] = []
    merged: dict[str, Any] = {}
    files = [DEFAULTS_FILE] + ([Path(config_file)] if config_file else [])
    for path in files:
        if not path.exists():
            raise ConfigError([ConfigIssue("--config", f"file {path} does not exist", "command line")])
        try:
            layer = _read_file(path)
        except Exception as exc:  # dynaconf raises parser-specific errors
            raise ConfigError([ConfigIssue("(file)", f"cannot parse: {exc}", str(path))]) from None
        layer = lower_keys(layer)
        sources.append((str(path), layer))
        merged = deep_merge(merged, layer)
    env_layer = _env_layer(environ)
    if env_layer:
        sources.append(("environment (ORGANIZER_*)", env_layer))
        merged = deep_merge(merged, env_layer)
    return RawConfig(merged, sources)


def _format_pydantic(exc: ValidationError, raw: RawConfig, prefix: tuple = ()) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors():
        loc = prefix + tuple(error["loc"])
        path = ".".join(str(p) for p in loc)
        msg = error["msg"]
        if error["type"] == "missing":
            env = ENV_PREFIX + "_" + "__".join(str(p).upper() for p in loc)
            msg = f"required but missing; set it in your config file or as {env}"
        elif error["type"] == "extra_forbidden":
            msg = "unknown key; check the spelling (see config/settings.toml for every key)"
        elif "input" in error and error["type"] not in ("value_error",):
            msg = f"{msg} (got {error['input']!r})"
        issues.append(ConfigIssue(path, msg.removeprefix("Value error, "), raw.source_of(loc)))
    return issues


def validate(raw: RawConfig, plugin_models: dict[str, type[BaseModel]] | None = None,
             plugin_deps: dict[str, list[str]] | None = None, *, require_token: bool = True) -> CoreSettings:
    """Validate the core model and each plugin's model for each event; raise with every issue.
    ``require_token=False``: for commands that never talk to Telegram."""
    plugin_models = plugin_models or {}
    plugin_deps = plugin_deps or {}
    issues: list[ConfigIssue] = []
    settings: CoreSettings | None = None
    data_plugins = raw.data.get("plugins") or {}
    data_events = raw.data.get("events") or {}
    # Slugs are checked here, not only by the model: its check runs only once every event in the
    # section is valid, so a bad slug was reported only after the other errors were fixed.
    slug_issues = [ConfigIssue(f"events.{slug}", problem, raw.source_of(("events", slug)))
                   for slug in (data_events if isinstance(data_events, dict) else {})
                   if (problem := slug_problem(slug))]
    issues.extend(slug_issues)
    try:
        settings = CoreSettings.model_validate(raw.data)
    except ValidationError as exc:
        issues.extend(i for i in _format_pydantic(exc, raw) if not (slug_issues and i.path == "events"))
    bot = raw.data.get("bot") if isinstance(raw.data.get("bot"), dict) else {}
    if require_token and not bot.get("token"):
        issues.insert(0, ConfigIssue("bot.token", f"required but missing; set it in your config file or as "
                                                  f"{ENV_PREFIX}_BOT__TOKEN", raw.source_of(("bot", "token"))))
    for name in data_plugins:
        if name not in plugin_models:
            issues.append(ConfigIssue(f"plugins.{name}", _unknown_plugin(name, plugin_models), raw.source_of(("plugins", name))))
    if isinstance(data_events, dict):
        for slug, event in data_events.items():
            event_plugins = (event or {}).get("plugins") or {} if isinstance(event, dict) else {}
            for name, section in event_plugins.items():
                if name not in plugin_models:
                    issues.append(ConfigIssue(f"events.{slug}.plugins.{name}", _unknown_plugin(name, plugin_models),
                                              raw.source_of(("events", slug, "plugins", name))))
            for name, model in plugin_models.items():
                section = deep_merge(data_plugins.get(name) or {}, event_plugins.get(name) or {})
                try:
                    model.model_validate(section)
                except ValidationError as exc:
                    issues.extend(_format_pydantic(exc, raw, ("events", slug, "plugins", name)))
            if settings is not None:
                issues.extend(_dependency_issues(slug, settings, plugin_models, plugin_deps, raw))
    if issues:
        raise ConfigError(issues)
    assert settings is not None
    return settings


def _unknown_plugin(name: str, plugin_models: dict) -> str:
    known = ", ".join(sorted(plugin_models)) or "none"
    return f"unknown plugin {name!r}; installed plugins: {known}"


def _dependency_issues(slug, settings, plugin_models, plugin_deps, raw) -> list[ConfigIssue]:
    issues = []
    for name in plugin_models:
        if not plugin_enabled(settings, slug, name):
            continue
        for dep in plugin_deps.get(name, []):
            if not plugin_enabled(settings, slug, dep):
                issues.append(ConfigIssue(
                    f"events.{slug}.plugins.{name}.enabled",
                    f"plugin {name!r} needs {dep!r}, which is off for this event; enable {dep} or disable {name}",
                    raw.source_of(("events", slug, "plugins", name)),
                ))
    return issues


def plugin_section(settings: CoreSettings, slug: str, name: str) -> dict[str, Any]:
    event = settings.events.get(slug)
    event_section = (event.plugins.get(name) if event else None) or {}
    return deep_merge(settings.plugins.get(name) or {}, event_section)


def plugin_enabled(settings: CoreSettings, slug: str, name: str) -> bool:
    if name in settings.blocked_plugins:
        return False
    return bool(plugin_section(settings, slug, name).get("enabled", True))

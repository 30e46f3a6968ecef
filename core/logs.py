"""Structured logs. Names, phones and message texts are personal data: we never log them,
only ids and event types."""

from __future__ import annotations

import json
import logging
import re
import sys

_TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name,
                   "msg": record.getMessage()}
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def page_reason(body: object) -> str | None:
    """"502 Bad Gateway" for an HTML error page (a proxy's or Telegram's), None for anything else."""
    if not isinstance(body, str) or "<html" not in body[:1000].lower():
        return None
    found = _TITLE.search(body)
    text = found[1] if found else " ".join(_TAG.sub(" ", body).split())
    return " ".join(text.split())[:80] or "an HTML page"


class BotApiPageFilter(logging.Filter):
    """A Bot API answer that is an HTML page (a 502 from a proxy in front of it) is a passing
    outage, not a bug: aiogram logs the whole page at ERROR. Make it one WARNING line naming the
    status; aiogram's next line says when it retries."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiogram.exceptions import ClientDecodeError

        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, ClientDecodeError) and (reason := page_reason(arg.data)) is not None:
                record.msg, record.args = "Bot API answered with an HTML page instead of JSON: %s", (reason,)
                record.levelno, record.levelname = logging.WARNING, "WARNING"
                record.exc_info = record.exc_text = None
                break
        return True


def configure(level: str = "INFO", json_format: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(BotApiPageFilter())
    handler.setFormatter(JsonFormatter() if json_format else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every update with user ids at INFO; keep it but never message texts.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)

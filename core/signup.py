"""Sign-up form answers: validation of one answer against its configured field (no Telegram types)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.config import SignupField

PHONE_RE = re.compile(r"^\+?[0-9][0-9\s\-()]{6,20}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Answer:
    value: str | None = None
    error_key: str | None = None  # a locale key explaining what was wrong


def validate_answer(field: SignupField, raw: str | None) -> Answer:
    text = (raw or "").strip()
    if not text:
        return Answer(error_key="signup-error-empty")
    if len(text) > field.max_length:
        return Answer(error_key="signup-error-too-long")
    if field.kind == "phone":
        if not PHONE_RE.match(text):
            return Answer(error_key="signup-error-phone")
        digits = re.sub(r"[^0-9]", "", text)
        return Answer(value="+" + digits)
    if field.kind == "email" and not EMAIL_RE.match(text):
        return Answer(error_key="signup-error-email")
    return Answer(value=text)


def field_label(field: SignupField, lang: str) -> str:
    return field.label.get(lang) or field.label.get("ru") or field.key

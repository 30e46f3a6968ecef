"""What a pass's QR says, and how it is checked: ``PO1.<event>.<key id>.<nonce>.<mac>``.

The nonce is 128 random bits stored with the pass; the MAC is HMAC-SHA256 (first 128 bits) over
everything before it under the event's key. So the QR holds no personal data, cannot be derived
from a user id, and any changed character fails the MAC. Keys are looked up by id, which is what
makes rotation painless: a new key signs, old ones keep verifying.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "PO1"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed at a desk


@dataclass(frozen=True)
class Token:
    event: str
    key_id: str
    nonce: str
    mac: str


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def new_nonce() -> str:
    return _b32(secrets.token_bytes(16))


def new_short_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _mac(secret: str, body: str) -> str:
    return _b32(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()[:16])


def sign(event: str, key_id: str, secret: str, nonce: str) -> str:
    body = f"{PREFIX}.{event}.{key_id}.{nonce}"
    return f"{body}.{_mac(secret, body)}"


def parse(payload: str) -> Token | None:
    """The parts of something that looks like our pass, else None (a URL, someone else's QR)."""
    parts = payload.strip().split(".")
    if len(parts) != 5 or parts[0] != PREFIX or not all(parts[1:]):
        return None
    return Token(*parts[1:])


def verify(token: Token, secret: str) -> bool:
    expected = _mac(secret, f"{PREFIX}.{token.event}.{token.key_id}.{token.nonce}")
    return hmac.compare_digest(expected, token.mac)


def normalize_code(typed: str) -> str | None:
    """What a person typed at the desk as a short code ("abcd-2345", "ABCD 2345"), or None."""
    code = "".join(ch for ch in typed.upper() if ch not in " -")
    return code if len(code) == 8 and all(ch in CODE_ALPHABET for ch in code) else None


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"

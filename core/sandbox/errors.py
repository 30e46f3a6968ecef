"""The one exception the emulator's method handlers raise to produce a Telegram error answer."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer in Telegram's shape: ``{"ok": false, "error_code", "description", "parameters"}``.

    Handlers raise it anywhere; the HTTP layer turns it into the JSON body with the matching HTTP status,
    because aiogram picks its exception class from the status code, not from the text.
    """

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")

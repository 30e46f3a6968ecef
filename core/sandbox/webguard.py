"""Who may talk to the demo page's API: the page this run served, on this machine.

The demo acts as any user, organizers included, so a web page in the same browser must not drive
it (a cross-site ``text/plain`` POST needs no CORS preflight) and neither may a name that merely
resolves to 127.0.0.1 (DNS rebinding). Hence, on every ``/api/`` request:

- the per-run token the page received in its HTML (``X-Demo-Token``; ``?token=`` for what a
  browser loads without headers: the event stream, images and files);
- a ``Host`` header naming the address we listen on (loopback names), unless the operator chose
  to listen on another interface (``--public``);
- an ``Origin``, when the browser sends one, equal to the page's own;
- a JSON body (``application/json``) on every POST but the photo upload (multipart).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets

from aiohttp import web

TOKEN_HEADER = "X-Demo-Token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _host_name(host_header: str) -> str:
    """``name`` of ``name:port`` / ``[v6]:port``."""
    if host_header.startswith("["):
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def guard(token: str, *, public: bool, port_of) -> web.middleware:
    """An aiohttp middleware; ``port_of()`` gives the port we listen on (known once bound)."""

    def allowed_host(host_header: str) -> bool:
        if public:
            return True
        name = _host_name(host_header).lower()
        port = host_header[len(_host_name(host_header)):].lstrip(":")
        return name in LOOPBACK_NAMES and (port == "" or port == str(port_of()))

    @web.middleware
    async def middleware(request: web.Request, handler):
        if not allowed_host(request.headers.get("Host", "")):
            return _refuse(421, "this demo answers only at the address it was opened at")
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.headers.get('Host', '')}":
            return _refuse(403, "requests from other sites are refused")
        if request.path.startswith("/api/"):
            given = request.headers.get(TOKEN_HEADER)
            if given is None and request.method == "GET":
                given = request.query.get("token")
            if given is None or not hmac.compare_digest(given.encode(), token.encode()):
                return _refuse(403, "missing or wrong demo token: reload the page")
            if request.method == "POST" and not request.path.endswith("/photo") \
                    and request.content_type != "application/json":
                return _refuse(415, "send a JSON body (Content-Type: application/json)")
        return await handler(request)

    return middleware

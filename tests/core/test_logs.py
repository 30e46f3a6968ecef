"""A 502 page from the Bot API (a proxy's HTML) is logged as one short warning, and the retry
aiogram makes next is logged as a retry; nothing of the page's HTML reaches the log."""

import io
import logging

from aiohttp import web

from core.bot_session import JsonBodySession
from core.logs import configure

PAGE = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
        "</center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n" + "<!-- padding -->\r\n" * 6)


async def test_a_502_page_is_one_warning_line_and_the_retry_is_logged_as_a_retry(monkeypatch):
    from aiogram import Bot
    from aiogram.client.telegram import TelegramAPIServer

    async def bad_gateway(request):
        return web.Response(status=502, text=PAGE, content_type="text/html")

    server = web.Application()
    server.router.add_route("POST", "/{tail:.*}", bad_gateway)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    out = io.StringIO()
    monkeypatch.setattr("sys.stderr", out)
    bot = Bot("1:x", session=JsonBodySession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}")))
    try:
        configure("INFO")
        try:
            await bot.get_updates()
        except Exception as exc:  # exactly what aiogram's polling loop does with it
            logging.getLogger("aiogram.dispatcher").error("Failed to fetch updates - %s: %s", type(exc).__name__, exc)
            logging.getLogger("aiogram.dispatcher").warning(
                "Sleep for %f seconds and try again... (tryings = %d, bot id = %d)", 1.0, 0, 1)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        await bot.session.close()
        await runner.cleanup()
    lines = [line for line in out.getvalue().splitlines() if " aiogram." in line]
    assert len(lines) == 2, lines
    assert "WARNING" in lines[0] and "HTML page instead of JSON: 502 Bad Gateway" in lines[0]
    assert "try again" in lines[1]
    assert "<" not in "".join(lines) and "ERROR" not in out.getvalue()

from aiogram import F, Router
from aiogram.types import CallbackQuery

from organizer_hello import service


def router() -> Router:
    r = Router(name="hello")
    r.callback_query.register(on_wave, F.data == "hello:wave")
    return r


async def on_wave(query: CallbackQuery, session, event_ctx, plugin_config) -> None:
    total = await service.wave(session, event_ctx.event.id, event_ctx.user.id)
    key = "hello-waved" if total <= plugin_config.greeting_limit else "hello-too-many"
    await query.message.answer(event_ctx.tr(key, count=total))

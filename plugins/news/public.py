"""What other plugins may use of news, besides the hooks in ``hookspecs.py``.

A plugin that offers news audiences (``news_audiences``) answers with ``NewsAudience`` values:

    from plugins.news.public import NewsAudience  # only when the news plugin is there

    @hookimpl(optionalhook=True)
    async def news_audiences(app, session, event, tr):
        return [NewsAudience("hello:wavers", tr("hello-news-wavers"), 12)]
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NewsAudience:
    """A group news can be addressed to: ``key`` (``<plugin>:...``), a label to show, how many people."""

    key: str
    label: str
    count: int

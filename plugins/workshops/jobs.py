"""Workshops jobs: keeping opened lists and cards up to date (see ``live.py``)."""

from plugins.workshops.live import refresh_views

__all__ = ["refresh_views"]

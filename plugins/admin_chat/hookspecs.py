"""Hooks the admin_chat plugin publishes for other plugins (implement with ``optionalhook=True``)."""

from core import hookspec


@hookspec
def admin_chat_dashboard(app, session, event, tr):
    """Lines (HTML, already translated with ``tr``) for the organizers' dashboard: what this plugin
    wants organizers to see at a glance (bookings per workshop, check-ins, ...). May be async."""

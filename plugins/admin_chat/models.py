"""The helpdesk's tables: bound groups, tickets and their messages, what waits to be relayed to
the organizers, the organizers' room, and the run-time plugin switches of the control panel."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class AdminChatGroup(Base):
    """The organizers' group of an event (the bot is a member). One group per event and vice versa."""

    __tablename__ = "admin_chat_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    is_forum: Mapped[bool] = mapped_column(Boolean, default=False)
    bound_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminChatTicket(Base):
    """A participant's question to the organizers. ``user_id`` is None once the author was forgotten."""

    __tablename__ = "admin_chat_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | answered | closed
    topic_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # forum topic in the bound group
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AdminChatMessage(Base):
    """One message of a ticket: ``in`` from the participant, ``out`` an organizer's answer."""

    __tablename__ = "admin_chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("admin_chat_tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    author_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str | None] = mapped_column(Text, nullable=True)  # HTML
    media_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # photo | document
    file_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminChatPending(Base):
    """A participant's message waiting to be shown in one organizers' chat (the group, or an
    organizer's private chat). ``relay_id``: the outbox row carrying it, once one does."""

    __tablename__ = "admin_chat_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("admin_chat_messages.id", ondelete="CASCADE"))
    relay_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminChatSlot(Base):
    """One relay message in flight per organizers' chat: while busy, new questions gather and go
    together in the next message (a group takes about 20 messages a minute)."""

    __tablename__ = "admin_chat_slots"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    busy: Mapped[bool] = mapped_column(Boolean, default=False)
    relay_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminChatPost(Base):
    """A message the organizers see, and the ticket an answer to it belongs to (None: a digest)."""

    __tablename__ = "admin_chat_posts"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("admin_chat_tickets.id", ondelete="CASCADE"),
                                                  nullable=True)


class AdminChatRoomMessage(Base):
    """The organizers' room (no group bound): who wrote what, kept as history."""

    __tablename__ = "admin_chat_room"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminChatDraft(Base):
    """A question typed into the FAQ search that found nothing: one tap turns it into a ticket."""

    __tablename__ = "admin_chat_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminChatSwitch(Base):
    """A plugin switched on or off for an event from the control panel; wins over the config file."""

    __tablename__ = "admin_chat_switches"
    __table_args__ = (UniqueConstraint("event_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

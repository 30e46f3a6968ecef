import datetime as dt

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Greeting(Base):
    # Tables carry the plugin's name as prefix (checked at start-up). Constraint and index names
    # come from core.db.NAMING_CONVENTION (pk_hello_greetings, ix_hello_greetings_event_id, ...),
    # so `organizer db revision hello --autogenerate` writes stable names on both databases.
    __tablename__ = "hello_greetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    # Timezone-aware UTC on SQLite and PostgreSQL alike; utcnow() is the aware "now".
    waved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow)

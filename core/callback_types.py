"""Bounded field types for callback data: a button's payload is parsed into these before any query.

Callback data comes from the client and can be forged (``workshops.card:99999999999999999999:0``).
A value that does not fit is refused by aiogram's ``CallbackData.filter()`` (pydantic's
ValidationError is a ValueError), so the tap falls through to the core's "this button no longer works" answer instead
of reaching the database with an integer no column can hold.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Integer primary keys: 32-bit on PostgreSQL (SERIAL), so the bound fits both databases.
RowId = Annotated[int, Field(ge=0, le=2**31 - 1)]
# A page of a paged list; no list of ours comes near it.
Page = Annotated[int, Field(ge=0, le=10_000)]
# A short action code chosen by the plugin (``edit``, ``csv`` ...).
Action = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^[a-z0-9_-]+$")]

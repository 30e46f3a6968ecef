"""FSM state that changes only when the update's database work commits.

aiogram's ``FSMContext`` writes to the storage at once, so a handler that moved a dialog on and
then failed (its transaction rolled back) left the user in a step whose data was never saved. The
middleware hands handlers this subclass instead: reads see the handler's own changes, and the
changes reach the storage only through ``commit()``, which the middleware calls after a successful
commit (and never after a rollback). Subclassing ``FSMContext`` is aiogram's public type for the
``state`` argument, so handlers and filters see no difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StateType

_UNSET: Any = object()


class DeferredState(FSMContext):
    def __init__(self, inner: FSMContext) -> None:
        super().__init__(storage=inner.storage, key=inner.key)
        self._state: Any = _UNSET
        self._data: Any = _UNSET

    async def set_state(self, state: StateType = None) -> None:
        self._state = state.state if isinstance(state, State) else state

    async def get_state(self) -> str | None:
        return await super().get_state() if self._state is _UNSET else self._state

    async def set_data(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    async def get_data(self) -> dict[str, Any]:
        return dict(await super().get_data() if self._data is _UNSET else self._data)

    async def get_value(self, key: str, default: Any | None = None) -> Any | None:
        return (await self.get_data()).get(key, default)

    async def update_data(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        merged = await self.get_data()
        merged.update(data or {}, **kwargs)
        self._data = merged
        return dict(merged)

    async def clear(self) -> None:
        self._state, self._data = None, {}

    @property
    def changed(self) -> bool:
        return self._state is not _UNSET or self._data is not _UNSET

    async def commit(self) -> None:
        """Write the handler's changes to the storage (after its transaction committed)."""
        if self._state is not _UNSET:
            await self.storage.set_state(key=self.key, state=self._state)
        if self._data is not _UNSET:
            await self.storage.set_data(key=self.key, data=self._data)
        self._state = self._data = _UNSET

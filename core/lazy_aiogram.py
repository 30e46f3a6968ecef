"""Build aiogram's pydantic schemas on first use instead of at import.

Stock aiogram spends most of its import time (seconds on a small VPS) and most of a bot's idle
memory building a pydantic schema for each of its ~300 Telegram types and ~170 API methods,
whether or not the bot ever sees them:

* ``aiogram/types/__init__.py`` ends with a loop calling
  ``Type.model_rebuild(_types_namespace=<all aiogram types>)`` on every type, although the types
  themselves are declared with ``defer_build=True``;
* every ``TelegramMethod`` subclass is built when its class statement runs.

``install()`` (called by ``core/__init__.py`` before anything imports aiogram) puts an import hook
in front of those three modules, so that while they execute:

* the loop's ``model_rebuild`` calls are recorded instead of run; each type keeps pydantic's
  "not built yet" placeholders, rewired so that the first validation/serialisation runs exactly
  the call the loop would have made — same types namespace, so forward references resolve the same;
* ``TelegramMethod`` subclasses are created with ``defer_build`` and get the same placeholders,
  rebuilt with the namespace they would have seen at class creation.

A deferred type can also be built *inside* another schema (``Response[Message]``, a method's
``reply_markup``, a user model with a ``Message`` field) instead of being reused ready-made; pydantic
then resolves its forward references in its own module, where aiogram imports its neighbours only
under ``TYPE_CHECKING``. So the types namespace is also added to those modules (missing names only;
a name that is there already must be the very same object, or we go eager). And such an outside
reference first builds the referenced class on its own (see ``_defer``), so the outside schema
reuses it as with stock aiogram: pydantic re-creates ``Response[X]`` after garbage collection.

Every step checks that the aiogram/pydantic internals it relies on look as expected; if anything is
off it logs one line and aiogram is built eagerly exactly as stock. ``status()`` says which happened.
tests/core/test_lazy_aiogram.py proves every type and method builds on first use into the same core
schema as stock aiogram's, and that updates and requests round-trip.

The cost moves to first use: the first update and the first reply of a process each build a big
part of the tree once (~0.2 s on a small VPS, see bench/startup). One visible difference remains,
the same as for any ``defer_build`` pydantic model: until a class is first used, introspecting
``Type.model_fields[...].annotation`` may still show a ``ForwardRef``; aiogram itself never does that.
Like pydantic's own deferred build, the first build of a class is not thread-safe: use aiogram
objects from the event loop (as aiogram does), or set POCKET_EAGER_AIOGRAM=1.
"""

from __future__ import annotations

import importlib.abc
import inspect
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

TYPES = "aiogram.types"
METHODS = "aiogram.methods"
METHODS_BASE = "aiogram.methods.base"
EAGER_ENV = "POCKET_EAGER_AIOGRAM"

_status = "not installed"


def status() -> str:
    """'lazy' once aiogram is imported lazily; 'eager: <why>' when it is built as stock."""
    return _status


def _set_status(text: str) -> None:
    global _status
    _status = text


def _eager(why: str, *, warn: bool = True) -> None:
    """Record (and log, unless it was asked for) that aiogram is built eagerly, as stock."""
    _set_status(f"eager: {why}")
    if warn:
        log.warning("aiogram schemas are built eagerly at import (slower start-up): %s", why)


def install() -> None:
    """Make aiogram's schema building lazy if aiogram is not imported yet and pydantic is as expected.

    ``POCKET_EAGER_AIOGRAM=1`` in the environment switches this off (stock aiogram), without a release.
    """
    if _status != "not installed":  # once per process
        return
    if os.environ.get(EAGER_ENV, "").strip() not in ("", "0"):
        _eager(f"{EAGER_ENV} is set", warn=False)
        return
    if TYPES in sys.modules:
        _eager("aiogram was imported before core", warn=False)
        return
    problem = _pydantic_mismatch()
    if problem:
        _eager(problem)
        return
    _set_status("pending: aiogram not imported yet")
    sys.meta_path.insert(0, _AiogramHook())


# ---- the pydantic internals we use ------------------------------------------------------------

def _pydantic_mismatch() -> str | None:
    """Why the pydantic internals this module relies on are not usable, or None."""
    try:
        import pydantic
        from pydantic import BaseModel
        from pydantic._internal._mock_val_ser import MockCoreSchema, MockValSer
        from pydantic._internal._model_construction import unpack_lenient_weakvaluedict  # noqa: F401
    except ImportError as exc:
        return f"pydantic internals moved ({exc})"
    if not pydantic.VERSION.startswith("2."):
        return f"pydantic {pydantic.VERSION} is not 2.x"
    rebuild = BaseModel.__dict__.get("model_rebuild")
    if not isinstance(rebuild, classmethod):
        return "BaseModel.model_rebuild is not a classmethod"
    params = inspect.signature(rebuild.__func__).parameters
    if not {"force", "raise_errors", "_parent_namespace_depth", "_types_namespace"} <= params.keys():
        return f"BaseModel.model_rebuild has parameters {list(params)}"
    if not {"error_message", "code", "attempt_rebuild"} <= inspect.signature(MockCoreSchema).parameters.keys():
        return "MockCoreSchema signature changed"
    if not {"error_message", "code", "val_or_ser", "attempt_rebuild"} <= inspect.signature(MockValSer).parameters.keys():
        return "MockValSer signature changed"
    return None


# >0 while one of our deferred classes is being built: the aiogram classes it references are then
# built inline into it (as the stock eager loop does for classes not built yet), not on their own.
_building = 0


def _build(cls: type, namespace: dict[str, Any]) -> bool:
    """Build ``cls`` now, exactly as the eager call would have; False if it cannot be built."""
    global _building
    if "__get_pydantic_core_schema__" in cls.__dict__:
        del cls.__get_pydantic_core_schema__  # its own build takes pydantic's ordinary path
    _building += 1
    try:
        return cls.model_rebuild(raise_errors=False, _types_namespace=namespace) is not False
    finally:
        _building -= 1


def _defer(cls: type, namespace: dict[str, Any]) -> None:
    """Leave ``cls`` unbuilt; its first use runs ``cls.model_rebuild(_types_namespace=namespace)``.

    These are pydantic's own placeholders (what ``defer_build`` installs), except that pydantic's
    rebuild would take names from whatever call stack happens to touch the model first; ours uses
    the namespace the eager build would have used.

    A schema built outside aiogram that references ``cls`` — ``Response[Message]`` for every API
    reply, a model of ours — first builds ``cls`` on its own (via pydantic's public
    ``__get_pydantic_core_schema__`` hook), so that schema reuses it as with stock aiogram. Otherwise
    each such schema would inline the whole unbuilt tree again, and pydantic re-creates
    ``Response[Message]`` whenever the garbage collector has dropped it (its generic cache is weak):
    ~0.2 s per API call instead of ~5 ms.
    """
    from pydantic._internal._mock_val_ser import MockCoreSchema, MockValSer

    message = f"`{cls.__name__}` could not be built on first use (core.lazy_aiogram)"

    def rebuilt(attr: str) -> Callable[[], Any]:
        def attempt() -> Any:
            return getattr(cls, attr) if _build(cls, namespace) else None
        return attempt

    def build_first(klass: type, source: Any, handler: Any) -> Any:
        if klass is cls and not _building and not cls.__pydantic_complete__:
            _build(cls, namespace)
        return handler(source)

    cls.__pydantic_core_schema__ = MockCoreSchema(
        message, code="class-not-fully-defined", attempt_rebuild=rebuilt("__pydantic_core_schema__"))
    cls.__pydantic_validator__ = MockValSer(
        message, code="class-not-fully-defined", val_or_ser="validator",
        attempt_rebuild=rebuilt("__pydantic_validator__"))
    cls.__pydantic_serializer__ = MockValSer(
        message, code="class-not-fully-defined", val_or_ser="serializer",
        attempt_rebuild=rebuilt("__pydantic_serializer__"))
    cls.__get_pydantic_core_schema__ = classmethod(build_first)


# ---- the import hook --------------------------------------------------------------------------

class _AiogramHook(importlib.abc.MetaPathFinder):
    """Wraps the loaders of aiogram.types, aiogram.methods.base and aiogram.methods; then leaves."""

    def __init__(self) -> None:
        self.types_namespace: dict[str, Any] | None = None
        self.method_base: type | None = None
        self.arounds: dict[str, Callable[[ModuleType], Any]] = {
            TYPES: self._types, METHODS_BASE: self._methods_base, METHODS: self._methods}

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> Any:
        around = self.arounds.get(fullname)
        if around is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _WrappedLoader(spec.loader, around, lambda: self._done(fullname))
        return spec

    def _done(self, fullname: str) -> None:
        self.arounds.pop(fullname, None)
        if not self.arounds and self in sys.meta_path:
            sys.meta_path.remove(self)

    # aiogram.types: record the rebuild loop instead of running it

    @contextmanager
    def _types(self, module: ModuleType) -> Iterator[None]:
        from pydantic import BaseModel

        original = BaseModel.__dict__["model_rebuild"]
        recorded: list[tuple[type, dict[str, Any]]] = []

        def model_rebuild(cls: type, **kwargs: Any) -> Any:
            namespace = kwargs.get("_types_namespace")
            if namespace is not None and kwargs.keys() == {"_types_namespace"} \
                    and sys._getframe(1).f_globals.get("__name__") == TYPES:
                recorded.append((cls, namespace))
                return None
            if kwargs.get("_parent_namespace_depth", 2) > 0:  # this wrapper is one more frame up
                kwargs["_parent_namespace_depth"] = kwargs.get("_parent_namespace_depth", 2) + 1
            return original.__func__(cls, **kwargs)

        BaseModel.model_rebuild = classmethod(model_rebuild)
        try:
            yield
        finally:
            BaseModel.model_rebuild = original
        self._defer_types(recorded)

    def _defer_types(self, recorded: list[tuple[type, dict[str, Any]]]) -> None:
        try:
            namespace = self._lazy_types(recorded)
        except Exception as exc:  # never break the bot: fall back to what aiogram would have done
            _eager(f"{type(exc).__name__}: {exc}")
            for cls, ns in recorded:
                cls.model_rebuild(_types_namespace=ns)
            return
        self.types_namespace = namespace
        _set_status("pending: lazy types, methods not imported yet")

    def _lazy_types(self, recorded: list[tuple[type, dict[str, Any]]]) -> dict[str, Any]:
        from pydantic import BaseModel

        if not recorded:
            raise RuntimeError("aiogram.types made no model_rebuild(_types_namespace=...) calls")
        namespace = recorded[0][1]
        if any(ns is not namespace for _, ns in recorded):
            raise RuntimeError("aiogram.types used more than one types namespace")
        modules = {cls.__module__ for cls in namespace.values() if isinstance(cls, type) and issubclass(cls, BaseModel)}
        # ~300 modules x ~300 names: set and dict operations in C, not a Python loop per name
        # (that loop was ~45 ms of start-up).
        for name in modules:  # check all before changing any
            module_ns = vars(sys.modules[name])
            clash = [key for key in namespace.keys() & module_ns.keys() if module_ns[key] is not namespace[key]]
            if clash:
                raise RuntimeError(f"{name} has its own {sorted(clash)[0]!r}")
        for name in modules:
            module_ns = vars(sys.modules[name])
            module_ns.update(namespace | module_ns)  # adds the missing names; the module's own stay
        for cls, ns in recorded:
            if not cls.__pydantic_complete__:  # complete ones: the stock call would have been a no-op
                _defer(cls, ns)
        return namespace

    # aiogram.methods: create every TelegramMethod subclass with defer_build

    @contextmanager
    def _methods_base(self, module: ModuleType) -> Iterator[None]:
        yield
        base = getattr(module, "TelegramMethod", None)
        config = getattr(base, "model_config", None)
        if not isinstance(config, dict) or "defer_build" in config or self.types_namespace is None:
            if self.types_namespace is not None:  # else the types went eager and said why
                _eager("aiogram.methods.base is not as expected (types stay lazy)")
            return
        config["defer_build"] = True
        self.method_base = base

    @contextmanager
    def _methods(self, module: ModuleType) -> Iterator[None]:
        yield
        self._defer_methods()

    def _defer_methods(self) -> None:
        base = self.method_base
        if base is None:
            return
        base.model_config.pop("defer_build", None)  # methods subclassed later (by users) build as stock
        ours = [cls for cls in all_subclasses(base) if cls.model_config.get("defer_build") is True]
        try:
            from pydantic._internal._model_construction import unpack_lenient_weakvaluedict

            for cls in ours:
                cls.model_config.pop("defer_build")  # leave model_config as stock had it
                if not cls.__pydantic_complete__:
                    # What the class statement would have used: its parent frame's namespace
                    # (None for a class at module level), then its module's globals.
                    _defer(cls, unpack_lenient_weakvaluedict(cls.__pydantic_parent_namespace__) or {})
        except Exception as exc:  # never break the bot: build them now, as the class statements would have
            _eager(f"methods: {type(exc).__name__}: {exc} (types stay lazy)")
            for cls in ours:
                cls.model_rebuild(raise_errors=False, _parent_namespace_depth=0)
            return
        _set_status("lazy")


class _WrappedLoader(importlib.abc.Loader):
    """Runs the real loader's exec_module inside ``around(module)``; then steps out of the module's
    spec and tells the hook (``done``) that this module needs it no more, whatever happened."""

    def __init__(self, loader: Any, around: Callable[[ModuleType], Any], done: Callable[[], None]) -> None:
        self.loader = loader
        self.around = around
        self.done = done

    def create_module(self, spec: Any) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        try:
            with self.around(module):
                self.loader.exec_module(module)
        finally:
            module.__loader__ = self.loader
            if module.__spec__ is not None:
                module.__spec__.loader = self.loader
            self.done()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


def all_subclasses(cls: type) -> Iterator[type]:
    """Every subclass of ``cls``, each once (diamonds included)."""
    seen: set[type] = set()
    stack = list(cls.__subclasses__())
    while stack:
        sub = stack.pop()
        if sub not in seen:
            seen.add(sub)
            yield sub
            stack.extend(sub.__subclasses__())

"""Every core hook is typed, documented with an example, listed in the README and exercised by a
``test_hook_<name>`` test (as datasette checks its hooks). A new hook fails here until it is."""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path

import pytest

from core import hookspecs

REPO = Path(__file__).resolve().parents[2]
SPECS = sorted(name for name, fn in vars(hookspecs).items()
               if inspect.isfunction(fn) and hasattr(fn, "organizer_spec"))


def _type_namespace() -> dict:
    """What the specs' TYPE_CHECKING imports name, imported for real."""
    import typer
    from aiogram import Router
    from sqlalchemy.ext.asyncio import AsyncSession

    from core import contributions
    from core.app import OrganizerApp
    from core.i18n import Translator
    from core.models import Event, Member

    return {**vars(hookspecs), **vars(contributions), "typer": typer, "Router": Router,
            "AsyncSession": AsyncSession, "App": OrganizerApp, "Translator": Translator,
            "Event": Event, "Member": Member}


def _test_functions() -> set[str]:
    names = set()
    for path in (REPO / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
    return names


def test_the_core_declares_hooks():
    assert "register_routers" in SPECS and len(SPECS) >= 13


@pytest.mark.parametrize("name", SPECS)
def test_hookspec_is_typed(name):
    fn = getattr(hookspecs, name)
    signature = inspect.signature(fn)
    untyped = [p for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not untyped, f"hookspec {name}: parameters without a type: {[p.name for p in untyped]}"
    assert signature.return_annotation is not inspect.Signature.empty, f"hookspec {name}: no return type"
    typing.get_type_hints(fn, globalns=_type_namespace())  # every name resolves


@pytest.mark.parametrize("name", SPECS)
def test_hookspec_is_documented_with_an_example(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert "Example::" in doc, f"hookspec {name}: its docstring needs an 'Example::' block"
    example = doc.split("Example::", 1)[1]
    assert "@hookimpl" in example and f"def {name}(" in example, f"hookspec {name}: the example implements another hook"


@pytest.mark.parametrize("name", SPECS)
def test_hookspec_is_listed_in_the_readme(name):
    assert f"`{name}" in (REPO / "README.md").read_text(encoding="utf-8"), f"README.md does not list hook {name}"


@pytest.mark.parametrize("name", SPECS)
def test_hookspec_has_a_test(name):
    assert f"test_hook_{name}" in _test_functions(), f"no test_hook_{name} exercises hook {name}"

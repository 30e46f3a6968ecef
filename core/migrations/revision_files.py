"""The revision graph read straight from the version files, without importing alembic.

A bot restarting on a migrated database should not pay for alembic (~0.15–0.3 s of imports and
script loading) just to learn there is nothing to do. Each revision file declares ``revision``,
``down_revision`` and ``depends_on`` as plain literals (``script.py.mako`` writes them that way), so
they are read with ``ast`` instead of executing the files. Anything this reader does not fully
understand makes it answer ``None`` ("don't know"), and the caller asks alembic as before: it may
only ever say "up to date" when alembic would find nothing to apply.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

# The files alembic itself loads from a version location (alembic.script.base, not recursive).
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")


@dataclass(frozen=True)
class RevisionFile:
    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]


def _names(value: object) -> tuple[str, ...] | None:
    """None/str/tuple/list of str as a tuple; None if it is anything else."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def read_revision_file(path: Path) -> RevisionFile | None:
    """The header of one revision file, or None if it is not made of plain literals."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _FIELDS:
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None  # computed: only alembic (which runs the file) knows
    revision = found.get("revision")
    fields = [_names(found.get(name)) for name in _FIELDS[1:]]
    if not isinstance(revision, str) or any(f is None for f in fields):
        return None
    return RevisionFile(revision, *fields)


def read_revisions(locations: list[Path]) -> dict[str, RevisionFile] | None:
    """Every revision in ``locations`` by id, or None if any file or reference is not understood."""
    revisions: dict[str, RevisionFile] = {}
    for location in locations:
        if not location.is_dir():
            continue
        for path in sorted(location.iterdir()):
            if not path.is_file() or not _REVISION_FILE.match(path.name):
                continue
            rev = read_revision_file(path)
            if rev is None or rev.revision in revisions:
                return None
            revisions[rev.revision] = rev
    return revisions or None


def applied_closure(revisions: dict[str, RevisionFile], stored: set[str]) -> set[str] | None:
    """Every revision the stored ``alembic_version`` rows imply (down revisions and dependencies),
    or None if a row or a reference is not a revision id found on disk (a branch label or a
    symbolic name in ``depends_on`` is left to alembic)."""
    applied: set[str] = set()
    stack = list(stored)
    while stack:
        name = stack.pop()
        if name in applied:
            continue
        rev = revisions.get(name)
        if rev is None:
            return None
        applied.add(name)
        stack.extend(rev.down_revisions)
        stack.extend(rev.depends_on)
    return applied

"""A poll's results as plain data: what the service counts and the texts show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Results:
    voters: int
    counts: list[tuple[str, int]]  # (option text, votes) in the poll's order

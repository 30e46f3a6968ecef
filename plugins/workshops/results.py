"""Plain result types the workshops services hand to handlers, the CLI and (through ``public``) other plugins."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QueueOutcome:
    """What queueing a user for a full workshop did (returned by ``workshops_full``)."""

    status: str  # queued | already_queued | offered | closed
    position: int | None = None
    entry_id: int | None = None


@dataclass
class CardExtras:
    """What another plugin adds to a workshop card for one user."""

    lines: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (text, callback data)
    # The user's relation to the workshop, when the plugin has one: waiting | offered.
    status: str | None = None


@dataclass(frozen=True)
class Clash:
    """Another booking of the same user that overlaps in time."""

    workshop_id: int
    title: str
    starts_at: object
    ends_at: object


@dataclass(frozen=True)
class Seats:
    capacity: int
    booked: int
    held: int  # open offers: promised to someone, not bookable by others

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked - self.held)


@dataclass
class SeatState:
    """What one booking tap needs to decide and to render the card, read in ONE statement under
    the workshop lock: seat counts, the user's own booking and clash, and the columns other plugins
    contributed (``workshops_state_columns``; the waitlist: open offers, queue, the user's entry).
    After ``book`` it describes the state the tap left behind (the card is rendered from it)."""

    booked: int
    held: int = 0  # open offers (unexpired)
    held_mine: bool = False  # one of them is the user's
    lapsed: int = 0  # offers past their deadline, not yet expired
    mine: bool = False  # the user has a booking here
    clash: Clash | None = None
    extra: dict = field(default_factory=dict)

    def seats(self, capacity: int) -> "Seats":
        return Seats(capacity, self.booked, self.held)


@dataclass
class BookResult:
    # booked | already | queued | already_queued | full | closed | started | clash | not_found
    status: str
    workshop: object = None
    position: int | None = None
    clash: Clash | None = None  # refused for it, or (overlap = "warn") booked despite it
    state: SeatState | None = None  # after the tap, for rendering the card without re-reading
    version: int | None = None  # the workshop's version right after this tap (a batch moves it on)


@dataclass
class CancelResult:
    status: str  # cancelled | not_booked | started | not_found
    workshop: object = None


@dataclass
class CapacityResult:
    status: str  # changed | unchanged | below
    old: int = 0
    new: int = 0
    booked: int = 0
    held: int = 0


@dataclass
class UpdateResult:
    workshop: object
    changed: list[str] = field(default_factory=list)
    notified: int = 0  # people told of a change of time or place
    joined: int = 0  # of them, told in another plugin's digest (workshops_change_notice)
    capacity: CapacityResult | None = None

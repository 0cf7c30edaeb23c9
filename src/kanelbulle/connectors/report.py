"""What an import did, for the command line and the API alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Rollback(Exception):
    """Raised inside an import's transaction to store nothing when it found problems."""


@dataclass
class Report:
    """Counts per outcome, the problems that stopped the import (location, message), and notes.

    An import is all or nothing: with any problem nothing is stored (``stored`` is False).
    ``skipped`` and ``unmatched`` are not problems: a calendar event with none of our contacts
    is skipped, and an attendee who is not a contact is reported, but the rest is imported.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    matched: list[tuple[str, str]] = field(default_factory=list)  # rows that found an existing record
    stored: bool = False

    def problem(self, location: str, message: str) -> None:
        self.problems.append((location, message))

    def summary(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "stored": self.stored,
            "skipped": [{"location": loc, "message": msg} for loc, msg in self.skipped],
            "unmatched": self.unmatched,
            "matched": [{"location": loc, "message": msg} for loc, msg in self.matched],
            "problems": [{"location": loc, "message": msg} for loc, msg in self.problems],
        }

    def lines(self) -> list[str]:
        """One line per problem, as the `kanelbulle import` command prints them."""
        return [f"{loc}: {msg}" for loc, msg in self.problems]

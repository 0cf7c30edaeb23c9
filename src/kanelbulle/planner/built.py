"""The solver's model of a plan problem as the search, the reasons and the repair all read it.

The types live apart from ``solver.py`` so that ``reasons.py`` and ``repair.py`` (which explain and
mend a solved plan) need not import the solver that calls them: the solver builds a ``Built``,
they only read one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kanelbulle.planner.problem import PlanProblem
from kanelbulle.planner.travel import Matrices, RoadTable

UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class WorkDay:
    index: int  # among worked days
    date: dt.date
    start: int  # minutes on the model clock
    end: int


@dataclass(frozen=True, slots=True)
class Copy:
    """A client of the model: a visit on one day, or a night (home when ``hotel`` is None)."""

    kind: str  # "visit" or "night" (night -1 is the first morning at home)
    day: int  # worked-day index (for a night: the day it follows)
    visit: int = -1  # index into problem.visits (visit copies and hotel nights)
    early: int = 0
    late: int = 0
    hotel: bool = False


@dataclass
class Built:
    problem: PlanProblem
    data: Any  # pyvrp.ProblemData
    days: list[WorkDay]
    copies: list[Copy]
    mats: Matrices  # over points: 0 home, 1..V visits
    location_of_copy: list[int]
    hotel_visits: list[int]
    origin_utc: dt.datetime
    copies_of_visit: dict[int, list[int]]
    big_prize: int
    unreachable: set[int]
    road: RoadTable | None = None


def clock(origin_utc: dt.datetime, moment: dt.datetime) -> float:
    return (moment.astimezone(UTC) - origin_utc).total_seconds() / 60

"""The planner's background job: a plan solve a page started (``actions.start_plan``).

The worker is a process of its own, not a threaded web worker, so the solve runs the planner's
two searches side by side (``planner/parallel.py``). The plan is kept by ``core.pagejobs.run`` in
the transaction that marks the job done, so a job run again after its worker died keeps one plan.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from typing import Any

from kanelbulle.core import pagejobs
from kanelbulle.core.models import PageJob


def search_workers() -> int:
    """Both searches where this process may fork (a daemonic process may not have children)."""
    from kanelbulle.planner.parallel import WORKERS

    return 1 if multiprocessing.current_process().daemon else WORKERS


def solve_plan(key: str) -> dict[str, Any]:
    from kanelbulle.accounts.models import User
    from kanelbulle.planner.actions import PlanError, solved_plan
    from kanelbulle.planner.models import VisitPlan

    def compute(job: PageJob) -> dict[str, Any]:
        p = job.params
        owner = User.objects.filter(pk=p["owner"]).first()
        if owner is None:
            raise pagejobs.JobRefused(f"no seller {p['owner']}")
        previous = VisitPlan.objects.filter(pk=p["previous"]).first() if p.get("previous") else None
        try:
            fields = solved_plan(
                owner, dt.date.fromisoformat(p["start"]), int(p["days"]), today=dt.date.fromisoformat(p["today"]),
                pins=p.get("pins"), removed=p.get("removed"), previous=previous, refresh=bool(p.get("refresh")),
                workers=search_workers(),
            )  # fmt: skip
        except PlanError as exc:
            raise pagejobs.JobRefused(*exc.messages) from None
        return {"owner": owner, **fields}

    def store(job: PageJob, fields: dict[str, Any]) -> dict[str, Any]:
        plan = VisitPlan.objects.create(created_by=job.requested_by, **fields)
        return {"plan": plan.pk}

    return pagejobs.run(key, compute, store)

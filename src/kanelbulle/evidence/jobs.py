"""The evidence background jobs: one scope's analysis a page asked for, and the nightly recompute.

Both are safe to run twice: a page's job keeps its result in the transaction that marks the job
done (``core.pagejobs.run``), and the nightly one replaces each scope's result, skipping those
already as of the day, so a run after its worker died goes on where it stopped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kanelbulle.core import pagejobs
from kanelbulle.core.models import PageJob


def analyse_scope(key: str) -> dict[str, Any]:
    from kanelbulle.core.rates import NoRate
    from kanelbulle.evidence.book import evidence_for_scope
    from kanelbulle.evidence.stored import drawings, save

    def compute(job: PageJob) -> Any:
        p = job.params
        try:
            result = evidence_for_scope(
                p["scope"], since=dt.date.fromisoformat(p["since"]) if p["since"] else None,
                today=dt.date.fromisoformat(p["today"]),
            )  # fmt: skip
        except NoRate as exc:
            raise pagejobs.JobRefused(str(exc)) from None
        return result, drawings(result)

    def store(job: PageJob, computed: Any) -> dict[str, Any]:
        p = job.params
        result, drawn = computed
        row = save(p["scope"], p["since"], dt.date.fromisoformat(p["today"]), result, drawn, job.key)
        return {"evidence": row.pk}

    return pagejobs.run(key, compute, store)


def nightly_scopes() -> list[tuple[str, str]]:
    """(scope, since) pairs to recompute: every one kept, the company's, and each team's with a manager."""
    from kanelbulle.accounts.models import Role, User
    from kanelbulle.evidence.models import StoredAnalysis

    pairs = set(StoredAnalysis.objects.values_list("scope", "since"))
    pairs.add(("company", ""))
    teams = User.objects.filter(is_active=True, role=Role.MANAGER).filter(~Q(team="")).values_list("team", flat=True)
    pairs.update((f"team:{t}", "") for t in teams)
    return sorted(pairs)


def nightly_evidence(today: str | None = None) -> dict[str, Any]:
    """Recompute the kept analyses as of today (those already as of today are skipped)."""
    from kanelbulle.core.rates import NoRate
    from kanelbulle.evidence.models import StoredAnalysis
    from kanelbulle.evidence.stored import keep

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    done = skipped = failed = 0
    for scope, since in nightly_scopes():
        if StoredAnalysis.objects.filter(scope=scope, since=since, as_of=day).exists():
            skipped += 1
            continue
        try:
            keep(scope, since, day)
        except (NoRate, LookupError):
            failed += 1
        else:
            done += 1
    return {"today": day.isoformat(), "recomputed": done, "skipped": skipped, "failed": failed}

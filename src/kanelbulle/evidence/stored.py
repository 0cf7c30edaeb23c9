"""Evidence analyses kept per scope and recomputed on the queue, for the page (issue 15).

The page shows the kept analysis of the viewer's scope at once; "Recompute" queues a job
(``start_analysis``) that analyses the book and keeps the result once (``core.pagejobs``). A
nightly job recomputes every scope a page has asked for, and the company's and each team's.
`kanelbulle evidence` and `GET /api/v1/evidence` still analyse in the foreground.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kanelbulle.core import pagejobs
from kanelbulle.core.access import NotVisible
from kanelbulle.core.models import PageJob
from kanelbulle.evidence.book import evidence_for_scope, scope_of
from kanelbulle.evidence.models import StoredAnalysis


def kept(scope: str, since: dt.date | None) -> StoredAnalysis | None:
    return StoredAnalysis.objects.filter(scope=scope, since=since.isoformat() if since else "").first()


def start_analysis(viewer: Any, *, since: dt.date | None, today: dt.date) -> PageJob:
    """Queue the analysis of the viewer's scope (a second click while it runs joins it)."""
    scope = scope_of(viewer)
    params = {"scope": scope, "since": since.isoformat() if since else "", "today": today.isoformat()}
    subject = f"evidence:{scope}:{params['since']}:{params['today']}"
    return pagejobs.start("evidence", subject, "kanelbulle.evidence.jobs.analyse_scope", params, viewer)


def job_for(viewer: Any, key: str) -> PageJob:
    """An analysis job the viewer may follow: one of their own scope (NotVisible otherwise)."""
    job = PageJob.objects.filter(key=key, kind="evidence").first()
    if job is None or job.params.get("scope") != scope_of(viewer):
        raise NotVisible(key)
    return job


def keep(scope: str, since: str, today: dt.date, job_key: str = "") -> StoredAnalysis:
    """Analyse ``scope`` now (in this process) and keep the result (replacing the last one)."""
    result = evidence_for_scope(scope, since=dt.date.fromisoformat(since) if since else None, today=today)
    row, _created = StoredAnalysis.objects.update_or_create(
        scope=scope,
        since=since,
        defaults={
            "as_of": today,
            "computed_at": timezone.now(),
            "result": StoredAnalysis.dump(result),
            "job_key": job_key,
        },
    )
    return row

"""Evidence analyses kept per scope and recomputed on the queue, for the page (issue 15).

The page shows the kept analysis of the viewer's scope at once; "Recompute" queues a job
(``start_analysis``) that analyses the book and keeps the result once (``core.pagejobs``). A
nightly job recomputes every scope a page has asked for, and the company's and each team's.
`kanelbulle evidence` and `GET /api/v1/evidence` still analyse in the foreground.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

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
    """Analyse ``scope`` now (in this process) and keep the result (replacing the last one), with
    its charts drawn in every language."""
    result = evidence_for_scope(scope, since=dt.date.fromisoformat(since) if since else None, today=today)
    return save(scope, since, today, result, drawings(result), job_key)


def drawings(result: Any) -> dict[str, dict[str, str]]:
    """The page's charts of ``result`` in every language, drawn before its transaction opens."""
    return {code: _draw(result, code) for code, _name in settings.LANGUAGES}


def save(
    scope: str, since: str, today: dt.date, result: Any, drawn: dict[str, dict[str, str]], job_key: str = ""
) -> StoredAnalysis:
    """Keep ``result`` as the analysis of ``scope`` and ``since`` (replacing the last one)."""
    row, _created = StoredAnalysis.objects.update_or_create(
        scope=scope,
        since=since,
        defaults={
            "as_of": today,
            "computed_at": timezone.now(),
            "result": StoredAnalysis.dump(result),
            "job_key": job_key,
            "charts": drawn,
        },
    )
    return row


def _draw(result: Any, language: str) -> dict[str, str]:
    from kanelbulle.evidence.charts import forest_plot, modality_plot

    with translation.override(language):
        return {"forest": forest_plot(result), "modality": modality_plot(result)}


def charts(row: StoredAnalysis, result: Any, language: str) -> dict[str, str]:
    """The page's two charts of a kept result in ``language`` (SVG): as drawn when it was kept.

    Drawing takes a few hundred milliseconds, so it is never done per view; a result kept by an
    older version without them gets them drawn once, on its first view, and kept beside it (unless a
    newer result replaced it meanwhile).
    """
    drawn = (row.charts or {}).get(language)
    if drawn:
        return dict(drawn)
    drawn = _draw(result, language)
    StoredAnalysis.objects.filter(pk=row.pk, computed_at=row.computed_at).update(
        charts={**(row.charts or {}), language: drawn}
    )
    return drawn

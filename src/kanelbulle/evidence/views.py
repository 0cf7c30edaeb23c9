"""The manager's evidence page: charts, the numbers and the reading, all in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kanelbulle.core.days import today_of


def _rows(result: Any) -> list[dict[str, Any]]:
    labels = {
        "win": (_("Winning"), _("odds ratio")),
        "deal_size": (_("Deal size of won deals"), _("ratio")),
        "margin": (_("Margin"), _("percentage points")),
        "time_to_close": (_("Speed of winning"), _("hazard ratio")),
    }
    rows = []
    for key, outcome in result.outcomes.items():
        label, measure = labels[key]
        rows.append({"key": key, "label": label, "measure": measure, "o": outcome})
    return rows


def _modality_label(modality: str) -> str:
    labels = {
        "in_person": _("In person"),
        "video": _("Video"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "none": _("No meeting"),
    }
    return str(labels.get(modality, modality))


def _since(request: HttpRequest, raw: str) -> tuple[dt.date | None, str]:
    """The page's ``since`` and, when it cannot be used, why (in words)."""
    if not raw:
        return None, ""
    try:
        since = dt.date.fromisoformat(raw)
    except ValueError:
        return None, _("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": raw}
    if since > today_of(request):
        return None, _("%(value)s is in the future.") % {"value": raw}
    return since, ""


def _page_url(since: str) -> str:
    return reverse("evidence:page") + (f"?{urlencode({'since': since})}" if since else "")


@login_required
def evidence_page(request: HttpRequest) -> HttpResponse:
    """The last analysis kept for the viewer's scope, at once, with how old it is and a recompute
    button (the analysis runs on the queue: evidence/stored.py)."""
    from django.utils import timezone

    from kanelbulle.core.models import PageJob
    from kanelbulle.evidence.book import left_out_note, scope_of, sees_only_own
    from kanelbulle.evidence.reading import read
    from kanelbulle.evidence.stored import charts, kept

    today = today_of(request)
    raw = request.GET.get("since", "").strip()
    since, problem = _since(request, raw)
    scope = scope_of(request.user)  # type: ignore[arg-type]
    since_key = since.isoformat() if since else ""
    row = kept(scope, since)
    result = row.result_or_none() if row is not None else None
    job = (
        PageJob.objects.filter(kind="evidence", subject__startswith=f"evidence:{scope}:{since_key}:")
        .filter(state__in=[PageJob.QUEUED, PageJob.RUNNING])
        .order_by("-queued_at")
        .first()
    )
    context: dict[str, Any] = {
        "since": since_key,
        "problem": problem,
        "own_only": sees_only_own(request.user),  # type: ignore[arg-type]
        "kept": row if result is not None else None,
        "age_days": (today - row.as_of).days if row is not None else None,
        "today": today,
    }
    if job is not None:
        context.update(_job_context(job, timezone.now()))
    if result is None:
        return render(request, "evidence/evidence.html", context)
    assert row is not None
    svgs = charts(row, result, translation.get_language() or "en")  # drawn when kept, not per view
    context.update(
        result=result,
        rows=_rows(result),
        forest_svg=mark_safe(svgs["forest"]),  # noqa: S308 - our own SVG, text escaped by ElementTree
        modality_svg=mark_safe(svgs["modality"]),  # noqa: S308
        left_out=left_out_note(result.left_out),
        reading=read(result),
        modality_rows=[{"label": _modality_label(r.modality), "row": r} for r in result.by_first_modality if r.closed],
    )
    return render(request, "evidence/evidence.html", context)


def _job_context(job: Any, now: dt.datetime) -> dict[str, Any]:
    from kanelbulle.core.pagejobs import status_text

    return {"job": job, "status": status_text(job, now), "errors": job.result.get("errors", [])}


def _follow(request: HttpRequest, job: Any) -> HttpResponse:
    """A queued analysis: the page with its result when done, else "computing…" that asks again."""
    from django.utils import timezone

    if job.state == job.DONE:
        url = _page_url(job.params.get("since", ""))
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    context = _job_context(job, timezone.now())
    if request.headers.get("HX-Request"):
        return render(request, "evidence/_job.html", context)
    if request.method == "POST":
        return redirect("evidence:job", job.key)
    return render(request, "evidence/job.html", context)


@require_POST
@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    """Queue the analysis of the viewer's scope (and ``since``) as of today."""
    from kanelbulle.evidence.stored import start_analysis

    since, problem = _since(request, request.POST.get("since", "").strip())
    if problem:
        return render(request, "evidence/evidence.html", {"problem": problem}, status=400)
    job = start_analysis(request.user, since=since, today=today_of(request))
    return _follow(request, job)


@require_GET
@login_required
def job_status(request: HttpRequest, key: str) -> HttpResponse:
    """A queued analysis's progress (polled by the page), then the page with its result."""
    from django.http import Http404

    from kanelbulle.core.access import NotVisible
    from kanelbulle.evidence.stored import job_for

    try:
        job = job_for(request.user, key)
    except NotVisible:
        raise Http404(key) from None
    return _follow(request, job)

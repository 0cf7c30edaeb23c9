"""The manager's evidence page: charts, the numbers and the reading, all in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


@login_required
def evidence_page(request: HttpRequest) -> HttpResponse:
    from kanelbulle.core.rates import NoRate
    from kanelbulle.evidence.book import evidence_for, left_out_note, sees_only_own
    from kanelbulle.evidence.charts import forest_plot, modality_plot
    from kanelbulle.evidence.reading import read

    today = today_of(request)
    since: dt.date | None = None
    problem = ""
    raw = request.GET.get("since", "").strip()
    if raw:
        try:
            since = dt.date.fromisoformat(raw)
        except ValueError:
            problem = _("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": raw}
        else:
            if since > today:
                problem = _("%(value)s is in the future.") % {"value": raw}
                since = None
    context: dict[str, Any] = {"since": raw if not problem else "", "problem": problem}
    try:
        result = evidence_for(request.user, since=since, today=today)  # type: ignore[arg-type]
    except NoRate as exc:
        context["problem"] = str(exc)
        return render(request, "evidence/evidence.html", context, status=200)
    context.update(
        result=result,
        rows=_rows(result),
        own_only=sees_only_own(request.user),  # type: ignore[arg-type]
        forest_svg=mark_safe(forest_plot(result)),  # noqa: S308 - our own SVG, text escaped by ElementTree
        modality_svg=mark_safe(modality_plot(result)),  # noqa: S308
        left_out=left_out_note(result.left_out),
        reading=read(result),
        modality_rows=[{"label": _modality_label(r.modality), "row": r} for r in result.by_first_modality if r.closed],
    )
    return render(request, "evidence/evidence.html", context)

"""`GET /api/v1/evidence`: does meeting in person pay off (managers: their team; sellers: their own deals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router

router = Router(tags=["evidence"])


def resolve_seller(viewer: Any, name: str | None) -> Any:
    """The seller named by ``user``, if the viewer may see their deals; otherwise NotVisible (404)."""
    from kanelbulle.accounts.models import User
    from kanelbulle.core.access import NotVisible
    from kanelbulle.evidence.book import sees_only_own

    if not name:
        return None
    seller = User.objects.filter(username=name).first()
    if seller is None:
        raise NotVisible(name)
    if seller.pk == viewer.pk or viewer.is_admin_role:
        return seller
    if sees_only_own(viewer) or not viewer.team or seller.team != viewer.team:
        raise NotVisible(name)
    return seller


@router.get("/evidence", response=dict[str, Any])
def evidence(
    request: HttpRequest,
    since: dt.date | None = None,
    user: str | None = None,
    today: dt.date | None = None,
    kept: bool = False,
) -> dict[str, Any]:
    """Adjusted and naive estimates of the in-person effect on win rate, deal size, margin and time to
    close, with 95% intervals, an E-value and a reading in the caller's language (Accept-Language, else
    the user's language). A seller sees only
    their own deals; a manager their team's; an admin everyone's. ``user`` narrows to one seller.

    Analysed now, in the request (seconds on a company's book), unless ``kept=true``: then the
    analysis last kept for the caller's scope and ``since`` (the one `/evidence/` shows, recomputed
    nightly and on demand), at once, with its ``as_of`` and ``computed_at``; 404 at ``kept`` when
    none is kept yet. ``kept`` takes no ``user`` or ``today`` (a kept analysis is of a whole scope,
    as of its own day)."""
    from kanelbulle.connectors.rest import ApiProblem
    from kanelbulle.core.access import NotVisible
    from kanelbulle.core.days import today_or_default
    from kanelbulle.core.rates import NoRate
    from kanelbulle.evidence.book import evidence_for, left_out_note
    from kanelbulle.evidence.reading import document

    day = today_or_default(today)
    if kept:
        return _kept(request.user, since, user, today)
    if since is not None and since > day:
        raise ApiProblem(
            422,
            "since",
            gettext("%(since)s is in the future (today is %(today)s)")
            % {"since": since.isoformat(), "today": day.isoformat()},
        )
    try:
        seller = resolve_seller(request.user, user)
    except NotVisible:
        raise ApiProblem(
            404, "user", gettext("no user named %(name)s whose deals you may see") % {"name": repr(user)}
        ) from None
    try:
        result = evidence_for(request.user, seller=seller, since=since, today=day)  # type: ignore[arg-type]
    except NoRate as exc:
        raise ApiProblem(409, "", str(exc)) from None
    doc = document(result)
    doc["left_out"]["note"] = left_out_note(result.left_out)  # records that could not be converted
    return doc


def _kept(viewer: Any, since: dt.date | None, user: str | None, today: dt.date | None) -> dict[str, Any]:
    from kanelbulle.connectors.rest import ApiProblem
    from kanelbulle.evidence.book import left_out_note, scope_of
    from kanelbulle.evidence.reading import document
    from kanelbulle.evidence.stored import kept

    for name, value in (("user", user), ("today", today)):
        if value is not None:
            raise ApiProblem(
                422,
                name,
                gettext(
                    "%(name)s cannot be combined with kept: a kept analysis is of your whole scope, as of its own day"
                )
                % {"name": name},
            )
    row = kept(scope_of(viewer), since)
    result = row.result_or_none() if row is not None else None
    if row is None or result is None:
        raise ApiProblem(
            404,
            "kept",
            gettext(
                "no analysis is kept yet for you and this since: ask without kept, or recompute on the evidence page"
            ),
        )
    doc = document(result)
    doc["left_out"]["note"] = left_out_note(result.left_out)
    return {**doc, "as_of": row.as_of.isoformat(), "computed_at": row.computed_at.isoformat()}

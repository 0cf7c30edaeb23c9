"""Admin pages for personal data: access export, erasure, retention review and the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kanelbulle.core.access import visible_teams
from kanelbulle.core.actions import audit
from kanelbulle.core.csvout import SafeWriter
from kanelbulle.core.days import today_of
from kanelbulle.core.models import AuditEntry
from kanelbulle.core.paging import page_of
from kanelbulle.customers.models import Contact
from kanelbulle.privacy.dossier import dossier
from kanelbulle.privacy.erase import erase_contact
from kanelbulle.privacy.retention import due_keys, due_rows, retention_months

View = Callable[..., HttpResponse]
AUDIT_PAGE = 50
REVIEW_PAGE = 50


def admin_only(view: View) -> View:
    """Only admins handle data-subject requests; to anyone else these pages do not exist."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_admin_role:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _contact(ref: str) -> Contact:
    contact = Contact.objects.select_related("customer__owner").filter(ref=ref).first()
    if contact is None:
        raise Http404
    return contact


@admin_only
def index(request: HttpRequest) -> HttpResponse:
    """The search for a person, and one page of 50 contacts due for the retention review
    (``privacy/retention.py``: which are due and their order is asked in SQL; a bad page number
    opens page 1, core/paging.py)."""
    query = request.GET.get("q", "").strip()
    found = Contact.objects.select_related("customer").filter(name__icontains=query)[:20] if query else []
    today = today_of(request)
    paged = page_of(request, due_keys(today), REVIEW_PAGE)
    context = {"query": query, "found": found, "paged": paged, "due": due_rows(paged.rows, today),
               "months": retention_months()}  # fmt: skip
    return render(request, "privacy/index.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, ref: str) -> HttpResponse:
    """GET shows what the copy holds and asks; POST (CSRF-protected) makes it and writes the audit entry."""
    contact = _contact(ref)
    if request.method != "POST":
        return render(request, "privacy/export.html", {"contact": contact})
    document = dossier(contact)
    audit(request.user, "privacy_export", contact)  # type: ignore[arg-type]
    if request.POST.get("format") == "html":
        return HttpResponse(render_to_string("privacy/dossier.html", {"d": document}, request=request))
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{contact.ref}.json"'
    return response


@admin_only
@require_POST
def erase(request: HttpRequest, ref: str) -> HttpResponseRedirect:
    contact = _contact(ref)
    if request.POST.get("confirm") != contact.ref:
        messages.error(request, _("Type the contact's ref to confirm the erasure."))
        return redirect("privacy:index")
    result = erase_contact(contact, actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request, _("%(ref)s was erased; business records keep only that someone was there.") % {"ref": ref}
    )
    changed = result["changed"]
    if changed:
        listed = "; ".join(f"{c.kind} {c.ref} ({c.owner or '-'}: {', '.join(c.fields)})" for c in changed[:50])
        if len(changed) > 50:
            listed += " " + _("and %(n)d more in the audit log") % {"n": len(changed) - 50}
        messages.info(
            request,
            _("Mentions were redacted in %(count)d records; ask their owners to review them: %(records)s")
            % {"count": len(changed), "records": listed},
        )
    return redirect("privacy:index")


@admin_only
@require_POST
def renew(request: HttpRequest, ref: str) -> HttpResponseRedirect:
    contact = _contact(ref)
    audit(request.user, "retention_renewed", contact, lawful_basis=contact.lawful_basis)  # type: ignore[arg-type]
    messages.success(request, _("The lawful basis of %(name)s was renewed.") % {"name": contact.name})
    return redirect("privacy:index")


def audit_entries(params: Any) -> tuple[Any, dict[str, str], list[str], list[str]]:
    """The audit log filtered by who (a username, or a label such as ``import``), their team, the
    action and the record (its ref, or its kind), newest first; with the filters read, the actions to choose
    from (SQL DISTINCT) and the problems (an action that is not one: 400)."""
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    actions = list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
    f = {k: (params.get(k) or "").strip() for k in ("who", "action", "record", "team")}
    problems = []
    if f["action"] and f["action"] not in actions:
        problems.append(_("Action: “%(value)s” is not one of the actions in the log.") % {"value": f["action"]})
        entries = entries.none()
    if f["team"] and f["team"] not in visible_teams(None):
        problems.append(_("Team: “%(value)s” is not a team anyone is in.") % {"value": f["team"]})
        entries = entries.none()
    if f["team"]:  # what the team's people did (the log of an admin, who sees every team)
        entries = entries.filter(actor__team=f["team"])
    if f["action"]:
        entries = entries.filter(action=f["action"])
    if f["who"]:
        entries = entries.filter(Q(actor__username=f["who"]) | Q(actor_label=f["who"]))
    if f["record"]:
        entries = entries.filter(Q(ref=f["record"]) | Q(kind=f["record"]))
    return entries, f, actions, problems


@admin_only
def audit_log(request: HttpRequest) -> HttpResponse:
    """Admins only; one page of 50 entries (core/paging.py), the filters kept in the query string;
    the CSV holds every entry the filters select."""
    entries, f, actions, problems = audit_entries(request.GET)
    if request.GET.get("format") == "csv" and not problems:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        writer = SafeWriter(response)  # every cell escaped against formulas (core/csvout.py)
        writer.writerow(["at", "who", "action", "kind", "ref", "detail"])
        for e in entries.iterator():
            who = e.actor.username if e.actor else e.actor_label
            writer.writerow([e.at.isoformat(), who, e.action, e.kind, e.ref, json.dumps(e.detail, ensure_ascii=False)])
        return response
    paged = page_of(request, entries, AUDIT_PAGE)
    context = {"paged": paged, "page": paged.page, "f": f, "actions": actions, "problems": problems,
               "teams": visible_teams(None)}  # fmt: skip
    return render(request, "privacy/audit.html", context, status=400 if problems else 200)

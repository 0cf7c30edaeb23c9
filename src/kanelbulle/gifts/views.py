"""Gift pages: the register (filters, totals, CSV and print), the gift form with a live check, a
gift's page (approve, edit, void, history) and our policy. Views parse and render; actions decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.accounts.models import User
from kanelbulle.core.access import can_see_team, visible_teams
from kanelbulle.core.days import today_of
from kanelbulle.core.paging import page_of
from kanelbulle.gifts import actions, report
from kanelbulle.gifts.forms import GiftEditForm
from kanelbulle.gifts.models import STATUS_LABELS, Category, Direction, Gift, GiftPolicy
from kanelbulle.gifts.rules import Verdict as Check
from kanelbulle.web.pages import user_of, workspace

STATUSES = ["pending", "approved", "recorded", "voided"]
REGISTER_PAGE = 25


def _date(raw: str | None, default: dt.date, errors: list[str], label: str) -> dt.date:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s: %(value)s is not a date such as 2025-12-31") % {"field": label, "value": raw})
        return default


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The register's filters from the URL; a value that is not one of the choices is an error
    naming the filter (the register answers 400: core/paging.py)."""
    today = today_of(request)
    errors: list[str] = []
    g = request.GET
    start = _date(g.get("from"), today.replace(month=1, day=1), errors, _("From"))
    end = _date(g.get("to"), today.replace(month=12, day=31), errors, _("To"))
    if end < start:
        errors.append(_("“To” is before “From”."))
        end = start
    direction = g.get("direction") or ""
    status = g.get("status") or ""
    if direction and direction not in Direction.values:
        errors.append(
            _("%(field)s: %(value)s is not one of the choices") % {"field": _("Direction"), "value": direction}
        )
    if status and status not in STATUSES:
        errors.append(_("%(field)s: %(value)s is not one of the choices") % {"field": _("Status"), "value": status})
    team = g.get("team") or ""
    if team and not can_see_team(user_of(request), team):  # worded as a team nobody has: it tells nothing
        errors.append(_("%(field)s: %(value)s is not one of the choices") % {"field": _("Team"), "value": team})
        team = ""
    return {
        "start": start,
        "end": end,
        "customer": g.get("customer") or "",
        "seller": g.get("seller") or "",
        "direction": direction if direction in Direction.values else "",
        "status": status if status in STATUSES else "",
        "team": team,
        "errors": errors,
    }


def _filtered(user: User, f: dict[str, Any]) -> QuerySet[Gift]:
    qs = actions.visible_gifts(user).filter(date__gte=f["start"], date__lte=f["end"])
    if f["customer"]:  # a ref (the totals' links) or words of the name
        words = Q()
        for word in f["customer"].split():
            words &= Q(customer__name__icontains=word)
        qs = qs.filter(Q(customer__ref=f["customer"]) | words)
    if f["seller"]:
        qs = qs.filter(user__username=f["seller"])
    if f["team"]:  # the team of the customer's seller, as the API's ``team``
        qs = qs.filter(customer__owner__team=f["team"])
    if f["direction"]:
        qs = qs.filter(direction=f["direction"])
    if f["status"] == "voided":
        qs = qs.exclude(voided_at=None)
    elif f["status"] == "pending":
        qs = qs.filter(voided_at=None, verdict="ask", approved_at=None)
    elif f["status"] == "approved":
        qs = qs.filter(voided_at=None, verdict="ask").exclude(approved_at=None)
    elif f["status"] == "recorded":
        qs = qs.filter(voided_at=None).exclude(verdict="ask")
    return qs


def _query(f: dict[str, Any], **override: str) -> str:
    q = QueryDict(mutable=True)
    values = {
        "from": f["start"].isoformat(),
        "to": f["end"].isoformat(),
        "customer": f["customer"],
        "seller": f["seller"],
        "team": f["team"],
        "direction": f["direction"],
        "status": f["status"],
    }
    values.update(override)
    for k, v in values.items():
        if v:
            q[k] = v
    return q.urlencode()


#: What a row of the register shows: the page reads only these (a gift with its seven related
#: records in full is a row of 17 KB, and the database sorted the period's rows at that width).
ROW_FIELDS = (
    "ref", "date", "direction", "description", "occasion", "value_amount", "value_currency",
    "value_company_amount", "value_company_currency", "verdict", "approved_at", "voided_at",
    "customer__ref", "customer__name", "contact__ref", "contact__name", "user__username", "user__name",
    "approved_by__username", "approved_by__name", "policy__version",
)  # fmt: skip


@workspace
def register(request: HttpRequest) -> HttpResponse:
    """One page of the register with its totals from SQL aggregates (gifts/report.summarise); the
    CSV and the printable report hold every gift of the period."""
    user = user_of(request)
    f = _filters(request)
    gifts = _filtered(user, f) if not f["errors"] else Gift.objects.none()
    summary = report.summarise(gifts)
    rows = gifts.select_related(None).select_related("customer", "contact", "user", "approved_by", "policy")
    paged = page_of(request, rows.only(*ROW_FIELDS).order_by("-date", "-ref"), REGISTER_PAGE)
    visible = actions.visible_gifts(user)
    sellers = User.objects.filter(pk__in=visible.values("user")).order_by("name", "username")
    per_customer = [(t, _query(f, customer=t.ref)) for t in summary.groups[0].rows]
    return render(
        request,
        "gifts/register.html",
        {
            "summary": summary,
            "currency": actions.company_currency(),
            "paged": paged,
            "f": f,
            "sellers": sellers,
            "teams": visible_teams(user),
            "directions": Direction.choices,
            "statuses": list(STATUS_LABELS.items()),
            "per_customer": per_customer,
            "customer_group": summary.groups[0],
            "report_groups": summary.groups[1:],
            "query": _query(f),
            "pending": visible.filter(voided_at=None, verdict="ask", approved_at=None).count(),
        },
        status=400 if f["errors"] else 200,
    )


@workspace
def register_csv(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    rep = report.build(_filtered(user_of(request), f), f["start"], f["end"], actions.company_currency())
    response = HttpResponse(report.to_csv(rep), content_type="text/csv; charset=utf-8")
    name = f"gifts-{f['start'].isoformat()}-{f['end'].isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace
def register_print(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    rep = report.build(_filtered(user_of(request), f), f["start"], f["end"], actions.company_currency())
    return render(
        request,
        "gifts/print.html",
        {
            "report": rep,
            "report_groups": report.groups(rep),
            "report_rows": report.rows_html(rep),
            "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "f": f,
            "query": _query(f),
        },
    )


def _form_values(request: HttpRequest) -> dict[str, str]:
    src = request.POST if request.method == "POST" else request.GET
    keys = ["customer", "contact", "direction", "date", "description", "category", "amount", "currency", "occasion"]
    values = {k: (src.get(k) or "").strip() for k in keys}
    values["direction"] = values["direction"] or Direction.GIVEN
    values["category"] = values["category"] or Category.OBJECT
    values["currency"] = (values["currency"] or actions.company_currency()).upper()
    values["date"] = values["date"] or timezone.localdate().isoformat()
    return values


def _parse(user: User, v: dict[str, str]) -> actions.GiftInput:
    return actions.parse_input(
        user,
        customer=v["customer"],
        contact=v["contact"] or None,
        amount=v["amount"] or None,
        currency=v["currency"],
        description=v["description"],
        category=v["category"],
        date=v["date"],
        direction=v["direction"],
        occasion=v["occasion"],
    )


def _form_context(user: User, values: dict[str, str], *, query: str = "", **extra: Any) -> dict[str, Any]:
    """The form's values and its choices. The customer is chosen by search (``q``, the type-ahead
    with ``for=gift``) or named by ref (``?customer=REF``); only that customer's people are offered,
    never the whole book."""
    from kanelbulle.customers.actions import own_customers, suggest

    customer = actions.form_customer(user, values["customer"])
    context: dict[str, Any] = {
        "v": values,
        "customer": customer,
        "contacts": actions.form_contacts(customer),
        "categories": Category.choices,
        "directions": Direction.choices,
        "q": query,
    }
    if customer is None:
        mine, owned = own_customers(user)
        context.update(found=suggest(user, query), mine=mine, owned=owned)
    return {**context, **extra}


@workspace
def new_gift(request: HttpRequest) -> HttpResponseBase:
    user = user_of(request)
    values = _form_values(request)
    if request.method != "POST":
        query = request.GET.get("q", "").strip()
        return render(request, "gifts/form.html", _form_context(user, values, query=query))
    try:
        data = _parse(user, values)
        if request.POST.get("action") == "check":
            return render(request, "gifts/form.html", _form_context(user, values, result=actions.check(data)))
        gift, result = actions.record_gift(user, data)
    except actions.GiftError as exc:
        return render(request, "gifts/form.html", _form_context(user, values, problems=exc.problems), status=400)
    except actions.GiftRefused as exc:
        return render(
            request, "gifts/form.html", _form_context(user, values, result=exc.check, refused=True), status=400
        )
    if result.verdict == "ask":
        messages.info(request, _("Recorded %(ref)s; it waits for a manager's approval.") % {"ref": gift.ref})
    else:
        messages.success(request, _("Recorded %(ref)s.") % {"ref": gift.ref})
    return redirect("gifts:detail", ref=gift.ref)


@workspace
def check_preview(request: HttpRequest) -> HttpResponse:
    """The live verdict beside the form (htmx); nothing is stored."""
    user = user_of(request)
    values = _form_values(request)
    context: dict[str, Any] = {"v": values}
    if not values["customer"] or not values["amount"] or not values["description"]:
        context["incomplete"] = True
    else:
        try:
            context["result"] = actions.check(_parse(user, values))
        except actions.GiftError as exc:
            context["problems"] = exc.problems
    return render(request, "gifts/_verdict.html", context)


@workspace
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = user_of(request)
    gift = actions.get_gift(user, ref)
    return render(
        request,
        "gifts/detail.html",
        {
            "gift": gift,
            "history": gift.changes.select_related("actor"),
            "may_approve": gift.status == "pending" and actions.can_approve(user, gift),
            "may_change": gift.voided_at is None and actions.can_change(user, gift),
            "others": actions.visible_gifts(user)
            .filter(customer=gift.customer)
            .exclude(pk=gift.pk)
            .order_by("-date")[:10],
        },
    )


def _edit_refused(request: HttpRequest, gift: Gift, reason: str) -> HttpResponse:
    back = reverse("gifts:detail", args=[gift.ref])
    return render(request, "web/refused.html", {"messages_": [reason], "back": back}, status=409)


def _voided_reason(gift: Gift) -> str:
    return _(
        "%(ref)s is voided and cannot be edited: the register keeps a voided gift exactly as it was. "
        "Record a new gift instead."
    ) % {"ref": gift.ref}


@workspace
def edit(request: HttpRequest, ref: str) -> HttpResponseBase:
    """Change a gift. It is checked again by ``update_gift``; a change of value, date, direction,
    person or verdict drops an earlier approval, and the page says so. Not visible: 404; visible
    but not the caller's to change: 403; voided: 409 with the reason."""
    user = user_of(request)
    gift = actions.get_gift(user, ref)
    if not actions.can_change(user, gift):
        raise PermissionDenied(_("only the giver, the customer's seller, their manager or an admin may change a gift"))
    if gift.voided_at is not None:
        return _edit_refused(request, gift, _voided_reason(gift))
    form = GiftEditForm(request.POST if request.method == "POST" else None, gift=gift)
    context: dict[str, Any] = {"gift": gift, "form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if request.POST.get("action") == "check":
                    data = actions.parse_input(user, customer=gift.customer.ref, **form.action_fields())
                    context["result"] = actions.check(data, exclude=gift)
                    status = 200
                else:
                    was_approved = gift.approved_at is not None
                    saved, result = actions.update_gift(
                        user, gift, version=form.cleaned_data.get("version"), **form.action_fields()
                    )
                    _report_saved(request, saved, result, was_approved)
                    return redirect("gifts:detail", ref=saved.ref)
            except actions.GiftError as exc:
                form.add_problems(exc.problems)
            except actions.GiftRefused as exc:
                context |= {"result": exc.check, "refused": True}
            except actions.GiftStateError as exc:
                gift.refresh_from_db()
                if gift.voided_at is not None:
                    return _edit_refused(request, gift, _voided_reason(gift))
                form.add_error(
                    None,
                    _("Someone changed this gift while you were editing it. Reload the page and try again.")
                    + f" ({exc})",
                )
                status = 409
    return render(request, "gifts/edit.html", context, status=status)


def _report_saved(request: HttpRequest, gift: Gift, result: Check, was_approved: bool) -> None:
    if was_approved and gift.approved_at is None:
        messages.warning(
            request,
            _("Saved %(ref)s. The change dropped the earlier approval: the gift waits for a manager's approval again.")
            % {"ref": gift.ref},
        )
    elif result.verdict == "ask" and gift.approved_at is None:
        messages.info(request, _("Saved %(ref)s; it waits for a manager's approval.") % {"ref": gift.ref})
    else:
        messages.success(request, _("Saved %(ref)s.") % {"ref": gift.ref})


@require_POST
@workspace
def approve(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    gift = actions.get_gift(user, ref)
    try:
        actions.approve_gift(user, gift, note=request.POST.get("note", "")[:300])
        messages.success(request, _("Approved %(ref)s.") % {"ref": ref})
    except actions.GiftStateError as exc:
        messages.error(request, str(exc))
    return redirect("gifts:detail", ref=ref)


@require_POST
@workspace
def void(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    gift = actions.get_gift(user, ref)
    try:
        actions.void_gift(user, gift, request.POST.get("reason", ""))
        messages.success(request, _("Voided %(ref)s; it stays in the register.") % {"ref": ref})
    except actions.GiftError as exc:
        messages.error(request, "; ".join(m for _p, m in exc.problems))
    except actions.GiftStateError as exc:
        messages.error(request, str(exc))
    return redirect("gifts:detail", ref=ref)


@workspace
def policy(request: HttpRequest) -> HttpResponseBase:
    user = user_of(request)
    current = GiftPolicy.current()
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        if not user.is_admin_role:
            raise PermissionDenied(_("only an admin may change the gift policy"))
        try:
            new = actions.update_policy(
                user,
                note=request.POST.get("note", ""),
                per_gift_limit=request.POST.get("per_gift_limit", ""),
                per_recipient_year_limit=request.POST.get("per_recipient_year_limit", ""),
                public_sector_token=request.POST.get("public_sector_token", ""),
                never_categories=request.POST.getlist("never_categories"),
            )
        except actions.GiftError as exc:
            problems = exc.problems
        else:
            if new.version != current.version:
                messages.success(request, _("Policy version %(v)s is now in force.") % {"v": new.version})
            return redirect(reverse("gifts:policy"))
    return render(
        request,
        "gifts/policy.html",
        {
            "policy": current,
            "versions": GiftPolicy.objects.select_related("created_by").order_by("-version"),
            "categories": Category.choices,
            "problems": problems,
            "may_edit": user.is_admin_role,
        },
        status=400 if problems else 200,
    )

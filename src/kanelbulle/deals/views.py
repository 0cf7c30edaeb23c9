"""Deal and order pages: the deal board by stage (deals/board.py) with quick stage changes, and the forms."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.accounts.models import User
from kanelbulle.core.access import can_edit_customer, require_edit, scope
from kanelbulle.core.actions import Conflict
from kanelbulle.core.paging import page_of, query_without
from kanelbulle.customers.views import customer_for
from kanelbulle.deals import actions, board
from kanelbulle.deals.forms import DealFilterForm, DealForm, OrderForm, StageForm
from kanelbulle.deals.models import Deal, Order, Stage
from kanelbulle.web.pages import apply_errors, confirm_page, form_page, record_of_customer, user_of, workspace


def deal_for(request: HttpRequest, ref: str, deal_ref: str) -> Deal:
    return record_of_customer(request, Deal.objects.select_related("customer__owner", "user"), ref, deal_ref)


def order_for(request: HttpRequest, ref: str, order_ref: str) -> Order:
    return record_of_customer(request, Order.objects.select_related("customer__owner"), ref, order_ref)


@workspace
def deal_board(request: HttpRequest) -> HttpResponse:
    """The deals the viewer may see by stage: each stage's count and totals (SQL) and its top
    cards, or with ``?stage=`` one page of that stage (paging and bad values: core/paging.py)."""
    user = user_of(request)
    visible = scope(user, Deal.objects.all(), "customer__")
    sellers = list(User.objects.filter(pk__in=visible.values("user")).order_by("name", "username"))
    teams = sorted({u.team for u in sellers if u.team})
    params = request.GET.copy()
    params.pop("page", None)
    filters = DealFilterForm(params or None, sellers=sellers, teams=teams)
    status, stage = 200, ""
    if filters.is_bound and not filters.is_valid():
        status = 400  # a seller, team or stage the viewer may not pick: named above the board
        deals = Deal.objects.none()
    else:
        stage = filters.cleaned_data.get("stage", "") if filters.is_bound else ""
        deals = board.find_deals(user, **filters.filters())
    stages = board.summarise(deals, top=0 if stage else board.TOP)
    counted = {s.stage: s.count for s in stages}
    paged = page_of(request, board.ordered(deals, stage), count=counted.get(stage)) if stage else None
    shown = [d for s in stages for d in s.top] + (paged.rows if paged else [])
    for deal in shown:
        deal.can_edit = can_edit_customer(user, deal.customer)  # type: ignore[attr-defined]
    context = {
        "filters": filters,
        "stages": stages,
        "stage": stage,
        "stage_label": dict(Stage.choices).get(stage, ""),
        "paged": paged,
        "query": query_without(params, "stage"),
        "here": request.get_full_path(),
    }
    return render(request, "deals/board.html", context, status=status)


@workspace
def deal_create(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    customer = customer_for(request, ref)
    require_edit(user, customer)
    form = DealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.deal_create(user, customer, **form.action_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("customers:detail", args=[ref]) + "#deals")
    title = _("New deal with %(name)s") % {"name": customer.name}
    return form_page(request, form, title=title, back=reverse("customers:detail", args=[ref]))


@workspace
def deal_edit(request: HttpRequest, ref: str, deal_ref: str) -> HttpResponseBase:
    user = user_of(request)
    deal = deal_for(request, ref, deal_ref)
    require_edit(user, deal.customer)
    initial = {f: getattr(deal, f) for f in DealForm.base_fields}
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.deal_update(user, deal, version=form.cleaned_data.get("version"), **form.action_fields())
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("customers:detail", args=[ref]) + "#deals")
    return form_page(
        request,
        form,
        title=_("Edit the deal %(title)s") % {"title": deal.title},
        back=reverse("customers:detail", args=[ref]),
        delete_url=reverse("customers:deal_delete", args=[ref, deal_ref]),
    )


@require_POST
@workspace
def deal_stage(request: HttpRequest, ref: str, deal_ref: str) -> HttpResponseBase:
    """Win, lose or reopen a deal in one tap; the close date is today unless given."""
    user = user_of(request)
    deal = deal_for(request, ref, deal_ref)
    if not can_edit_customer(user, deal.customer):
        raise PermissionDenied
    form = StageForm(request.POST)
    back = request.POST.get("next") or reverse("customers:detail", args=[ref])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("customers:detail", args=[ref])
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.deal_update(user, deal, version=d.get("version"), stage=d["stage"], closed=d.get("closed"))
        except (ValidationError, Conflict) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return render(request, "web/refused.html", {"messages_": messages, "back": back}, status=409)
        return redirect(back)
    messages = [f"{form[name].label}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()]
    return render(request, "web/refused.html", {"messages_": messages, "back": back}, status=400)


@workspace
def deal_delete(request: HttpRequest, ref: str, deal_ref: str) -> HttpResponseBase:
    user = user_of(request)
    deal = deal_for(request, ref, deal_ref)
    require_edit(user, deal.customer)
    if request.method == "POST":
        actions.deal_delete(user, deal)
        return redirect(reverse("customers:detail", args=[ref]) + "#deals")
    return confirm_page(
        request,
        title=_("Delete the deal %(title)s") % {"title": deal.title},
        question=_("Delete this deal? Its history goes with it."),
        back=reverse("customers:detail", args=[ref]),
        submit=_("Delete"),
    )


@workspace
def order_create(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    customer = customer_for(request, ref)
    require_edit(user, customer)
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.order_create(user, customer, date=d["date"], value=form.money(), margin_pct=d["margin_pct"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("customers:detail", args=[ref]) + "#orders")
    title = _("New order from %(name)s") % {"name": customer.name}
    return form_page(request, form, title=title, back=reverse("customers:detail", args=[ref]))


@workspace
def order_edit(request: HttpRequest, ref: str, order_ref: str) -> HttpResponseBase:
    user = user_of(request)
    order = order_for(request, ref, order_ref)
    require_edit(user, order.customer)
    form = OrderForm(request.POST or None, initial={f: getattr(order, f) for f in OrderForm.base_fields})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.order_update(
                user, order, version=d.get("version"), date=d["date"], value=form.money(), margin_pct=d["margin_pct"]
            )
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("customers:detail", args=[ref]) + "#orders")
    return form_page(
        request,
        form,
        title=_("Edit the order"),
        back=reverse("customers:detail", args=[ref]),
        delete_url=reverse("customers:order_delete", args=[ref, order_ref]),
    )


@workspace
def order_delete(request: HttpRequest, ref: str, order_ref: str) -> HttpResponseBase:
    user = user_of(request)
    order = order_for(request, ref, order_ref)
    require_edit(user, order.customer)
    if request.method == "POST":
        actions.order_delete(user, order)
        return redirect(reverse("customers:detail", args=[ref]) + "#orders")
    return confirm_page(
        request,
        title=_("Delete the order"),
        question=_("Delete this order?"),
        back=reverse("customers:detail", args=[ref]),
        submit=_("Delete"),
    )

"""Customer pages: the list (search, filters, sort), the customer page, and the forms for
customers, contacts and facts. Every view calls an action; the actions decide who may do what."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.accounts.models import User
from kanelbulle.core.access import (
    can_edit_customer,
    can_edit_meeting,
    get_visible,
    require_edit,
    unsaid_for,
    visible_customers,
)
from kanelbulle.core.actions import Conflict
from kanelbulle.core.days import parse_day
from kanelbulle.core.paging import page_of
from kanelbulle.customers import actions
from kanelbulle.customers.forms import ContactForm, CustomerFilterForm, CustomerForm, FactForm
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.web.pages import apply_errors, confirm_page, form_page, record_of_customer, user_of, workspace

PAGE_SIZE = 25
# Facts beside each person, newest first (the latest learned, then the latest written).
NEWEST_FACTS = Prefetch("facts", queryset=Fact.objects.order_by("-learned", "-id"))


def customer_for(request: HttpRequest, ref: str) -> Customer:
    """The customer by ref, or 404 when it does not exist for this viewer."""
    return get_visible(user_of(request), Customer.objects.select_related("owner"), ref=ref)


def contact_for(request: HttpRequest, ref: str, contact_ref: str) -> Contact:
    return record_of_customer(request, Contact.objects.select_related("customer__owner"), ref, contact_ref)


@workspace
def customer_list(request: HttpRequest) -> HttpResponse:
    """One page of the customers the viewer may see (paging and its bad values: core/paging.py);
    the filters' choices come from SQL (DISTINCT), never from reading the whole book."""
    user = user_of(request)
    visible = visible_customers(user)
    owners = list(User.objects.filter(pk__in=visible.values("owner")).order_by("name", "username"))
    countries = list(visible.order_by("country").values_list("country", flat=True).distinct())
    teams = sorted({u.team for u in owners if u.team})
    params = request.GET.copy()
    params.pop("page", None)
    filters = CustomerFilterForm(params or None, owners=owners, countries=countries, teams=teams)
    status = 200
    if filters.is_bound and not filters.is_valid():
        # A filter the viewer may not pick (another team's seller, a typo): say so, naming it. An
        # htmx request gets the same message with 200, as htmx swaps no 4xx answer into the page.
        status = 200 if request.htmx else 400  # type: ignore[attr-defined]
        found = Customer.objects.none()
    else:
        # As of the page's `today` when it names one (a bad day answers 400), else as of now.
        found = actions.find_customers(user, **filters.filters(), today=parse_day(request.GET.get("today"), "today"))
    paged = page_of(request, found, PAGE_SIZE)
    context = {"filters": filters, "paged": paged, "page": paged.page, "total": paged.total}
    template = "customers/_results.html" if request.htmx and request.htmx.target == "results" else "customers/list.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@workspace
def customer_suggest(request: HttpRequest) -> HttpResponse:
    """The type-ahead's suggestion list (a fragment for htmx; also a plain page without JS)."""
    query = request.GET.get("q", "").strip()
    found = actions.suggest(user_of(request), query)
    target = request.GET.get("for", "page")
    return render(request, "customers/_suggest.html", {"found": found, "q": query, "for": target})


@workspace
def customer_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = user_of(request)
    customer = customer_for(request, ref)
    contacts = customer.contacts.prefetch_related(NEWEST_FACTS)
    meetings = list(customer.meetings.select_related("user").prefetch_related("contacts").order_by("-start"))
    for m in meetings:
        m.my_unsaid = unsaid_for(user, m)  # type: ignore[attr-defined]
        m.can_edit = can_edit_meeting(user, m)  # type: ignore[attr-defined]
    from kanelbulle.meetings.models import RequestStatus

    context = {
        "customer": customer,
        "can_edit": can_edit_customer(user, customer),
        "contacts": contacts,
        "meetings": meetings,
        "requests": customer.meeting_requests.filter(status=RequestStatus.OPEN).select_related("contact"),
        "deals": customer.deals.select_related("user"),
        "orders": customer.orders.all(),
        "gifts": customer.gifts.select_related("contact", "user"),
        "fact_form": FactForm(),
    }
    return render(request, "customers/detail.html", context)


@workspace
def customer_create(request: HttpRequest) -> HttpResponseBase:
    user = user_of(request)
    form = CustomerForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = actions.customer_create(user, **form.action_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("customers:detail", ref=customer.ref)
    return form_page(request, form, title=_("New customer"), back=reverse("customers:list"))


@workspace
def customer_edit(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    customer = customer_for(request, ref)
    require_edit(user, customer)
    initial = {f: getattr(customer, f) for f in CustomerForm.base_fields if hasattr(customer, f)}
    initial |= {
        "owner": customer.owner_id,
        "accepts_gifts": {True: "yes", False: "no"}.get(customer.accepts_gifts, ""),  # type: ignore[arg-type]
    }
    form = CustomerForm(request.POST or None, actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.customer_update(user, customer, version=form.cleaned_data.get("version"), **form.action_fields())
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            return redirect("customers:detail", ref=customer.ref)
    back = reverse("customers:detail", args=[ref])
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": customer.name},
        back=back,
        delete_url=reverse("customers:delete", args=[ref]),
    )


@workspace
def customer_delete(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    customer = customer_for(request, ref)
    require_edit(user, customer)
    back = reverse("customers:detail", args=[ref])
    if request.method == "POST":
        try:
            actions.customer_delete(user, customer)
        except ValidationError as exc:
            return render(request, "web/refused.html", {"messages_": exc.messages, "back": back}, status=409)
        return redirect("customers:list")
    return confirm_page(
        request,
        title=_("Delete %(name)s") % {"name": customer.name},
        question=_("Delete this customer with its people, facts, meetings, deals and orders? This cannot be undone."),
        back=back,
        submit=_("Delete"),
    )


@workspace
def contact_create(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    customer = customer_for(request, ref)
    require_edit(user, customer)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            actions.contact_create(user, customer, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("customers:detail", ref=ref)
    title = _("New person at %(name)s") % {"name": customer.name}
    return form_page(request, form, title=title, back=reverse("customers:detail", args=[ref]))


@workspace
def contact_edit(request: HttpRequest, ref: str, contact_ref: str) -> HttpResponseBase:
    user = user_of(request)
    contact = contact_for(request, ref, contact_ref)
    require_edit(user, contact.customer)
    initial = {f: getattr(contact, f) for f in ContactForm.base_fields}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            actions.contact_update(user, contact, version=form.cleaned_data.get("version"), **fields)
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            return redirect("customers:detail", ref=ref)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": contact.name},
        back=reverse("customers:detail", args=[ref]),
        delete_url=reverse("customers:contact_delete", args=[ref, contact_ref]),
    )


@workspace
def contact_delete(request: HttpRequest, ref: str, contact_ref: str) -> HttpResponseBase:
    user = user_of(request)
    contact = contact_for(request, ref, contact_ref)
    require_edit(user, contact.customer)
    if request.method == "POST":
        actions.contact_delete(user, contact)
        return redirect("customers:detail", ref=ref)
    return confirm_page(
        request,
        title=_("Delete %(name)s") % {"name": contact.name},
        question=_("Delete this person and everything we noted about them?"),
        back=reverse("customers:detail", args=[ref]),
        submit=_("Delete"),
    )


@workspace
def fact_add(request: HttpRequest, ref: str, contact_ref: str) -> HttpResponseBase:
    """The two-tap fact: kind and text (source and date default), then back to the person."""
    user = user_of(request)
    contact = contact_for(request, ref, contact_ref)
    require_edit(user, contact.customer)
    form = FactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.fact_add(
                user,
                contact,
                kind=d["kind"],
                text=d["text"],
                source=d["source"] or "contact",
                learned=d["learned"],
                exception=d.get("exception") or None,
                exception_note=d.get("exception_note") or "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            if request.htmx:  # type: ignore[attr-defined]
                # The inline form shows the refusal beside the field and offers the exception;
                # 200 so that htmx swaps it in (it leaves 4xx answers unswapped).
                contact = Contact.objects.prefetch_related(NEWEST_FACTS).get(pk=contact.pk)
                return render(
                    request,
                    "customers/_person.html",
                    {"c": contact, "can_edit": True, "customer": contact.customer, "fact_form": form},
                )
        else:
            if request.htmx:  # type: ignore[attr-defined]
                contact = Contact.objects.prefetch_related(NEWEST_FACTS).get(pk=contact.pk)
                return render(
                    request,
                    "customers/_person.html",
                    {"c": contact, "can_edit": True, "customer": contact.customer, "fact_form": FactForm()},
                )
            return redirect(reverse("customers:detail", args=[ref]) + f"#{contact.ref}")
    return form_page(
        request,
        form,
        title=_("A fact about %(name)s") % {"name": contact.name},
        back=reverse("customers:detail", args=[ref]),
        submit=_("Add fact"),
    )


@require_POST
@workspace
def fact_delete(request: HttpRequest, ref: str, pk: int) -> HttpResponseBase:
    user = user_of(request)
    fact = get_visible(
        user,
        Fact.objects.select_related("contact__customer__owner"),
        "contact__customer__",
        pk=pk,
        contact__customer__ref=ref,
    )
    if not can_edit_customer(user, fact.contact.customer):
        raise PermissionDenied
    actions.fact_delete(user, fact)
    return redirect(reverse("customers:detail", args=[ref]) + f"#{fact.contact.ref}")

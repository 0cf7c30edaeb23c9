"""Meeting pages: log a meeting (one thumb-sized form), see, change or delete one; open or
decline a meeting request. Every view calls an action in ``meetings.actions``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.core.access import (
    can_edit_meeting,
    require_edit,
    unsaid_for,
)
from kanelbulle.core.actions import Conflict
from kanelbulle.customers.views import customer_for
from kanelbulle.meetings import actions
from kanelbulle.meetings.forms import MeetingEditForm, MeetingLogForm, RequestForm
from kanelbulle.meetings.models import Meeting, MeetingRequest, RequestStatus
from kanelbulle.web.pages import apply_errors, confirm_page, form_page, record_of_customer, user_of, workspace


def meeting_for(request: HttpRequest, ref: str, meeting_ref: str) -> Meeting:
    return record_of_customer(request, Meeting.objects.select_related("customer__owner", "user"), ref, meeting_ref)


@workspace
def log(request: HttpRequest) -> HttpResponseBase:
    """Step 1 (no customer yet): find one by typing; step 2: the whole form for that customer.

    With htmx, typing shows suggestions at once and choosing one loads the form in place;
    without JavaScript the search is a plain GET form (one more step). Step 1 never lists the
    whole book: the search's first matches and the first of the seller's own customers.
    """
    user = user_of(request)
    ref = request.POST.get("customer") or request.GET.get("customer")
    if not ref:
        from kanelbulle.customers.actions import own_customers, suggest

        query = request.GET.get("q", "").strip()
        mine, owned = own_customers(user)
        context = {"q": query, "found": suggest(user, query), "mine": mine, "owned": owned}
        return render(request, "meetings/log_pick.html", context)
    customer = customer_for(request, ref)
    initial: dict[str, Any] = {}
    if request.GET.get("request"):
        initial["honours"] = customer.meeting_requests.filter(
            ref=request.GET["request"], status=RequestStatus.OPEN
        ).first()
    if request.GET.get("modality"):
        initial["modality"] = request.GET["modality"]
    form = MeetingLogForm(
        request.POST if request.method == "POST" else None,
        customer=customer,
        initial=initial,
        may_honour=actions.may_change_requests(user, customer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.log_meeting(user, customer, **form.action_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            from django.contrib import messages

            messages.success(request, _("Meeting saved."))
            return redirect(reverse("customers:detail", args=[customer.ref]) + f"#{meeting.ref}")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/log.html", {"form": form, "customer": customer}, status=status)


@workspace
def meeting_detail(request: HttpRequest, ref: str, meeting_ref: str) -> HttpResponse:
    user = user_of(request)
    meeting = meeting_for(request, ref, meeting_ref)
    context = {
        "m": meeting,
        "customer": meeting.customer,
        "unsaid": unsaid_for(user, meeting),
        "can_edit": can_edit_meeting(user, meeting),
    }
    return render(request, "meetings/detail.html", context)


@workspace
def meeting_edit(request: HttpRequest, ref: str, meeting_ref: str) -> HttpResponseBase:
    user = user_of(request)
    meeting = meeting_for(request, ref, meeting_ref)
    if not can_edit_meeting(user, meeting):
        raise PermissionDenied
    author = meeting.user_id == user.pk
    initial = {f: getattr(meeting, f) for f in MeetingEditForm.base_fields if f not in {"contacts", "unsaid"}}
    initial["contacts"] = list(meeting.contacts.all())
    if author:
        initial["unsaid"] = meeting.unsaid
    form = MeetingEditForm(request.POST or None, customer=meeting.customer, author=author, initial=initial)
    back = reverse("customers:meeting", args=[ref, meeting_ref])
    if request.method == "POST" and form.is_valid():
        try:
            actions.meeting_update(user, meeting, version=form.cleaned_data.get("version"), **form.action_fields())
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Edit the meeting"),
        back=back,
        delete_url=reverse("customers:meeting_delete", args=[ref, meeting_ref]),
    )


@workspace
def meeting_delete(request: HttpRequest, ref: str, meeting_ref: str) -> HttpResponseBase:
    user = user_of(request)
    meeting = meeting_for(request, ref, meeting_ref)
    if not can_edit_meeting(user, meeting):
        raise PermissionDenied
    if request.method == "POST":
        actions.meeting_delete(user, meeting)
        return redirect("customers:detail", ref=ref)
    return confirm_page(
        request,
        title=_("Delete the meeting"),
        question=_("Delete this meeting and its notes?"),
        back=reverse("customers:meeting", args=[ref, meeting_ref]),
        submit=_("Delete"),
    )


@workspace
def request_create(request: HttpRequest, ref: str) -> HttpResponseBase:
    user = user_of(request)
    customer = customer_for(request, ref)
    require_edit(user, customer)
    form = RequestForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            actions.request_open(user, customer, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("customers:detail", ref=ref)
    title = _("%(name)s asked to meet") % {"name": customer.name}
    return form_page(request, form, title=title, back=reverse("customers:detail", args=[ref]))


@require_POST
@workspace
def request_decline(request: HttpRequest, ref: str, request_ref: str) -> HttpResponseBase:
    user = user_of(request)
    meeting_request = _request_for(request, ref, request_ref)
    actions.require_change_request(user, meeting_request)
    try:
        actions.request_decline(user, meeting_request)
    except ValidationError as exc:
        back = reverse("customers:detail", args=[ref])
        return render(request, "web/refused.html", {"messages_": exc.messages, "back": back}, status=409)
    return redirect("customers:detail", ref=ref)


def _request_for(request: HttpRequest, ref: str, request_ref: str) -> MeetingRequest:
    return record_of_customer(
        request, MeetingRequest.objects.select_related("customer__owner", "contact"), ref, request_ref
    )


@workspace
def request_edit(request: HttpRequest, ref: str, request_ref: str) -> HttpResponseBase:
    user = user_of(request)
    meeting_request = _request_for(request, ref, request_ref)
    actions.require_change_request(user, meeting_request)
    initial = {"contact": meeting_request.contact, "requested_at": meeting_request.requested_at,
               "version": meeting_request.version}  # fmt: skip
    form = RequestForm(request.POST or None, customer=meeting_request.customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.request_update(
                user, meeting_request, version=d.get("version"), contact=d["contact"], requested_at=d["requested_at"]
            )
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            return redirect("customers:detail", ref=ref)
    return form_page(
        request,
        form,
        title=_("Edit the meeting request"),
        back=reverse("customers:detail", args=[ref]),
        delete_url=reverse("customers:request_delete", args=[ref, request_ref]),
    )


@workspace
def request_delete(request: HttpRequest, ref: str, request_ref: str) -> HttpResponseBase:
    user = user_of(request)
    meeting_request = _request_for(request, ref, request_ref)
    actions.require_change_request(user, meeting_request)
    if request.method == "POST":
        actions.request_delete(user, meeting_request)
        return redirect("customers:detail", ref=ref)
    return confirm_page(
        request,
        title=_("Delete the meeting request"),
        question=_("Delete this request? A real request you will not honour is better declined: that keeps it."),
        back=reverse("customers:detail", args=[ref]),
        submit=_("Delete"),
    )

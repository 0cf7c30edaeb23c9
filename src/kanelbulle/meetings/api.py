"""Meetings and meeting requests in the JSON API; the rules live in meetings.actions.

A meeting's ``unsaid`` is its author's alone: the key is absent from every answer to anyone else.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kanelbulle.connectors.rest import (
    ApiProblem,
    Day,
    In,
    Minutes,
    Page,
    Paging,
    ProblemsError,
    Ref,
    Stamp,
    actor_of,
    by_seller,
    by_team,
    claim_namespace,
    expected_version,
    find,
    paginate,
    seller_filter,
    set_etag,
    stamp_out,
    team_filter,
    text,
)
from kanelbulle.core.access import can_edit_meeting, get_visible, require_visible, scope, unsaid_for
from kanelbulle.core.actions import check_version
from kanelbulle.core.problems import NOT_NULL, say
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.meetings import actions
from kanelbulle.meetings.models import Meeting, MeetingRequest

router = Router(tags=["meetings"])

Modality = Literal["in_person", "video", "phone", "email"]
MeetingStatusIn = Literal["planned", "held", "cancelled"]
FactKind = Literal["pet", "family", "interest", "preference", "dislike", "date", "other"]


class NewFact(In):
    contact: Ref
    kind: FactKind
    text: text(500, 1)  # type: ignore[valid-type]


class MeetingFields(In):
    contacts: list[Ref] = Field(default_factory=list, max_length=100, description="refs of who was there")
    start: Stamp
    duration_minutes: Minutes = 60
    modality: Modality = "in_person"
    requested_by_customer: bool = False
    notes: text(20000) = ""  # type: ignore[valid-type]
    unsaid: text(20000) = Field("", description="private to the author, always")  # type: ignore[valid-type]
    status: MeetingStatusIn | None = Field(None, description="left out: planned if in the future, else held")
    next_step: text(300) = ""  # type: ignore[valid-type]
    next_step_date: Day | None = None


class MeetingCreate(MeetingFields):
    ref: Ref | None = Field(
        None,
        description="made by the caller (a phone logging offline): the same ref again, from the same author "
        "for the same customer, stores nothing and answers as the first call did; left out: one is made",
    )
    customer: Ref
    honours: Ref | None = Field(None, description="ref of an open meeting request this meeting honours")
    new_facts: list[NewFact] = Field(default_factory=list, max_length=50)


class MeetingPut(MeetingFields):
    version: int | None = None


class MeetingPatch(In):
    contacts: list[Ref] | None = Field(None, max_length=100)
    start: Stamp | None = None
    duration_minutes: Minutes | None = None
    modality: Modality | None = None
    requested_by_customer: bool | None = None
    notes: text(20000) | None = None  # type: ignore[valid-type]
    unsaid: text(20000) | None = None  # type: ignore[valid-type]
    status: MeetingStatusIn | None = None
    next_step: text(300) | None = None  # type: ignore[valid-type]
    next_step_date: Day | None = None
    version: int | None = None


class MeetingOut(Schema):
    ref: str
    customer: str
    contacts: list[str]
    user: str
    start: str
    duration_minutes: int
    modality: str
    requested_by_customer: bool
    notes: str
    unsaid: str | None = Field(None, description="present only for the meeting's author")
    status: str
    next_step: str
    next_step_date: str | None
    version: int
    created_at: str
    updated_at: str


def render_meeting(m: Meeting, actor: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": m.ref, "customer": m.customer.ref, "contacts": sorted(c.ref for c in m.contacts.all()),
        "user": m.user.username, "start": stamp_out(m.start), "duration_minutes": m.duration_minutes,
        "modality": m.modality, "requested_by_customer": m.requested_by_customer, "notes": m.notes,
        "status": m.effective_status(), "next_step": m.next_step,
        "next_step_date": m.next_step_date.isoformat() if m.next_step_date else None,
        "version": m.version, "created_at": stamp_out(m.created_at), "updated_at": stamp_out(m.updated_at),
    }  # fmt: skip
    unsaid = unsaid_for(actor, m)
    if unsaid is not None:
        out["unsaid"] = unsaid
    return out


def _meeting_rows() -> Any:
    return Meeting.objects.select_related("customer", "customer__owner", "user").prefetch_related("contacts")


def _meetings(request: HttpRequest) -> Any:
    return scope(actor_of(request), _meeting_rows(), "customer__")


def _meeting(request: HttpRequest, ref: str) -> Meeting:
    found: Meeting = get_visible(actor_of(request), _meeting_rows(), "customer__", ref=ref)
    return found


def _contacts(actor: Any, refs: list[str], path: str = "contacts") -> list[Contact]:
    qs = Contact.objects.select_related("customer")
    return [find(actor, qs, ref, path=f"{path}[{i}]", customer_path="customer__") for i, ref in enumerate(refs)]


class MeetingFilter(Paging):
    customer: str | None = Field(None, max_length=64, description="ref of the customer")
    user: str | None = seller_filter("the meeting's author")
    team: str | None = team_filter()
    start_from: Stamp | None = Field(None, description="meetings starting at or after")
    start_to: Stamp | None = Field(None, description="meetings starting before")


@router.get("/meetings", response=Page[MeetingOut], exclude_unset=True)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilter]) -> Any:
    actor = actor_of(request)
    qs = by_seller(actor, _meetings(request), filters.user, path="user", field="user")
    qs = by_team(actor, qs, filters.team, customer_path="customer__")
    if filters.customer:
        qs = qs.filter(customer__ref=filters.customer)
    if filters.start_from:
        qs = qs.filter(start__gte=filters.start_from)
    if filters.start_to:
        qs = qs.filter(start__lt=filters.start_to)
    return paginate(qs, filters, lambda m: render_meeting(m, actor))


@router.post("/meetings", response={201: MeetingOut}, exclude_unset=True)
def create_meeting(request: HttpRequest, payload: MeetingCreate, response: HttpResponse) -> Any:
    """Log a meeting the caller had or will have (the caller is its author). Idempotent with a `ref`."""
    actor = actor_of(request)
    data = payload.dict()
    if data.get("ref"):
        claim_namespace(actor, data["ref"])
    customer = find(actor, Customer.objects.select_related("owner"), data.pop("customer"), path="customer")
    honours = None
    if data.get("honours"):
        honours = find(actor, MeetingRequest.objects.all(), data["honours"], path="honours", customer_path="customer__")
    data.pop("honours", None)
    contacts = _contacts(actor, data.pop("contacts"))
    new_facts = [
        (_contacts(actor, [f["contact"]], f"new_facts[{i}].contact")[0], f["kind"], f["text"])
        for i, f in enumerate(data.pop("new_facts"))
    ]
    # A new fact revealing a special category is refused here too, at its own path (the action
    # would name only `text`); the meeting log records no Art. 9 exception.
    from kanelbulle.privacy import sensitive

    refused = [
        (f"new_facts[{i}].text", finding.message)
        for i, (_, _, text) in enumerate(new_facts)
        for finding in sensitive.findings(text)
    ]
    if refused:
        raise ProblemsError(refused)
    data["status"] = data.get("status") or ""
    meeting = actions.log_meeting(actor, customer, contacts=contacts, new_facts=new_facts, honours=honours, **data)
    set_etag(response, meeting)
    response["Location"] = f"/api/v1/meetings/{meeting.ref}"
    return Status(201, render_meeting(_meeting(request, meeting.ref), actor))


@router.get("/meetings/{ref}", response=MeetingOut, exclude_unset=True)
def get_meeting(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    meeting = _meeting(request, ref)
    set_etag(response, meeting)
    return render_meeting(meeting, actor_of(request))


def _update_meeting(request: HttpRequest, ref: str, data: dict[str, Any], response: HttpResponse) -> Any:
    actor = actor_of(request)
    meeting = _meeting(request, ref)
    require_visible(actor, meeting.customer)
    if not can_edit_meeting(actor, meeting):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    version = expected_version(request, data.pop("version", None))
    contacts = None
    if data.get("contacts") is not None:
        contacts = _contacts(actor, data["contacts"])
    data.pop("contacts", None)
    if "status" in data:
        data["status"] = data["status"] or ""
    if "unsaid" in data and unsaid_for(actor, meeting) is None and data["unsaid"] in ("", None):
        del data["unsaid"]  # a PUT by someone else leaves the author's unsaid alone
    updated = actions.meeting_update(actor, meeting, version=version, contacts=contacts, **data)
    set_etag(response, updated)
    return render_meeting(_meeting(request, updated.ref), actor)


@router.put("/meetings/{ref}", response=MeetingOut, exclude_unset=True)
def replace_meeting(request: HttpRequest, ref: str, payload: MeetingPut, response: HttpResponse) -> Any:
    return _update_meeting(request, ref, payload.dict(), response)


@router.patch("/meetings/{ref}", response=MeetingOut, exclude_unset=True)
def patch_meeting(request: HttpRequest, ref: str, payload: MeetingPatch, response: HttpResponse) -> Any:
    data = payload.dict(exclude_unset=True)
    for name in ("start", "duration_minutes", "modality", "requested_by_customer", "notes", "unsaid", "next_step"):
        if name in data and data[name] is None:
            raise ApiProblem(422, name, say(NOT_NULL))
    return _update_meeting(request, ref, data, response)


@router.delete("/meetings/{ref}", response={204: None})
def delete_meeting(request: HttpRequest, ref: str) -> Any:
    actor = actor_of(request)
    meeting = _meeting(request, ref)
    if not can_edit_meeting(actor, meeting):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    check_version(meeting, expected_version(request, None, required=False))
    actions.meeting_delete(actor, meeting)
    return Status(204, None)


@router.get("/field/snapshot", response=dict[str, Any], tags=["phone app"])
def field_snapshot(request: HttpRequest) -> dict[str, Any]:
    """What the phone app keeps for reading offline: the caller's own customers (people, facts, open
    requests) and their meetings planned for the next seven days with each visit's brief."""
    from django.utils import timezone

    from kanelbulle.meetings.offline import snapshot

    return snapshot(actor_of(request), timezone.localtime())


# -- meeting requests -------------------------------------------------------------------------


class RequestCreate(In):
    customer: Ref
    contact: Ref | None = None
    requested_at: Stamp | None = Field(None, description="left out: now")


class RequestPatch(In):
    status: Literal["declined"] = Field(description="decline an open request (honour one by logging a meeting)")
    version: int | None = None


class RequestOut(Schema):
    ref: str
    customer: str
    contact: str | None
    requested_at: str
    status: str
    honoured_by: str | None
    version: int
    created_at: str
    updated_at: str


def render_request(r: MeetingRequest) -> dict[str, Any]:
    return {
        "ref": r.ref, "customer": r.customer.ref, "contact": r.contact.ref if r.contact else None,
        "requested_at": stamp_out(r.requested_at), "status": r.status,
        "honoured_by": r.honoured_by.ref if r.honoured_by else None,
        "version": r.version, "created_at": stamp_out(r.created_at), "updated_at": stamp_out(r.updated_at),
    }  # fmt: skip


def _request_rows() -> Any:
    return MeetingRequest.objects.select_related("customer", "customer__owner", "contact", "honoured_by")


def _requests(request: HttpRequest) -> Any:
    return scope(actor_of(request), _request_rows(), "customer__")


def _request(request: HttpRequest, ref: str) -> MeetingRequest:
    found: MeetingRequest = get_visible(actor_of(request), _request_rows(), "customer__", ref=ref)
    return found


class RequestFilter(Paging):
    customer: str | None = Field(None, max_length=64, description="ref of the customer")
    owner: str | None = seller_filter("the seller who owns the request's customer")
    team: str | None = team_filter()
    status: Literal["open", "honoured", "declined"] | None = None


@router.get("/meeting-requests", response=Page[RequestOut], tags=["meeting requests"])
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> Any:
    actor = actor_of(request)
    qs = by_seller(actor, _requests(request), filters.owner, path="owner", field="customer__owner")
    qs = by_team(actor, qs, filters.team, customer_path="customer__")
    if filters.customer:
        qs = qs.filter(customer__ref=filters.customer)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters, render_request)


@router.post("/meeting-requests", response={201: RequestOut}, tags=["meeting requests"])
def create_request(request: HttpRequest, payload: RequestCreate, response: HttpResponse) -> Any:
    """Record that the customer asked to meet."""
    actor = actor_of(request)
    customer = find(actor, Customer.objects.select_related("owner"), payload.customer, path="customer")
    contact = None
    if payload.contact:
        contact = _contacts(actor, [payload.contact], "contact")[0]
    made = actions.request_open(actor, customer, contact=contact, requested_at=payload.requested_at)
    set_etag(response, made)
    response["Location"] = f"/api/v1/meeting-requests/{made.ref}"
    return Status(201, render_request(_request(request, made.ref)))


@router.get("/meeting-requests/{ref}", response=RequestOut, tags=["meeting requests"])
def get_request(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    found = _request(request, ref)
    set_etag(response, found)
    return render_request(found)


@router.patch("/meeting-requests/{ref}", response=RequestOut, tags=["meeting requests"])
def patch_request(request: HttpRequest, ref: str, payload: RequestPatch, response: HttpResponse) -> Any:
    actor = actor_of(request)
    found = _request(request, ref)
    actions.require_change_request(actor, found)
    check_version(found, expected_version(request, payload.version))
    updated = actions.request_decline(actor, found)
    set_etag(response, updated)
    return render_request(_request(request, ref))


@router.delete("/meeting-requests/{ref}", response={204: None}, tags=["meeting requests"])
def delete_request(request: HttpRequest, ref: str) -> Any:
    """Remove a request recorded by mistake (a real one you will not honour is better declined)."""
    actor = actor_of(request)
    found = _request(request, ref)
    actions.require_change_request(actor, found)
    check_version(found, expected_version(request, None, required=False))
    actions.request_delete(actor, found)
    return Status(204, None)

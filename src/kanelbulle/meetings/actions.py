"""Log a meeting (and honour a request with it), change it, delete it; open or decline requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanelbulle.core.access import can_edit_customer, can_edit_meeting, require_edit, require_visible
from kanelbulle.core.actions import apply_fields, audit, check_version, save_valid
from kanelbulle.core.refs import new_ref
from kanelbulle.customers.actions import fact_add
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.meetings.models import Meeting, MeetingRequest, RequestStatus

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

MEETING_FIELDS = {
    "start", "duration_minutes", "modality", "requested_by_customer", "notes", "unsaid", "status",
    "next_step", "next_step_date",
}  # fmt: skip


def _contacts_of(customer: Customer, contacts: Iterable[Contact]) -> list[Contact]:
    found = list(contacts)
    strangers = [c.name for c in found if c.customer_id != customer.pk]
    if strangers:
        raise ValidationError(
            {
                "contacts": [
                    _("%(names)s do not work at %(customer)s.")
                    % {"names": ", ".join(strangers), "customer": customer.name}
                ]
            }
        )
    return found


def log_meeting(
    actor: User,
    customer: Customer,
    *,
    start: dt.datetime,
    modality: str = "in_person",
    duration_minutes: int = 60,
    requested_by_customer: bool = False,
    contacts: Sequence[Contact] = (),
    notes: str = "",
    unsaid: str = "",
    new_facts: Sequence[tuple[Contact, str, str]] = (),
    next_step: str = "",
    next_step_date: dt.date | None = None,
    honours: MeetingRequest | None = None,
    status: str = "",
    ref: str | None = None,
) -> Meeting:
    """Record a meeting the actor had (or will have) with a customer, in one transaction.

    Honouring an open request marks it ``honoured`` and the meeting as asked for by the customer.
    A ``ref`` made by the caller (a phone logging offline) makes the call idempotent: the same ref
    again, by the same author for the same customer, returns the meeting stored the first time
    (its facts and honoured request included) and changes nothing, even when both calls arrive at
    once; a ref already taken by anything else is refused at ``ref``.
    """
    if ref:
        try:
            return _log_meeting(actor, customer, start=start, modality=modality, duration_minutes=duration_minutes,
                                requested_by_customer=requested_by_customer, contacts=contacts, notes=notes,
                                unsaid=unsaid, new_facts=new_facts, next_step=next_step,
                                next_step_date=next_step_date, honours=honours, status=status, ref=ref)  # fmt: skip
        except IntegrityError:
            pass  # another call stored this ref between our look and our insert: answer with it
        except ValidationError as exc:
            if not (hasattr(exc, "error_dict") and "ref" in exc.error_dict):
                raise
        return _same_meeting(actor, customer, ref)
    return _log_meeting(actor, customer, start=start, modality=modality, duration_minutes=duration_minutes,
                        requested_by_customer=requested_by_customer, contacts=contacts, notes=notes,
                        unsaid=unsaid, new_facts=new_facts, next_step=next_step, next_step_date=next_step_date,
                        honours=honours, status=status, ref=new_ref("meeting"))  # fmt: skip


def _same_meeting(actor: User, customer: Customer, ref: str) -> Meeting:
    """The meeting already stored under ``ref``, if it is this author's for this customer."""
    found = Meeting.objects.filter(ref=ref).first()
    if found is None or found.user_id != actor.pk or found.customer_id != customer.pk:
        raise ValidationError({"ref": [_("Another meeting already has the ref %(ref)s.") % {"ref": ref}]})
    return found


def _log_meeting(
    actor: User,
    customer: Customer,
    *,
    start: dt.datetime,
    modality: str,
    duration_minutes: int,
    requested_by_customer: bool,
    contacts: Sequence[Contact],
    notes: str,
    unsaid: str,
    new_facts: Sequence[tuple[Contact, str, str]],
    next_step: str,
    next_step_date: dt.date | None,
    honours: MeetingRequest | None,
    status: str,
    ref: str,
) -> Meeting:
    require_visible(actor, customer)
    if not (actor.is_admin_role or customer.owner_id == actor.pk or (actor.team and customer.owner.team == actor.team)):
        raise PermissionDenied
    if timezone.is_naive(start):
        raise ValidationError({"start": [_("The start needs a time zone.")]})
    meeting = Meeting(
        ref=ref, customer=customer, user=actor, start=start, modality=modality,
        duration_minutes=duration_minutes, requested_by_customer=requested_by_customer or honours is not None,
        notes=notes, unsaid=unsaid, next_step=next_step, next_step_date=next_step_date, status=status,
    )  # fmt: skip
    people = _contacts_of(customer, contacts)
    with transaction.atomic():
        if Meeting.objects.filter(ref=ref).exists():
            raise ValidationError({"ref": [_("Another meeting already has the ref %(ref)s.") % {"ref": ref}]})
        save_valid(meeting)
        meeting.contacts.set(people)
        for contact, kind, text in new_facts:
            _contacts_of(customer, [contact])
            fact_add(actor, contact, kind=kind, text=text, source="contact", learned=start.date())
        if honours is not None:
            request = MeetingRequest.objects.select_for_update().select_related("customer__owner").get(pk=honours.pk)
            require_change_request(actor, request)
            if request.customer_id != customer.pk:
                raise ValidationError({"honours": [_("That request is from another customer.")]})
            if request.status != RequestStatus.OPEN:
                raise ValidationError({"honours": [_("That request is no longer open.")]})
            request.status = RequestStatus.HONOURED
            request.honoured_by = meeting
            request.save()
        audit(actor, "create", meeting, modality=modality)
    return meeting


def meeting_update(
    actor: User | None,
    meeting: Meeting,
    *,
    version: int | None = None,
    contacts: Sequence[Contact] | None = None,
    **fields: Any,
) -> Meeting:
    require_visible(actor, meeting.customer)
    if not can_edit_meeting(actor, meeting):
        raise PermissionDenied
    if "unsaid" in fields and actor is not None and meeting.user_id != actor.pk:
        raise PermissionDenied(_("Only the author writes a meeting's unsaid."))
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        check_version(locked, version)
        changed = apply_fields(locked, fields, MEETING_FIELDS)
        if contacts is not None:
            people = _contacts_of(locked.customer, contacts)
            if {c.pk for c in people} != set(locked.contacts.values_list("pk", flat=True)):
                locked.contacts.set(people)
                changed.append("contacts")
        if changed:
            save_valid(locked)
            audit(actor, "update", locked, fields=changed)
    return locked


def meeting_delete(actor: User | None, meeting: Meeting) -> None:
    require_visible(actor, meeting.customer)
    if not can_edit_meeting(actor, meeting):
        raise PermissionDenied
    with transaction.atomic():
        audit(actor, "delete", meeting)
        meeting.delete()


def request_open(
    actor: User | None, customer: Customer, *, contact: Contact | None = None, requested_at: dt.datetime | None = None
) -> MeetingRequest:
    """Record that the customer asked to meet."""
    require_edit(actor, customer)
    if contact is not None:
        _contacts_of(customer, [contact])
    request = MeetingRequest(
        ref=new_ref("meeting_request"), customer=customer, contact=contact,
        requested_at=requested_at or timezone.now(), status=RequestStatus.OPEN,
    )  # fmt: skip
    with transaction.atomic():
        save_valid(request)
        audit(actor, "create", request)
    return request


def require_change_request(actor: User | None, request: MeetingRequest) -> None:
    """The one rule for changing a meeting request, whichever way (honouring it with a meeting,
    declining, correcting or deleting it): whoever may change its customer — the customer's
    seller, their manager or an admin. A teammate who only sees the customer may log a meeting
    with it, but not mark its request honoured (403)."""
    require_visible(actor, request.customer)
    if not may_change_requests(actor, request.customer):
        raise PermissionDenied(
            _("Only the customer's seller, their manager or an admin may change its meeting requests.")
        )


def may_change_requests(actor: User | None, customer: Customer) -> bool:
    """Whether ``actor`` may change (honour, decline, edit, delete) the customer's requests."""
    return can_edit_customer(actor, customer)


def request_decline(actor: User | None, request: MeetingRequest) -> MeetingRequest:
    require_change_request(actor, request)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(_("That request is no longer open."))
    with transaction.atomic():
        request.status = RequestStatus.DECLINED
        request.save()
        audit(actor, "decline", request)
    return request


def request_update(
    actor: User | None,
    request: MeetingRequest,
    *,
    version: int | None = None,
    contact: Contact | None = None,
    requested_at: dt.datetime | None = None,
) -> MeetingRequest:
    """Correct who asked and when (the status moves only by honouring or declining)."""
    require_change_request(actor, request)
    if contact is not None:
        _contacts_of(request.customer, [contact])
    with transaction.atomic():
        locked = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        check_version(locked, version)
        changed = apply_fields(
            locked,
            {"contact": contact, **({"requested_at": requested_at} if requested_at else {})},
            {"contact", "requested_at"},
        )
        if changed:
            save_valid(locked)
            audit(actor, "update", locked, fields=changed)
    return locked


def request_delete(actor: User | None, request: MeetingRequest) -> None:
    """Remove a request recorded by mistake (a real one is declined instead, which keeps it)."""
    require_change_request(actor, request)
    with transaction.atomic():
        audit(actor, "delete", request)
        request.delete()

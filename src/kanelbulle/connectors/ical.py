"""iCalendar: a user's meetings as a feed calendars subscribe to, and import of calendar exports.

The icalendar library reads and writes (folded lines, VTIMEZONE blocks, all-day events); nothing
here parses the format by hand. An imported event becomes a meeting with the customer whose
contacts attended, matched by e-mail; its UID is remembered so a second import never duplicates
it (it updates the time instead).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from kanelbulle.accounts.models import CalendarImport, User
from kanelbulle.connectors.report import Report, Rollback
from kanelbulle.core.access import NotVisible, scope
from kanelbulle.customers.models import Contact
from kanelbulle.meetings import actions
from kanelbulle.meetings.models import Meeting, MeetingStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

UID_DOMAIN = "kanelbulle"
PRODID = "-//Kanelbulle//Kanelbulle calendar feed//EN"
VIDEO_HINTS = ("teams.microsoft.com", "zoom.us", "meet.google.com", "microsoft teams", "google meet", "zoom")


# -- the feed ---------------------------------------------------------------------------------


def feed(user: User, meetings: Iterable[Meeting] | None = None) -> bytes:
    """The user's own meetings, planned and past, as one VCALENDAR (times in UTC).

    Notes and the unsaid stay out: a subscribed feed is copied to the calendar provider's servers.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Kanelbulle – {user.name or user.username}")
    cal.add("x-wr-timezone", user.time_zone or settings.TIME_ZONE)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    rows = (
        meetings
        if meetings is not None
        else (
            Meeting.objects.filter(user=user).select_related("customer").prefetch_related("contacts").order_by("start")
        )
    )
    for meeting in rows:
        cal.add_component(_event(meeting))
    return bytes(cal.to_ical())


def _event(m: Meeting) -> Event:
    event = Event()
    event.add("uid", f"{m.ref}@{UID_DOMAIN}")
    event.add("dtstamp", m.updated_at.astimezone(dt.UTC))
    event.add("last-modified", m.updated_at.astimezone(dt.UTC))
    event.add("created", m.created_at.astimezone(dt.UTC))
    event.add("sequence", m.version)
    event.add("dtstart", m.start.astimezone(dt.UTC))
    event.add("dtend", (m.start + dt.timedelta(minutes=m.duration_minutes)).astimezone(dt.UTC))
    event.add("summary", f"{m.customer.name} ({m.get_modality_display()})")
    if m.modality == "in_person":
        event.add("location", f"{m.customer.city}, {m.customer.country}")
    people = ", ".join(c.name for c in m.contacts.all())
    description = [f"Kanelbulle {m.ref}"]
    if people:
        description.append(people)
    if m.next_step:
        description.append(f"Next step: {m.next_step}")
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if m.effective_status() == MeetingStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    for contact in m.contacts.all():
        if contact.email:
            event.add("attendee", f"mailto:{contact.email}", parameters={"CN": contact.name, "ROLE": "REQ-PARTICIPANT"})
    return event


# -- import -----------------------------------------------------------------------------------


def import_ics(path: str | Path, *, actor: User | None) -> Report:
    """Import a calendar export (Outlook, Google, Apple) as meetings; see ``import_ics_data``."""
    return import_ics_data(Path(path).read_bytes(), actor=actor, name=Path(path).name)


def _zone(actor: User | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo((actor.time_zone if actor else "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _when(event: Any, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, int]:
    """Start (aware) and length in minutes; an all-day event runs from local midnight for its days."""
    start = event.decoded("dtstart")
    end = event.decoded("dtend") if event.get("dtend") is not None else None
    duration = event.decoded("duration") if event.get("duration") is not None else None
    if not isinstance(start, dt.datetime):  # VALUE=DATE: all day
        days = 1
        if isinstance(end, dt.date) and not isinstance(end, dt.datetime):
            days = max(1, (end - start).days)
        elif isinstance(duration, dt.timedelta):
            days = max(1, duration.days)
        return dt.datetime.combine(start, dt.time(0), tzinfo=zone), days * 24 * 60
    if timezone.is_naive(start):  # floating time: the importer's own clock
        start = start.replace(tzinfo=zone)
    minutes = 60
    if isinstance(end, dt.datetime):
        if timezone.is_naive(end):
            end = end.replace(tzinfo=zone)
        minutes = int((end - start).total_seconds() // 60)
    elif isinstance(duration, dt.timedelta):
        minutes = int(duration.total_seconds() // 60)
    return start, max(1, minutes)


def _emails(event: Any) -> list[str]:
    found: list[str] = []
    for name in ("organizer", "attendee"):
        values = event.get(name)
        if values is None:
            continue
        for value in values if isinstance(values, list) else [values]:
            address = str(value).strip()
            if address.lower().startswith("mailto:"):
                address = address[7:]
            address = address.strip().lower()
            if "@" in address and address not in found:
                found.append(address)
    return found


def _organizer(event: Any) -> str:
    value = event.get("organizer")
    return str(value).lower().removeprefix("mailto:").strip() if value is not None else ""


def _text(event: Any, name: str) -> str:
    value = event.get(name)
    return str(value).strip() if value is not None else ""


def import_ics_data(data: bytes, *, actor: User | None, name: str = "calendar") -> Report:
    """Import every VEVENT: all or nothing when an event is broken (problems); events without
    any known contact are skipped and reported, as are attendees who are not contacts."""
    report = Report()
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except ValueError as exc:
        report.problem(name, f"not an iCalendar file: {exc}")
        return report
    events = [event for cal in calendars for event in cal.walk("VEVENT")]
    if not events:
        report.problem(name, "no events (VEVENT) in the file")
        return report
    zone = _zone(actor)
    user_emails = {u.email.lower(): u for u in User.objects.exclude(email="")}
    contacts = scope(actor, Contact.objects.select_related("customer", "customer__owner"), "customer__")
    try:
        with transaction.atomic():
            for number, event in enumerate(events, start=1):
                _import_event(event, number, actor, zone, user_emails, contacts, report)
            if report.problems:
                raise Rollback
    except Rollback:
        report.created = report.updated = report.unchanged = 0
        return report
    report.stored = True
    return report


def _import_event(
    event: Any,
    number: int,
    actor: User | None,
    zone: zoneinfo.ZoneInfo,
    user_emails: dict[str, User],
    contacts: Any,
    report: Report,
) -> None:
    uid = _text(event, "uid")
    where = f"event {number}" + (f" ({uid})" if uid else "")
    if not uid:
        report.problem(where, "has no UID, so a second import could not recognise it")
        return
    try:
        start, minutes = _when(event, zone)
    except (KeyError, TypeError, ValueError) as exc:
        report.problem(where, f"has no usable start (DTSTART): {exc}")
        return
    status = MeetingStatus.CANCELLED if _text(event, "status").upper() == "CANCELLED" else ""
    existing = _existing(uid)
    if existing is not None:
        changes: dict[str, Any] = {}
        if existing.start != start:
            changes["start"] = start
        if existing.duration_minutes != minutes:
            changes["duration_minutes"] = minutes
        if status and existing.status != status:
            changes["status"] = status
        if not changes:
            report.unchanged += 1
            return
        try:
            actions.meeting_update(actor, existing, **changes)
        except NotVisible:
            report.skipped.append((where, "was imported before as a meeting you may not see"))
            return
        except (ValidationError, PermissionDenied) as exc:
            report.problem(where, _message(exc))
            return
        report.updated += 1
        return
    emails = _emails(event)
    people = [e for e in emails if e not in user_emails]
    matched = list(contacts.filter(email__in=people)) if people else []
    by_email = {c.email.lower(): c for c in matched}
    for email in people:
        if email not in by_email and email not in report.unmatched:
            report.unmatched.append(email)
    if not matched:
        report.skipped.append(
            (where, "none of its attendees is a contact" + (f" ({', '.join(people)})" if people else ""))
        )
        return
    customer_pk, _count = Counter(c.customer_id for c in matched).most_common(1)[0]
    attending = [c for c in matched if c.customer_id == customer_pk]
    customer = attending[0].customer
    author = actor or user_emails.get(_organizer(event)) or customer.owner
    summary, description, location = _text(event, "summary"), _text(event, "description"), _text(event, "location")
    notes = "\n\n".join(part for part in (summary, description) if part)
    hints = f"{location} {description}".lower()
    modality = "video" if any(h in hints for h in VIDEO_HINTS) else "in_person"
    try:
        meeting = actions.log_meeting(
            author, customer, start=start, duration_minutes=minutes, modality=modality,
            contacts=attending, notes=notes[:20000], status=status,
        )  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        report.problem(where, _message(exc))
        return
    CalendarImport.objects.create(uid=uid[:500], meeting=meeting)
    report.created += 1


def _existing(uid: str) -> Meeting | None:
    mapped = CalendarImport.objects.filter(uid=uid[:500]).select_related("meeting").first()
    if mapped is not None:
        return mapped.meeting
    if uid.endswith(f"@{UID_DOMAIN}"):  # our own feed, imported back
        return Meeting.objects.filter(ref=uid.removesuffix(f"@{UID_DOMAIN}")).first()
    return None


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc) or "not allowed"

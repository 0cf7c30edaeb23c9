"""vCard 3.0 and 4.0: a customer's contacts out to phones and address books, and back in.

vobject reads and writes the format; phonenumbers puts every phone in E.164 (+46701234567),
reading national numbers in the customer's country. A card's UID is our contact's ref, so a
card exported and imported again updates the same contact instead of adding a second one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import phonenumbers
import vobject
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kanelbulle.connectors.report import Report, Rollback
from kanelbulle.customers import actions
from kanelbulle.customers.models import Contact, Customer

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

PRODID = "-//Kanelbulle//Kanelbulle contacts//EN"


def e164(raw: str, country: str) -> str:
    """A phone number in E.164; ValueError with a plain message when it is not one."""
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _split_name(name: str) -> tuple[str, str]:
    parts = name.rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (name, "")


def export_vcards(customer: Customer, *, version: str = "3.0") -> str:
    """Every contact of the customer as one vCard each (3.0, or 4.0 when asked)."""
    out = []
    for contact in customer.contacts.order_by("name"):
        card = vobject.vCard()
        card.add("fn").value = contact.name
        given, family = _split_name(contact.name)
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        card.add("org").value = [customer.name]
        card.add("uid").value = contact.ref
        if contact.title:
            card.add("title").value = contact.title
        if contact.email:
            email = card.add("email")
            email.value = contact.email
            email.type_param = "WORK" if version == "3.0" else "work"
        if contact.phone:
            tel = card.add("tel")
            try:
                tel.value = e164(contact.phone, customer.country)
            except ValueError:
                tel.value = contact.phone
            tel.type_param = "WORK" if version == "3.0" else "work"
        card.add("prodid").value = PRODID
        text = card.serialize()
        if version == "4.0":
            text = text.replace("VERSION:3.0", "VERSION:4.0", 1)
        out.append(text)
    return "".join(out)


def import_vcard(path: str | Path, customer: Customer, *, actor: User | None) -> Report:
    """Import a .vcf file (one or many cards, 3.0 or 4.0) as the customer's contacts."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return import_vcard_text(text, customer, actor=actor, name=Path(path).name)


def _value(card: Any, name: str) -> str:
    child = getattr(card, name, None)
    if child is None:
        return ""
    value = child.value
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return str(value).strip()


def _name(card: Any) -> str:
    name = _value(card, "fn")
    if name:
        return name
    n = getattr(card, "n", None)
    if n is not None and hasattr(n.value, "given"):
        return " ".join(p for p in (str(n.value.given), str(n.value.family)) if p).strip()
    return ""


def import_vcard_text(text: str, customer: Customer, *, actor: User | None, name: str = "vCard") -> Report:
    """All or nothing: a card without a name or with a bad phone or e-mail stores nothing."""
    report = Report()
    try:
        cards = list(vobject.readComponents(text, validate=False, ignoreUnreadable=False))
    except Exception as exc:  # vobject raises its own ParseError and plain errors alike
        report.problem(name, f"not a vCard file: {exc}")
        return report
    cards = [c for c in cards if c.name == "VCARD"]
    if not cards:
        report.problem(name, "no vCard (BEGIN:VCARD) in the file")
        return report
    try:
        with transaction.atomic():
            for number, card in enumerate(cards, start=1):
                _import_card(card, number, customer, actor, report)
            if report.problems:
                raise Rollback
    except Rollback:
        report.created = report.updated = report.unchanged = 0
        return report
    report.stored = True
    return report


def _import_card(card: Any, number: int, customer: Customer, actor: User | None, report: Report) -> None:
    full_name = _name(card)
    where = f"card {number}" + (f" ({full_name})" if full_name else "")
    if not full_name:
        report.problem(where, "has no name (FN or N)")
        return
    fields: dict[str, Any] = {"name": full_name[:200]}
    fields["title"] = _value(card, "title")[:200]
    fields["email"] = _value(card, "email").lower()
    phone = _value(card, "tel").removeprefix("tel:")
    if phone:
        try:
            fields["phone"] = e164(phone, customer.country)
        except ValueError as exc:
            report.problem(where, str(exc))
            return
    uid = _value(card, "uid").removeprefix("urn:uuid:")
    existing = None
    if uid:
        existing = customer.contacts.filter(ref=uid).first()
    if existing is None and fields["email"]:
        existing = customer.contacts.filter(email__iexact=fields["email"]).first()
    try:
        if existing is None:
            ref = uid if uid and len(uid) <= 64 and not Contact.objects.filter(ref=uid).exists() else None
            actions.contact_create(
                actor, customer, ref=ref, lawful_basis="legitimate_interest", source="import", **fields
            )
            report.created += 1
            return
        changes = {k: v for k, v in fields.items() if v and getattr(existing, k) != v}
        if not changes:
            report.unchanged += 1
            return
        actions.contact_update(actor, existing, **changes)
        report.updated += 1
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for field, messages in detail.items():
            report.problem(where, f"{field}: {' '.join(messages)}" if field else " ".join(messages))
    except PermissionDenied as exc:
        report.problem(where, str(exc) or "you may not change this customer's contacts")

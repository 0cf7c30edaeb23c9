"""An old export never restores what an erasure took: the importer runs this over a document first.

Two guards, both on a copy of the document before it is read:

1. **The document's own copy of an erased person.** An export taken before the erasure still
   holds the person's contact record (name, e-mail, phone, facts). The importer skips that record,
   and every free text the document brings (meeting notes and unsaid, next steps, gift
   descriptions, deal titles, other contacts' titles, sources and facts, the audit log's details)
   is redacted with the same rules as the erasure itself (``privacy/redact.py``).
2. **Records the erasure changed.** Each ``Erasure`` keeps which records it redacted; when the
   document was exported before the erasure (or says not when), their free text stays as stored.
   This holds even for a document that lacks the person's own record.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from kanelbulle.core.models import Erasure
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals.models import Deal
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting
from kanelbulle.privacy.redact import Person, Redactor

# The free-text fields of each kind of the exchange format.
FREE_TEXT = {
    "meetings": ("meeting", Meeting, ("notes", "unsaid", "next_step")),
    "gifts": ("gift", Gift, ("description", "occasion", "void_reason")),
    "deals": ("deal", Deal, ("title",)),
    "contacts": ("contact", Contact, ("title", "source")),
}
# Audit entries name their record by model name.
_AUDIT_KIND = {"meetings": "meeting", "gifts": "gift", "deals": "deal", "contacts": "contact",
               "meeting_requests": "meetingrequest", "orders": "order", "customers": "customer"}  # fmt: skip


def _dicts(raw: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    value = raw.get(kind)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _when(value: Any) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return when if when is None or when.tzinfo is not None else None


def _keep_stored_text(raw: dict[str, Any]) -> list[str]:
    exported_at = _when(raw.get("exported_at"))
    protected: dict[str, dt.datetime] = {}
    for erasure in Erasure.objects.exclude(records=[]):
        if exported_at is None or exported_at < erasure.erased_at:
            for key in erasure.records:
                protected[key] = erasure.erased_at
    notes: list[str] = []
    if not protected:
        return notes
    for kind, (singular, model, fields) in FREE_TEXT.items():
        wanted = {
            r["ref"]: r
            for r in _dicts(raw, kind)
            if isinstance(r.get("ref"), str) and f"{singular}:{r['ref']}" in protected
        }
        manager: Any = model._default_manager
        stored = {row["ref"]: row for row in manager.filter(ref__in=list(wanted)).values("ref", *fields)}
        for ref, rec in wanted.items():
            row = stored.get(ref)
            if row is None:
                continue
            if any(name in rec and rec[name] != row[name] for name in fields):
                for name in fields:
                    if name in rec:
                        rec[name] = row[name]
                notes.append(
                    _("%(kind)s %(ref)r: its text stays as the erasure of %(date)s left it")
                    % {"kind": singular, "ref": ref, "date": protected[f"{singular}:{ref}"].date().isoformat()}
                )
    return notes


def _person(raw: dict[str, Any], rec: dict[str, Any]) -> tuple[Person, str]:
    customer_ref = _text(rec.get("customer"))
    customer = next((c for c in _dicts(raw, "customers") if c.get("ref") == customer_ref), None)
    if customer is not None:
        country, employer = (
            _text(customer.get("country")),
            f"{_text(customer.get('name'))} {_text(customer.get('city'))}",
        )
    else:
        stored = Customer.objects.filter(ref=customer_ref).first()
        country, employer = (stored.country, f"{stored.name} {stored.city}") if stored else ("", "")
    colleagues = [
        _text(c.get("name")) for c in _dicts(raw, "contacts") if c.get("customer") == customer_ref and c is not rec
    ]
    colleagues += list(Contact.objects.filter(customer__ref=customer_ref).values_list("name", flat=True))
    colleagues += [_text(u.get("name")) for u in _dicts(raw, "users")]
    from kanelbulle.accounts.models import User

    colleagues += [n for n in User.objects.values_list("name", flat=True) if n]
    facts = rec.get("facts")
    person = Person(
        name=_text(rec.get("name")),
        email=_text(rec.get("email")),
        phone=_text(rec.get("phone")),
        facts=[_text(f.get("text")) for f in facts if isinstance(f, dict)] if isinstance(facts, list) else [],
        country=country,
        employer=employer,
        colleagues=[c for c in colleagues if c and c != _text(rec.get("name"))],
    )
    return person, customer_ref


def _redact_erased_people(raw: dict[str, Any], erased: set[str]) -> list[str]:
    """Redact each erased person whose record the document still holds, from everything it brings."""
    notes: list[str] = []
    people = [c for c in _dicts(raw, "contacts") if c.get("ref") in erased]
    for rec in people:
        person, customer_ref = _person(raw, rec)
        if not person.name.strip():
            continue
        red = Redactor(person)
        near_refs: set[tuple[str, str]] = {("customer", customer_ref)}
        changed = 0
        for kind, audit_kind in _AUDIT_KIND.items():
            for r in _dicts(raw, kind):
                if r.get("customer") == customer_ref or (kind == "customers" and r.get("ref") == customer_ref):
                    near_refs.add((audit_kind, _text(r.get("ref"))))
        for kind, (_singular, _model, fields) in FREE_TEXT.items():
            for r in _dicts(raw, kind):
                if r is rec or r.get("ref") in erased:
                    continue
                redact = red.within if r.get("customer") == customer_ref else red.beyond
                touched = False
                for name in fields:
                    value = r.get(name)
                    if isinstance(value, str) and value and (new := redact(value)) != value:
                        r[name], touched = new, True
                if kind == "contacts" and isinstance(r.get("facts"), list):
                    for fact in r["facts"]:
                        text = fact.get("text") if isinstance(fact, dict) else None
                        if isinstance(text, str) and (new := redact(text)) != text:
                            fact["text"], touched = new, True
                changed += touched
        for entry in _dicts(raw, "audit_log"):
            if "detail" in entry:
                near = (_text(entry.get("kind")), _text(entry.get("ref"))) in near_refs
                detail = red.walk(entry["detail"], near=near)
                if detail != entry["detail"]:
                    entry["detail"] = detail
                    changed += 1
        if changed:
            notes.append(
                _("contact %(ref)r was erased: its mentions were redacted in %(count)d records of this document")
                % {"ref": rec.get("ref"), "count": changed}
            )
    return notes


def scrub(raw: Any) -> tuple[Any, list[str]]:
    """The document with erased people redacted (a copy when anything changes), and notes for the report."""
    if not isinstance(raw, dict):
        return raw, []
    erased = set(Erasure.objects.filter(kind="contact").values_list("ref", flat=True))
    erased |= {_text(e.get("ref")) for e in _dicts(raw, "erasures") if e.get("kind") == "contact"}
    present = {_text(c.get("ref")) for c in _dicts(raw, "contacts")} & erased
    if not present and not Erasure.objects.exclude(records=[]).exists():
        return raw, []
    # Copy what may change, not the whole document (100,000 meetings copy cheaply this way).
    raw = dict(raw)
    for kind in (*FREE_TEXT, "audit_log"):
        value = raw.get(kind)
        if isinstance(value, list):
            nested = kind == "contacts"  # facts are changed inside the record
            raw[kind] = [(copy.deepcopy(r) if nested else dict(r)) if isinstance(r, dict) else r for r in value]
    notes = _keep_stored_text(raw)
    if present:
        notes += _redact_erased_people(raw, present)
    return raw, notes

"""CSV exports from other CRMs (HubSpot, Pipedrive, Salesforce): companies, contacts and deals.

A preset maps each tool's standard export columns to our fields (docs/connectors.md lists them).
The file's encoding (UTF-8, UTF-8 with BOM, Windows-1252) and dialect (comma, semicolon, tab)
are detected, amounts may use a Swedish decimal comma, and every row problem is reported with
its line number. All or nothing: a file with any problem stores nothing. Records keep a ref made
from the tool's own id (``c-hs-1234``), so importing the same file again updates, never doubles.

A company row is matched to an existing customer before one is created (:class:`CustomerIndex`):
by the tool's id (our ref ``c-pd-12``, or the id kept from an earlier match: ``SourceId``), then
by organisation number, then by normalised name and
place (case, accents' composition, punctuation and a leading or trailing legal form such as ``AB``
or ``GmbH`` do not count; the city and the country must be the same). Every match is reported;
two or more candidates at the same step are a problem (nothing is guessed). Contacts and deals
name their company, which is found the same way (by normalised name) and must be one customer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from kanelbulle.accounts.models import User
from kanelbulle.connectors.report import Report, Rollback
from kanelbulle.connectors.vcard import e164
from kanelbulle.core.access import NotVisible, scope
from kanelbulle.core.money import Money, is_currency
from kanelbulle.core.values import value_problems
from kanelbulle.customers import actions as customer_actions
from kanelbulle.customers.models import Contact, Customer, SourceId
from kanelbulle.deals import actions as deal_actions
from kanelbulle.deals.models import Deal

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Mapping:
    """One kind of export: the columns that identify it and, per our field, the column names used."""

    kind: str  # company | contact | deal
    identify: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]


#: Columns that hold a company's registration number (a custom field in each of the three tools).
ORG_COLUMNS = (
    "Organisation number", "Organization number", "Organisationsnummer", "Org number", "Org. number", "Org.nr",
    "Orgnr", "Company number", "Registration number", "VAT number",
)  # fmt: skip
#: Legal forms left out of a normalised name when they open or close it.
LEGAL_FORMS = frozenset(
    {
        "ab", "aktiebolag", "publ", "hb", "kb", "as", "asa", "aps", "a/s", "oy", "oyj", "gmbh", "ag", "ltd", "limited",
        "inc", "llc", "plc", "bv", "nv", "sa", "sarl", "srl", "spa",
    }
)  # fmt: skip

PRESETS: dict[str, dict[str, Any]] = {
    "hubspot": {
        "short": "hs",
        "stages": {"closedwon": "won", "closed won": "won", "closedlost": "lost", "closed lost": "lost"},
        "mappings": [
            Mapping("deal", ("Deal Name",), {
                "id": ("Record ID", "Deal ID"), "title": ("Deal Name",),
                "company": ("Associated Company", "Company name"),
                "amount": ("Amount",), "currency": ("Currency", "Deal currency code"), "stage": ("Deal Stage",),
                "created": ("Create Date",), "closed": ("Close Date",), "owner": ("Deal owner", "Deal Owner"),
            }),
            Mapping("contact", ("First Name", "Email"), {
                "id": ("Record ID", "Contact ID"), "first": ("First Name",), "last": ("Last Name",),
                "email": ("Email",), "phone": ("Phone Number", "Mobile Phone Number"), "title": ("Job Title",),
                "company": ("Company Name", "Associated Company"),
            }),
            Mapping("company", ("Company name",), {
                "id": ("Record ID", "Company ID"), "name": ("Company name",), "city": ("City",),
                "org": ORG_COLUMNS,
                "country": ("Country/Region", "Country"), "owner": ("Company owner", "Company Owner"),
            }),
        ],
    },
    "pipedrive": {
        "short": "pd",
        "stages": {"won": "won", "lost": "lost", "open": "open", "deleted": "lost"},
        "mappings": [
            Mapping("deal", ("Deal - Title",), {
                "id": ("Deal - ID",), "title": ("Deal - Title",), "company": ("Deal - Organization",),
                "amount": ("Deal - Value",), "currency": ("Deal - Currency",), "stage": ("Deal - Status",),
                "created": ("Deal - Deal created",),
                "closed": ("Deal - Won time", "Deal - Lost time", "Deal - Close time"),
                "owner": ("Deal - Owner",),
            }),
            Mapping("contact", ("Person - Name",), {
                "id": ("Person - ID",), "name": ("Person - Name",),
                "email": ("Person - Email - Work", "Person - Email"),
                "phone": ("Person - Phone - Work", "Person - Phone"),
                "title": ("Person - Job title",), "company": ("Person - Organization",),
            }),
            Mapping("company", ("Organization - Name",), {
                "id": ("Organization - ID",), "name": ("Organization - Name",),
                "org": tuple(f"Organization - {c}" for c in ORG_COLUMNS) + ORG_COLUMNS,
                "city": ("Organization - Address - City/town/village/locality", "Organization - City"),
                "country": ("Organization - Address - Country", "Organization - Country"),
                "owner": ("Organization - Owner",),
            }),
        ],
    },
    "salesforce": {
        "short": "sf",
        "stages": {"closed won": "won", "closed lost": "lost"},
        "mappings": [
            Mapping("deal", ("Opportunity Name",), {
                "id": ("Opportunity ID",), "title": ("Opportunity Name",), "company": ("Account Name",),
                "amount": ("Amount",), "currency": ("Amount Currency", "Opportunity Currency"), "stage": ("Stage",),
                "created": ("Created Date",), "closed": ("Close Date",), "owner": ("Opportunity Owner",),
            }),
            Mapping("contact", ("First Name", "Last Name", "Account Name"), {
                "id": ("Contact ID",), "first": ("First Name",), "last": ("Last Name",), "email": ("Email",),
                "phone": ("Phone", "Mobile"), "title": ("Title",), "company": ("Account Name",),
            }),
            Mapping("company", ("Account Name",), {
                "id": ("Account ID",), "name": ("Account Name",), "city": ("Billing City",),
                "org": ORG_COLUMNS,
                "country": ("Billing Country",), "owner": ("Account Owner",),
            }),
        ],
    },
}  # fmt: skip

DATE_FORMATS = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y", "%Y/%m/%d",
)  # fmt: skip
# Country names as Nordic CRMs often hold them, besides ISO codes and English names.
LOCAL_COUNTRY_NAMES = {"sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "finland": "FI",
                       "tyskland": "DE", "storbritannien": "GB", "england": "GB", "usa": "US"}  # fmt: skip


# -- reading the file -------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:16384]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def parse_amount(raw: str, *, comma_decimal: bool) -> Decimal:
    """``120 000,50`` / ``120,000.50`` / ``1.234,5`` / ``SEK 1200`` to a Decimal."""
    text = re.sub(r"[\s\u00a0\u202f']", "", raw)
    text = re.sub(r"^[A-Za-z$€£]+|[A-Za-z$€£:]+$", "", text).rstrip(".")
    thousands, decimal = ",", "."
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            thousands, decimal = ".", ","
    elif "," in text:
        tail = text.rpartition(",")[2]
        if text.count(",") == 1 and (comma_decimal or len(tail) != 3):
            thousands, decimal = ".", ","
    elif text.count(".") > 1:
        thousands, decimal = ".", ","
    grouped = rf"^-?\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d+)?$"
    if thousands in text and not re.match(grouped, text):
        raise ValueError(f"{raw!r} is not an amount")
    text = text.replace(thousands, "").replace(decimal, ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 16:
        raise ValueError(f"{raw!r} is not an amount")
    return value.quantize(Decimal("0.01"))


def parse_date(raw: str) -> dt.date:
    text = raw.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, its zone does not matter
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date (use 2025-09-01 or 9/1/2025)")


def parse_country(raw: str) -> str:
    text = raw.strip()
    if text.lower() in LOCAL_COUNTRY_NAMES:
        return LOCAL_COUNTRY_NAMES[text.lower()]
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        raise ValueError(f"{raw!r} is not a country") from None


# -- matching existing customers --------------------------------------------------------------


def normal_name(name: str) -> str:
    """``Norrbotten Stål AB`` and ``NORRBOTTEN STÅL, AB.`` alike: NFKC, case-folded, punctuation as
    spaces, a legal form that opens or closes the name left out."""
    words = re.sub(r"[^\w/]+", " ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    while len(words) > 1 and words[0] in LEGAL_FORMS:
        words.pop(0)
    return " ".join(words)


def normal_org(number: str) -> str:
    """``556677-8899`` and ``5566778899`` alike (letters and digits only, upper case)."""
    return re.sub(r"[^0-9A-Za-z]", "", number).upper()


def normal_place(city: str, country: str) -> tuple[str, str]:
    return (" ".join(unicodedata.normalize("NFKC", city).casefold().split()), country.upper())


class Ambiguous(ValueError):
    """Two or more customers fit a row at the same step: reported, never guessed."""


class CustomerIndex:
    """The customers the importing user may see, by organisation number and by normalised name
    (with place): read once per file, kept up to date as the file creates customers."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.by_org: dict[str, list[Customer]] = {}
        self.by_name: dict[str, list[Customer]] = {}
        for c in scope(actor, Customer.objects.select_related("owner")).order_by("ref"):
            self.add(c)

    def add(self, c: Customer) -> None:
        if normal_org(c.org_number):
            self.by_org.setdefault(normal_org(c.org_number), []).append(c)
        self.by_name.setdefault(normal_name(c.name), []).append(c)

    @staticmethod
    def _one(found: list[Customer], what: str, how: str) -> Customer | None:
        if len(found) > 1:
            refs = ", ".join(f"{c.ref} ({c.city})" for c in found)
            raise Ambiguous(f"{what} fits {len(found)} customers by {how}: {refs}; nothing was guessed")
        return found[0] if found else None

    def match(self, name: str, org: str, city: str, country: str) -> tuple[Customer | None, str]:
        """The one customer that is this company, and how it was found ("" when none is)."""
        if normal_org(org):
            found = self._one(self.by_org.get(normal_org(org), []), repr(name), "organisation number")
            if found is not None:
                return found, "organisation number"
        place = normal_place(city, country)
        same = [
            c
            for c in self.by_name.get(normal_name(name), [])
            if normal_place(c.city, c.country) == place
            and not (normal_org(org) and normal_org(c.org_number) and normal_org(c.org_number) != normal_org(org))
        ]
        found = self._one(same, repr(name), "name and place")
        return (found, "name and place") if found is not None else (None, "")

    def named(self, name: str) -> Customer | None:
        """The one customer a contact's or deal's company column names."""
        return self._one(self.by_name.get(normal_name(name), []), f"company {name!r}", "name")


# -- importing --------------------------------------------------------------------------------


def import_csv(path: str | Path, preset: str, *, actor: User | None) -> Report:
    """Import one export file of a CRM (its kind is found from its columns)."""
    return import_csv_data(Path(path).read_bytes(), preset, actor=actor, name=Path(path).name)


def import_csv_data(raw: bytes, preset: str, *, actor: User | None, name: str = "file") -> Report:
    report = Report()
    if preset not in PRESETS:
        report.problem("--preset", f"{preset!r} is not a preset: use one of {', '.join(PRESETS)}")
        return report
    text, _encoding = decode(raw)
    if not text.strip():
        report.problem(name, "the file is empty")
        return report
    dialect = sniff(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    config = PRESETS[preset]
    mapping = next((m for m in config["mappings"] if all(c in headers for c in m.identify)), None)
    if mapping is None:
        expected = "; ".join(f"{m.kind}: {', '.join(m.identify)}" for m in config["mappings"])
        report.problem("line 1", f"these columns are not a {preset} export (expected {expected})")
        return report
    comma_decimal = getattr(dialect, "delimiter", ",") == ";"
    importer = _Importer(config, mapping, actor, report, comma_decimal=comma_decimal, headers=headers, tool=preset)
    try:
        with transaction.atomic():
            for row in reader:
                line = f"line {reader.line_num}"
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                if None in row:
                    report.problem(line, "has more fields than the header")
                    continue
                importer.row(line, row)
            if report.problems:
                raise Rollback
    except Rollback:
        report.created = report.updated = report.unchanged = 0
        return report
    report.stored = True
    return report


class _Importer:
    def __init__(
        self,
        config: dict[str, Any],
        mapping: Mapping,
        actor: User | None,
        report: Report,
        *,
        comma_decimal: bool,
        headers: list[str],
        tool: str,
    ) -> None:
        self.config, self.mapping, self.actor, self.report = config, mapping, actor, report
        self.headers = headers
        self.tool = tool
        self.index = CustomerIndex(actor)
        self.comma_decimal = comma_decimal
        self.kinds: dict[str, Callable[[str, dict[str, str]], None]] = {
            "company": self.company,
            "contact": self.contact,
            "deal": self.deal,
        }

    def row(self, line: str, row: dict[str, str]) -> None:
        values = {}
        for field, columns in self.mapping.columns.items():
            values[field] = next(((row.get(c) or "").strip() for c in columns if (row.get(c) or "").strip()), "")
        try:
            with transaction.atomic():
                self.kinds[self.mapping.kind](line, values)
        except ValueError as exc:
            self.report.problem(line, str(exc))
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for field, messages in detail.items():
                self.report.problem(line, (f"{field}: " if field else "") + " ".join(messages))
        except (PermissionDenied, NotVisible) as exc:
            self.report.problem(line, str(exc) or "you may not change that customer")

    def column(self, field: str) -> str:
        """The file's column holding our ``field`` (to name it in a problem)."""
        names = self.mapping.columns[field]
        return next((c for c in names if c in self.headers), names[0])

    def ref(self, prefix: str, values: dict[str, str]) -> str | None:
        ident = re.sub(r"[^A-Za-z0-9]", "", values.get("id", ""))
        return f"{prefix}-{self.config['short']}-{ident}"[:64] if ident else None

    def owner(self, raw: str) -> User:
        if raw:
            first_last = raw.split(" ", 1)
            found = User.objects.filter(
                Q(username__iexact=raw)
                | Q(email__iexact=raw)
                | Q(name__iexact=raw)
                | (
                    Q(first_name__iexact=first_last[0], last_name__iexact=first_last[-1])
                    if len(first_last) == 2
                    else Q()
                )
            ).first()
            if found is not None:
                return found
        if self.actor is not None:
            return self.actor
        raise ValueError(f"owner {raw!r} is not a user here" if raw else "no owner, and no user to import as")

    def customer(self, name: str) -> Customer:
        if not name:
            raise ValueError("names no company")
        found = self.index.named(name)
        if found is None:
            raise ValueError(f"company {name!r} is not a customer here (import the companies first)")
        return found

    def matched(self, line: str, what: str, ref: str, how: str) -> None:
        self.report.matched.append((line, f"{what} is {ref} (matched by {how})"))

    def keep(self, line: str, name: str, existing: Customer, how: str, org: str, *, ident: str | None) -> None:
        """A company row that is a customer of ours: reported, the customer kept as it is (its
        organisation number filled in when it had none), and the tool's id remembered."""
        self.matched(line, repr(name), existing.ref, how)
        fill: dict[str, Any] = {"org_number": org} if org and not existing.org_number else {}
        if fill:
            customer_actions.customer_update(self.actor, existing, **fill)
        if ident is not None:
            SourceId.objects.get_or_create(tool=self.tool, ident=ident, defaults={"customer": existing})
        self.count(False, bool(fill))

    def count(self, created: bool, changed: bool = True) -> None:
        if created:
            self.report.created += 1
        elif changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def company(self, line: str, v: dict[str, str]) -> None:
        if not v["name"]:
            raise ValueError("the company has no name")
        if not v["city"]:
            raise ValueError(f"{v['name']}: no city (a customer needs one to be visited)")
        if not v["country"]:
            raise ValueError(f"{v['name']}: no country")
        fields: dict[str, Any] = {
            "name": v["name"][:200],
            "city": v["city"][:120],
            "country": parse_country(v["country"]),
        }
        org = v.get("org", "")[:32]
        ref = self.ref("c", v)
        existing = scope(self.actor, Customer.objects.select_related("owner")).filter(ref=ref).first() if ref else None
        if existing is None and ref and Customer.objects.filter(ref=ref).exists():
            raise ValueError(f"{ref} belongs to a customer you may not see")
        ident = v["id"][:64]
        if existing is None and ident:
            # Matched to a customer of ours by an earlier import of this tool: its id was kept.
            link = SourceId.objects.filter(tool=self.tool, ident=ident).select_related("customer").first()
            if link is not None:
                if not scope(self.actor, Customer.objects.all()).filter(pk=link.customer_id).exists():
                    raise ValueError(f"{self.tool} id {ident} belongs to a customer you may not see")
                existing, how = link.customer, f"its {self.tool} id {ident}"
                self.keep(line, v["name"], existing, how, org, ident=None)
                return
        if existing is None:
            # Not yet imported from this tool: the same company may be here already.
            existing, how = self.index.match(fields["name"], org, fields["city"], fields["country"])
            if existing is not None:
                self.keep(line, v["name"], existing, how, org, ident=ident or None)
                return
            fields["owner"] = self.owner(v["owner"])
            if org:
                fields["org_number"] = org
            self.index.add(customer_actions.customer_create(self.actor, ref=ref, **fields))
            self.count(True)
            return
        if org:
            fields["org_number"] = org
        changes = {k: val for k, val in fields.items() if getattr(existing, k) != val}
        if changes:
            customer_actions.customer_update(self.actor, existing, **changes)
        self.count(False, bool(changes))

    def contact(self, line: str, v: dict[str, str]) -> None:
        name = v.get("name") or " ".join(p for p in (v.get("first", ""), v.get("last", "")) if p)
        if not name:
            raise ValueError("the contact has no name")
        customer = self.customer(v["company"])
        fields: dict[str, Any] = {"name": name[:200], "title": v.get("title", "")[:200], "email": v["email"].lower()}
        if v["phone"]:
            fields["phone"] = e164(v["phone"], customer.country)
        ref = self.ref("p", v)
        existing = Contact.objects.filter(ref=ref).select_related("customer").first() if ref else None
        if existing is None and ref and Contact.objects.filter(ref=ref).exists():
            raise ValueError(f"{ref} belongs to a contact you may not see")
        if existing is None and fields["email"]:
            existing = Contact.objects.filter(customer=customer, email__iexact=fields["email"]).first()
            if existing is not None:
                # The same person from another tool (or without an id): fill what we lack, keep the rest.
                self.matched(line, repr(name), existing.ref, f"e-mail at {customer.ref}")
                fill = {k: val for k, val in fields.items() if val and not getattr(existing, k)}
                if fill:
                    customer_actions.contact_update(self.actor, existing, **fill)
                self.count(False, bool(fill))
                return
        if existing is None:
            customer_actions.contact_create(
                self.actor, customer, ref=ref, lawful_basis="legitimate_interest", source="import", **fields
            )
            self.count(True)
            return
        changes = {k: val for k, val in fields.items() if getattr(existing, k) != val}
        if changes:
            customer_actions.contact_update(self.actor, existing, **changes)
        self.count(False, bool(changes))

    def deal(self, line: str, v: dict[str, str]) -> None:
        if not v["title"]:
            raise ValueError("the deal has no name")
        customer = self.customer(v["company"])
        currency = (v["currency"] or settings.COMPANY_CURRENCY).upper()
        if not is_currency(currency):
            raise ValueError(f"{v['currency']!r} is not an ISO 4217 currency")
        amount = parse_amount(v["amount"], comma_decimal=self.comma_decimal) if v["amount"] else Decimal("0.00")
        problems = value_problems(amount, currency)  # the one rule every way in applies (core/values.py)
        if problems:
            raise ValueError("; ".join(f"{self.column(part)}: {message}" for part, message in problems))
        stage_raw = v["stage"].strip().lower()
        stage = self.config["stages"].get(stage_raw, "open")
        fields: dict[str, Any] = {"title": v["title"][:200], "value": Money(amount, currency), "stage": stage}
        if v["created"]:
            fields["created"] = parse_date(v["created"])
        if stage != "open" and v["closed"]:
            fields["closed"] = parse_date(v["closed"])
        ref = self.ref("d", v)
        existing = Deal.objects.filter(ref=ref).select_related("customer").first() if ref else None
        if existing is None:
            same = list(Deal.objects.filter(customer=customer, title=fields["title"]).order_by("ref"))
            if len(same) > 1:
                refs = ", ".join(d.ref for d in same)
                raise Ambiguous(
                    f"deal {fields['title']!r} fits {len(same)} deals at {customer.ref}: {refs}; nothing was guessed"
                )
            if same and ref is not None:
                # The same deal from another tool: reported, and left as it is here.
                self.matched(line, repr(fields["title"]), same[0].ref, f"title at {customer.ref}")
                self.count(False, False)
                return
            existing = same[0] if same else None
        if existing is None:
            seller = self.owner(v["owner"]) if v["owner"] or self.actor is None else None
            deal_actions.deal_create(self.actor, customer, seller=seller, ref=ref, **fields)
            self.count(True)
            return
        if existing.customer_id != customer.pk:
            raise ValueError(f"{existing.ref} belongs to another customer")
        money = fields.pop("value")
        changes = {k: val for k, val in fields.items() if getattr(existing, k) != val}
        if existing.value != money:
            changes["value"] = money
        if changes:
            deal_actions.deal_update(self.actor, existing, **changes)
        self.count(False, bool(changes))

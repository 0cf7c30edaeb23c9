"""The demo book of business: a Swedish seller team with foreign customers, generated from a seed.

``build_demo(today)`` returns a complete exchange-format document (``kanelbulle/1``). Every date
is counted back from ``today`` so that the stories stay current whenever the demo is loaded: a
meeting request has waited three weeks, an account has drifted to video calls for nine months,
the December meeting with the "small" Chinese customer was last December. The same ``today``
and ``seed`` always give the same document, byte for byte.

The planted stories and their refs are listed in ``STORY`` and described in docs/demo.md.
Win chances of the closed deals depend both on an in-person meeting between a deal's creation
and close and on the customer's potential (which also makes in-person meetings more likely),
so the evidence module has a real effect and a real confounder to find.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from kanelbulle.core.gazetteer import haversine_km
from kanelbulle.demo import pools

FORMAT = "kanelbulle/1"
TEAM = "sverige"
SELLERS = ("anna", "bertil", "cecilia")
MANAGER = "maja"

# The refs of the planted stories (docs/demo.md tells each story).
STORY: dict[str, Any] = {
    "small_strong_customer": "c-ningbo",
    "small_strong_ceo": "p-ningbo-1",
    "december_meeting": "m-ningbo-december",
    "december_request": "r-ningbo-december",
    "december_gift_received": "g-ningbo-cookies",
    "december_gift_given": "g-ningbo-dalahast",
    "order_after_december": "o-ningbo-after-december",
    "waiting_customer": "c-waiting",
    "waiting_request": "r-waiting",
    "drifting_customer": "c-drifting",
    "lulea_customers": ("c-lulea-1", "c-lulea-2", "c-lulea-3", "c-lulea-4"),
    "lulea_deals": ("d-lulea-1", "d-lulea-2", "d-lulea-3", "d-lulea-4"),
    "trollhattan_customer": "c-trollhattan",
    "hassleholm_customer": "c-hassleholm",
    "public_sector_customer": "c-public",
    "tender_customer": "c-tender",
    "no_gifts_customer": "c-no-gifts",
    "memphis_customer": "c-us-memphis",
    "boston_customer": "c-us-boston",
}

USERS: tuple[dict[str, Any], ...] = (
    {"username": "anna", "name": "Anna Berg", "role": "seller", "city": "Stockholm"},
    {"username": "bertil", "name": "Bertil Holm", "role": "seller", "city": "Göteborg"},
    {"username": "cecilia", "name": "Cecilia Ljung", "role": "seller", "city": "Malmö"},
    {"username": "maja", "name": "Maja Lindström", "role": "manager", "city": "Stockholm"},
)

# How much more likely a deal is won by potential (log-odds), and how likely sellers are to meet
# a customer of that potential in person: the confounder of the in-person effect.
POTENTIAL_LOGIT = {"high": 0.7, "medium": 0.15, "low": -0.35, "unknown": -0.5}
IN_PERSON_BASE = {"high": 0.62, "medium": 0.45, "low": 0.25, "unknown": 0.2}
IN_PERSON_LOGIT = 1.4
BASE_LOGIT = -0.55
DEAL_VALUE_SEK = {
    "high": (150_000, 700_000),
    "medium": (60_000, 260_000),
    "low": (20_000, 110_000),
    "unknown": (20_000, 90_000),
}
ORDER_VALUE_SEK = {
    "high": (40_000, 140_000),
    "medium": (15_000, 60_000),
    "low": (5_000, 25_000),
    "unknown": (4_000, 20_000),
}
ORDER_INTERVAL = {"high": (35, 60), "medium": (50, 90), "low": (70, 130), "unknown": (90, 150)}
CLOSED_DEALS = {"high": (2, 4), "medium": (1, 3), "low": (1, 2), "unknown": (1, 1)}

# Swedish numbers set aside by PTS for fiction (070-174 06 05 to 070-174 06 99).
FICTION_PHONES = tuple(f"+467017406{n:02d}" for n in range(5, 100))


@dataclass
class _Customer:
    company: pools.Company
    place: pools.Place
    lat: float
    lon: float
    currency: str
    distance_km: float
    contacts: list[str] = field(default_factory=list)
    contact_names: dict[str, str] = field(default_factory=dict)
    # Story constraints on generated meetings.
    no_in_person_after: dt.date | None = None
    no_meetings_after: dt.date | None = None
    remote_only: bool = False
    generic: bool = True

    @property
    def ref(self) -> str:
        return self.company.ref

    @property
    def tz(self) -> str:
        return self.place.time_zone

    @property
    def owner(self) -> str:
        return self.company.owner

    @property
    def potential(self) -> str:
        return self.company.potential

    @property
    def abroad(self) -> bool:
        return self.company.country != "SE"

    def allows(self, day: dt.date, modality: str) -> bool:
        if self.no_meetings_after is not None and day > self.no_meetings_after:
            return False
        if modality == "in_person":
            if self.remote_only:
                return False
            if self.no_in_person_after is not None and day > self.no_in_person_after:
                return False
        return True


@dataclass
class _Meeting:
    customer: str
    user: str
    start: dt.datetime
    duration: int
    modality: str
    requested: bool
    contacts: list[str]
    notes: str
    unsaid: str = ""
    ref: str = ""
    next_step: str = ""
    next_step_date: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ref": self.ref,
            "customer": self.customer,
            "contacts": self.contacts,
            "user": self.user,
            "start": self.start.isoformat(),
            "duration_minutes": self.duration,
            "modality": self.modality,
            "requested_by_customer": self.requested,
            "notes": self.notes,
        }
        if self.unsaid:
            out["unsaid"] = self.unsaid
        if self.next_step:
            out["next_step"] = self.next_step
            if self.next_step_date is not None:
                out["next_step_date"] = self.next_step_date.isoformat()
        return out


def money(amount: float | int, currency: str) -> dict[str, str]:
    """A whole amount in the exchange format's string form (JPY to the thousand, others to the hundred)."""
    step = 1000 if currency == "JPY" else 100
    whole = max(step, round(amount / step) * step)
    return {"amount": f"{whole}.00", "currency": currency}


def pct(value: float) -> str:
    return f"{value:.2f}"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in ascii_only.replace("ø", "o").replace("æ", "ae") if ch.isalnum() or ch in " .-")


def _domain(name: str) -> str:
    words = [w for w in _fold(name).replace("&", " ").split() if w not in {"ab", "inc.", "co.,", "ltd.", "ltd"}]
    return "".join(words[:2]).replace(".", "").replace(",", "") + ".example"


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class _Builder:
    def __init__(self, today: dt.date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
        self.homes = {u["username"]: pools.PLACES[(u["city"], "SE")] for u in USERS}
        self.customers: dict[str, _Customer] = {}
        self.customer_json: list[dict[str, Any]] = []
        self.contacts_json: list[dict[str, Any]] = []
        self.meetings: list[_Meeting] = []
        self.requests: list[dict[str, Any]] = []
        self.deals: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []
        self.gifts: list[dict[str, Any]] = []
        self.phones = list(FICTION_PHONES)
        # The December of the seed story: the latest one at least a few days behind us.
        year = today.year if today >= dt.date(today.year, 12, 28) else today.year - 1
        self.december = self.weekday(dt.date(year, 12, 16), forward=False)

    # ---- dates -------------------------------------------------------------------------------
    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def weekday(self, day: dt.date, *, forward: bool | None = None) -> dt.date:
        """The same day if a weekday, else the nearest weekday (past days move back, future forward)."""
        if day.weekday() < 5:
            return day
        if forward is None:
            forward = day > self.today
        step = 1 if forward else -1
        while day.weekday() >= 5:
            day += dt.timedelta(days=step)
        return day

    def at(self, day: dt.date, hour: int, minute: int, tz: str) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(tz))

    def meeting_time(self, cust: _Customer, day: dt.date, modality: str) -> dt.datetime:
        rng = self.rng
        if modality == "in_person":
            hour = rng.choice((9, 10, 10, 13, 14))
        elif cust.tz.startswith("Asia/"):
            hour = rng.choice((15, 16))  # morning in Sweden
        elif cust.tz.startswith("America/"):
            hour = rng.choice((8, 9, 10))  # afternoon in Sweden
        else:
            hour = rng.choice((8, 9, 10, 11, 13, 14, 15))
        return self.at(day, hour, rng.choice((0, 0, 15, 30)), cust.tz)

    # ---- users and customers -----------------------------------------------------------------
    def users(self) -> list[dict[str, Any]]:
        out = []
        for u in USERS:
            home = self.homes[u["username"]]
            out.append(
                {
                    "username": u["username"],
                    "name": u["name"],
                    "role": u["role"],
                    "team": TEAM,
                    "home": {"city": u["city"], "country": "SE", "lat": home.lat, "lon": home.lon},
                }
            )
        return out

    def opening_hours(self, cust: _Customer) -> dict[str, list[list[str]]] | None:
        rng = self.rng
        if cust.ref not in STORY["lulea_customers"] and rng.random() < 0.1:
            return None  # not known
        if cust.company.ref == "c-public" or cust.company.ref == "c-tender":
            opens, closes, friday = "08:00", "16:00", "15:00"
        elif cust.abroad:
            opens, closes, friday = "08:30", "17:00", "16:00"
        else:
            opens = rng.choice(("07:00", "07:30", "08:00", "08:00"))
            closes = rng.choice(("16:00", "16:30", "16:30"))
            friday = rng.choice(("15:00", "16:00", closes))
        lunch = not cust.abroad and rng.random() < 0.2
        hours: dict[str, list[list[str]]] = {}
        for name in ("mon", "tue", "wed", "thu", "fri"):
            end = friday if name == "fri" else closes
            hours[name] = [[opens, "12:00"], ["13:00", end]] if lunch else [[opens, end]]
        return hours

    def gift_policy(self, cust: _Customer) -> dict[str, Any] | None:
        ref = cust.ref
        if ref == "c-no-gifts":
            return {"accepts_gifts": False}
        if ref in ("c-public", "c-tender"):
            return {"accepts_gifts": True, "max_value": {"amount": "100.00", "currency": "SEK"}}
        roll = self.rng.random()
        if roll < 0.25:
            return None
        if roll < 0.4:
            return {"accepts_gifts": True}
        limit = 500 if not cust.abroad else 500 * pools.PER_SEK[cust.currency]
        return {"accepts_gifts": True, "max_value": money(limit, "SEK" if not cust.abroad else cust.currency)}

    def build_customers(self) -> None:
        rng = self.rng
        for company in pools.COMPANIES:
            place = pools.PLACES[(company.city, company.country)]
            home = self.homes[company.owner]
            lat = round(place.lat + rng.uniform(-0.015, 0.015), 4)
            lon = round(place.lon + rng.uniform(-0.025, 0.025), 4)
            cust = _Customer(
                company=company,
                place=place,
                lat=lat,
                lon=lon,
                currency=pools.CURRENCY_BY_COUNTRY[company.country],
                distance_km=haversine_km(home.lat, home.lon, lat, lon),
            )
            if company.ref in STORY["lulea_customers"]:
                cust.no_in_person_after = self.day(400)
            elif company.ref in ("c-trollhattan", "c-hassleholm"):
                cust.remote_only = True
            elif company.ref == "c-waiting":
                cust.no_meetings_after = self.day(120)
            elif company.ref in ("c-ningbo", "c-drifting"):
                cust.generic = False
            self.customers[company.ref] = cust
            record: dict[str, Any] = {
                "ref": company.ref,
                "name": company.name,
                "country": company.country,
                "city": company.city,
                "lat": lat,
                "lon": lon,
                "owner": company.owner,
                "potential": company.potential,
                "public_sector": company.ref in ("c-public", "c-tender"),
                "time_zone": place.time_zone,
                "visit_minutes": rng.choice((45, 60, 60, 75, 90, 90, 120)),
            }
            hours = self.opening_hours(cust)
            if hours is not None:
                record["opening_hours"] = hours
            policy = self.gift_policy(cust)
            if policy is not None:
                record["gift_policy"] = policy
            if company.ref == "c-tender":
                record["tender_open_until"] = (self.today + dt.timedelta(days=30)).isoformat()
            self.customer_json.append(record)

    # ---- contacts ----------------------------------------------------------------------------
    def add_contact(
        self,
        cust: _Customer,
        name: str,
        title: str,
        facts: list[dict[str, str]],
        *,
        basis: str = "legitimate_interest",
        source: str = "",
        short: str | None = None,
    ) -> str:
        ref = f"p-{cust.ref[2:]}-{len(cust.contacts) + 1}"
        cust.contacts.append(ref)
        cust.contact_names[ref] = short or name
        email = ".".join(_fold(name).split()) + "@" + _domain(cust.company.name)
        record: dict[str, Any] = {
            "ref": ref,
            "customer": cust.ref,
            "name": name,
            "title": title,
            "email": email,
            "lawful_basis": basis,
        }
        if not cust.abroad and self.phones and self.rng.random() < 0.7:
            record["phone"] = self.phones.pop(0)
        if source:
            record["source"] = source
        if facts:
            record["facts"] = facts
        self.contacts_json.append(record)
        return ref

    def random_facts(self, n: int) -> list[dict[str, str]]:
        rng = self.rng
        chosen = rng.sample(pools.FACTS, n)
        return [
            {
                "kind": kind,
                "text": text,
                "source": rng.choice(pools.FACT_SOURCES),
                "learned": self.day(rng.randint(20, 700)).isoformat(),
            }
            for kind, text in chosen
        ]

    def build_contacts(self) -> None:
        rng = self.rng
        for cust in self.customers.values():
            if not cust.generic and cust.ref != "c-drifting":
                continue
            if cust.ref == "c-waiting":
                self.add_contact(
                    cust,
                    "Karin Sjödin",
                    "Inköpschef",
                    [
                        {
                            "kind": "interest",
                            "text": "Åker längdskidor, har gjort Vasaloppet tolv gånger",
                            "source": "contact",
                            "learned": self.day(560).isoformat(),
                        },
                        {
                            "kind": "preference",
                            "text": "Vill hellre ses på plats än i Teams",
                            "source": "contact",
                            "learned": self.day(420).isoformat(),
                        },
                    ],
                    source="Visitkort, Elmia Subcontractor 2024",
                    short="Karin",
                )
                self.add_contact(
                    cust, "Per Nordin", "Underhållschef", self.random_facts(1), source="Via Karin Sjödin", short="Per"
                )
                continue
            if cust.ref == "c-drifting":
                self.add_contact(
                    cust,
                    "Lena Forsberg",
                    "Inköpschef",
                    [
                        {
                            "kind": "family",
                            "text": "Två döttrar som rider; tävlar i hoppning på helgerna",
                            "source": "contact",
                            "learned": self.day(640).isoformat(),
                        },
                        {
                            "kind": "preference",
                            "text": "Uppskattar att vi kommer förbi med fika från Grännas polkagrisbageri",
                            "source": "staff",
                            "learned": self.day(550).isoformat(),
                        },
                    ],
                    source="Kunden sedan 2019",
                    basis="contract",
                    short="Lena",
                )
                self.add_contact(
                    cust,
                    "Johan Wallin",
                    "Produktionschef",
                    self.random_facts(2),
                    source="Via Lena Forsberg",
                    short="Johan",
                )
                continue
            count = {"high": 3, "medium": rng.choice((2, 2, 3)), "low": rng.choice((1, 2)), "unknown": 1}[
                cust.potential
            ]
            used: set[str] = set()
            for i in range(count):
                if cust.abroad:
                    options = [n for n in pools.FOREIGN_NAMES[cust.company.country] if n not in used]
                    name = rng.choice(options)
                    title = rng.choice(pools.TITLES_FOREIGN_FIRST if i == 0 else pools.TITLES_FOREIGN_OTHER)
                    short = name
                    source = rng.choice(pools.CONTACT_SOURCES_FOREIGN)
                else:
                    while True:
                        first = rng.choice(pools.SWEDISH_FIRST)
                        name = f"{first} {rng.choice(pools.SWEDISH_LAST)}"
                        if name not in used:
                            break
                    if cust.ref in ("c-public", "c-tender"):
                        title = pools.TITLES_PUBLIC[i % len(pools.TITLES_PUBLIC)]
                    else:
                        title = rng.choice(pools.TITLES_FIRST if i == 0 else pools.TITLES_OTHER)
                    short = first
                    source = rng.choice(pools.CONTACT_SOURCES)
                used.add(name)
                basis = rng.choices(("legitimate_interest", "contract", "consent"), weights=(75, 15, 10))[0]
                n_facts = rng.choice((1, 2, 3)) if i == 0 else rng.choice((0, 0, 1, 2))
                self.add_contact(cust, name, title, self.random_facts(n_facts), basis=basis, source=source, short=short)

    # ---- meetings ----------------------------------------------------------------------------
    def note_for(self, cust: _Customer, modality: str, contact: str) -> str:
        templates = {
            "in_person": pools.NOTES_IN_PERSON,
            "video": pools.NOTES_VIDEO,
            "phone": pools.NOTES_PHONE,
            "email": pools.NOTES_EMAIL,
        }[modality]
        short_company = cust.company.name.split(",")[0]
        return self.rng.choice(templates).format(
            company=short_company, contact=cust.contact_names.get(contact, ""), topic=self.rng.choice(pools.TOPICS)
        )

    def add_meeting(
        self,
        cust: _Customer,
        day: dt.date,
        modality: str,
        *,
        requested: bool | None = None,
        notes: str | None = None,
        unsaid: str | None = None,
        ref: str = "",
        start: dt.datetime | None = None,
        duration: int | None = None,
        contacts: list[str] | None = None,
    ) -> _Meeting:
        rng = self.rng
        if contacts is None:
            contacts = rng.sample(cust.contacts, min(len(cust.contacts), rng.choice((1, 1, 2))))
        lead = contacts[0] if contacts else ""
        if duration is None:
            duration = {
                "in_person": rng.choice((60, 75, 90, 120)),
                "video": rng.choice((27, 30, 30, 45, 60)),
                "phone": rng.choice((10, 15, 20, 30)),
                "email": 10,
            }[modality]
        if notes is None:
            notes = self.note_for(cust, modality, lead)
        if unsaid is None:
            unsaid = ""
            if modality != "email" and rng.random() < 0.15:
                unsaid = rng.choice(pools.UNSAID).format(contact=cust.contact_names.get(lead, ""))
        meeting = _Meeting(
            customer=cust.ref,
            user=cust.owner,
            start=start or self.meeting_time(cust, day, modality),
            duration=duration,
            modality=modality,
            requested=rng.random() < 0.2 if requested is None else requested,
            contacts=sorted(contacts),
            notes=notes,
            unsaid=unsaid,
            ref=ref,
        )
        if day <= self.today and rng.random() < 0.2:
            meeting.next_step = rng.choice(pools.NEXT_STEPS)
            meeting.next_step_date = day + dt.timedelta(days=rng.randint(7, 21))
        self.meetings.append(meeting)
        return meeting

    def in_person_chance(self, cust: _Customer) -> float:
        if cust.abroad:
            factor = 0.4
        elif cust.distance_km < 200:
            factor = 1.0
        elif cust.distance_km < 600:
            factor = 0.75
        else:
            factor = 0.5
        return IN_PERSON_BASE[cust.potential] * factor

    def pick_modality(self, cust: _Customer, day: dt.date) -> str:
        rng = self.rng
        if rng.random() < self.in_person_chance(cust) and cust.allows(day, "in_person"):
            return "in_person"
        return rng.choices(("video", "phone", "email"), weights=(45, 35, 20))[0]

    def background_meetings(self) -> None:
        rng = self.rng
        for cust in self.customers.values():
            if not cust.generic:
                continue
            n = {"high": rng.randint(5, 7), "medium": rng.randint(3, 5), "low": rng.randint(2, 3), "unknown": 2}[
                cust.potential
            ]
            for _ in range(n):
                day = self.weekday(self.day(rng.randint(3, 725)))
                modality = self.pick_modality(cust, day)
                if cust.allows(day, modality):
                    self.add_meeting(cust, day, modality)

    def planned_meetings(self) -> None:
        """A handful of meetings in the coming two weeks (status follows from the start: planned)."""
        rng = self.rng
        candidates = [c for c in self.customers.values() if c.generic and c.ref[2:].isdigit()]
        for cust in rng.sample(candidates, 7):
            day = self.weekday(self.today + dt.timedelta(days=rng.randint(1, 13)), forward=True)
            modality = "in_person" if cust.distance_km < 250 else "video"
            self.add_meeting(
                cust,
                day,
                modality,
                notes=rng.choice(("Genomgång av offerten.", "Kvartalsmöte.", "Uppföljning av leveranserna.")),
                unsaid="",
            )

    # ---- deals and orders --------------------------------------------------------------------
    def deal_value_sek(self, cust: _Customer, in_person: bool) -> int:
        low, high = DEAL_VALUE_SEK[cust.potential]
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        return int(value * (1.25 if in_person else 1.0))

    def deal_title(self, year: int) -> str:
        rng = self.rng
        return rng.choice(pools.DEAL_TITLES).format(topic=rng.choice(pools.DEAL_TOPICS), year=year, n=rng.randint(1, 4))

    def had_in_person(self, customer: str, start: dt.date, end: dt.date) -> bool:
        return any(
            m.customer == customer and m.modality == "in_person" and start <= m.start.date() <= end
            for m in self.meetings
        )

    def add_deal(
        self,
        cust: _Customer,
        ref: str,
        title: str,
        value_sek: float,
        stage: str,
        created: dt.date,
        closed: dt.date | None = None,
        *,
        margin: float | None = None,
        probability: int | None = None,
    ) -> None:
        record: dict[str, Any] = {
            "ref": ref,
            "customer": cust.ref,
            "user": cust.owner,
            "title": title,
            "value": money(value_sek * pools.PER_SEK[cust.currency], cust.currency),
            "margin_pct": pct(margin if margin is not None else self.rng.uniform(20, 34)),
            "stage": stage,
            "created": created.isoformat(),
        }
        if closed is not None:
            record["closed"] = closed.isoformat()
        if probability is not None:
            record["probability_pct"] = pct(probability)
        self.deals.append(record)

    def generic_deals(self) -> None:
        rng = self.rng
        serial = 0
        for cust in self.customers.values():
            if not cust.generic:
                continue
            low, high = CLOSED_DEALS[cust.potential]
            for _ in range(rng.randint(low, high)):
                serial += 1
                close_ago = rng.randint(5, 600)
                length = rng.randint(25, 130)
                closed = self.weekday(self.day(close_ago))
                created = self.weekday(closed - dt.timedelta(days=length), forward=False)
                # Sellers meet during a deal: in person when they can, else on a screen or the phone.
                inside = created + dt.timedelta(days=rng.randint(3, max(3, length - 3)))
                inside = self.weekday(inside, forward=False)
                if rng.random() < self.in_person_chance(cust) and cust.allows(inside, "in_person"):
                    self.add_meeting(cust, inside, "in_person")
                elif rng.random() < 0.75 and cust.allows(inside, "video"):
                    self.add_meeting(cust, inside, rng.choice(("video", "video", "phone")))
                in_person = self.had_in_person(cust.ref, created, closed)
                won = rng.random() < _sigmoid(
                    BASE_LOGIT + IN_PERSON_LOGIT * in_person + POTENTIAL_LOGIT[cust.potential]
                )
                margin = rng.uniform(19, 32) + (4 if in_person else 0) + (2 if cust.potential == "high" else 0)
                value = self.deal_value_sek(cust, in_person)
                self.add_deal(
                    cust,
                    f"d-{serial:03d}",
                    self.deal_title(created.year),
                    value,
                    "won" if won else "lost",
                    created,
                    closed,
                    margin=margin,
                )
                if won:
                    order_day = min(closed + dt.timedelta(days=rng.randint(5, 20)), self.day(1))
                    self.add_order(cust, self.weekday(order_day, forward=False), value * rng.uniform(0.3, 0.6), margin)
            if rng.random() < 0.3 and cust.ref not in STORY["lulea_customers"]:
                serial += 1
                created = self.weekday(self.day(rng.randint(10, 110)))
                probability = rng.choice((None, 20, 30, 40, 50, 60, 75))
                self.add_deal(
                    cust,
                    f"d-{serial:03d}",
                    self.deal_title(created.year),
                    self.deal_value_sek(cust, False),
                    "open",
                    created,
                    probability=probability,
                )

    def add_order(self, cust: _Customer, day: dt.date, value_sek: float, margin: float, ref: str = "") -> None:
        self.orders.append(
            {
                "ref": ref,
                "customer": cust.ref,
                "date": day.isoformat(),
                "value": money(value_sek * pools.PER_SEK[cust.currency], cust.currency),
                "margin_pct": pct(margin),
            }
        )

    def generic_orders(self) -> None:
        rng = self.rng
        for cust in self.customers.values():
            if not cust.generic or rng.random() < 0.12:
                continue  # a few customers only buy through their deals
            low, high = ORDER_INTERVAL[cust.potential]
            vlow, vhigh = ORDER_VALUE_SEK[cust.potential]
            stop = rng.randint(150, 400) if rng.random() < 0.1 else 1  # some have gone quiet
            ago = rng.randint(700, 730)
            while ago > stop:
                day = self.weekday(self.day(ago), forward=False)
                value = math.exp(rng.uniform(math.log(vlow), math.log(vhigh)))
                self.add_order(cust, day, value, rng.uniform(18, 36))
                ago -= rng.randint(low, high)

    # ---- the planted stories -----------------------------------------------------------------
    def story_ningbo(self) -> None:
        """The "small" customer who is strong in its niche: the seed text 000."""
        cust = self.customers["c-ningbo"]
        dec = self.december
        ceo = self.add_contact(
            cust,
            "Chen Hao",
            "CEO",
            [
                {"kind": "pet", "text": "Två schnauzer, Max och Moritz", "source": "staff", "learned": dec.isoformat()},
                {
                    "kind": "other",
                    "text": "Grundade Hengda 2004 efter femton år som konstruktör hos en japansk tätningstillverkare",
                    "source": "public",
                    "learned": self.day(700).isoformat(),
                },
                {
                    "kind": "family",
                    "text": "Dottern studerar maskinteknik på Chalmers i Göteborg",
                    "source": "contact",
                    "learned": self.day(400).isoformat(),
                },
                {
                    "kind": "preference",
                    "text": "Dricker hellre te än kaffe och vill ta sig tid för lunch",
                    "source": "contact",
                    "learned": dec.isoformat(),
                },
                {
                    "kind": "date",
                    "text": "Kinesiska nyåret: skicka en hälsning i god tid",
                    "source": "colleague",
                    "learned": self.day(650).isoformat(),
                },
            ],
            source="Visitkort, Hannover Messe 2023",
            short="Chen",
        )
        buyer = self.add_contact(
            cust,
            "Lin Yue",
            "Purchasing Manager",
            [
                {
                    "kind": "preference",
                    "text": "Vill ha tekniska underlag på engelska och kinesiska",
                    "source": "contact",
                    "learned": self.day(600).isoformat(),
                },
                {
                    "kind": "interest",
                    "text": "Spelar badminton i ett företagslag",
                    "source": "contact",
                    "learned": self.day(300).isoformat(),
                },
            ],
            basis="contract",
            source="Offertförfrågan via e-post",
            short="Lin",
        )
        expert_notes = (
            "Videomöte med Lin Yue om provdata för FKM-blandningen. De kör egna tryckprov upp till 600 bar: "
            "mer avancerat än vi trott om en så liten kund.",
            "Chen bad själv om mötet. Han gick igenom hur deras tätningar används i undervattensrobotar; "
            "de levererar till flera av de största tillverkarna i nischen.",
            "Teams med Lin. De vill ha vår nya elastomer till en serie för djuphavsventiler. Frågorna var "
            "skarpare än från de flesta stora kunder.",
            "Lin mejlade ritningar och toleranskrav. Kraven är tuffa men genomtänkta.",
            "Videomöte på Chens initiativ: de vill träffas på plats före jul och visa fabriken.",
            "Uppföljning på video efter besöket. Chen tackade för senast och hälsade från Max och Moritz.",
        )
        # Video calls about every ten weeks for two years, with the December visit in between.
        # A call that would fall near the visit moves to a month before it, so the count never
        # depends on ``today``: the same refs on every day keep a reload an update.
        ago = 720
        i = 0
        while ago > 6:
            day = self.weekday(self.day(ago), forward=False)
            if abs((day - dec).days) <= 20:
                day = self.weekday(dec - dt.timedelta(days=25), forward=False)
            modality = "email" if i % 4 == 3 else "video"
            before = day < dec
            note = expert_notes[i % 4] if before else expert_notes[5]
            if before and (dec - day).days < 60:
                note = expert_notes[4]
            self.add_meeting(
                cust,
                day,
                modality,
                requested=i % 2 == 0,
                notes=note,
                unsaid="",
                contacts=[buyer] if modality == "email" else [ceo, buyer],
            )
            i += 1
            ago -= 70
        self.add_meeting(
            cust,
            dec,
            "in_person",
            ref=STORY["december_meeting"],
            start=self.at(dec, 10, 0, cust.tz),
            duration=150,
            requested=True,
            contacts=[ceo, buyer],
            notes=(
                "Årets sista möte på plats före hemresan. Gick igenom presentationen om de nya "
                "elastomerblandningarna. Hengda är inte alls en liten kund: inom tätningar för "
                "djuphavshydraulik har de byggt upp styrka och kunnande under lång tid, utan att skryta om det. "
                "Mitt i presentationen började Chens två schnauzer, Max och Moritz, att slåss. Chen skilde dem "
                "åt, halvt hjälplös och halvt road, och skrattade; efter det försvann allt det formella. "
                "Samma förväntningar på båda sidor, ingen förhandling fram och tillbaka. I slutet fick vi "
                "julklappar: choklad och smörkakor. Lärdom: döm inte en kund efter storleken, och vill en kund "
                "ses så tar vi oss tiden."
            ),
            unsaid=(
                "Jag tror de har väntat på att vi skulle ta dem på allvar. Chen nämnde i förbigående att en "
                "tysk leverantör hört av sig."
            ),
        )
        self.requests.append(
            {
                "ref": STORY["december_request"],
                "customer": cust.ref,
                "contact": ceo,
                "requested_at": self.at(dec - dt.timedelta(days=40), 9, 30, cust.tz).isoformat(),
                "status": "honoured",
                "honoured_by": STORY["december_meeting"],
            }
        )
        self.gifts.append(
            {
                "ref": STORY["december_gift_received"],
                "direction": "received",
                "customer": cust.ref,
                "contact": ceo,
                "user": cust.owner,
                "date": dec.isoformat(),
                "description": "Choklad och smörkakor",
                "category": "food",
                "value": {"amount": "250.00", "currency": "SEK"},
                "occasion": "christmas",
            }
        )
        self.gifts.append(
            {
                "ref": STORY["december_gift_given"],
                "direction": "given",
                "customer": cust.ref,
                "contact": ceo,
                "user": cust.owner,
                "date": dec.isoformat(),
                "description": "En liten dalahäst i trä",
                "category": "object",
                "value": {"amount": "240.00", "currency": "SEK"},
                "occasion": "christmas",
            }
        )
        # Steady, growing orders with a high margin; the modest one placed soon after the visit.
        ago, step = 725, 0
        while ago > 4:
            day = self.weekday(self.day(ago), forward=False)
            if abs((day - dec).days) <= 10:
                day = self.weekday(dec - dt.timedelta(days=14), forward=False)
            value = (55_000 + step * 2_000) * self.rng.uniform(0.9, 1.1)
            self.add_order(cust, day, value, self.rng.uniform(42, 48))
            ago -= 45
            step += 1
        after = self.weekday(dec + dt.timedelta(days=6), forward=True)
        self.add_order(cust, after, 60_000, 46.0, ref=STORY["order_after_december"])
        self.add_deal(cust, "d-ningbo-1", "Prototypserie FKM-tätningar", 90_000, "won",
                      self.weekday(self.day(640)), self.weekday(self.day(580)), margin=44.0)  # fmt: skip
        self.add_deal(cust, "d-ningbo-2", "Elastomer för djuphavsventiler, serie 1", 240_000, "won",
                      dec - dt.timedelta(days=50), after, margin=47.5)  # fmt: skip
        follow_up = max(self.weekday(self.day(30)), after + dt.timedelta(days=1))
        self.add_deal(cust, "d-ningbo-3", "Elastomer för djuphavsventiler, serie 2", 320_000, "open",
                      follow_up, probability=70, margin=47.0)  # fmt: skip

    def story_waiting(self) -> None:
        """A meeting request that has waited three weeks (the seed: if a customer wants to meet, make time)."""
        cust = self.customers["c-waiting"]
        karin = cust.contacts[0]
        self.add_meeting(
            cust,
            self.weekday(self.day(130)),
            "phone",
            requested=False,
            contacts=[karin],
            notes=(
                "Ringde Karin. Styrelsen beslutar om ombyggnaden av PM3 under hösten. Hon vill ses på plats "
                "när beslutet är taget och gå igenom tätningar och hydraulik för hela linjen."
            ),
            unsaid="Hon lät besviken över att vi inte varit uppe sedan i fjol.",
        )
        self.requests.append(
            {
                "ref": STORY["waiting_request"],
                "customer": cust.ref,
                "contact": karin,
                "requested_at": self.at(self.day(21), 9, 14, cust.tz).isoformat(),
                "status": "open",
            }
        )
        self.add_deal(cust, "d-waiting-1", "Ombyggnad PM3: tätningar och hydraulik", 420_000, "open",
                      self.weekday(self.day(45)), probability=40, margin=29.0)  # fmt: skip

    def story_drifting(self) -> None:
        """Quarterly visits for over a year, then nine months of video calls only, and falling orders."""
        cust = self.customers["c-drifting"]
        lena, johan = cust.contacts[0], cust.contacts[1]
        warm = (
            "Kvartalsmöte på plats i Jönköping. Rundtur i gjuteriet med Johan; Lena bjöd på fika. "
            "De är nöjda med leveranserna och vill utöka sortimentet.",
            "Besök på plats. Genomgång av prognosen för nästa halvår: ökande volymer. Lena berättade om "
            "döttrarnas hopptävling.",
            "Kvartalsmöte hos kunden. Vi löste ett kvalitetsproblem på plats tillsammans med Johan.",
        )
        for n, ago in enumerate((720, 630, 540, 450, 365, 285)):
            self.add_meeting(
                cust,
                self.weekday(self.day(ago)),
                "in_person",
                requested=n % 3 == 2,
                contacts=[lena, johan],
                notes=warm[n % 3],
                unsaid="",
                duration=120,
            )
        cool = (
            "Teams, 30 minuter. Lena hade kameran av. Kort om leveransplanen.",
            "Videomöte om prisjusteringen. Inga nya förfrågningar.",
            "Teams med Lena. Volymerna ner i år, sa hon, utan att säga varför.",
        )
        # Calls every few weeks, then none for over three months: the open deal below stalls.
        for n, ago in enumerate((250, 215, 175, 150, 130, 115, 100)):
            unsaid = ""
            if ago == 130:
                unsaid = (
                    "Lena nämnde att en dansk leverantör varit på besök. Själva har vi inte varit där sedan i vintras."
                )
            self.add_meeting(
                cust,
                self.weekday(self.day(ago)),
                "video",
                requested=False,
                contacts=[lena],
                notes=cool[n % 3],
                unsaid=unsaid,
                duration=30,
            )
        rng = self.rng
        ago = 725
        while ago > 275:
            self.add_order(cust, self.weekday(self.day(ago)), rng.uniform(85_000, 105_000), rng.uniform(31, 35))
            ago -= 30
        value = 70_000.0
        ago = 260
        while ago > 5:
            self.add_order(cust, self.weekday(self.day(ago)), value * rng.uniform(0.9, 1.1), rng.uniform(24, 27))
            value *= 0.8
            ago -= 45
        self.add_deal(cust, "d-drifting-1", "Ramavtal ventilhus 2 år", 520_000, "won",
                      self.weekday(self.day(600)), self.weekday(self.day(530)), margin=34.0)  # fmt: skip
        self.add_deal(cust, "d-drifting-2", "Utökat sortiment: kulventiler", 310_000, "won",
                      self.weekday(self.day(420)), self.weekday(self.day(350)), margin=33.0)  # fmt: skip
        self.add_deal(cust, "d-drifting-3", "Förlängning ramavtal", 480_000, "lost",
                      self.weekday(self.day(200)), self.weekday(self.day(90)), margin=27.0)  # fmt: skip
        self.add_deal(cust, "d-drifting-4", "Reservdelspaket", 90_000, "open",
                      self.weekday(self.day(140)), probability=25, margin=25.0)  # fmt: skip

    def story_lulea(self) -> None:
        """Four customers in Luleå with large open deals: a two-day trip worth making."""
        titles = (
            ("Nya valslagertätningar, etapp 2", 240_000, 50),
            ("Hydraulik till två nya kajkranar", 85_000, 40),
            ("Serviceavtal gruvhydraulik", 64_000, None),
            ("Ventiler till elektrolysören", 180_000, 35),
        )
        for ref, deal_ref, (title, value, prob) in zip(
            STORY["lulea_customers"], STORY["lulea_deals"], titles, strict=True
        ):
            cust = self.customers[ref]
            self.add_deal(cust, deal_ref, title, value, "open", self.weekday(self.day(self.rng.randint(20, 70))),
                          probability=prob, margin=self.rng.uniform(28, 34))  # fmt: skip
        cust = self.customers["c-lulea-1"]
        self.add_meeting(
            cust,
            self.weekday(self.day(16)),
            "video",
            requested=True,
            notes=(
                "Teams om etapp 2. Bra frågor men svårt att läsa av rummet. De sa att vi är välkomna upp "
                "när som helst; ingen av oss har varit i Luleå sedan förra vintern."
            ),
            unsaid="Jag tror att de vill se att vi bryr oss om att komma.",
        )
        self.requests.append(
            {
                "ref": "r-lulea-2",
                "customer": "c-lulea-2",
                "contact": self.customers["c-lulea-2"].contacts[0],
                "requested_at": self.at(self.day(5), 13, 40, "Europe/Stockholm").isoformat(),
                "status": "open",
            }
        )

    def story_short_trips(self) -> None:
        """Trollhättan and Hässleholm: near, yet only ever met on a screen or the phone."""
        self.add_deal(self.customers["c-trollhattan"], "d-trollhattan-1", "Svetsfixturer, hydraulik", 95_000,
                      "open", self.weekday(self.day(35)), probability=30, margin=27.0)  # fmt: skip
        self.add_deal(self.customers["c-hassleholm"], "d-hassleholm-1", "Reservdelslager inför skörden", 70_000,
                      "open", self.weekday(self.day(25)), margin=26.0)  # fmt: skip
        self.add_deal(self.customers["c-tender"], "d-tender-1", "Anbud: pumpar och ventiler till VA-verket",
                      650_000, "open", self.weekday(self.day(40)), probability=30, margin=22.0)  # fmt: skip

    # ---- requests and gifts ------------------------------------------------------------------
    def generic_requests(self) -> None:
        rng = self.rng
        asked = [
            m
            for m in self.meetings
            if m.requested and m.ref.startswith("m-0") and m.start.date() < self.today and m.contacts
        ]
        for n, m in enumerate(rng.sample(asked, min(18, len(asked)))):
            when = m.start - dt.timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 3))
            self.requests.append(
                {
                    "ref": f"r-{n + 1:03d}",
                    "customer": m.customer,
                    "contact": m.contacts[0],
                    "requested_at": when.isoformat(),
                    "status": "honoured",
                    "honoured_by": m.ref,
                }
            )
        declined = [c for c in self.customers.values() if c.generic and c.ref[2:].isdigit()]
        for n, cust in enumerate(rng.sample(declined, 4)):
            when = self.at(self.weekday(self.day(rng.randint(60, 500))), 10, 5, cust.tz)
            self.requests.append(
                {
                    "ref": f"r-{n + 101:03d}",
                    "customer": cust.ref,
                    "contact": cust.contacts[0],
                    "requested_at": when.isoformat(),
                    "status": "declined",
                }
            )
        cust = self.customers["c-028"]
        self.requests.append(
            {
                "ref": "r-201",
                "customer": cust.ref,
                "contact": cust.contacts[0],
                "requested_at": self.at(self.day(3), 8, 50, cust.tz).isoformat(),
                "status": "open",
            }
        )

    def generic_gifts(self) -> None:
        rng = self.rng
        takers = [
            c
            for c in self.customers.values()
            if c.generic and c.ref not in ("c-no-gifts", "c-tender", "c-public") and c.contacts
        ]
        for n in range(18):
            cust = rng.choice(takers)
            description, category, value, occasion = rng.choice(pools.GIFTS_GIVEN)
            if occasion == "christmas":
                year = self.december.year - rng.choice((0, 1))
                day = self.weekday(dt.date(year, 12, rng.randint(10, 20)), forward=False)
            else:
                day = self.weekday(self.day(rng.randint(10, 700)))
            record: dict[str, Any] = {
                "ref": f"g-{n + 1:03d}",
                "direction": "given",
                "customer": cust.ref,
                "contact": rng.choice(cust.contacts),
                "user": cust.owner,
                "date": day.isoformat(),
                "description": description,
                "category": category,
                "value": {"amount": f"{value}.00", "currency": "SEK"},
            }
            if occasion:
                record["occasion"] = occasion
            if value > 300:
                # Over our per-gift limit: a manager approved it, and the register shows who.
                record["approved_by"] = MANAGER
                approved = self.at(day - dt.timedelta(days=2), 11, 0, "Europe/Stockholm")
                record["approved_at"] = approved.astimezone(ZoneInfo(cust.tz)).isoformat()
            self.gifts.append(record)
        for n in range(6):
            cust = rng.choice(takers)
            description, category, value, occasion = pools.GIFTS_RECEIVED[n % len(pools.GIFTS_RECEIVED)]
            if occasion == "christmas":
                day = self.weekday(dt.date(self.december.year - n % 2, 12, 12), forward=False)
            else:
                day = self.weekday(self.day(rng.randint(10, 700)))
            record = {
                "ref": f"g-{n + 101:03d}",
                "direction": "received",
                "customer": cust.ref,
                "contact": rng.choice(cust.contacts),
                "user": cust.owner,
                "date": day.isoformat(),
                "description": description,
                "category": category,
                "value": {"amount": f"{value}.00", "currency": "SEK"},
            }
            if occasion:
                record["occasion"] = occasion
            self.gifts.append(record)
        public = self.customers["c-public"]
        self.gifts.append(
            {
                "ref": "g-public-fika",
                "direction": "given",
                "customer": public.ref,
                "user": public.owner,
                "date": self.weekday(self.day(150)).isoformat(),
                "description": "Kanelbullar till personalrummet efter utbildningen",
                "category": "food",
                "value": {"amount": "90.00", "currency": "SEK"},
            }
        )
        japan = self.customers["c-jp-osaka"]
        self.gifts.append(
            {
                "ref": "g-osaka-omiyage",
                "direction": "received",
                "customer": japan.ref,
                "contact": japan.contacts[0],
                "user": japan.owner,
                "date": self.weekday(self.day(230)).isoformat(),
                "description": "Grönt te och sötsaker från Kyoto",
                "category": "food",
                "value": {"amount": "300.00", "currency": "SEK"},
            }
        )

    # ---- assembly ----------------------------------------------------------------------------
    def number_meetings(self) -> None:
        self.meetings.sort(key=lambda m: (m.start.astimezone(dt.UTC), m.customer, m.ref))
        n = 0
        for m in self.meetings:
            if not m.ref:
                n += 1
                m.ref = f"m-{n:04d}"

    def number_orders(self) -> None:
        self.orders.sort(key=lambda o: (o["date"], o["customer"], o["ref"]))
        n = 0
        for o in self.orders:
            if not o["ref"]:
                n += 1
                o["ref"] = f"o-{n:04d}"

    def build(self) -> dict[str, Any]:
        self.build_customers()
        self.build_contacts()
        self.story_ningbo()
        self.story_drifting()
        self.story_waiting()
        self.story_lulea()
        self.story_short_trips()
        self.background_meetings()
        self.generic_deals()
        self.generic_orders()
        self.planned_meetings()
        self.number_meetings()
        self.number_orders()
        self.generic_requests()
        self.generic_gifts()
        return {
            "format": FORMAT,
            "users": self.users(),
            "customers": self.customer_json,
            "contacts": self.contacts_json,
            "meetings": [m.to_json() for m in self.meetings],
            "meeting_requests": sorted(self.requests, key=lambda r: r["ref"]),
            "deals": sorted(self.deals, key=lambda d: (d["created"], d["ref"])),
            "orders": self.orders,
            "gifts": sorted(self.gifts, key=lambda g: (g["date"], g["ref"])),
        }


def build_demo(today: dt.date, seed: int = 2025) -> dict[str, Any]:
    """The demo book of business as an exchange-format document, its dates counted back from ``today``."""
    return _Builder(today, seed).build()


def summary(doc: dict[str, Any]) -> str:
    """``62 customers, 260 meetings, …``: what a document holds, for progress lines."""
    kinds = ("customers", "contacts", "meetings", "meeting_requests", "deals", "orders", "gifts")
    return ", ".join(f"{len(doc.get(kind, []))} {kind.replace('_', ' ')}" for kind in kinds)

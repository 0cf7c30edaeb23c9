"""Reading and checking a `kanelbulle-plan/1` problem document (see the plan-problem contract).

Every bad input is a :class:`Problem` with the JSON path of what is wrong, and all of them are
reported at once, so a user fixes a file in one go rather than one error per run. Nothing here
imports Django: the planner is a plain module (problem in, plan out).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMAT = "kanelbulle-plan/1"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODES = ("car", "rail", "air")
MAX_DAYS = 62
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, and where (a JSON path such as ``$.visits[2].minutes``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidProblem(ValueError):
    """The document has one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Band:
    """A fare by distance band: legs whose great-circle km is in [from_km, to_km) (to_km None: no end)."""

    from_km: float
    to_km: float | None
    fixed_cost: Decimal
    cost_per_km: Decimal
    co2_g_per_km: float


@dataclass(frozen=True, slots=True)
class Mode:
    name: str
    factor: float
    speed_kmh: float
    overhead_minutes: float
    min_km: float
    cost_per_km: Decimal
    fixed_cost: Decimal
    co2_g_per_km: float
    bands: tuple[Band, ...] = ()

    def fare(self, great_circle_km: float) -> tuple[Decimal, Decimal, float]:
        """(fixed cost, cost per km, g CO2 per km) for a leg of this great-circle length."""
        for band in self.bands:
            if band.from_km <= great_circle_km and (band.to_km is None or great_circle_km < band.to_km):
                return band.fixed_cost, band.cost_per_km, band.co2_g_per_km
        return self.fixed_cost, self.cost_per_km, self.co2_g_per_km


@dataclass(frozen=True, slots=True)
class Visit:
    ref: str
    lat: float
    lon: float
    minutes: int
    value: Decimal
    required: bool
    windows: tuple[tuple[dt.datetime, dt.datetime], ...]
    time_zone: str | None = None
    overnight_cost: Decimal | None = None  # a hotel night here, when it differs from the seller's


@dataclass(frozen=True, slots=True)
class PlanProblem:
    start: dt.date
    days: int
    time_zone: str
    home_lat: float
    home_lon: float
    workday: tuple[dt.time, dt.time]
    weekdays: frozenset[int]  # 0 = Monday
    overnight_allowed: bool
    overnight_cost: Decimal
    cost_per_hour: Decimal
    modes: dict[str, Mode]
    visits: tuple[Visit, ...]
    currency: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class _Reader:
    """Collects problems while reading; each getter returns None when its value is bad."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.currencies: list[tuple[str, str]] = []  # (currency, path)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def obj(self, raw: Any, path: str, known: set[str], required: set[str]) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.add(path, "must be an object")
            return None
        for key in sorted(set(raw) - known):
            self.add(f"{path}.{key}", "unknown field")
        for key in sorted(required - set(raw)):
            self.add(f"{path}.{key}", "is missing")
        return raw

    def number(
        self, raw: Any, path: str, *, low: float | None = None, high: float | None = None, positive: bool = False
    ) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            self.add(path, f"must be a number, not {json_repr(raw)}")
            return None
        value = float(raw)
        if positive and value <= 0:
            self.add(path, f"must be greater than 0, not {json_repr(raw)}")
            return None
        if low is not None and value < low:
            self.add(path, f"must be at least {low:g}, not {json_repr(raw)}")
            return None
        if high is not None and value > high:
            self.add(path, f"must be at most {high:g}, not {json_repr(raw)}")
            return None
        return value

    def money(self, raw: Any, path: str, *, nonnegative: bool = True) -> Decimal | None:
        got = self.obj(raw, path, {"amount", "currency"}, {"amount", "currency"})
        if got is None or "amount" not in got or "currency" not in got:
            return None
        currency = got["currency"]
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            self.add(f"{path}.currency", f'must be an ISO 4217 code such as "SEK", not {json_repr(currency)}')
        else:
            self.currencies.append((currency, f"{path}.currency"))
        amount = got["amount"]
        if isinstance(amount, bool) or not isinstance(amount, str):
            self.add(f"{path}.amount", f'must be a decimal string such as "120.50", not {json_repr(amount)}')
            return None
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            self.add(f"{path}.amount", f"{json_repr(amount)} is not a decimal number")
            return None
        if not value.is_finite():
            self.add(f"{path}.amount", f"{json_repr(amount)} is not a finite number")
            return None
        if nonnegative and value < 0:
            self.add(f"{path}.amount", f"must not be negative, not {amount}")
            return None
        return value

    def clock(self, raw: Any, path: str) -> dt.time | None:
        if isinstance(raw, str) and len(raw) == 5 and raw[2] == ":":
            try:
                return dt.time.fromisoformat(raw)
            except ValueError:
                pass
        self.add(path, f'must be a time "HH:MM", not {json_repr(raw)}')
        return None

    def moment(self, raw: Any, path: str) -> dt.datetime | None:
        if isinstance(raw, str):
            try:
                value = dt.datetime.fromisoformat(raw)
            except ValueError:
                value = None
            if value is not None:
                if value.tzinfo is None or value.utcoffset() is None:
                    self.add(path, f"{json_repr(raw)} has no UTC offset (write e.g. 2026-11-30T08:00:00+01:00)")
                    return None
                return value
        self.add(path, f"must be a date and time with offset, not {json_repr(raw)}")
        return None

    def zone(self, raw: Any, path: str) -> str | None:
        if isinstance(raw, str) and raw and ".." not in raw and not raw.startswith("/"):
            try:
                ZoneInfo(raw)
                return raw
            except (ZoneInfoNotFoundError, ValueError):
                pass
        self.add(path, f"unknown time zone {json_repr(raw)} (use an IANA name such as Europe/Stockholm)")
        return None


def json_repr(raw: Any) -> str:
    import json

    try:
        text = json.dumps(raw, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_problem(doc: Any) -> PlanProblem:
    """Check a parsed JSON document and return the problem; raise InvalidProblem listing every fault."""
    r = _Reader()
    top = r.obj(
        doc,
        "$",
        {"format", "start", "days", "time_zone", "seller", "travel", "visits", "policy"},
        {"format", "start", "days", "time_zone", "seller", "travel", "visits"},
    )
    if top is None:
        raise InvalidProblem(r.problems)
    if "format" in top and top["format"] != FORMAT:
        r.add("$.format", f'must be "{FORMAT}", not {json_repr(top["format"])}')

    start: dt.date | None = None
    if "start" in top:
        raw = top["start"]
        try:
            start = dt.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
        except ValueError:
            start = None
        if start is None:
            r.add("$.start", f"must be a date YYYY-MM-DD, not {json_repr(raw)}")

    days: int | None = None
    if "days" in top:
        raw = top["days"]
        if isinstance(raw, bool) or not isinstance(raw, int):
            r.add("$.days", f"must be a whole number of days, not {json_repr(raw)}")
        elif not 1 <= raw <= MAX_DAYS:
            r.add("$.days", f"must be between 1 and {MAX_DAYS}, not {raw}")
        else:
            days = raw

    tz = r.zone(top["time_zone"], "$.time_zone") if "time_zone" in top else None
    if "policy" in top and not isinstance(top["policy"], dict):
        r.add("$.policy", "must be an object (the travel policy the figures come from)")

    # The seller.
    home_lat = home_lon = None
    workday: tuple[dt.time, dt.time] | None = None
    weekdays: frozenset[int] | None = None
    overnight_allowed = False
    overnight_cost: Decimal | None = Decimal(0)
    seller = (
        r.obj(top["seller"], "$.seller", {"home", "workday", "weekdays", "overnight"}, {"home", "workday", "weekdays"})
        if "seller" in top
        else None
    )
    if seller is not None:
        if "home" in seller:
            home = r.obj(seller["home"], "$.seller.home", {"lat", "lon"}, {"lat", "lon"})
            if home is not None:
                if "lat" in home:
                    home_lat = r.number(home["lat"], "$.seller.home.lat", low=-90, high=90)
                if "lon" in home:
                    home_lon = r.number(home["lon"], "$.seller.home.lon", low=-180, high=180)
        if "workday" in seller:
            raw = seller["workday"]
            if not isinstance(raw, list) or len(raw) != 2:
                r.add("$.seller.workday", 'must be ["HH:MM", "HH:MM"]')
            else:
                begin = r.clock(raw[0], "$.seller.workday[0]")
                end = r.clock(raw[1], "$.seller.workday[1]")
                if begin is not None and end is not None:
                    if end <= begin:
                        r.add("$.seller.workday", f"ends ({raw[1]}) before it starts ({raw[0]})")
                    else:
                        workday = (begin, end)
        if "weekdays" in seller:
            raw = seller["weekdays"]
            if not isinstance(raw, list) or not raw:
                r.add("$.seller.weekdays", 'must be a non-empty list such as ["mon", "tue"]')
            else:
                found: set[int] = set()
                ok = True
                for i, name in enumerate(raw):
                    if name not in WEEKDAYS:
                        r.add(f"$.seller.weekdays[{i}]", f"must be one of {', '.join(WEEKDAYS)}, not {json_repr(name)}")
                        ok = False
                    elif WEEKDAYS.index(name) in found:
                        r.add(f"$.seller.weekdays[{i}]", f"{name} is listed twice")
                        ok = False
                    else:
                        found.add(WEEKDAYS.index(name))
                if ok:
                    weekdays = frozenset(found)
        if "overnight" in seller:
            night = r.obj(seller["overnight"], "$.seller.overnight", {"allowed", "cost"}, {"allowed"})
            if night is not None:
                if "allowed" in night:
                    if isinstance(night["allowed"], bool):
                        overnight_allowed = night["allowed"]
                    else:
                        r.add("$.seller.overnight.allowed", f"must be true or false, not {json_repr(night['allowed'])}")
                if "cost" in night:
                    overnight_cost = r.money(night["cost"], "$.seller.overnight.cost")
                elif overnight_allowed:
                    r.add("$.seller.overnight.cost", "is missing (a hotel night's price)")

    # Travel.
    cost_per_hour: Decimal | None = None
    modes: dict[str, Mode] = {}
    travel = (
        r.obj(top["travel"], "$.travel", {"cost_per_hour", "modes"}, {"cost_per_hour", "modes"})
        if "travel" in top
        else None
    )
    if travel is not None:
        if "cost_per_hour" in travel:
            cost_per_hour = r.money(travel["cost_per_hour"], "$.travel.cost_per_hour")
        if "modes" in travel:
            raw_modes = travel["modes"]
            if not isinstance(raw_modes, dict):
                r.add("$.travel.modes", "must be an object of modes (car, rail, air)")
            else:
                if "car" not in raw_modes:
                    r.add("$.travel.modes.car", "is missing (car is always a mode)")
                for name, raw_mode in raw_modes.items():
                    path = f"$.travel.modes.{name}"
                    if name not in MODES:
                        r.add(path, f"unknown mode (use {', '.join(MODES)})")
                        continue
                    mode = _mode(r, name, raw_mode, path)
                    if mode is not None:
                        modes[name] = mode

    # Visits.
    visits: list[Visit] = []
    if "visits" in top:
        raw_visits = top["visits"]
        if not isinstance(raw_visits, list):
            r.add("$.visits", "must be a list")
        else:
            seen: dict[str, int] = {}
            for i, raw_visit in enumerate(raw_visits):
                visit = _visit(r, raw_visit, f"$.visits[{i}]")
                if visit is None:
                    continue
                if visit.ref in seen:
                    r.add(
                        f"$.visits[{i}].ref", f"{json_repr(visit.ref)} is already used by $.visits[{seen[visit.ref]}]"
                    )
                    continue
                seen[visit.ref] = i
                visits.append(visit)

    currency = ""
    if r.currencies:
        currency = r.currencies[0][0]
        for code, path in r.currencies[1:]:
            if code != currency:
                r.add(path, f"mixed currencies: {code} here, {currency} at {r.currencies[0][1]} (use one currency)")

    if r.problems:
        raise InvalidProblem(r.problems)
    assert start is not None and days is not None and tz is not None
    assert home_lat is not None and home_lon is not None and workday is not None and weekdays is not None
    assert cost_per_hour is not None and overnight_cost is not None
    return PlanProblem(
        start=start,
        days=days,
        time_zone=tz,
        home_lat=home_lat,
        home_lon=home_lon,
        workday=workday,
        weekdays=weekdays,
        overnight_allowed=overnight_allowed,
        overnight_cost=overnight_cost,
        cost_per_hour=cost_per_hour,
        modes=modes,
        visits=tuple(visits),
        currency=currency,
        raw=top,
    )


MODE_FIELDS = {
    "factor",
    "speed_kmh",
    "overhead_minutes",
    "min_km",
    "cost_per_km",
    "fixed_cost",
    "co2_g_per_km",
    "bands",
}
BAND_FIELDS = {"from_km", "to_km", "fixed_cost", "cost_per_km", "co2_g_per_km"}


def _mode(r: _Reader, name: str, raw: Any, path: str) -> Mode | None:
    got = r.obj(raw, path, MODE_FIELDS, {"factor", "speed_kmh", "cost_per_km", "co2_g_per_km"})
    if got is None:
        return None
    before = len(r.problems)
    factor = r.number(got["factor"], f"{path}.factor", low=1) if "factor" in got else None
    speed = r.number(got["speed_kmh"], f"{path}.speed_kmh", positive=True) if "speed_kmh" in got else None
    overhead = r.number(got.get("overhead_minutes", 0), f"{path}.overhead_minutes", low=0)
    min_km = r.number(got.get("min_km", 0), f"{path}.min_km", low=0)
    per_km = r.money(got["cost_per_km"], f"{path}.cost_per_km") if "cost_per_km" in got else None
    fixed = r.money(got["fixed_cost"], f"{path}.fixed_cost") if "fixed_cost" in got else Decimal(0)
    co2 = r.number(got["co2_g_per_km"], f"{path}.co2_g_per_km", low=0) if "co2_g_per_km" in got else None
    if len(r.problems) > before:
        return None
    assert factor is not None and speed is not None and overhead is not None and min_km is not None
    assert per_km is not None and fixed is not None and co2 is not None
    if name == "car" and min_km > 0:
        r.add(f"{path}.min_km", "must be 0 for car (every leg can be driven)")
        return None
    bands = _bands(r, got["bands"], f"{path}.bands") if "bands" in got else ()
    if bands is None:
        return None
    return Mode(name, factor, speed, overhead, min_km, per_km, fixed, co2, bands)


def _bands(r: _Reader, raw: Any, path: str) -> tuple[Band, ...] | None:
    """Fares by distance band: from 0 km, each band starting where the one before ends, the last open."""
    if not isinstance(raw, list) or not raw:
        r.add(path, "must be a non-empty list of distance bands")
        return None
    before = len(r.problems)
    out: list[Band] = []
    for i, item in enumerate(raw):
        bpath = f"{path}[{i}]"
        got = r.obj(item, bpath, BAND_FIELDS, BAND_FIELDS)
        if got is None or set(got) != BAND_FIELDS:
            continue
        low = r.number(got["from_km"], f"{bpath}.from_km", low=0)
        high = None if got["to_km"] is None else r.number(got["to_km"], f"{bpath}.to_km", positive=True)
        fixed = r.money(got["fixed_cost"], f"{bpath}.fixed_cost")
        per_km = r.money(got["cost_per_km"], f"{bpath}.cost_per_km")
        co2 = r.number(got["co2_g_per_km"], f"{bpath}.co2_g_per_km", low=0)
        if low is None or fixed is None or per_km is None or co2 is None:
            continue
        if high is not None and high <= low:
            r.add(f"{bpath}.to_km", f"must be greater than from_km ({low:g}), not {high:g}")
            continue
        if not out and low != 0:
            r.add(f"{bpath}.from_km", f"the first band must start at 0 km, not {low:g}")
        elif out:
            end = out[-1].to_km
            if end is None or low < end:
                r.add(
                    f"{bpath}.from_km",
                    f"overlaps the band before it (which ends at {end if end is not None else 'no end'} km)",
                )
            elif low > end:
                r.add(f"{bpath}.from_km", f"leaves a gap after the band before it (which ends at {end:g} km)")
        out.append(Band(low, high, fixed, per_km, co2))
    if len(r.problems) > before:
        return None
    if out[-1].to_km is not None:
        r.add(f"{path}[{len(out) - 1}].to_km", "the last band must have no end (null)")
        return None
    return tuple(out)


VISIT_FIELDS = {
    "ref", "lat", "lon", "minutes", "value", "required", "windows", "time_zone", "name", "overnight_cost",
}  # fmt: skip


def _visit(r: _Reader, raw: Any, path: str) -> Visit | None:
    got = r.obj(raw, path, VISIT_FIELDS, {"ref", "lat", "lon", "minutes", "windows"})
    if got is None:
        return None
    before = len(r.problems)
    ref = got.get("ref")
    if "ref" in got and (not isinstance(ref, str) or not ref.strip()):
        r.add(f"{path}.ref", f"must be a non-empty string, not {json_repr(ref)}")
    lat = r.number(got["lat"], f"{path}.lat", low=-90, high=90) if "lat" in got else None
    lon = r.number(got["lon"], f"{path}.lon", low=-180, high=180) if "lon" in got else None
    minutes: int | None = None
    if "minutes" in got:
        m = got["minutes"]
        if isinstance(m, bool) or not isinstance(m, int):
            r.add(f"{path}.minutes", f"must be a whole number of minutes, not {json_repr(m)}")
        elif m <= 0:
            r.add(f"{path}.minutes", f"a visit's duration must be positive, not {m}")
        elif m > 24 * 60:
            r.add(f"{path}.minutes", f"a visit longer than a day ({m} minutes) cannot be planned")
        else:
            minutes = m
    value = r.money(got["value"], f"{path}.value") if "value" in got else Decimal(0)
    night = r.money(got["overnight_cost"], f"{path}.overnight_cost") if "overnight_cost" in got else None
    required = got.get("required", False)
    if not isinstance(required, bool):
        r.add(f"{path}.required", f"must be true or false, not {json_repr(required)}")
    tz = r.zone(got["time_zone"], f"{path}.time_zone") if "time_zone" in got else None
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    raw_windows = got.get("windows")
    if "windows" in got:
        if not isinstance(raw_windows, list) or not raw_windows:
            r.add(f"{path}.windows", 'must be a non-empty list of ["from", "to"] pairs')
        else:
            for j, pair in enumerate(raw_windows):
                wpath = f"{path}.windows[{j}]"
                if not isinstance(pair, list) or len(pair) != 2:
                    r.add(wpath, 'must be a pair ["from", "to"]')
                    continue
                begin = r.moment(pair[0], f"{wpath}[0]")
                end = r.moment(pair[1], f"{wpath}[1]")
                if begin is None or end is None:
                    continue
                if end <= begin:
                    r.add(wpath, f"ends ({pair[1]}) before it starts ({pair[0]})")
                    continue
                if minutes is not None and (end - begin) < dt.timedelta(minutes=minutes):
                    # Not an error alone (another window may fit); kept and reported if no window fits.
                    pass
                windows.append((begin, end))
    if len(r.problems) > before:
        return None
    assert isinstance(ref, str) and lat is not None and lon is not None and minutes is not None and value is not None
    return Visit(ref, lat, lon, minutes, value, bool(required), tuple(windows), tz, night)

"""Dated exchange rates (the European Central Bank's reference rates) and conversion between currencies.

Rates are stored as "units of currency per euro" on a date, as the ECB publishes them. A
conversion uses the latest rate on or before the date asked for (the ECB publishes on working
days only); the euro is always 1, and every other pair is crossed through the euro. A currency
with no rate on or before the date is an error that names both: never a silent 1:1.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kanelbulle.core.models import ExchangeRate
from kanelbulle.core.money import AMOUNT_PLACES, Money

RATE_PLACES = 6
_RATE_QUANT = Decimal(1).scaleb(-RATE_PLACES)
_MONEY_QUANT = Decimal(1).scaleb(-AMOUNT_PLACES)
_CODE = re.compile(r"^[A-Z]{3}$")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}


class NoRate(LookupError):
    """No rate for a currency on or before a date."""

    def __init__(self, currency: str, on_date: dt.date) -> None:
        self.currency = currency
        self.on_date = on_date
        super().__init__(
            _("no exchange rate for %(currency)s on or before %(date)s; load rates with `kanelbulle rates import`")
            % {"currency": currency, "date": on_date.isoformat()}
        )


class RateFileError(ValueError):
    """The rate file cannot be read; ``problems`` holds one plain line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class RatesReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    currencies: tuple[str, ...] = ()


def _parse_date(text: str) -> dt.date:
    """``2025-11-21`` (historical file) or ``21 November 2025`` (daily file), locale-independent."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.split()
    if len(parts) == 3 and parts[1].lower() in _MONTHS and parts[0].isdigit() and parts[2].isdigit():
        return dt.date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
    raise ValueError(text)


def parse_ecb_csv(text: str, *, name: str = "rates") -> list[tuple[dt.date, str, Decimal]]:
    """The rows of an ECB reference-rate CSV (daily ``eurofxref.csv`` or ``eurofxref-hist.csv``).

    Header ``Date, USD, JPY, ...`` (values per euro), ``N/A`` or an empty cell for a missing
    value, and the bank's trailing commas and spaces tolerated. Raises RateFileError listing
    every problem.
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise RateFileError([_("%(name)s: the file is empty") % {"name": name}])
    header = [cell.strip() for cell in rows[0]]
    if not header or header[0].lower() != "date":
        raise RateFileError(
            [_("%(name)s: not an ECB reference-rate file (the first column must be Date)") % {"name": name}]
        )
    while header and not header[-1]:
        header.pop()
    problems: list[str] = []
    for col, code in enumerate(header[1:], start=2):
        if not _CODE.match(code):
            problems.append(
                _("%(name)s line 1, column %(col)s: %(code)r is not a currency code")
                % {"name": name, "col": col, "code": code}
            )
    if problems:
        raise RateFileError(problems)
    out: list[tuple[dt.date, str, Decimal]] = []
    seen: set[tuple[dt.date, str]] = set()
    for lineno, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()
        if len(cells) > len(header):
            problems.append(
                _("%(name)s line %(line)s: %(got)s values for %(want)s columns")
                % {"name": name, "line": lineno, "got": len(cells), "want": len(header)}
            )
            continue
        try:
            day = _parse_date(cells[0])
        except ValueError:
            problems.append(
                _("%(name)s line %(line)s: %(value)r is not a date") % {"name": name, "line": lineno, "value": cells[0]}
            )
            continue
        for code, raw in zip(header[1:], cells[1:], strict=False):
            if raw in ("", "N/A", "n/a", "-"):
                continue
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value = Decimal(0)
            if not value.is_finite() or value <= 0:
                problems.append(
                    _("%(name)s line %(line)s, %(code)s: %(value)r is not a positive decimal rate")
                    % {"name": name, "line": lineno, "code": code, "value": raw}
                )
                continue
            if (day, code) in seen:
                problems.append(
                    _("%(name)s line %(line)s: a second %(code)s rate for %(date)s")
                    % {"name": name, "line": lineno, "code": code, "date": day.isoformat()}
                )
                continue
            seen.add((day, code))
            out.append((day, code, value.quantize(_RATE_QUANT)))
    if problems:
        raise RateFileError(problems)
    return out


def store_rates(rows: Iterable[tuple[dt.date, str, Decimal]]) -> RatesReport:
    """Upsert rates per (date, currency) in one transaction; unchanged rows are not written."""
    wanted = {(day, code): Decimal(value).quantize(_RATE_QUANT) for day, code, value in rows}
    report = RatesReport()
    if not wanted:
        return report
    days = [day for day, _code in wanted]
    report.first, report.last = min(days), max(days)
    report.currencies = tuple(sorted({code for _day, code in wanted}))
    existing = {
        (r.date, r.currency): r
        for r in ExchangeRate.objects.filter(
            date__gte=report.first, date__lte=report.last, currency__in=report.currencies
        )
    }
    new: list[ExchangeRate] = []
    changed: list[ExchangeRate] = []
    for (day, code), value in sorted(wanted.items()):
        known = existing.get((day, code))
        if known is None:
            new.append(ExchangeRate(date=day, currency=code, per_eur=value))
        elif known.per_eur != value:
            known.per_eur = value
            changed.append(known)
        else:
            report.unchanged += 1
    with transaction.atomic():
        ExchangeRate.objects.bulk_create(new, batch_size=2000)
        ExchangeRate.objects.bulk_update(changed, ["per_eur"], batch_size=2000)
    report.created, report.updated = len(new), len(changed)
    return report


def import_ecb_file(path: str | Path) -> RatesReport:
    """Load an ECB CSV file (raises RateFileError for a missing or unreadable file too)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RateFileError([_("%(name)s: no such file") % {"name": str(path)}]) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise RateFileError([_("%(name)s: cannot be read (%(why)s)") % {"name": str(path), "why": exc}]) from None
    return store_rates(parse_ecb_csv(text, name=str(path)))


class RateBook:
    """All stored rates in memory, for converting many amounts without a query each.

    Build one per request or command run; it does not see rates stored after it was built.
    """

    def __init__(self, rows: Iterable[tuple[dt.date, str, Decimal]] | None = None) -> None:
        if rows is None:
            rows = ExchangeRate.objects.order_by("currency", "date").values_list("date", "currency", "per_eur")
        by_currency: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for day, code, value in rows:
            by_currency.setdefault(code, []).append((day, Decimal(value)))
        self._dates: dict[str, list[dt.date]] = {}
        self._values: dict[str, list[Decimal]] = {}
        for code, pairs in by_currency.items():
            pairs.sort()
            self._dates[code] = [d for d, _v in pairs]
            self._values[code] = [v for _d, v in pairs]

    def per_eur(self, currency: str, on_date: dt.date) -> Decimal:
        if currency == "EUR":
            return Decimal(1)
        dates = self._dates.get(currency, [])
        i = bisect.bisect_right(dates, on_date)
        if i == 0:
            raise NoRate(currency, on_date)
        return self._values[currency][i - 1]

    def convert(self, money: Money, to_currency: str, on_date: dt.date) -> Money:
        if money.currency == to_currency:
            return money
        return _cross(money, to_currency, self.per_eur(money.currency, on_date), self.per_eur(to_currency, on_date))


def per_eur(currency: str, on_date: dt.date) -> Decimal:
    """Units of ``currency`` per euro on ``on_date`` (the latest rate on or before it)."""
    if currency == "EUR":
        return Decimal(1)
    value = (
        ExchangeRate.objects.filter(currency=currency, date__lte=on_date)
        .order_by("-date")
        .values_list("per_eur", flat=True)
        .first()
    )
    if value is None:
        raise NoRate(currency, on_date)
    return Decimal(value)


def convert(money: Money, to_currency: str, on_date: dt.date) -> Money:
    """``money`` in ``to_currency`` at the rates of ``on_date``, rounded to cents (half to even).

    Raises NoRate naming the currency and the date when either side has no rate then.
    """
    if money.currency == to_currency:
        return money
    return _cross(money, to_currency, per_eur(money.currency, on_date), per_eur(to_currency, on_date))


def _cross(money: Money, to_currency: str, from_rate: Decimal, to_rate: Decimal) -> Money:
    amount = (money.amount / from_rate * to_rate).quantize(_MONEY_QUANT, rounding=ROUND_HALF_EVEN)
    return Money(amount, to_currency)

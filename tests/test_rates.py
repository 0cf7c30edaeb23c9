"""`kanelbulle rates import` (the ECB's CSV files) and conversion at the rate of a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kanelbulle.core.models import ExchangeRate
from kanelbulle.core.money import Money
from kanelbulle.core.rates import NoRate, RateBook, convert
from tests.cli import run

pytestmark = pytest.mark.django_db

# As the bank publishes them: the daily file has a spaced header and a trailing ", ".
DAILY = (
    "Date, USD, JPY, BGN, CZK, DKK, GBP, HUF, PLN, RON, SEK, CHF, ISK, NOK, TRY, AUD, \n"
    "21 November 2025, 1.1512, 181.95, 1.9558, 24.247, 7.4691, 0.87900, 384.38, 4.2395, 5.0852, "
    "10.9945, 0.9300, 147.00, 11.7275, 48.8315, 1.7861, \n"
)
# The historical file: newest first, N/A for currencies not quoted then, a trailing comma.
HIST = (
    "Date,USD,JPY,SEK,NOK,CYP,\n"
    "2025-11-21,1.1512,181.95,10.9945,11.7275,N/A,\n"
    "2025-11-20,1.1530,181.20,11.0100,11.7000,N/A,\n"
    "2025-11-17,1.1600,180.00,11.0500,N/A,N/A,\n"
    "2007-12-31,1.4721,163.55,9.4415,7.9580,0.585274,\n"
)


def write(tmp_path: Path, text: str, name: str = "eurofxref.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_daily_file_loads_and_loading_it_again_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, DAILY)
    result = run("rates", "import", path)
    assert result.code == 0, result.err
    assert result.out.strip() == "rates 2025-11-21..2025-11-21 for 15 currencies: 15 created, 0 updated, 0 unchanged"
    assert ExchangeRate.objects.get(currency="SEK").per_eur == Decimal("10.9945")
    again = run("rates", "import", path)
    assert "0 created, 0 updated, 15 unchanged" in again.out


def test_the_historical_file_loads_skipping_missing_values(tmp_path: Path) -> None:
    result = run("rates", "import", write(tmp_path, HIST, "eurofxref-hist.csv"))
    assert result.code == 0, result.err
    assert ExchangeRate.objects.count() == 4 * 5 - 4  # the four N/A cells are not stored
    assert ExchangeRate.objects.get(currency="NOK", date=dt.date(2007, 12, 31)).per_eur == Decimal("7.958")


def test_a_changed_rate_is_updated(tmp_path: Path) -> None:
    run("rates", "import", write(tmp_path, HIST))
    result = run("rates", "import", write(tmp_path, HIST.replace("10.9945", "10.9900")))
    assert "1 updated" in result.out
    assert ExchangeRate.objects.get(currency="SEK", date=dt.date(2025, 11, 21)).per_eur == Decimal("10.99")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", "eurofxref.csv: the file is empty"),
        ("Currency,USD\n", "eurofxref.csv: not an ECB reference-rate file (the first column must Date)"),
        ("Date,USD\n2025-13-01,1.1\n", "eurofxref.csv line 2: '2025-13-01' is not a date"),
        ("Date,USD\n2025-11-21,1,1\n", "eurofxref.csv line 2: 3 values for 2 columns"),
        ("Date,USD\n2025-11-21,abc\n", "eurofxref.csv line 2, USD: 'abc' is not a positive decimal rate"),
        ("Date,usd\n", "eurofxref.csv line 1, column 2: 'usd' is not a currency code"),
    ],
)
def test_a_bad_rate_file_is_refused_with_one_line_and_stores_nothing(tmp_path: Path, text: str, line: str) -> None:
    run("rates", "import", write(tmp_path, DAILY))
    result = run("rates", "import", write(tmp_path, text, "eurofxref.csv"))
    assert result.code == 2
    assert [x.replace(str(tmp_path) + "/", "") for x in result.err_lines] == [line.replace("must Date", "must be Date")]
    assert ExchangeRate.objects.count() == 15


def test_a_missing_file(tmp_path: Path) -> None:
    result = run("rates", "import", str(tmp_path / "none.csv"))
    assert (result.code, result.err_lines) == (2, [f"{tmp_path / 'none.csv'}: no such file"])


def test_convert_uses_the_latest_rate_on_or_before_the_date_crossing_through_the_euro(tmp_path: Path) -> None:
    run("rates", "import", write(tmp_path, HIST))
    # A Saturday uses Friday's rate; the 18th and 19th (no file rows) use the 17th's.
    assert convert(Money(Decimal("100.00"), "EUR"), "SEK", dt.date(2025, 11, 22)) == Money(Decimal("1099.45"), "SEK")
    assert convert(Money(Decimal("1105.00"), "SEK"), "EUR", dt.date(2025, 11, 19)) == Money(Decimal("100.00"), "EUR")
    # Cross rate: 1000 SEK -> EUR at 11.01 -> USD at 1.1530.
    assert convert(Money(Decimal("1000.00"), "SEK"), "USD", dt.date(2025, 11, 20)) == Money(Decimal("104.72"), "USD")
    assert convert(Money(Decimal("5.00"), "SEK"), "SEK", dt.date(1990, 1, 1)) == Money(Decimal("5.00"), "SEK")
    book = RateBook()
    assert book.convert(Money(Decimal("1000.00"), "SEK"), "USD", dt.date(2025, 11, 20)) == Money(
        Decimal("104.72"), "USD"
    )


def test_no_rate_on_or_before_the_date_is_an_error_naming_currency_and_date(tmp_path: Path) -> None:
    run("rates", "import", write(tmp_path, HIST))
    with pytest.raises(NoRate, match=r"no exchange rate for SEK on or before 2000-01-01"):
        convert(Money(Decimal("1.00"), "SEK"), "EUR", dt.date(2000, 1, 1))
    with pytest.raises(NoRate, match=r"no exchange rate for GBP on or before 2025-11-21"):
        RateBook().convert(Money(Decimal("1.00"), "EUR"), "GBP", dt.date(2025, 11, 21))

"""The gift check as plain data: every reason code triggers, and narrowly does not."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from kanelbulle.core.money import Money
from kanelbulle.gifts.rules import GiftRequest, OurPolicy, PastGift, check_gift

POLICY = OurPolicy(
    currency="SEK",
    per_gift_limit=Decimal("300.00"),
    per_recipient_year_limit=Decimal("1000.00"),
    public_sector_token=Decimal("100.00"),
    never_categories=("cash_equivalent",),
)
DAY = dt.date(2025, 12, 18)
# A stored rate: 1 EUR = 11.00 SEK on every day (EUR per EUR is 1).
RATES = {"EUR": Decimal("1"), "SEK": Decimal("11.00"), "USD": Decimal("1.10")}


def rates(money: Money, to: str, on: dt.date) -> Money:
    if money.currency == to:
        return money
    return Money((money.amount / RATES[money.currency] * RATES[to]).quantize(Decimal("0.01")), to)


def sek(amount: str) -> Money:
    return Money(Decimal(amount), "SEK")


def gift(amount: str = "200.00", currency: str = "SEK", **kw: object) -> GiftRequest:
    base = GiftRequest(
        direction="given",
        category="food",
        description="Chocolate and butter cookies",
        value=Money(Decimal(amount), currency),
        date=DAY,
        country="SE",
        customer="c-1",
        recipient="p-1",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def run(request: GiftRequest, history: list[PastGift] | None = None) -> tuple[str, list[str]]:
    v = check_gift(request, our_policy=POLICY, history=history or [], rates=rates)
    return v.verdict, v.codes


def test_a_small_gift_is_ok_with_no_reasons() -> None:
    assert run(gift("200.00")) == ("ok", [])


def test_the_answer_has_exactly_the_contract_shape() -> None:
    v = check_gift(gift("312.00"), our_policy=POLICY, rates=rates)
    doc = v.to_json()
    assert set(doc) == {"verdict", "reasons", "etiquette"}
    assert doc["reasons"] == [
        {"code": "over_our_limit", "message": doc["reasons"][0]["message"]},
    ]
    assert "SEK\xa0312 is above our limit of SEK\xa0300 per gift (excl. VAT)" in doc["reasons"][0]["message"]


@pytest.mark.parametrize(
    ("request_", "verdict", "code"),
    [
        (gift(category="cash_equivalent"), "no", "cash_equivalent"),
        (gift(category="object", description="Presentkort på ICA"), "no", "cash_equivalent"),
        (gift(category="object", description="Gift card, 200 SEK"), "no", "cash_equivalent"),
        (gift(accepts_gifts=False), "no", "customer_accepts_no_gifts"),
        (gift("150.01", customer_max=sek("150.00")), "no", "over_customer_limit"),
        (gift(tender_open_until=DAY), "no", "open_tender"),
        (gift("100.01", public_sector=True), "no", "public_sector"),
        (gift("100.00", public_sector=True), "ask", "public_sector"),
        (gift("300.01"), "ask", "over_our_limit"),
    ],
)
def test_each_reason_triggers_with_its_verdict(request_: GiftRequest, verdict: str, code: str) -> None:
    got_verdict, codes = run(request_)
    assert code in codes
    assert got_verdict == verdict


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (gift(category="food", description="Chocolate and a card"), "cash_equivalent"),
        (gift(category="object", description="Cashmere scarf"), "cash_equivalent"),
        (gift(accepts_gifts=None), "customer_accepts_no_gifts"),
        (gift(accepts_gifts=True), "customer_accepts_no_gifts"),
        (gift("150.00", customer_max=sek("150.00")), "over_customer_limit"),
        (gift(tender_open_until=DAY - dt.timedelta(days=1)), "open_tender"),
        (gift("300.00"), "over_our_limit"),
    ],
)
def test_each_reason_narrowly_does_not_trigger(request_: GiftRequest, code: str) -> None:
    verdict, codes = run(request_)
    assert code not in codes
    assert verdict == "ok"


def test_public_sector_at_the_token_value_asks_and_one_ore_above_refuses_with_the_reason() -> None:
    v = check_gift(gift("100.01", public_sector=True), our_policy=POLICY, rates=rates)
    assert v.verdict == "no"
    assert "above our token value of SEK\xa0100" in v.reasons[0].message
    assert run(gift("100.00", public_sector=True))[0] == "ask"
    assert "public_sector" not in run(gift("500.00", public_sector=False))[1]


def test_limits_compare_in_company_currency_at_the_stored_rate() -> None:
    # 300 SEK at 11 SEK/EUR is 27.27 EUR -> 299.97 SEK; 27.28 EUR -> 300.08 SEK.
    assert "over_our_limit" not in run(gift("27.27", "EUR"))[1]
    v = check_gift(gift("27.28", "EUR"), our_policy=POLICY, rates=rates)
    assert v.codes == ["over_our_limit"]
    assert "€27.28 (SEK\xa0300.08)" in v.reasons[0].message


def test_the_customer_limit_in_its_own_currency_is_converted_too() -> None:
    # Customer max 20 EUR = 220.00 SEK.
    assert "over_customer_limit" in run(gift("220.01", customer_max=Money(Decimal("20.00"), "EUR")))[1]
    assert "over_customer_limit" not in run(gift("220.00", customer_max=Money(Decimal("20.00"), "EUR")))[1]


def test_open_tender_ends_the_day_after_its_date() -> None:
    assert run(gift(tender_open_until=DAY + dt.timedelta(days=30)))[0] == "no"
    assert run(gift(tender_open_until=DAY - dt.timedelta(days=1)))[0] == "ok"


def past(day: dt.date, amount: str, currency: str = "SEK", **kw: object) -> PastGift:
    return PastGift(direction=kw.pop("direction", "given"), date=day, value=Money(Decimal(amount), currency), **kw)  # type: ignore[arg-type]


def test_yearly_total_passes_the_limit_one_ore_above() -> None:
    history = [past(DAY - dt.timedelta(days=100), "300.00", recipient="p-1"),
               past(DAY - dt.timedelta(days=200), "300.00", recipient="p-1"),
               past(DAY - dt.timedelta(days=300), "200.00", recipient="p-1")]  # fmt: skip
    assert run(gift("200.00"), history) == ("ok", [])  # exactly 1000.00
    verdict, codes = run(gift("200.01"), history)
    assert (verdict, codes) == ("ask", ["yearly_total"])


def test_yearly_total_counts_only_the_last_12_months_and_the_same_recipient() -> None:
    history = [past(DAY.replace(year=2024), "900.00", recipient="p-1"),  # exactly a year ago: outside
               past(DAY - dt.timedelta(days=10), "900.00", recipient="p-2"),  # someone else
               past(DAY - dt.timedelta(days=10), "900.00", recipient="p-1", direction="received")]  # fmt: skip
    assert "yearly_total" not in run(gift("200.00"), history)[1]
    history.append(past(DAY.replace(year=2024) + dt.timedelta(days=1), "900.00", recipient="p-1"))
    assert "yearly_total" in run(gift("200.00"), history)[1]


def test_yearly_total_converts_each_earlier_gift_at_its_rate() -> None:
    history = [past(DAY - dt.timedelta(days=30), "72.73", "EUR", recipient="p-1")]  # 800.03 SEK
    assert "yearly_total" not in run(gift("199.97"), history)[1]
    assert "yearly_total" in run(gift("199.98"), history)[1]


def test_the_same_occasion_three_years_running_becomes_an_expectation() -> None:
    history = [past(dt.date(2023, 12, 15), "200.00", occasion="Christmas"),
               past(dt.date(2024, 12, 16), "200.00", occasion="christmas")]  # fmt: skip
    verdict, codes = run(gift(occasion="Christmas"), history)
    assert (verdict, codes) == ("ask", ["expectation"])
    # Two years only, or another occasion, or a gap year: no pattern.
    assert run(gift(occasion="Christmas"), history[1:]) == ("ok", [])
    assert run(gift(occasion="Midsummer"), history) == ("ok", [])
    gap = [past(dt.date(2022, 12, 15), "200.00", occasion="Christmas"), history[1]]
    assert run(gift(occasion="Christmas"), gap) == ("ok", [])


def test_rising_value_year_on_year_becomes_an_expectation() -> None:
    history = [past(dt.date(2023, 6, 1), "100.00"), past(dt.date(2024, 6, 1), "150.00")]
    verdict, codes = run(gift("150.01"), history)
    assert (verdict, codes) == ("ask", ["expectation"])
    assert run(gift("150.00"), history) == ("ok", [])  # level, not rising


def test_the_worst_reason_sets_the_verdict_and_all_reasons_are_listed() -> None:
    verdict, codes = run(gift("400.00", accepts_gifts=False))
    assert verdict == "no"
    assert codes == ["customer_accepts_no_gifts", "over_our_limit"]


def test_received_gifts_are_checked_against_our_policy_only() -> None:
    received = gift("400.00", direction="received", accepts_gifts=False, tender_open_until=DAY, public_sector=True)
    v = check_gift(received, our_policy=POLICY, rates=rates)
    assert (v.verdict, v.codes) == ("ask", ["over_our_limit"])
    assert "declare it" in v.reasons[0].message
    cash = check_gift(gift(direction="received", category="cash_equivalent"), our_policy=POLICY, rates=rates)
    assert cash.verdict == "no"
    assert "return it" in cash.reasons[0].message


def test_a_missing_rate_is_an_error_not_a_silent_one_to_one() -> None:
    with pytest.raises(KeyError):
        check_gift(gift("10.00", "JPY"), our_policy=POLICY, rates=rates)


def test_messages_follow_the_users_language() -> None:
    from django.utils import translation

    with translation.override("sv"):
        v = check_gift(gift("312.00"), our_policy=POLICY, rates=rates)
    assert "312\xa0kr är över vår gräns på 300\xa0kr per gåva (exkl. moms)" in v.reasons[0].message

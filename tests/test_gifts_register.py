"""The register: record, approve, void, change (with history), the CLI check and the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Customer
from kanelbulle.gifts.actions import (
    GiftError,
    GiftRefused,
    GiftStateError,
    approve_gift,
    parse_input,
    record_gift,
    update_gift,
    update_policy,
    void_gift,
)
from kanelbulle.gifts.models import Gift, GiftChange, GiftPolicy
from tests.cli import run
from tests.gifts_helpers import DAY, FAST_HASHERS, gift_book
from tests.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas' Argon2 hashing costs about a second each; these tests are not about passwords."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def book(personas: Personas) -> Customer:
    return gift_book(personas.seller)


def data(actor: object = None, **kw: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "customer": "c-lulea-1",
        "contact": "p-1",
        "amount": "250.00",
        "currency": "SEK",
        "description": "Chocolate and butter cookies",
        "category": "food",
        "date": DAY.isoformat(),
        "direction": "given",
        "occasion": "christmas",
    }
    fields.update(kw)
    return parse_input(actor, **fields)  # type: ignore[arg-type]


def test_a_gift_is_stored_with_its_company_value_policy_version_and_history(book: Customer, personas: Personas) -> None:
    gift, result = record_gift(personas.seller, data(personas.seller, amount="20.00", currency="EUR"))
    gift.refresh_from_db()
    assert result.verdict == "ok"
    assert gift.value_company_amount == Decimal("220.00") and gift.value_company_currency == "SEK"
    assert gift.policy == GiftPolicy.current() and gift.policy.version == 1
    assert gift.user == personas.seller and gift.recorded_by == personas.seller
    assert gift.ref.startswith("g-")
    assert [c.action for c in gift.changes.all()] == ["create"]
    assert AuditEntry.objects.filter(kind="gift", ref=gift.ref, action="create").exists()


def test_the_demo_received_chocolate_goes_into_the_register(book: Customer, personas: Personas) -> None:
    gift, result = record_gift(personas.seller, data(personas.seller, direction="received"))
    assert gift.direction == "received" and result.verdict == "ok"
    assert any(e["code"] == "received_declare" for e in gift.etiquette)


def test_a_refused_gift_is_not_stored(book: Customer, personas: Personas) -> None:
    Customer.objects.filter(pk=book.pk).update(public_sector=True)
    with pytest.raises(GiftRefused) as exc:
        record_gift(personas.seller, data(personas.seller, amount="100.01"))
    assert exc.value.check.codes == ["public_sector"]
    assert Gift.objects.count() == 0


def test_a_received_cash_gift_is_registered_to_be_returned(book: Customer, personas: Personas) -> None:
    gift, result = record_gift(personas.seller, data(personas.seller, direction="received", category="cash_equivalent"))
    assert result.verdict == "no" and gift.verdict == "no"


def test_an_ask_gift_waits_for_a_manager_and_the_approval_is_recorded(book: Customer, personas: Personas) -> None:
    gift, result = record_gift(personas.seller, data(personas.seller, amount="312.00"))
    assert result.verdict == "ask" and gift.status == "pending"
    with pytest.raises(PermissionDenied):
        approve_gift(personas.other_seller, gift)
    with pytest.raises(PermissionDenied):
        approve_gift(personas.seller, gift)
    approve_gift(personas.manager, gift, note="Customer anniversary")
    gift.refresh_from_db()
    assert gift.status == "approved"
    assert gift.approved_by == personas.manager and gift.approved_at is not None
    assert [c.action for c in gift.changes.all()] == ["create", "approve"]
    with pytest.raises(GiftStateError):
        approve_gift(personas.admin, gift)


def test_a_manager_of_another_team_cannot_see_let_alone_approve(book: Customer, personas: Personas) -> None:
    from kanelbulle.core.access import NotVisible

    gift, _ = record_gift(personas.seller, data(personas.seller, amount="312.00"))
    with pytest.raises(NotVisible):
        approve_gift(personas.outsider, gift)


def test_void_keeps_the_record_with_who_when_why(book: Customer, personas: Personas) -> None:
    gift, _ = record_gift(personas.seller, data(personas.seller))
    with pytest.raises(GiftError):
        void_gift(personas.seller, gift, "  ")
    void_gift(personas.seller, gift, "Entered twice")
    gift.refresh_from_db()
    assert gift.status == "voided" and gift.voided_by == personas.seller and gift.void_reason == "Entered twice"
    assert Gift.objects.filter(pk=gift.pk).exists()
    assert AuditEntry.objects.filter(kind="gift", ref=gift.ref, action="void").exists()
    with pytest.raises(GiftStateError):
        void_gift(personas.seller, gift, "again")


def test_voided_gifts_do_not_count_towards_the_yearly_total(book: Customer, personas: Personas) -> None:
    for _i in range(3):
        record_gift(personas.seller, data(personas.seller, amount="300.00", occasion=""))
    assert record_gift(personas.seller, data(personas.seller, amount="200.00", occasion=""))[1].codes == [
        "yearly_total"
    ]
    for g in Gift.objects.filter(value_amount=Decimal("300.00")):
        void_gift(personas.manager, g, "test")
    assert record_gift(personas.seller, data(personas.seller, amount="200.00", occasion=""))[1].codes == []


def test_a_change_is_kept_as_history_and_drops_an_earlier_approval(book: Customer, personas: Personas) -> None:
    gift, _ = record_gift(personas.seller, data(personas.seller, amount="312.00"))
    approve_gift(personas.manager, gift)
    gift.refresh_from_db()
    gift, result = update_gift(personas.seller, gift, amount="350.00", description="Chocolate, larger box")
    assert result.verdict == "ask" and gift.status == "pending" and gift.approved_by is None
    change = gift.changes.get(action="update")
    assert change.actor == personas.seller
    assert change.changes["value"] == [
        {"amount": "312.00", "currency": "SEK"},
        {"amount": "350.00", "currency": "SEK"},
    ]
    assert change.changes["approved_by"] == ["maria", None]
    assert change.changes["description"][1] == "Chocolate, larger box"


def test_a_change_that_would_be_refused_leaves_the_gift_as_it_was(book: Customer, personas: Personas) -> None:
    gift, _ = record_gift(personas.seller, data(personas.seller))
    with pytest.raises(GiftRefused):
        update_gift(personas.seller, gift, category="cash_equivalent")
    gift.refresh_from_db()
    assert gift.category == "food" and gift.changes.count() == 1


def test_the_outsider_may_not_change_and_a_seller_of_the_team_may_not_void_anothers_gift(
    book: Customer, personas: Personas
) -> None:
    from kanelbulle.core.access import NotVisible

    gift, _ = record_gift(personas.seller, data(personas.seller))
    with pytest.raises(NotVisible):
        update_gift(personas.outsider, gift, description="x")
    with pytest.raises(PermissionDenied):
        void_gift(personas.other_seller, gift, "not mine")


def test_the_policy_is_versioned_and_gifts_keep_theirs(book: Customer, personas: Personas) -> None:
    old, _ = record_gift(personas.seller, data(personas.seller, amount="280.00"))
    with pytest.raises(PermissionDenied):
        update_policy(personas.manager, per_gift_limit="250.00")
    with pytest.raises(GiftError):
        update_policy(personas.admin, per_gift_limit="-1")
    policy = update_policy(personas.admin, per_gift_limit="250.00", note="stricter")
    assert policy.version == 2 and policy.per_gift_limit == Decimal("250.00")
    old.refresh_from_db()
    assert old.policy is not None and old.policy.version == 1
    new, result = record_gift(personas.seller, data(personas.seller, amount="280.00", occasion="other"))
    assert new.policy == policy and result.codes == ["over_our_limit"]
    assert update_policy(personas.admin, per_gift_limit="250.00") == policy  # nothing changed: no new version


# --- the CLI -----------------------------------------------------------------------------------


def test_gift_check_answers_json_and_stores_nothing(book: Customer) -> None:
    Customer.objects.filter(pk=book.pk).update(country="CN")
    r = run("gift-check", "--customer", "c-lulea-1", "--contact", "p-1", "--value", "312", "SEK",
            "--description", "Table clock with our logo", "--date", DAY.isoformat(), "--json")  # fmt: skip
    assert r.code == 0, r.err
    doc = r.json
    assert set(doc) == {"verdict", "reasons", "etiquette"}
    assert doc["verdict"] == "ask"
    assert doc["reasons"][0]["code"] == "over_our_limit"
    assert "SEK\xa0312 is above our limit of SEK\xa0300" in doc["reasons"][0]["message"]
    assert "cn_clock" in [e["code"] for e in doc["etiquette"]]
    assert Gift.objects.count() == 0


def test_gift_check_exits_zero_on_no_and_prints_the_reasons(book: Customer) -> None:
    Customer.objects.filter(pk=book.pk).update(public_sector=True)
    r = run("gift-check", "--customer", "c-lulea-1", "--value", "150", "SEK", "--description", "Wine",
            "--date", DAY.isoformat())  # fmt: skip
    assert r.code == 0
    assert r.out.splitlines()[0] == "verdict: no"
    assert "public_sector" in r.out


def test_gift_check_converts_at_the_stored_rate(book: Customer) -> None:
    base = ["gift-check", "--customer", "c-lulea-1", "--description", "Tea", "--date", DAY.isoformat(), "--json"]
    assert run(*base, "--value", "4363", "JPY").json["verdict"] == "ok"  # 299.96 SEK
    assert run(*base, "--value", "4364", "JPY").json["verdict"] == "ask"  # 300.03 SEK


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--customer", "c-nobody"], "--customer: no customer with ref c-nobody"),
        (["--contact", "p-nobody"], "--contact: no contact with ref p-nobody"),
        (["--value", "100", "SEKK"], "--value.currency: 'SEKK' is not an ISO 4217 currency code"),
        (["--value", "-5", "SEK"], "--value.amount: must not be negative"),
        (["--value", "12,5", "SEK"], "--value.amount: amount '12,5' is not a decimal number"),
        (["--date", "2025-13-01"], "--date: '2025-13-01' is not a date"),
        (["--direction", "received", "--date", "2199-01-01"], "--date: a received gift cannot be dated in the future"),
    ],
)
def test_gift_check_bad_input_is_one_plain_line_and_exit_2(book: Customer, args: list[str], problem: str) -> None:
    base = {"--customer": ["c-lulea-1"], "--value": ["100", "SEK"], "--description": ["Tea"]}
    flags: dict[str, list[str]] = dict(base)
    i = 0
    while i < len(args):
        n = 2 if args[i] == "--value" else 1
        flags[args[i]] = args[i + 1 : i + 1 + n]
        i += 1 + n
    argv = ["gift-check", "--json"] + [x for k, v in flags.items() for x in [k, *v]]
    r = run(*argv)
    assert r.code == 2
    assert r.out == ""
    assert any(line.startswith(problem) for line in r.err_lines), r.err
    assert Gift.objects.count() == 0 and GiftPolicy.objects.count() == 0


def test_gift_check_without_a_rate_names_the_currency_and_date(book: Customer) -> None:
    r = run("gift-check", "--customer", "c-lulea-1", "--value", "10", "USD", "--description", "Tea",
            "--date", DAY.isoformat())  # fmt: skip
    assert r.code == 2
    assert "USD" in r.err and DAY.isoformat() in r.err


def test_gifts_report_csv_has_the_register_and_totals(book: Customer, personas: Personas, tmp_path: Path) -> None:
    record_gift(personas.seller, data(personas.seller, direction="received"))
    g, _ = record_gift(personas.seller, data(personas.seller, amount="312.00", occasion=""))
    approve_gift(personas.manager, g)
    voided, _ = record_gift(personas.seller, data(personas.seller, amount="100.00", occasion="x"))
    void_gift(personas.seller, voided, "wrong customer")
    record_gift(personas.seller, data(personas.seller, date=(DAY + dt.timedelta(days=40)).isoformat()))
    r = run("gifts", "report", "--from", "2024-12-01", "--to", "2024-12-31")
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    gifts = [row for row in rows if row["row"] == "gift"]
    assert len(gifts) == 3
    approved = next(row for row in gifts if row["ref"] == g.ref)
    assert approved["approved_by"] == "maria" and approved["policy_version"] == "1"
    assert next(row for row in gifts if row["ref"] == voided.ref)["void_reason"] == "wrong customer"
    customer_totals = {(row["direction"], row["company_amount"]) for row in rows if row["row"] == "customer_total"}
    assert customer_totals == {("given", "312.00"), ("received", "250.00")}
    assert {row["seller"] for row in rows if row["row"] == "seller_total"} == {"anna"}
    assert any(row["row"] == "person_total" and row["contact_ref"] == "p-1" for row in rows)
    out = tmp_path / "report.html"
    r = run("gifts", "report", "--from", "2024-12-01", "--to", "2024-12-31", "--format", "html", "--output", str(out))
    assert r.code == 0, r.err
    html = out.read_text()
    assert "Luleå Stål AB" in html and "wrong customer" in html and "Maria Lind" in html


def test_gifts_report_refuses_bad_dates_and_limits_as_user(book: Customer, personas: Personas) -> None:
    record_gift(personas.seller, data(personas.seller))
    assert run("gifts", "report", "--from", "2024-12-31", "--to", "2024-12-01").code == 2
    assert run("gifts", "report", "--from", "yesterday", "--to", "2024-12-01").code == 2
    r = run("gifts", "report", "--from", "2024-01-01", "--to", "2024-12-31", "--as", "olle")
    assert r.code == 0 and "c-lulea-1" not in r.out


def test_received_gift_dated_today_is_fine(book: Customer, personas: Personas) -> None:
    today = timezone.localdate().isoformat()
    gift, _ = record_gift(personas.seller, data(personas.seller, direction="received", date=today))
    assert gift.date.isoformat() == today
    assert GiftChange.objects.filter(gift=gift).count() == 1


def test_imported_gifts_are_settled_with_company_value_verdict_and_policy(book: Customer, personas: Personas) -> None:
    from kanelbulle.gifts.actions import settle_imported

    gift = Gift(ref="g-ningbo-cookies", direction="received", customer=book, user=personas.seller, date=DAY,
                description="Chocolate and butter cookies", category="food", occasion="christmas")  # fmt: skip
    gift.value_amount, gift.value_currency = Decimal("40.00"), "EUR"
    gift.save()
    assert settle_imported() == 1
    gift.refresh_from_db()
    assert gift.value_company_amount == Decimal("440.00") and gift.policy is not None
    assert gift.verdict == "ask" and [r["code"] for r in gift.reasons] == ["over_our_limit"]
    assert [c.action for c in gift.changes.all()] == ["import"]
    assert settle_imported() == 0

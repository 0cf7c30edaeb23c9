"""`kanelbulle export`: the whole book, deterministic, round-trips; `--as` shows only what that user may see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from kanelbulle.accounts.models import User
from kanelbulle.core.models import Erasure
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Order
from kanelbulle.exchange.exporter import export_document
from kanelbulle.exchange.importer import import_document
from kanelbulle.gifts.models import Gift, GiftChange
from kanelbulle.meetings.models import Meeting, MeetingRequest
from tests.cli import run
from tests.test_exchange_import import sample

pytestmark = pytest.mark.django_db


def without_stamp(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def empty_the_book() -> None:
    with transaction.atomic():
        for model in (GiftChange, Gift, MeetingRequest, Meeting, Deal, Order, Fact, Contact, Customer, Erasure):
            model.objects.all().delete()
        User.objects.all().delete()


def test_export_import_into_an_empty_database_export_gives_the_same_document() -> None:
    import_document(sample())
    first = export_document()
    empty_the_book()
    assert not Customer.objects.exists()
    report = import_document(json.loads(json.dumps(first)))
    assert report.counts["customers"].created == 3
    second = export_document()
    assert without_stamp(second) == without_stamp(first)
    assert json.dumps(without_stamp(second), sort_keys=False) == json.dumps(without_stamp(first), sort_keys=False)
    # What the round trip has to carry: facts with provenance, who was there, erasures, optional fields.
    p1 = next(c for c in first["contacts"] if c["ref"] == "p-1")
    assert [f["kind"] for f in p1["facts"]] == ["pet", "interest"]
    assert p1["facts"][0] == {"kind": "pet", "text": "Two schnauzers", "source": "contact", "learned": "2025-10-01"}
    assert next(m for m in first["meetings"] if m["ref"] == "m-1")["contacts"] == ["p-1"]
    assert first["erasures"] == [{"kind": "contact", "ref": "p-gone", "erased_at": "2025-06-01T12:00:00+00:00"}]
    oslo = next(c for c in first["customers"] if c["ref"] == "c-oslo-1")
    assert oslo["tender_open_until"] == "2026-03-01"
    assert "gift_policy" not in oslo and "opening_hours" not in oslo
    d2 = next(d for d in first["deals"] if d["ref"] == "d-2")
    assert d2["probability_pct"] == "40.00" and "closed" not in d2 and "margin_pct" not in d2
    assert next(m for m in first["meetings"] if m["ref"] == "m-2")["status"] == "cancelled"


def test_the_export_is_in_the_contract_shape_with_local_times() -> None:
    import_document(sample())
    doc = export_document()
    assert list(doc)[:2] == ["format", "exported_at"]
    assert doc["format"] == "kanelbulle/1"
    assert [u["username"] for u in doc["users"]] == ["anna", "bertil", "maria", "olle"]
    assert [c["ref"] for c in doc["customers"]] == ["c-lulea-1", "c-malmo-1", "c-oslo-1"]
    m1 = next(m for m in doc["meetings"] if m["ref"] == "m-1")
    assert m1["start"] == "2025-12-18T10:00:00+01:00"
    assert next(d for d in doc["deals"] if d["ref"] == "d-1")["value"] == {"amount": "120000.00", "currency": "SEK"}
    exported_at = doc["exported_at"]
    assert exported_at[-6] in "+-" and exported_at[-3] == ":"


def test_exporting_twice_gives_the_same_document_apart_from_the_stamp() -> None:
    import_document(sample())
    assert without_stamp(export_document()) == without_stamp(export_document())


def test_export_as_a_seller_holds_only_their_team_and_no_one_elses_unsaid(tmp_path: Path) -> None:
    import_document(sample())
    result = run("export", "--as", "anna")
    assert result.code == 0, result.err
    doc = result.json
    assert [c["ref"] for c in doc["customers"]] == ["c-lulea-1", "c-oslo-1"]
    assert "c-malmo-1" not in result.out and "Sven" not in result.out and "olle" not in result.out
    meetings = {m["ref"]: m for m in doc["meetings"]}
    assert set(meetings) == {"m-1", "m-2"}
    assert meetings["m-1"]["unsaid"] == "Anna thinks the CFO is leaving."
    assert "unsaid" not in meetings["m-2"]
    assert "private doubt" not in result.out


def test_export_as_a_manager_or_admin_never_holds_others_unsaid(tmp_path: Path) -> None:
    doc = sample()
    doc["users"].append({"username": "adam", "name": "Adam Admin", "role": "admin"})
    import_document(doc)
    manager = export_document(as_user=User.objects.get(username="maria"))
    assert [c["ref"] for c in manager["customers"]] == ["c-lulea-1", "c-oslo-1"]
    assert all("unsaid" not in m for m in manager["meetings"])
    result = run("export", "--as", "adam")
    assert [c["ref"] for c in result.json["customers"]] == ["c-lulea-1", "c-malmo-1", "c-oslo-1"]
    assert "unsaid" not in result.out


def test_export_as_a_seller_without_a_team_shows_only_their_own() -> None:
    doc = sample()
    doc["users"][1].pop("team")
    import_document(doc)
    mine = export_document(as_user=User.objects.get(username="bertil"))
    assert [c["ref"] for c in mine["customers"]] == ["c-oslo-1"]
    assert mine["meetings"][0]["unsaid"] == "Bertil's private doubt."


def test_the_operator_export_holds_everything_and_output_is_written_atomically(tmp_path: Path) -> None:
    import_document(sample())
    target = tmp_path / "book.json"
    result = run("export", "--output", str(target))
    assert result.code == 0, result.err
    assert result.out == ""
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert len(doc["meetings"]) == 3
    assert sum(1 for m in doc["meetings"] if "unsaid" in m) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["book.json"]


def test_export_bad_usage(tmp_path: Path) -> None:
    result = run("export", "--as", "ghost")
    assert (result.code, result.err_lines, result.out) == (2, ["--as: no user named 'ghost'"], "")
    result = run("export", "--output", str(tmp_path / "missing" / "book.json"))
    assert (result.code, result.err_lines) == (2, [f"--output: the folder {tmp_path / 'missing'} does not exist"])

"""The audit log travels in the operator's export and survives export → import → export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kanelbulle.accounts.models import User
from kanelbulle.core.models import AuditEntry, Erasure
from kanelbulle.customers.actions import customer_create
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.exchange.exporter import export_document
from kanelbulle.exchange.importer import ImportProblems, import_document
from kanelbulle.privacy.erase import erase_contact
from tests.cli import run
from tests.test_exchange_export import empty_the_book, without_stamp
from tests.test_exchange_import import sample

pytestmark = pytest.mark.django_db


def a_book_with_history() -> dict[str, Any]:
    """The sample book, then a create by a seller, a privacy export and an erasure by the operator."""
    import_document(sample())
    customer_create(User.objects.get(username="anna"), ref="c-umea-1", name="Umeå Trä AB", city="Umeå", country="SE")
    result = run("privacy", "export", "--contact", "p-1")
    assert result.code == 0, result.err
    erase_contact(Contact.objects.get(ref="p-2"))
    return export_document()


def copy(doc: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(doc))  # type: ignore[no-any-return]


def test_the_operator_export_carries_the_audit_log_oldest_first() -> None:
    doc = a_book_with_history()
    log = doc["audit_log"]
    assert [(e.get("who"), e["action"], e.get("kind"), e.get("ref")) for e in log] == [
        ("anna", "create", "customer", "c-umea-1"),
        ("operator", "privacy_export", "contact", "p-1"),
        ("operator", "erase", "contact", "p-2"),
    ]
    assert log[2]["detail"] == {
        "facts": 0,
        "gifts_redacted": 0,
        "meetings_redacted": 0,
        "records_redacted": 0,
        "changed": [],
    }
    assert all(e["at"].endswith("+00:00") for e in log)
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)
    assert list(log[2]) == ["at", "who", "action", "kind", "ref", "detail"]
    assert "detail" not in log[0]  # an empty detail is left out
    # The import's own notes are in the database but not in the export.
    assert AuditEntry.objects.filter(action__in=("import", "import_provenance")).count() == 2
    assert [e["ref"] for e in doc["erasures"]] == ["p-2", "p-gone"]


def test_export_empty_the_database_import_export_gives_the_same_document() -> None:
    first = a_book_with_history()
    empty_the_book()
    AuditEntry.objects.all().delete()
    report = import_document(copy(first))
    assert report.counts["audit_log"].created == 3
    second = export_document()
    assert json.dumps(without_stamp(second)) == json.dumps(without_stamp(first))
    assert [e["ref"] for e in second["erasures"]] == ["p-2", "p-gone"]
    # The entries are linked to the user again where the document names one.
    create = AuditEntry.objects.get(action="create")
    assert create.actor == User.objects.get(username="anna") and create.actor_label == ""
    erase = AuditEntry.objects.get(action="erase")
    assert erase.actor is None and erase.actor_label == "operator"


def test_importing_the_same_log_twice_adds_nothing() -> None:
    doc = a_book_with_history()
    entries = AuditEntry.objects.count()
    report = import_document(copy(doc))  # into the database it came from
    assert (report.counts["audit_log"].created, report.counts["audit_log"].unchanged) == (0, 3)
    assert not report.changed and AuditEntry.objects.count() == entries
    empty_the_book()
    AuditEntry.objects.all().delete()
    import_document(copy(doc))
    entries = AuditEntry.objects.count()
    again = import_document(copy(doc))
    assert again.counts["audit_log"].as_dict() == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 0}
    assert AuditEntry.objects.count() == entries


def test_twin_entries_are_both_kept_and_matched() -> None:
    doc = sample()
    twin = {"at": "2026-01-05T09:00:00.000001+01:00", "who": "robot", "action": "retention_renewed"}
    doc["audit_log"] = [twin, dict(twin)]
    assert import_document(copy(doc)).counts["audit_log"].created == 2
    assert import_document(copy(doc)).counts["audit_log"].created == 0
    stored = AuditEntry.objects.filter(action="retention_renewed")
    assert [(e.actor, e.actor_label) for e in stored] == [(None, "robot"), (None, "robot")]
    assert export_document()["audit_log"][0]["at"] == "2026-01-05T08:00:00.000001+00:00"


def test_an_export_as_a_user_has_no_audit_log() -> None:
    a_book_with_history()
    User.objects.create(username="adam", name="Adam Admin", role="admin")
    for username in ("anna", "adam"):
        result = run("export", "--as", username)
        assert result.code == 0, result.err
        assert "audit_log" not in result.json
        assert "privacy_export" not in result.out
    assert "audit_log" in run("export").json


def test_malformed_entries_are_reported_with_their_path_and_nothing_is_stored() -> None:
    doc = sample()
    doc["audit_log"] = [
        {"at": "2026-01-05T09:00:00", "action": "create"},
        {"at": "2026-01-05T09:00:00+01:00", "action": ""},
        "create",
        {"at": "2026-01-05T09:00:00+01:00", "action": "import", "who": "anna"},
        {"at": "2026-01-05T09:00:00+01:00", "action": "create", "detail": ["x"], "mood": "glum"},
        {"who": "anna", "ref": "x" * 65},
    ]
    with pytest.raises(ImportProblems) as caught:
        import_document(doc)
    lines = [p.line() for p in caught.value.problems]
    assert lines == [
        "audit_log[0].at: '2026-01-05T09:00:00' has no UTC offset (write it with one, e.g. 2025-12-18T10:00:00+01:00)",
        "audit_log[1].action: must not be empty",
        "audit_log[2]: must be an object",
        "audit_log[3].action: 'import' entries are written by each import itself and are not exchanged: leave them out",
        'audit_log[4].mood: unknown field (set "strict": false to ignore unknown fields)',
        'audit_log[4].detail: must be an object, not ["x"]',
        "audit_log[5].action: required",
        "audit_log[5].at: required",
        "audit_log[5].ref: is longer than 64 characters",
    ]
    assert not Customer.objects.exists() and not AuditEntry.objects.exists() and not Erasure.objects.exists()


def test_the_command_reports_bad_entries_and_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    doc = sample()
    doc["audit_log"] = [{"at": "yesterday", "action": "create"}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = run("import", str(bad))
    assert result.code == 2
    assert any(line.startswith("audit_log[0].at: 'yesterday' is not an ISO 8601") for line in result.err_lines)
    doc["audit_log"] = [{"at": "2026-01-05T09:00:00+01:00", "who": "anna", "action": "create", "ref": "c-x"}]
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    result = run("import", str(good), "--dry-run", "--json")
    assert result.code == 0, result.err
    assert result.json["counts"]["audit_log"]["created"] == 1
    assert not AuditEntry.objects.exists() and not Customer.objects.exists()

"""Users have an e-mail address (command, pages, API, exchange; checked, never shared), the digest
reaches it by SMTP, CSV owners given by address find their user; and a seller's home is set from
the command through the offline gazetteer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import User
from kanelbulle.connectors import import_csv
from kanelbulle.customers.models import Customer
from kanelbulle.exchange.exporter import export_document
from kanelbulle.exchange.importer import ImportProblems, import_document
from tests.cli import run
from tests.personas import Personas
from tests.test_api import Api
from tests.test_insights_db import TODAY, _Smtp, book, smtp_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def email_of(username: str) -> str:
    return User.objects.get(username=username).email


# ---- the command ---------------------------------------------------------------------------


def test_a_user_is_created_and_changed_with_an_address_from_the_command(personas: Personas) -> None:
    created = run("user", "create", "sara", "--role", "seller", "--email", "Sara.Lind@Example.COM")
    assert created.code == 0, created.err
    assert email_of("sara") == "Sara.Lind@example.com"  # the domain in lower case
    assert run("user", "update", "sara", "--email", "sara@example.se").code == 0
    assert email_of("sara") == "sara@example.se"
    assert run("user", "update", "sara", "--email", "").code == 0
    assert email_of("sara") == ""


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("create", "zed", "--role", "seller", "--email", "zed@"), "--email: zed@ is not an e-mail address"),
        (("update", "anna", "--email", "anna at example"), "--email: anna at example is not an e-mail address"),
    ],
)
def test_a_malformed_address_is_refused_naming_the_flag(personas: Personas, args: tuple[str, ...], line: str) -> None:
    result = run("user", *args)
    assert result.code == 2
    assert result.err_lines == [line]
    assert not User.objects.filter(username="zed").exists()
    assert email_of("anna") == ""


def test_two_users_never_share_an_address(personas: Personas) -> None:
    assert run("user", "update", "anna", "--email", "anna@example.com").code == 0
    result = run("user", "update", "bertil", "--email", "ANNA@example.com")
    assert result.code == 2
    assert result.err_lines == ["--email: ANNA@example.com is already the address of anna"]
    assert email_of("bertil") == ""


def test_set_home_looks_the_place_up_offline(personas: Personas) -> None:
    result = run("user", "set-home", "anna", "--city", "Luleå")
    assert result.code == 0, result.err
    assert result.out.strip() == "anna lives in Luleå, SE (65.5841, 22.1547; Europe/Stockholm)"
    anna = User.objects.get(username="anna")
    assert (anna.home_city, anna.home_country, round(anna.home_lat or 0, 2)) == ("Luleå", "SE", 65.58)
    assert run("user", "set-home", "anna", "--city", "Boston", "--country", "us").code == 0
    anna.refresh_from_db()
    assert (anna.home_country, anna.time_zone) == ("US", "America/New_York")
    assert run("user", "update", "anna", "--home", "Trollhättan", "--country", "SE").code == 0
    assert User.objects.get(username="anna").home_city == "Trollhättan"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--city", "Atlantis"), "--city: Atlantis in SE is not in the offline gazetteer: check the spelling or give "
                                 "latitude and longitude"),
        (("--city", "Luleå", "--country", "XX"), "--country: XX is not a country code such as SE or NO"),
        (("--city", " "), "--city: must not be empty"),
    ],
)  # fmt: skip
def test_an_unknown_place_is_one_clear_line_and_the_home_stays(
    personas: Personas, args: tuple[str, ...], line: str
) -> None:
    result = run("user", "set-home", "anna", *args)
    assert result.code == 2
    assert result.err_lines == [line]
    assert User.objects.get(username="anna").home_city == "Stockholm"


def test_set_home_for_nobody_says_so(personas: Personas) -> None:
    result = run("user", "set-home", "nobody", "--city", "Luleå")
    assert (result.code, result.err_lines) == (2, ["NAME: no user named 'nobody'"])


# ---- pages and API -------------------------------------------------------------------------


def test_an_admin_adds_and_changes_an_address_on_the_pages(personas: Personas) -> None:
    adam = Client()
    adam.force_login(personas.admin)
    added = adam.post("/users/", {"username": "sara", "role": "seller", "email": "sara@example.com",
                                  "password": "a-Long-passphrase-42"})  # fmt: skip
    assert added.status_code == 302
    assert email_of("sara") == "sara@example.com"
    assert "sara@example.com" in adam.get("/users/").content.decode()
    page = adam.get("/users/sara/edit/").content.decode()
    assert 'value="sara@example.com"' in page
    sara = User.objects.get(username="sara")
    form = {"name": "", "role": "seller", "team": "", "home_city": "", "home_country": "", "home_lat": "",
            "home_lon": "", "time_zone": sara.time_zone, "is_active": "on"}  # fmt: skip
    assert adam.post("/users/sara/edit/", {**form, "email": "sara.lind@example.com"}).status_code == 302
    assert email_of("sara") == "sara.lind@example.com"
    refused = adam.post("/users/sara/edit/", {**form, "email": "sara@"})
    assert refused.status_code == 400 and 'id="id_email_errors"' in refused.content.decode()
    taken = adam.post("/users/sara/edit/", {**form, "email": "sara.lind@example.com".replace("sara.lind", "x")})
    assert taken.status_code == 302
    assert adam.post("/users/", {"username": "tor", "role": "seller", "email": "x@example.com",
                                 "password": "a-Long-passphrase-42"}).status_code == 400  # fmt: skip
    assert not User.objects.filter(username="tor").exists()


def test_the_api_shows_a_users_address(personas: Personas) -> None:
    run("user", "update", "anna", "--email", "anna@example.com")
    one = Api(personas.other_seller).call("get", "/users/anna")
    assert one.status_code == 200 and one.payload["email"] == "anna@example.com"
    listed = Api(personas.admin).call("get", "/users").payload["items"]
    assert {u["username"]: u["email"] for u in listed}["bertil"] == ""


# ---- exchange ------------------------------------------------------------------------------


def test_an_address_round_trips_through_the_exchange_format(personas: Personas) -> None:
    run("user", "update", "anna", "--email", "anna@example.com")
    doc = export_document()
    users = {u["username"]: u for u in doc["users"]}
    assert users["anna"]["email"] == "anna@example.com" and "email" not in users["bertil"]
    User.objects.filter(username="anna").update(email="")
    import_document(json.loads(json.dumps(doc)))
    assert email_of("anna") == "anna@example.com"
    del users["anna"]["email"]  # left out: the stored address is kept
    import_document(json.loads(json.dumps(doc)))
    assert email_of("anna") == "anna@example.com"


def test_a_bad_or_shared_address_in_a_document_is_a_problem_with_its_path(personas: Personas) -> None:
    doc = {"format": "kanelbulle/1", "users": [
        {"username": "sara", "name": "Sara", "role": "seller", "email": "sara@"},
        {"username": "tor", "name": "Tor", "role": "seller", "email": "t@example.com"},
        {"username": "ulf", "name": "Ulf", "role": "seller", "email": "T@example.com"},
    ]}  # fmt: skip
    with pytest.raises(ImportProblems) as caught:
        import_document(doc)
    assert [p.path for p in caught.value.problems] == ["users[0].email", "users[2].email"]
    assert not User.objects.filter(username__in=["sara", "tor", "ulf"]).exists()


# ---- where an address matters --------------------------------------------------------------


def test_the_digest_reaches_an_address_set_from_the_command(
    book: Personas,  # noqa: F811
    smtp_server: int,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert run("user", "update", "bertil", "--email", "bertil@example.com").code == 0
    monkeypatch.setenv("KANELBULLE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KANELBULLE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KANELBULLE_SMTP_PORT", str(smtp_server))
    result = run("digest", "--user", "bertil", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    assert result.out.strip() == "sent to bertil@example.com by SMTP"
    assert b"bertil@example.com" in _Smtp.received[0]


def test_a_csv_owner_given_by_address_finds_the_user(personas: Personas) -> None:
    # The HubSpot sample names Göta Kanal AB's owner by address only.
    assert run("user", "update", "bertil", "--email", "anna@kanelbulle.example").code == 0
    report = import_csv(FIXTURES / "csv" / "hubspot-companies.csv", "hubspot", actor=None)
    assert not report.problems, report.problems
    assert Customer.objects.get(name="Göta Kanal AB").owner.username == "bertil"

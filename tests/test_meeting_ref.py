"""A meeting made on a phone carries its own ref: sent twice, or by two clients at once, it is
stored once, with its fact and honoured request once, and every answer is the first one's."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest

from kanelbulle.customers.models import Fact
from kanelbulle.meetings.models import Meeting, MeetingRequest
from tests.personas import Personas
from tests.server import Installation
from tests.test_api import Api, book  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(request_ref: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "ref": "m-phone2q7k9x", "customer": "c-lulea-1", "contacts": ["p-1"], "start": "2026-12-01T10:00:00+01:00",
        "notes": "Coffee and kanelbullar", "honours": request_ref,
        "new_facts": [{"contact": "p-1", "kind": "pet", "text": "Two schnauzers: Max and Moritz"}], **extra,
    }  # fmt: skip


def test_the_same_meeting_sent_twice_is_stored_once(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    anna = Api(personas.seller)
    asked = anna.call("post", "/meeting-requests", {"customer": "c-lulea-1", "contact": "p-1"}).payload["ref"]
    first = anna.call("post", "/meetings", body(asked))
    assert first.status_code == 201, first.payload
    assert first.payload["ref"] == "m-phone2q7k9x"
    again = anna.call("post", "/meetings", body(asked))
    assert again.status_code == 201, again.payload
    assert again.payload == first.payload
    assert Meeting.objects.filter(ref="m-phone2q7k9x").count() == 1
    assert Fact.objects.filter(text="Two schnauzers: Max and Moritz").count() == 1
    honoured = MeetingRequest.objects.get(ref=asked)
    assert honoured.status == "honoured" and honoured.honoured_by is not None
    assert honoured.honoured_by.ref == "m-phone2q7k9x"


def test_a_ref_taken_by_someone_else_is_refused_at_ref(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    taken = book["meeting"].ref  # Anna's; Maria (her manager) may log for the customer too
    answer = Api(personas.manager).call("post", "/meetings", body(ref=taken, new_facts=[]))
    assert answer.status_code == 422
    assert answer.payload["errors"][0]["path"] == "ref"
    assert Meeting.objects.filter(ref=taken).get().user == personas.seller
    bad = Api(personas.seller).call("post", "/meetings", body(ref="m phone!", new_facts=[]))
    assert bad.status_code == 422 and bad.payload["errors"][0]["path"] == "ref"


def test_without_a_ref_each_call_is_a_new_meeting(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    anna = Api(personas.seller)
    made = {anna.call("post", "/meetings", body(ref=None, new_facts=[])).payload["ref"] for _ in range(2)}
    assert len(made) == 2


CONCURRENT = 6


@pytest.mark.server
@pytest.mark.slow
def test_clients_sending_the_same_meeting_at_once_store_one(kb: Installation) -> None:
    assert kb.cli("init").returncode == 0
    assert kb.cli("user", "create", "anna", "--role", "seller").returncode == 0
    token = kb.cli("token", "create", "anna").stdout.strip()
    base = kb.start(workers=2)

    def call(path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310
            base + "/api/v1" + path, data=json.dumps(payload).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    made = {"ref": "c-lulea-1", "name": "Norrbotten Stål AB", "country": "SE", "city": "Luleå"}
    status, customer = call("/customers", made)
    assert status == 201, customer
    status, _ = call("/contacts", {"ref": "p-1", "customer": "c-lulea-1", "name": "Li Wei",
                                   "lawful_basis": "legitimate_interest"})  # fmt: skip
    assert status == 201
    status, asked = call("/meeting-requests", {"customer": "c-lulea-1", "contact": "p-1"})
    assert status == 201

    for round_ in range(3):
        payload = body(asked["ref"] if round_ == 0 else None, ref=f"m-race{round_}q7k9x")
        if round_:
            payload["new_facts"] = [{"contact": "p-1", "kind": "interest", "text": f"Round {round_}"}]
        gate = threading.Barrier(CONCURRENT)
        answers: list[tuple[int, Any]] = []

        def send(
            payload: dict[str, Any] = payload,
            gate: threading.Barrier = gate,
            answers: list[tuple[int, Any]] = answers,
        ) -> None:
            gate.wait()
            answers.append(call("/meetings", payload))

        threads = [threading.Thread(target=send) for _ in range(CONCURRENT)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert [a[0] for a in answers] == [201] * CONCURRENT, answers
        assert len({json.dumps(a[1], sort_keys=True) for a in answers}) == 1, "every answer is the first one's"

    kb.stop()
    exported = kb.cli("export")
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    refs = sorted(m["ref"] for m in data["meetings"])
    assert refs == ["m-race0q7k9x", "m-race1q7k9x", "m-race2q7k9x"]
    texts = sorted(f["text"] for c in data["contacts"] for f in c.get("facts", []))
    assert texts == ["Round 1", "Round 2", "Two schnauzers: Max and Moritz"]
    (request,) = data["meeting_requests"]
    assert request["status"] == "honoured" and request["honoured_by"] == "m-race0q7k9x"


def test_a_refusal_names_the_field_in_the_callers_language(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    anna = Api(personas.seller)
    for language, said in (("en", "there is no customer 'c-malmo-1'"), ("sv", "kund 'c-malmo-1' finns inte")):
        answer = anna.call("post", "/meetings", body(customer="c-malmo-1", new_facts=[]), HTTP_ACCEPT_LANGUAGE=language)
        assert answer.status_code == 422
        assert answer.payload["errors"] == [{"path": "customer", "message": said}]
    assert not Meeting.objects.filter(ref="m-phone2q7k9x").exists()

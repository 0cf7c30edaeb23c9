"""A meeting request recorded wrongly can be corrected or removed, in the browser and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.actions import contact_create
from kanelbulle.meetings.models import MeetingRequest
from tests.personas import Personas
from tests.test_workspace_book import Book, make_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas: Personas) -> Book:
    return make_book(personas)


def test_the_seller_corrects_who_asked_and_when(client: Client, personas: Personas, book: Book) -> None:
    karin = contact_create(personas.seller, book.lulea, name="Karin Nilsson", lawful_basis="consent")
    client.force_login(personas.seller)
    url = f"/customers/{book.lulea.ref}/requests/{book.request.ref}/edit/"
    assert 'name="requested_at"' in client.get(url).content.decode()
    asked = timezone.localtime() - dt.timedelta(days=31)  # a month ago, whatever today is
    response = client.post(
        url, {"contact": str(karin.pk), "requested_at": f"{asked:%Y-%m-%d}T09:30", "version": str(book.request.version)}
    )
    assert response.status_code == 302
    book.request.refresh_from_db()
    assert book.request.contact == karin
    assert timezone.localtime(book.request.requested_at).date() == asked.date()
    assert AuditEntry.objects.filter(action="update", ref=book.request.ref).exists()


def test_a_stale_edit_and_a_future_time_are_refused_next_to_the_field(
    client: Client, personas: Personas, book: Book
) -> None:
    client.force_login(personas.seller)
    url = f"/customers/{book.lulea.ref}/requests/{book.request.ref}/edit/"
    before = book.request.requested_at
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    future = client.post(url, {"requested_at": f"{tomorrow:%Y-%m-%dT%H:%M}", "version": str(book.request.version)})
    assert future.status_code == 400
    assert "A request cannot be made in the future." in future.content.decode()
    earlier = timezone.localtime() - dt.timedelta(days=31)
    stale = client.post(url, {"requested_at": f"{earlier:%Y-%m-%dT%H:%M}", "version": str(book.request.version - 1)})
    assert stale.status_code == 409
    book.request.refresh_from_db()
    assert book.request.requested_at == before


def test_deleting_a_request_asks_first_then_removes_it(client: Client, personas: Personas, book: Book) -> None:
    client.force_login(personas.seller)
    url = f"/customers/{book.lulea.ref}/requests/{book.request.ref}/delete/"
    assert "better declined" in client.get(url).content.decode()
    assert MeetingRequest.objects.filter(ref=book.request.ref).exists()
    assert client.post(url).status_code == 302
    assert not MeetingRequest.objects.filter(ref=book.request.ref).exists()
    assert AuditEntry.objects.filter(action="delete", ref=book.request.ref).exists()


def test_a_teammate_may_not_delete_and_the_api_deletes_for_the_owner(
    client: Client, personas: Personas, book: Book
) -> None:
    client.force_login(personas.other_seller)
    assert client.post(f"/customers/{book.lulea.ref}/requests/{book.request.ref}/delete/").status_code == 403
    assert client.delete(f"/api/v1/meeting-requests/{book.request.ref}").status_code == 403
    assert MeetingRequest.objects.filter(ref=book.request.ref).exists()
    client.force_login(personas.seller)
    assert client.delete(f"/api/v1/meeting-requests/{book.request.ref}").status_code == 204
    assert not MeetingRequest.objects.filter(ref=book.request.ref).exists()

"""Finding customers by words: each customer keeps a folded search text in the database.

``Customer.search_text`` holds the customer's name, city, its contacts' names and their facts'
texts, case- and accent-folded (``gazetteer.fold``: ``lulea`` finds Luleå). A search keeps the
customers whose text contains every word of the query, folded the same way, in SQL: one
``LIKE '%word%'`` per word, alike on SQLite and PostgreSQL (both sides are lower case, so
SQLite's ASCII-only case-insensitive LIKE and PostgreSQL's exact LIKE agree).

The text is kept current by signals (``connect``): saving a customer, saving or deleting a contact
or a fact recomputes the customer's text in the same transaction. Writes that bypass signals
(the importer's bulk writes, the erasure's redaction) call ``touch``; inside ``batched()`` the
customers touched are collected and recomputed in one go when the block ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from kanelbulle.core import gazetteer

CHUNK = 500
_state = threading.local()


def fold(text: str) -> str:
    """The folded form stored and searched for (lower case even where NFKD leaves a capital)."""
    return gazetteer.fold(text).lower()


def words(query: str) -> list[str]:
    """The query's words as they are looked for."""
    return fold(query).split()


def text_of(name: str, city: str, people: Iterable[str]) -> str:
    """A customer's search text from its name, city and its contacts' names and facts' texts."""
    return fold(" ".join([name or "", city or "", *(p or "" for p in people)]))


def matching(customers: QuerySet[Any], query: str) -> QuerySet[Any]:
    """Those of ``customers`` whose search text holds every word of ``query`` (all for no words)."""
    for word in words(query):
        customers = customers.filter(search_text__contains=word)
    return customers


def compute(customer_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Customer id -> (stored text, text it should hold), for the customers that exist."""
    from kanelbulle.customers.models import Contact, Customer, Fact

    ids = sorted({int(pk) for pk in customer_ids if pk is not None})
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        parts: dict[int, list[str]] = {}
        stored: dict[int, str] = {}
        for pk, name, city, text in Customer.objects.filter(pk__in=chunk).values_list(
            "pk", "name", "city", "search_text"
        ):
            parts[pk] = [name, city]
            stored[pk] = text
        for pk, name in Contact.objects.filter(customer_id__in=chunk).values_list("customer_id", "name"):
            parts[pk].append(name)
        facts = Fact.objects.filter(contact__customer_id__in=chunk).values_list("contact__customer_id", "text")
        for pk, text in facts:
            parts[pk].append(text)
        for pk, texts in parts.items():
            out[pk] = (stored[pk], text_of(texts[0], texts[1], texts[2:]))
    return out


def refresh(customer_ids: Iterable[int]) -> int:
    """Recompute the search text of these customers now; returns how many changed."""
    from kanelbulle.customers.models import Customer

    rows = [(new, pk) for pk, (old, new) in compute(customer_ids).items() if old != new]
    if rows:
        table = connection.ops.quote_name(Customer._meta.db_table)
        column = connection.ops.quote_name("search_text")
        key = connection.ops.quote_name(Customer._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {key} = %s", rows)  # noqa: S608
    return len(rows)


def touch(customer_ids: Iterable[int | None]) -> None:
    """These customers' words changed: recompute them now, or when the ``batched()`` block ends."""
    ids = {int(pk) for pk in customer_ids if pk is not None}
    waiting: set[int] | None = getattr(_state, "ids", None)
    if waiting is not None:
        waiting.update(ids)
    elif ids:
        refresh(ids)


@contextmanager
def batched() -> Iterator[None]:
    """Collect the customers touched inside the block and recompute them once at its end (bulk
    writes: one fact deleted or one contact written each would cost a recomputation)."""
    if getattr(_state, "ids", None) is not None:
        yield  # already inside a batch: the outer one recomputes
        return
    _state.ids = set()
    try:
        yield
        refresh(_state.ids)
    finally:
        _state.ids = None


# --- Signals: every save or delete through the ORM keeps the text current ------------------


def _customer_saved(sender: Any, instance: Any, update_fields: Any = None, raw: bool = False, **kwargs: Any) -> None:
    if update_fields is not None and not {"name", "city"} & set(update_fields):
        return
    if getattr(_state, "ids", None) is not None:
        _state.ids.add(instance.pk)
        return
    found = compute([instance.pk]).get(instance.pk)
    if found is not None:
        instance.search_text = found[1]
        if found[0] != found[1]:
            refresh([instance.pk])


def _contact_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    touch([instance.customer_id])


def _fact_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from kanelbulle.customers.models import Contact

    touch(Contact.objects.filter(pk=instance.contact_id).values_list("customer_id", flat=True))


def connect() -> None:
    from kanelbulle.customers.models import Contact, Customer, Fact

    post_save.connect(_customer_saved, sender=Customer, dispatch_uid="search-customer-save")
    for model, handler in ((Contact, _contact_changed), (Fact, _fact_changed)):
        post_save.connect(handler, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"search-delete-{model.__name__}")

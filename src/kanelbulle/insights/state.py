"""Keep each customer's relationship state in the database, and read the attention list from it.

The engines (``signals``, ``health``, ``attention``) stay plain functions over a ``Book``; this
module is what calls them and stores their answers (``CustomerState``), so no page recomputes
the book.

- A customer is judged against its **team** (its owner's team; a seller without a team alone):
  the team's in-person share and deal cycle, the median margin and the revenue rank among the
  team's customers. Those figures are stored per team (``ScopeNorms``) with the day they are as of.
- ``refresh(today)`` recomputes everything: each team's figures, then every customer's state, as
  of ``today``. The daily job and ``kanelbulle refresh`` run it; it moves time forward.
- ``update_customers(ids)`` recomputes the named customers only, as of the day of the last
  refresh and against the team figures stored then. Every write that touches a customer calls it
  (``receivers.py``), right after its transaction commits, so a seller sees their own change at once.

``expected_states()`` recomputes every state from scratch against the stored figures, for the
property test and ``kanelbulle refresh --check``: after any writes it equals the stored state.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.dbstats import BULK_ROWS, analyze
from kanelbulle.customers.models import Customer
from kanelbulle.insights.attention import Attention, Item, Reason, item_priority, reasons_for
from kanelbulle.insights.book import Scope, load_norms, load_scope
from kanelbulle.insights.data import Book, TeamNorms
from kanelbulle.insights.health import Health, Part, health_from, score_parts
from kanelbulle.insights.models import CustomerState, ScopeNorms, StateReason
from kanelbulle.insights.signals import BookNorms, Signals, book_norms, compute_signals
from kanelbulle.insights.thresholds import Thresholds

#: Fields of a state compared by ``expected_states`` (everything but the moment it was computed).
COMPARED = (
    "name",
    "ref",
    "owner_id",
    "team",
    "scope",
    "as_of",
    "health",
    "health_trend",
    "health_previous",
    "health_parts",
    "last_touch",
    "cadence_days",
    "cadence_from_history",
    "signals",
    "priority",
    "reasons",
)


#: Above this many customers at once, ``update_customers`` refreshes their teams whole.
BULK = 1000


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def scope_of(team: str, owner_id: int) -> str:
    """The key of the group a customer is judged in: its owner's team, else its owner alone."""
    return f"team:{team}" if team else f"seller:{owner_id}"


def scope_filter(scope: str) -> Scope:
    kind, _sep, value = scope.partition(":")
    if kind == "team":
        return lambda prefix: Q(**{f"{prefix}owner__team": value})
    return lambda prefix: Q(**{f"{prefix}owner_id": int(value), f"{prefix}owner__team": ""})


def norms_to_json(n: BookNorms) -> dict[str, Any]:
    return {
        "in_person_share": n.team.in_person_share,
        "team_deal_cycle_days": n.team.deal_cycle_days,
        "closed_deals": n.team.closed_deals,
        "deal_cycle_days": n.deal_cycle_days,
        "deal_cycle_from_history": n.deal_cycle_from_history,
        "book_margin_pct": n.book_margin_pct,
        "small_revenue_limit": None if n.small_revenue_limit is None else str(n.small_revenue_limit),
    }


def norms_from_json(d: dict[str, Any]) -> BookNorms:
    limit = d["small_revenue_limit"]
    return BookNorms(
        TeamNorms(d["in_person_share"], d["team_deal_cycle_days"], d["closed_deals"]),
        d["deal_cycle_days"],
        d["deal_cycle_from_history"],
        d["book_margin_pct"],
        None if limit is None else Decimal(limit),
    )


def _signals_json(s: Signals) -> dict[str, Any]:
    return {
        "held": s.held,
        "days_since_last": s.days_since_last,
        "year_meetings": s.year_meetings,
        "year_in_person": s.year_in_person,
        "year_cancelled": s.year_cancelled,
        "recent_meetings": s.recent_meetings,
        "recent_in_person": s.recent_in_person,
        "asks": s.asks,
        "open_requests": [[ref, days] for ref, days in s.open_requests],
        "orders_12m": f"{s.orders_year:.2f}",
        "orders_prev_12m": f"{s.orders_prev_year:.2f}",
        "order_count_12m": s.order_count_year,
        "order_quarters": s.order_quarters,
        "margin_pct": None if s.margin_pct is None else round(s.margin_pct, 4),
        "unconverted_orders": s.unconverted_orders,
        "first_seen": s.first_seen.isoformat() if s.first_seen else None,
        "open_deals": [[d.deal.ref, d.idle_days] for d in s.open_deals],
        "expertise": s.expertise,
    }


def _part_json(p: Part) -> dict[str, Any]:
    return {"code": p.code, "score": p.score, "weight": p.weight, "explanation": p.explanation, "facts": p.facts}


@dataclass
class Computed:
    """One customer's state before it is stored (the same fields as ``CustomerState``)."""

    customer_id: int
    values: dict[str, Any]


def compute(
    book: Book,
    ids: dict[str, tuple[int, int, str]],
    norms: BookNorms,
    scope: str,
    today: dt.date,
    t: Thresholds,
    signals: list[Signals] | None = None,
) -> list[Computed]:
    """The state of every customer in ``book`` as of ``today`` against ``norms``.

    ``ids`` maps a customer's ref to (primary key, owner's primary key, owner's team);
    ``signals``, when given, are the customers' signals already computed as of ``today``.
    """
    out: list[Computed] = []
    langs = languages()
    for n, c in enumerate(book.customers):
        s = signals[n] if signals is not None else compute_signals(book, c, today, t)
        pk, owner_id, team = ids[c.ref]
        messages: dict[str, list[Reason]] = {}
        parts: dict[str, list[dict[str, Any]]] = {}
        health: Health | None = None
        for lang in langs:
            with translation.override(lang):
                messages[lang] = reasons_for(book, s, norms, t)
                if health is None:
                    health = health_from(book, c, today, norms, t, s)
                    parts[lang] = [_part_json(p) for p in health.parts]
                else:
                    parts[lang] = [_part_json(p) for p in score_parts(s, norms, t)]
        assert health is not None
        first = messages[langs[0]]
        reasons = [
            {
                "code": r.code,
                "priority": r.priority,
                "facts": r.facts,
                "message": {lang: messages[lang][i].message for lang in langs},
            }
            for i, r in enumerate(first)
        ]
        out.append(
            Computed(
                pk,
                {
                    "name": c.name,
                    "ref": c.ref,
                    "owner_id": owner_id,
                    "team": team,
                    "scope": scope,
                    "as_of": today,
                    "health": health.score,
                    "health_trend": health.trend,
                    "health_previous": health.previous,
                    "health_parts": parts,
                    "last_touch": s.last_meeting,
                    "cadence_days": s.cadence_days,
                    "cadence_from_history": s.cadence_from_history,
                    "signals": _signals_json(s),
                    "priority": item_priority(first, t),
                    "reasons": reasons,
                },
            )
        )
    return out


def _ids(where: Q) -> dict[str, tuple[int, int, str]]:
    return {
        ref: (pk, owner_id, team or "")
        for pk, ref, owner_id, team in Customer.objects.filter(where).values_list(
            "pk", "ref", "owner_id", "owner__team"
        )
    }


def _store(computed: list[Computed], replace: Iterable[int]) -> None:
    now = timezone.now()
    with transaction.atomic():
        old = sorted(replace)
        for start in range(0, len(old), BULK):
            gone = old[start : start + BULK]
            StateReason.objects.filter(state_id__in=gone).delete()
            # Nothing else hangs off a state: delete without fetching the rows first.
            CustomerState.objects.filter(pk__in=gone)._raw_delete(CustomerState.objects.db)
        for start in range(0, len(computed), 500):
            chunk = computed[start : start + 500]
            CustomerState.objects.bulk_create(
                [CustomerState(customer_id=c.customer_id, computed_at=now, **c.values) for c in chunk]
            )
            StateReason.objects.bulk_create(
                [
                    StateReason(state_id=c.customer_id, code=r["code"], priority=r["priority"])
                    for c in chunk
                    for r in c.values["reasons"]
                ]
            )


def _scopes() -> dict[str, Scope]:
    teams = Customer.objects.values_list("owner_id", "owner__team").distinct()
    return {scope_of(team or "", owner): scope_filter(scope_of(team or "", owner)) for owner, team in teams}


def _scope_norms(scope: str, today: dt.date, t: Thresholds) -> tuple[Book, BookNorms, list[Signals]]:
    where = scope_filter(scope)
    book = load_scope(where, today, load_norms(None, today, t.year_days, scope=where))
    signals = [compute_signals(book, c, today, t) for c in book.customers]
    return book, book_norms(book, signals, today, t), signals


@dataclass
class Refreshed:
    today: dt.date
    scopes: int
    customers: int
    attention: int


def refresh(today: dt.date, thresholds: Thresholds | None = None, only: Iterable[str] | None = None) -> Refreshed:
    """Recompute every team's figures and every customer's state as of ``today`` (``only``: those teams)."""
    t = thresholds or Thresholds()
    scopes = _scopes()
    wanted = set(only) if only is not None else set(scopes)
    total = attention = 0
    for scope in sorted(wanted & set(scopes)):
        started = timezone.now()
        book, norms, signals = _scope_norms(scope, today, t)
        ids = _ids(scope_filter(scope)(""))
        computed = compute(book, ids, norms, scope, today, t, signals)
        with transaction.atomic():
            ScopeNorms.objects.update_or_create(
                scope=scope,
                defaults={"as_of": today, "norms": norms_to_json(norms), "computed_at": timezone.now()},
            )
            # A write that landed while the team was being computed has already stored its
            # customer's state from newer records than the book read above: keep it from being
            # overwritten, and judge that customer again below against the figures just stored.
            newer = set(
                CustomerState.objects.filter(
                    pk__in=[c.customer_id for c in computed], computed_at__gt=started
                ).values_list("pk", flat=True)
            )
            # Its old members, and customers that moved in from another team, are replaced.
            replace = set(CustomerState.objects.filter(scope=scope).values_list("pk", flat=True))
            kept = [c for c in computed if c.customer_id not in newer]
            _store(kept, (replace | {c.customer_id for c in computed}) - newer)
        if newer:
            update_customers(newer, t)
        total += len(computed)
        attention += sum(1 for c in computed if c.values["priority"] > 0)
    if only is None:
        ScopeNorms.objects.exclude(scope__in=list(scopes)).delete()
    if total >= BULK_ROWS:  # every state rewritten: the attention queries' plans need the new rows' statistics
        analyze(CustomerState, StateReason)
    return Refreshed(today, len(wanted & set(scopes)), total, attention)


def state_date() -> dt.date | None:
    """The day the stored state is as of, or None before the first refresh (or mid-way through one)."""
    days = set(ScopeNorms.objects.values_list("as_of", flat=True).distinct())
    return days.pop() if len(days) == 1 else None


def update_customers(customer_ids: Iterable[int], thresholds: Thresholds | None = None) -> int:
    """Bring these customers' state up to date against their team's stored figures; returns how many.

    Before the first refresh nothing is stored and nothing is done. A customer erased or deleted
    loses its state with it (the row cascades). While a refresh that moves the day is part-way
    through, the teams are as of two days: each customer is judged as of its own team's day, so a
    write during the refresh is never left out (the refresh judges the rest of the team later).
    """
    ids = set(customer_ids)
    if not ids:
        return 0
    days = ScopeNorms.objects.values_list("as_of", flat=True).distinct()
    if not days:
        return 0
    today = max(days)  # the one day of the book, or the new day of a refresh part-way through
    t = thresholds or Thresholds()
    if len(ids) > BULK:  # an import of a large part of the book: judge the teams it touched whole
        touched: set[str] = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), BULK):
            for owner_id, team in (
                Customer.objects.filter(pk__in=ordered[start : start + BULK])
                .values_list("owner_id", "owner__team")
                .distinct()
            ):
                touched.add(scope_of(team or "", owner_id))
        return refresh(today, t, only=touched).customers
    groups: dict[str, dict[str, tuple[int, int, str]]] = defaultdict(dict)
    for ref, (pk, owner_id, team) in _ids(Q(pk__in=ids)).items():
        groups[scope_of(team, owner_id)][ref] = (pk, owner_id, team)
    stored = {n.scope: n for n in ScopeNorms.objects.filter(scope__in=list(groups))}
    done = 0
    for scope, members in groups.items():
        if scope not in stored:  # a team seen for the first time: judge it whole
            done += refresh(today, t, only=[scope]).customers
            continue
        pks = [pk for pk, _owner, _team in members.values()]
        day = stored[scope].as_of
        book = load_scope(lambda prefix, pks=pks: Q(**{f"{prefix}pk__in": pks}), day, None)  # type: ignore[misc]
        computed = compute(book, members, norms_from_json(stored[scope].norms), scope, day, t)
        _store(computed, pks)
        done += len(computed)
    return done


def expected_states(thresholds: Thresholds | None = None) -> dict[int, dict[str, Any]]:
    """Every customer's state recomputed from scratch against the stored team figures."""
    t = thresholds or Thresholds()
    out: dict[int, dict[str, Any]] = {}
    for n in ScopeNorms.objects.all():
        where = scope_filter(n.scope)
        book = load_scope(where, n.as_of, None)
        for c in compute(book, _ids(where("")), norms_from_json(n.norms), n.scope, n.as_of, t):
            out[c.customer_id] = _normal(c.values)
    return out


def stored_states() -> dict[int, dict[str, Any]]:
    return {row["customer_id"]: _normal(row) for row in CustomerState.objects.values("customer_id", *COMPARED)}


def _normal(values: dict[str, Any]) -> dict[str, Any]:
    """JSON round trip, as the database gives it back (tuples become lists, floats stay floats)."""
    import json

    return {k: json.loads(json.dumps(values[k], default=str)) for k in COMPARED}


# Reading -----------------------------------------------------------------------------------


#: The attention list's order: most urgent first, then by name (the indexes ``state_*_order``).
ORDER = ("-priority", "name", "ref")


def visible_states(user: User | None) -> QuerySet[CustomerState]:
    """The states on ``user``'s attention list: their own customers, a manager's team's, an admin's all."""
    qs = CustomerState.objects.all()
    if user is None or user.is_admin_role:
        return qs
    if user.role == Role.MANAGER and user.team:
        return qs.filter(team=user.team)
    return qs.filter(owner=user)


def item_of(state: CustomerState, ref: str, name: str, owner: str, language: str, only: str | None = None) -> Item:
    """A stored state as the attention list's item, in ``language`` (English if it is not stored)."""
    lang = language if language in languages() else languages()[0]
    reasons = [
        Reason(r["code"], r["message"].get(lang, ""), r["facts"], r["priority"])
        for r in state.reasons
        if not only or r["code"] == only
    ]
    parts = [
        Part(p["code"], p["score"], p["weight"], p["explanation"], p["facts"]) for p in state.health_parts.get(lang, [])
    ]
    health = Health(state.health, parts, state.health_trend, state.health_previous)
    priority = item_priority(reasons, Thresholds()) if only else state.priority
    return Item(ref, name, owner, priority, health, reasons)


def stored_items(customers: Iterable[Any], today: dt.date, language: str) -> dict[str, Item] | None:
    """The attention items of these customers (those that need attention), by ref, read from the
    stored state: one query, not their sellers' books. None when the state is not as of ``today``
    (the caller then computes, as ``service.attention_for`` does)."""
    if state_date() != today:
        return None
    by_pk = {c.pk: c for c in customers}
    rows = CustomerState.objects.filter(pk__in=list(by_pk), priority__gt=0).select_related("owner")
    return {by_pk[s.pk].ref: item_of(s, by_pk[s.pk].ref, by_pk[s.pk].name, s.owner.username, language) for s in rows}


def stored_attention(
    user: User, today: dt.date, language: str, only: str | None = None, states: QuerySet[CustomerState] | None = None
) -> Attention:
    """``user``'s attention list read from the stored state (which must be as of ``today``)."""
    qs = (states if states is not None else visible_states(user)).filter(priority__gt=0)
    if only:
        qs = qs.filter(reason_rows__code=only).distinct()
    rows = qs.select_related("owner").order_by(*ORDER)
    items = [item_of(s, s.ref, s.name, s.owner.username, language, only) for s in rows]
    if only:
        items.sort(key=lambda i: (-i.priority, i.name, i.customer))
    return Attention(today, user.username, items)

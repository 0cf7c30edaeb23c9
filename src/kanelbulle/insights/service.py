"""Whose list a caller may read, and the list itself: shared by the CLI, the pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.utils import translation

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.access import NotVisible
from kanelbulle.insights.actions import active_snoozes
from kanelbulle.insights.attention import CODES, Attention, Item, attention
from kanelbulle.insights.book import load_book
from kanelbulle.insights.models import Snooze, StateReason
from kanelbulle.insights.state import ORDER, item_of, state_date, stored_attention, visible_states
from kanelbulle.insights.thresholds import Thresholds


def list_owner(viewer: User | None, username: str) -> User:
    """The user whose attention list ``viewer`` asks for (None: the operator, who sees all).

    A seller reads their own list; a teammate's is visible but not theirs (403); anyone outside
    the team does not exist for them (404). A manager reads any list of their team, an admin any.
    """
    target = User.objects.filter(username=username).first()
    if target is None:
        raise NotVisible(username)
    if viewer is None or viewer.pk == target.pk or viewer.is_admin_role:
        return target
    same_team = bool(viewer.team) and viewer.team == target.team
    if not same_team:
        raise NotVisible(username)
    if viewer.is_manager:
        return target
    raise PermissionDenied("a seller reads their own attention list only")


def attention_for(
    user: User,
    today: dt.date,
    language: str | None = None,
    only: str | None = None,
    thresholds: Thresholds | None = None,
) -> Attention:
    """``user``'s attention list: their own customers, a manager's team's, an admin's all.

    Read from the stored relationship state when it is as of ``today`` (``state.py``); any other
    day, or other thresholds, is computed from the book.
    """
    if thresholds is None and state_date() == today:
        return stored_attention(user, today, language or translation.get_language() or "en", only)
    return attention(load_book(user, today), user.username, today, thresholds, language, only)


@dataclass
class ListPage:
    """One page of an attention list, with how many items there are and per seller."""

    result: Attention  # the items of this page only
    total: int
    offset: int
    limit: int
    counts: list[tuple[str, int]] = field(default_factory=list)  # (seller's username, items), most first
    #: Items on this page snoozed by their seller (shown to a manager, marked), by customer ref.
    snoozed: dict[str, Snooze] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


def attention_list(
    user: User,
    today: dt.date,
    language: str | None = None,
    *,
    seller: str | None = None,
    team: str | None = None,
    reason: str | None = None,
    offset: int = 0,
    limit: int = 25,
    counted: bool = True,
) -> ListPage:
    """A page of ``user``'s attention list, filtered by seller, team and reason code.

    From the stored state, with indexed queries, when it is as of ``today``; else computed whole
    and cut here. ``reason`` must be one of ``attention.CODES`` (ValueError otherwise).
    ``counted=False`` (the home page's first few) leaves out the per-seller counts, and ``total``
    then counts only up to this page.
    """
    if reason and reason not in CODES:
        raise ValueError(f"reason must be one of {', '.join(CODES)}, not {reason!r}")
    lang = language or translation.get_language() or "en"
    if state_date() == today:
        qs = visible_states(user).filter(priority__gt=0)
        if seller:
            qs = qs.filter(owner__username=seller)
        if team:
            qs = qs.filter(team=team)
        if reason:  # a subquery, not a join: a customer with two stalled deals counts once
            qs = qs.filter(pk__in=StateReason.objects.filter(code=reason).values("state_id"))
        if user.role == Role.SELLER:  # a seller's own list leaves out what they snoozed
            qs = qs.exclude(
                Exists(
                    Snooze.objects.filter(
                        customer_id=OuterRef("pk"), until__gt=today, priority__gte=OuterRef("priority")
                    )
                )
            )
        counts = (
            [
                (row["owner__username"], row["n"])
                for row in qs.values("owner__username").annotate(n=Count("pk")).order_by("-n", "owner__username")
            ]
            if counted
            else []
        )
        rows = qs.select_related("owner").order_by(*ORDER)[offset : offset + limit]
        items = [item_of(s, s.ref, s.name, s.owner.username, lang) for s in rows]
        total = sum(n for _name, n in counts) if counted else offset + len(items)
        return ListPage(Attention(today, user.username, items), total, offset, limit, counts, _snoozed(items, today))
    whole = attention_for(user, today, lang)
    teams = dict(User.objects.values_list("username", "team"))
    kept = [
        i
        for i in whole.items
        if (not seller or i.owner == seller)
        and (not team or teams.get(i.owner) == team)
        and (not reason or reason in i.codes)
    ]
    if user.role == Role.SELLER:
        asleep = _snoozed(kept, today)
        kept = [i for i in kept if i.customer not in asleep]
    per: dict[str, int] = {}
    for i in kept:
        per[i.owner] = per.get(i.owner, 0) + 1
    counts = sorted(per.items(), key=lambda x: (-x[1], x[0]))
    page = kept[offset : offset + limit]
    return ListPage(Attention(today, user.username, page), len(kept), offset, limit, counts, _snoozed(page, today))


def _snoozed(items: list[Item], today: dt.date) -> dict[str, Snooze]:
    """The snoozes in force for these items: not yet over, and the item no more urgent than then."""
    by_ref = {i.customer: i for i in items}
    return {ref: s for ref, s in active_snoozes(list(by_ref), today).items() if by_ref[ref].priority <= s.priority}

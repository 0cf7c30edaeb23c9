"""Whose list a caller may read, and the list itself: shared by the CLI, the pages and the API."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import translation

from kanelbulle.accounts.models import User
from kanelbulle.core.access import NotVisible
from kanelbulle.insights.attention import Attention, attention
from kanelbulle.insights.book import load_book
from kanelbulle.insights.state import state_date, stored_attention
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

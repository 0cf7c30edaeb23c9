"""Who may see and change what (decisions.md), in one place for pages, the API and the CLI.

A seller sees their team's customers and edits their own; a manager sees and edits their team's;
an admin sees and edits everything. With no team, a user's world is their own customers. A
meeting's ``unsaid`` is its author's alone, always. Callers turn ``NotVisible`` into 404 and
``PermissionDenied`` into 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User
    from kanelbulle.customers.models import Customer
    from kanelbulle.meetings.models import Meeting

M = TypeVar("M", bound=Model)


class NotVisible(LookupError):
    """The record does not exist for this caller (answer 404, as if it did not exist)."""


def _owner_scope(user: User, prefix: str) -> Q | None:
    """A filter on the owning seller (``prefix`` leads to the customer's owner); None = no limit."""
    if user.is_admin_role:
        return None
    if user.team:
        return Q(**{f"{prefix}owner__team": user.team})
    return Q(**{f"{prefix}owner": user})


def scope(user: User | None, qs: QuerySet[M], customer_path: str = "") -> QuerySet[M]:
    """Limit any queryset to what ``user`` may see; ``customer_path`` leads from it to the customer
    (``""`` for customers themselves, ``"customer__"`` for meetings, deals, …). None = operator."""
    if user is None:
        return qs
    q = _owner_scope(user, customer_path)
    return qs if q is None else qs.filter(q)


def visible_customers(user: User | None) -> QuerySet[Customer]:
    from kanelbulle.customers.models import Customer

    return scope(user, Customer.objects.all())


def can_see_customer(user: User | None, customer: Customer) -> bool:
    if user is None or user.is_admin_role:
        return True
    owner = customer.owner
    return owner.pk == user.pk or bool(user.team and owner.team == user.team)


def can_edit_customer(user: User | None, customer: Customer) -> bool:
    """Sellers change their own customers; managers their team's; admins and the operator all."""
    if user is None or user.is_admin_role:
        return True
    if customer.owner_id == user.pk:
        return True
    return user.is_manager and bool(user.team) and customer.owner.team == user.team


def require_visible(user: User | None, customer: Customer) -> None:
    if not can_see_customer(user, customer):
        raise NotVisible(customer.ref)


def require_edit(user: User | None, customer: Customer) -> None:
    require_visible(user, customer)
    if not can_edit_customer(user, customer):
        raise PermissionDenied("only the customer's seller, their manager or an admin may change this")


def can_edit_meeting(user: User | None, meeting: Meeting) -> bool:
    """The author changes their meeting; so may those who may change the customer."""
    if user is None:
        return True
    return meeting.user_id == user.pk or can_edit_customer(user, meeting.customer)


def unsaid_for(user: User | None, meeting: Meeting) -> str | None:
    """The unsaid, for its author only (None means: not yours to read). The operator sees it."""
    if user is None or meeting.user_id == user.pk:
        return meeting.unsaid
    return None


def can_see_user(viewer: User | None, user: User) -> bool:
    """Whom ``viewer`` may name (a list filtered by seller): their team, themselves; an admin anyone."""
    if viewer is None or viewer.is_admin_role or user.pk == viewer.pk:
        return True
    return bool(viewer.team) and user.team == viewer.team


def can_see_team(viewer: User | None, team: str) -> bool:
    """Which team ``viewer`` may name (a list filtered by team): their own; an admin any team someone is in."""
    if not team:
        return False
    if viewer is None or viewer.is_admin_role:
        from kanelbulle.accounts.models import User

        return User.objects.filter(team=team).exists()
    return team == viewer.team


def visible_teams(viewer: User | None) -> list[str]:
    """The teams ``viewer`` may name in a filter (``can_see_team``), sorted: an admin every team
    someone is in; anyone else their own (none without one)."""
    if viewer is None or viewer.is_admin_role:
        from kanelbulle.accounts.models import User

        return list(User.objects.exclude(team="").order_by("team").values_list("team", flat=True).distinct())
    return [viewer.team] if viewer.team else []


def get_visible(user: User | None, qs: QuerySet[M], customer_path: str = "", **lookup: Any) -> M:
    """One record by lookup, or NotVisible when it does not exist or the caller may not see it."""
    obj = scope(user, qs, customer_path).filter(**lookup).first()
    if obj is None:
        raise NotVisible(str(lookup))
    return obj


def no_such(model: type[Model], ref: str) -> str:
    """How a record that does not exist for the caller is reported, in the caller's language
    (``there is no customer 'c-x'``, ``det finns ingen kund 'c-x'``): the same words whether it
    does not exist or may not be seen."""
    from django.utils.translation import gettext

    return gettext("there is no %(kind)s %(ref)s") % {"kind": model._meta.verbose_name, "ref": repr(ref)}

"""Relationship state kept in the database: each customer's health, signals and attention reasons.

Computed by ``kanelbulle.insights.state`` (which calls the plain engines) and read by the attention
list, so no page recomputes the book. A write that touches a customer updates its row at once;
the passing of time and the team's figures move with the daily refresh (``kanelbulle refresh``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScopeNorms(models.Model):
    """What a team's customers are judged against (in-person share, deal cycle, margin and revenue
    ranks), as of the last refresh: one row per team, or per seller without a team."""

    scope = models.CharField(max_length=200, unique=True)
    as_of = models.DateField()
    norms = models.JSONField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.scope} as of {self.as_of}"


class CustomerState(models.Model):
    """One customer's relationship state as of ``as_of`` (messages kept in every UI language)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    # The customer's name and ref, kept with its state so a list ordered by priority, name and ref
    # is read in index order, without joining and sorting every customer (the home page's top five
    # of 10,000 took 39 ms on PostgreSQL that way). Rewritten with the state on every write.
    name = models.CharField(max_length=200, default="")
    ref = models.CharField(max_length=64, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.CharField(max_length=100, blank=True, default="")
    scope = models.CharField(max_length=200)
    as_of = models.DateField()
    health = models.SmallIntegerField()
    health_trend = models.CharField(max_length=8, default="steady")
    health_previous = models.SmallIntegerField(null=True)
    health_parts = models.JSONField(default=dict)  # {language: [part, ...]}
    last_touch = models.DateField(null=True)  # the last meeting held
    cadence_days = models.PositiveIntegerField(default=0)
    cadence_from_history = models.BooleanField(default=False)
    signals = models.JSONField(default=dict)
    priority = models.SmallIntegerField(default=0)  # 0: nothing needs attention
    reasons = models.JSONField(default=list)  # [{code, priority, facts, message: {language: text}}]
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-priority", "name", "ref"], name="state_owner_order"),
            models.Index(fields=["team", "-priority", "name", "ref"], name="state_team_order"),
            models.Index(fields=["-priority", "name", "ref"], name="state_order"),
        ]

    def __str__(self) -> str:
        return f"state of customer {self.customer_id} as of {self.as_of}"


class StateReason(models.Model):
    """One attention reason of a customer's state, for filtering the list by reason code."""

    state = models.ForeignKey(CustomerState, on_delete=models.CASCADE, related_name="reason_rows")
    code = models.CharField(max_length=32)
    priority = models.SmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["code", "-priority"], name="state_reason_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.priority})"


class Snooze(models.Model):
    """A customer taken off its seller's attention list until a day, with the reason (the manager
    still sees it, marked). It comes back on that day, or sooner when its priority rises above
    the one it had when it was snoozed."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="snooze")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateField()
    reason = models.CharField(max_length=500)
    priority = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"customer {self.customer_id} snoozed until {self.until}"

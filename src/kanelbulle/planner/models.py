"""A seller's plan as the pages keep it: the problem from the book, the seller's pins and
removals, the solved plan, and whether it was accepted (and which planned meetings that made).

Keeping the solved plan means a reload shows it again instead of solving again, and accepting
works on exactly the plan the seller looked at. Making, solving and accepting plans, and who may
do which, are in ``planner/actions.py``; this module holds the data only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitPlan(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_plans", verbose_name=_("seller")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    start = models.DateField(_("start"))
    days = models.PositiveSmallIntegerField(_("days"))
    base_problem = models.JSONField(default=dict)  # from the book, before pins and removals
    problem = models.JSONField(default=dict)  # as solved (kanelbulle-plan/1)
    plan = models.JSONField(default=dict)  # kanelbulle-plan-result/1
    values = models.JSONField(default=list)  # each visit's value explained, as `plan --json` gives
    pins = models.JSONField(default=dict)  # customer ref -> ISO date
    removed = models.JSONField(default=list)  # customer refs left out by the seller
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting_refs = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "start", "days"])]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")

    def __str__(self) -> str:
        return f"{self.owner} {self.start} +{self.days}"

    def document(self) -> dict[str, Any]:
        """The plan as `kanelbulle plan --user --json` answers it (plan + each visit's value)."""
        return {**self.plan, "values": self.values}


class TravelPolicy(models.Model):
    """The company's travel policy (planner/policy.py); a new version is a new row.

    The version in force on a day is the highest one whose ``valid_from`` is on or before it; a plan,
    a brief and a trip-worth answer use the one in force on the day planned and name it, and a
    saved plan keeps the version it was made with.
    """

    version = models.PositiveIntegerField(unique=True)
    valid_from = models.DateField(_("in force from"))
    data = models.JSONField(default=dict)
    note = models.CharField(_("why this version"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    def reference(self) -> dict[str, Any]:
        """What a plan says about the policy it used."""
        return {"version": self.version, "valid_from": self.valid_from.isoformat(), "currency": self.data["currency"]}


class VisitPin(models.Model):
    """A customer to visit the next time its seller plans ("Plan a visit" on the attention list).

    The planner's problem builder (``book.problem_for``) makes a pinned customer a required visit;
    the pin stays until the seller removes it on the plan page or accepts a plan that visits the
    customer. One pin per customer: its seller is the customer's owner when the plan is made.
    """

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="visit_pin")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pinned visit")
        verbose_name_plural = _("pinned visits")

    def __str__(self) -> str:
        return f"pin {self.customer_id}"

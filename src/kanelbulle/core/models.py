"""Shared model parts: timestamps and a version for optimistic concurrency, rates, audit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.money import CurrencyField


class Tracked(models.Model):
    """Created/updated stamps (for `updated_since` sync) and a version for stale-write checks."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)


class ExchangeRate(models.Model):
    """How many units of ``currency`` one euro bought on ``date`` (the ECB reference rates)."""

    date = models.DateField()
    currency = CurrencyField()
    per_eur = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "currency"], name="rate_unique_per_day")]
        indexes = [models.Index(fields=["currency", "date"])]

    def __str__(self) -> str:
        return f"{self.date} 1 EUR = {self.per_eur} {self.currency}"


class Erasure(models.Model):
    """A person erased under GDPR: kept (without personal data) so no import brings them back."""

    kind = models.CharField(max_length=32)
    ref = models.CharField(max_length=64)
    erased_at = models.DateTimeField()
    # "kind:ref" of the records whose free text the erasure redacted: an import of a document
    # exported before the erasure never puts their old text back.
    records = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="erasure_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} erased {self.erased_at:%Y-%m-%d}"


class AuditEntry(models.Model):
    """Append-only: who did what to which record, when."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=150, blank=True, help_text=_("operator, import, …"))
    action = models.CharField(max_length=32)
    kind = models.CharField(max_length=32, blank=True)
    ref = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # The audit log page filters by action and by record, newest first.
        indexes = [
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["ref"], name="audit_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or self.actor} {self.action} {self.kind} {self.ref}"


class JobRecord(models.Model):
    """A background job's effect that must happen once (one digest per user and week, one
    retention review per day): the job skips what is already recorded when it runs again."""

    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.key} done {self.done_at:%Y-%m-%d %H:%M}"


class PageJob(models.Model):
    """Work a page put on the queue (a plan solve, an evidence analysis) and how far it got.

    The page polls it for "waiting / working / done"; the job's ``key`` is its idempotency key:
    a job run again after its worker died finds its row, and a job whose row says ``done`` does
    nothing the second time (the effect and ``done`` are written in one transaction).
    ``subject`` names what is being computed, so a second click while it runs joins the first job.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, QUEUED), (RUNNING, RUNNING), (DONE, DONE), (FAILED, FAILED)]

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)  # plan, evidence
    subject = models.CharField(max_length=300)  # what it computes, e.g. plan:owner=3:2026-12-07+5
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict)  # {"plan": id} / {"evidence": id} / {"errors": [...]}

    class Meta:
        indexes = [models.Index(fields=["subject", "state"], name="pagejob_subject_state")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.DONE, self.FAILED)

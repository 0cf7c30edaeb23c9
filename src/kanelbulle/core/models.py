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

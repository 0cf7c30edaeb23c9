"""The gift and hospitality register, and our gift policy (versioned)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.models import Tracked
from kanelbulle.core.money import AmountField, CurrencyField, MoneyProperty
from kanelbulle.core.values import clean_value
from kanelbulle.customers.models import Contact, Customer


class Direction(models.TextChoices):
    GIVEN = "given", _("Given")
    RECEIVED = "received", _("Received")


class Category(models.TextChoices):
    FOOD = "food", _("Food")
    OBJECT = "object", _("Object")
    HOSPITALITY = "hospitality", _("Hospitality or meal")
    EVENT = "event", _("Event")
    TRAVEL = "travel", _("Travel")
    CASH_EQUIVALENT = "cash_equivalent", _("Cash or cash equivalent")


class GiftPolicy(models.Model):
    """Our policy; a new version is a new row, and each gift keeps the version in force."""

    version = models.PositiveIntegerField(unique=True)
    currency = CurrencyField(default="SEK")
    # Defaults from decisions.md: the 300 SEK tax cap for representation gifts, 1,000 SEK per
    # recipient in 12 months, a 100 SEK public-sector token value, cash equivalents never.
    per_gift_limit = AmountField(default=Decimal("300.00"))
    per_recipient_year_limit = AmountField(default=Decimal("1000.00"))
    public_sector_token = AmountField(default=Decimal("100.00"))
    never_categories = models.JSONField(default=list)
    note = models.CharField(_("why this version"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    @classmethod
    def current(cls) -> GiftPolicy:
        policy = cls.objects.order_by("-version").first()
        if policy is None:
            policy = cls.objects.create(
                version=1, currency=settings.COMPANY_CURRENCY, never_categories=["cash_equivalent"]
            )
        return policy


class Verdict(models.TextChoices):
    OK = "ok", _("OK")
    ASK = "ask", _("Needs approval")
    NO = "no", _("Not allowed")


STATUS_LABELS = {
    "recorded": _("Recorded"),
    "pending": _("Waiting for approval"),
    "approved": _("Approved"),
    "voided": _("Voided"),
}


class Gift(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="gifts")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="gifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gifts")
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    value_amount = AmountField(_("value"))
    value_currency = CurrencyField(_("currency"))
    value = MoneyProperty("value")
    # The value in the company currency at the rate of the gift's date, fixed when recorded.
    value_company_amount = AmountField(_("value in company currency"), null=True, blank=True)
    value_company_currency = CurrencyField(_("company currency"), blank=True)
    value_company = MoneyProperty("value_company")
    occasion = models.CharField(_("occasion"), max_length=100, blank=True)
    # The check's answer when recorded (or last changed): verdict, reasons and etiquette advice.
    verdict = models.CharField(_("verdict"), max_length=3, choices=Verdict.choices, default=Verdict.OK)
    reasons = models.JSONField(default=list, blank=True)
    etiquette = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy = models.ForeignKey(GiftPolicy, null=True, blank=True, on_delete=models.PROTECT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-date", "ref"]
        # The register reads a period newest first, one page at a time.
        indexes = [models.Index(fields=["date", "ref"], name="gift_date_ref")]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        clean_value(self)  # not negative, a currency with rates (core/values.py)

    @property
    def status(self) -> str:
        return status_of(self.voided_at, self.verdict, self.approved_at)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def status_of(voided_at: dt.datetime | None, verdict: str, approved_at: dt.datetime | None) -> str:
    """voided, pending (an ``ask`` not yet approved), approved or recorded: a gift's and a report
    line's status alike."""
    if voided_at is not None:
        return "voided"
    if verdict == Verdict.ASK:
        return "approved" if approved_at is not None else "pending"
    return "recorded"


class GiftChange(models.Model):
    """The history of one gift: who did what, when, and every field's old and new value."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.gift.ref} {self.action} {self.at:%Y-%m-%d %H:%M}"

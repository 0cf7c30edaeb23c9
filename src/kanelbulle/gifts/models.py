"""The gift and hospitality register, and our gift policy (versioned)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.models import Tracked
from kanelbulle.core.money import AmountField, CurrencyField, MoneyProperty
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
    occasion = models.CharField(_("occasion"), max_length=100, blank=True)
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
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")

    def __str__(self) -> str:
        return self.description

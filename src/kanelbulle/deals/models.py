"""Deals (open, won, lost) and orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.models import Tracked
from kanelbulle.core.money import AmountField, CurrencyField, MoneyProperty
from kanelbulle.core.values import clean_value
from kanelbulle.customers.models import Customer


class Stage(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="deals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals")
    title = models.CharField(_("title"), max_length=200)
    value_amount = AmountField(_("value"))
    value_currency = CurrencyField(_("currency"))
    value = MoneyProperty("value")
    margin_pct = models.DecimalField(_("margin %"), max_digits=6, decimal_places=2, null=True, blank=True)
    probability_pct = models.DecimalField(_("probability %"), max_digits=5, decimal_places=2, null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.OPEN)
    created = models.DateField(_("created"))
    closed = models.DateField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "ref"]
        # The deal board reads each stage's top cards: open ones oldest first, closed ones latest first.
        indexes = [
            models.Index(fields=["stage", "created", "ref"], name="deal_stage_created"),
            models.Index(fields=["stage", "closed", "created", "ref"], name="deal_stage_closed"),
        ]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        clean_value(self)  # not negative, a currency with rates (core/values.py)


class Order(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    date = models.DateField(_("date"), db_index=True)
    value_amount = AmountField(_("value"))
    value_currency = CurrencyField(_("currency"))
    value = MoneyProperty("value")
    margin_pct = models.DecimalField(_("margin %"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-date", "ref"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return f"{self.customer} {self.date}"

    def clean(self) -> None:
        clean_value(self, credit=True)  # a negative order is a credit note (core/values.py)

"""Customers (companies), their people (contacts) and the human details (facts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.models import Tracked
from kanelbulle.core.money import AmountField, CurrencyField, MoneyProperty
from kanelbulle.core.text import check_names


class Potential(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Customer(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # The company's registration number (Swedish organisationsnummer, VAT or company number), as
    # written; compared without spaces, dashes or case (CSV presets match customers by it).
    org_number = models.CharField(_("organisation number"), max_length=32, blank=True)
    country = models.CharField(_("country"), max_length=2)
    city = models.CharField(_("city"), max_length=120)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customers", verbose_name=_("owner")
    )
    potential = models.CharField(_("potential"), max_length=16, choices=Potential.choices, default=Potential.UNKNOWN)
    public_sector = models.BooleanField(_("public sector"), default=False)
    visit_minutes = models.PositiveIntegerField(_("visit length (minutes)"), default=60)
    opening_hours = models.JSONField(_("opening hours"), null=True, blank=True)
    # The customer's own gift policy; accepts_gifts None means "not recorded".
    accepts_gifts = models.BooleanField(_("accepts gifts"), null=True, blank=True)
    gift_max_amount = AmountField(_("gift limit"), null=True, blank=True)
    gift_max_currency = CurrencyField(_("gift limit currency"), blank=True)
    gift_max = MoneyProperty("gift_max")
    tender_open_until = models.DateField(_("open tender until"), null=True, blank=True)
    # Name, city, contacts' names and facts' texts, case- and accent-folded: what a search looks
    # in (customers/search.py keeps it current on every write).
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        # The customer list pages by name and offers the countries in the book (issue 15).
        indexes = [
            models.Index(fields=["name"], name="customer_name"),
            models.Index(fields=["country"], name="customer_country"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_names(self, "name")


class SourceId(models.Model):
    """A customer's id in another tool (a CSV preset's ``Organization - ID``), kept when an import
    matched the row to a customer made another way, so the next import finds it by that id."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="source_ids")
    tool = models.CharField(_("tool"), max_length=16)
    ident = models.CharField(_("id in the tool"), max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tool", "ident"], name="customer_source_id_once")]
        verbose_name = _("id in another tool")
        verbose_name_plural = _("ids in other tools")

    def __str__(self) -> str:
        return f"{self.tool}:{self.ident}"


class LawfulBasis(models.TextChoices):
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")


class Contact(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    lawful_basis = models.CharField(_("lawful basis"), max_length=32, choices=LawfulBasis.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_names(self, "name")


class FactKind(models.TextChoices):
    PET = "pet", _("Pet")
    FAMILY = "family", _("Family")
    INTEREST = "interest", _("Interest")
    PREFERENCE = "preference", _("Preference")
    DISLIKE = "dislike", _("Dislike")
    DATE = "date", _("Date")
    OTHER = "other", _("Other")


class FactSource(models.TextChoices):
    CONTACT = "contact", _("The contact told us")
    COLLEAGUE = "colleague", _("A colleague")
    PUBLIC = "public", _("Public source")
    STAFF = "staff", _("Our staff observed")
    IMPORT = "import", _("Imported")


class Fact(Tracked):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField(_("kind"), max_length=16, choices=FactKind.choices)
    text = models.CharField(_("text"), max_length=500)
    source = models.CharField(_("source"), max_length=16, choices=FactSource.choices, default=FactSource.CONTACT)
    learned = models.DateField(_("learned"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-learned", "position", "id"]
        verbose_name = _("fact")
        verbose_name_plural = _("facts")

    def __str__(self) -> str:
        return self.text

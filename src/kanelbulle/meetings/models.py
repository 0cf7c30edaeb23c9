"""Meetings (with modality and who asked for them) and meeting requests."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.models import Tracked
from kanelbulle.customers.models import Contact, Customer


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="meetings")
    contacts = models.ManyToManyField(Contact, blank=True, related_name="meetings", verbose_name=_("who was there"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("seller")
    )
    start = models.DateTimeField(_("start"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    requested_by_customer = models.BooleanField(_("the customer asked for it"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # Private to the author, always: never shown to a manager or admin, never in others' exports.
    unsaid = models.TextField(_("the unsaid"), blank=True)
    # Stored only when given; otherwise it follows from the start (see effective_status).
    status = models.CharField(_("status"), max_length=16, choices=MeetingStatus.choices, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["customer", "start"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.customer} {self.start:%Y-%m-%d}"

    def effective_status(self, now: dt.datetime | None = None) -> str:
        if self.status:
            return self.status
        return MeetingStatus.PLANNED if self.start > (now or timezone.now()) else MeetingStatus.HELD


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HONOURED = "honoured", _("Honoured")
    DECLINED = "declined", _("Declined")


class MeetingRequest(Tracked):
    ref = models.CharField(_("ref"), max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="meeting_requests")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    honoured_by = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="honours")

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")

    def __str__(self) -> str:
        return f"{self.customer} {self.requested_at:%Y-%m-%d}"

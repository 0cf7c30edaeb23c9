"""What privacy needs to remember beyond the records themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanelbulle.customers.models import Fact


class SpecialCategoryException(models.Model):
    """The documented Art. 9(2) exception under which a sensitive fact is kept."""

    fact = models.OneToOneField(Fact, on_delete=models.CASCADE, related_name="special_category_exception")
    exception = models.CharField(_("exception"), max_length=32)
    categories = models.JSONField(default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.exception} for fact {self.fact_id}"

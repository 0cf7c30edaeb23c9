"""Users (sellers, managers, admins) with a team and a home place, and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SELLER = "seller", _("Seller")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


class User(AbstractUser):
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SELLER)
    team = models.CharField(_("team"), max_length=100, blank=True)
    home_city = models.CharField(_("home city"), max_length=120, blank=True)
    home_country = models.CharField(_("home country"), max_length=2, blank=True)
    home_lat = models.FloatField(_("home latitude"), null=True, blank=True)
    home_lon = models.FloatField(_("home longitude"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    # The language the user last chose in the app; e-mails and commands about them use it too.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return self.name or self.username

    def clean(self) -> None:
        super().clean()
        from kanelbulle.core.text import check_names

        check_names(self, "name")

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


def hash_token(raw: str) -> str:
    # Tokens are long random strings, so one SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = "kb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw))
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.objects.select_related("user").filter(key_hash=hash_token(raw), revoked_at=None).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class CalendarToken(models.Model):
    """A read-only token for one user's calendar feed (`/api/v1/calendar/NAME.ics?token=…`).

    Kept apart from API tokens: it sits in a URL that calendar clients store and send to their
    servers, so it may only read that user's own meetings, and making a new one revokes the old.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"

    @classmethod
    def issue(cls, user: User) -> str:
        """Revoke the user's current feed token and return a new raw one (never stored)."""
        raw = "kbcal_" + secrets.token_urlsafe(24)
        cls.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        cls.objects.create(user=user, key_hash=hash_token(raw))
        return raw

    @classmethod
    def authenticate(cls, username: str, raw: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_token(raw), revoked_at=None, user__username=username)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class CalendarImport(models.Model):
    """Which calendar event (by its iCalendar UID) became which meeting, so a re-import never
    duplicates it. Lives here until Meeting carries the UID itself."""

    uid = models.CharField(max_length=500, unique=True)
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.uid

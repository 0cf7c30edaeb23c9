"""The privacy background job: the daily retention review (scheduled in ``core.taskqueue``)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from kanelbulle.core.models import JobRecord
from kanelbulle.privacy.retention import due_for_review


def retention_review(today: str | None = None) -> dict[str, object]:
    """Which contacts are due for a retention review today, recorded once per day.

    Nothing is erased automatically: the list is kept (``JobRecord`` ``retention:DATE``) for the
    privacy page and `kanelbulle privacy retention`, where a person renews or erases.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    key = f"retention:{day.isoformat()}"
    existing = JobRecord.objects.filter(key=key).first()
    if existing is not None:
        return dict(existing.result)
    due = due_for_review(day)
    result = {"due": [d.contact.ref for d in due], "count": len(due)}
    try:
        with transaction.atomic():
            JobRecord.objects.create(key=key, done_at=timezone.now(), result=result)
    except IntegrityError:
        pass
    return result

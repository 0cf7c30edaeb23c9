"""Work a page starts on the queue (a plan solve, an evidence analysis), run once however often it runs.

A page calls ``start``: it writes a ``PageJob`` row (its ``key`` is the job's idempotency key) and
puts the job on the queue with that key; a second request for the same ``subject`` while the first
is waiting or working joins it instead of starting another. The worker calls ``run`` with the key
and two halves of the work: ``compute`` (slow, outside any transaction, so the database is not
locked while a plan is solved) and ``store`` (writes the effect). ``store`` runs in one transaction
with the row turning ``done``, after the row is locked and found not done: a job run again after
its worker was killed mid-job computes again and stores once; one run after it finished does
nothing. The page polls the row (``queued`` → ``running`` → ``done``/``failed``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from kanelbulle.core.models import PageJob


class JobRefused(Exception):
    """The work cannot be done as asked; ``messages`` are for the person who asked (in their language)."""

    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(messages))


def _join_window() -> dt.timedelta:
    """How long an unfinished job may be joined: past the queue's retry time it is presumed lost."""
    return dt.timedelta(seconds=int(str(settings.Q_CLUSTER.get("retry", 1860))))


def start(kind: str, subject: str, func: str, params: dict[str, Any], user: Any) -> PageJob:
    """Queue ``func(key)`` for ``subject`` unless an unfinished job for it is already under way."""
    from kanelbulle.core.taskqueue import enqueue

    now = timezone.now()
    running = (
        PageJob.objects.filter(subject=subject, state__in=[PageJob.QUEUED, PageJob.RUNNING])
        .filter(queued_at__gte=now - _join_window())
        .order_by("-queued_at")
        .first()
    )
    if running is not None:
        return running
    job = PageJob.objects.create(
        key=uuid.uuid4().hex,
        kind=kind,
        subject=subject,
        params=params,
        requested_by=user,
        language=(getattr(user, "language", "") or translation.get_language() or "en")[:10],
        queued_at=now,
    )
    # The queue's broker is this database: outside a transaction (pages run in autocommit) the
    # row is committed before the job is, and inside one they commit together.
    enqueue(func, job.key)
    job.refresh_from_db()  # a test's synchronous queue has already run it
    return job


def run(key: str, compute: Callable[[PageJob], Any], store: Callable[[PageJob, Any], dict[str, Any]]) -> dict[str, Any]:
    """Run the job ``key`` (see the module's docstring); returns what the row records."""
    job = PageJob.objects.filter(key=key).first()
    if job is None:
        return {"errors": [f"no job {key}"]}
    if job.finished:
        return dict(job.result)
    PageJob.objects.filter(pk=job.pk).update(
        state=PageJob.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    with translation.override(job.language):
        try:
            payload = compute(job)
            with transaction.atomic():
                locked = PageJob.objects.select_for_update().get(pk=job.pk)
                if locked.finished:  # another run finished it meanwhile: store nothing
                    return dict(locked.result)
                result = store(job, payload)
                locked.state, locked.finished_at, locked.result = PageJob.DONE, timezone.now(), result
                locked.save(update_fields=["state", "finished_at", "result"])
        except JobRefused as exc:
            result = {"errors": exc.messages}
            PageJob.objects.filter(pk=job.pk).update(state=PageJob.FAILED, finished_at=timezone.now(), result=result)
        except Exception:
            message = translation.gettext("The work failed; try again, or ask an admin to read the worker's log.")
            PageJob.objects.filter(pk=job.pk).update(
                state=PageJob.FAILED, finished_at=timezone.now(), result={"errors": [message]}
            )
            raise
    return result


def status_text(job: PageJob, now: dt.datetime) -> str:
    """What the page says while the job is unfinished: waiting for a worker, or working for how long."""
    from django.utils.translation import gettext as _

    if job.state == PageJob.RUNNING and job.started_at is not None:
        seconds = max(0, int((now - job.started_at).total_seconds()))
        return _("Working on it: started %(seconds)s s ago.") % {"seconds": seconds}
    seconds = max(0, int((now - job.queued_at).total_seconds()))
    return _(
        "Waiting for the background worker (queued %(seconds)s s ago). If this does not start, "
        "the worker is not running: `kanelbulle worker`."
    ) % {"seconds": seconds}

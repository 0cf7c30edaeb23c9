"""The evidence analyses kept per scope, so the page answers at once (issue 15).

An analysis of a team's book takes seconds; the page shows the last one kept for the viewer's
scope (``book.scope_of``: the company, a team, a seller's own deals) and the page's ``since``,
with the day it is as of, and a button queues a recompute (``evidence/jobs.py``).
"""

from __future__ import annotations

import pickle
from typing import Any

from django.db import models


class StoredAnalysis(models.Model):
    """The last analysis of one scope and ``since``: the ``analysis.Result`` as the worker made it.

    The result is pickled: it is a tree of frozen dataclasses the page and charts read as they are,
    written and read only by this program. One from an older version that no longer loads counts
    as none kept (``result_or_none``), and the nightly recompute replaces it.
    """

    scope = models.CharField(max_length=120)  # company, team:NAME, user:ID
    since = models.CharField(max_length=10, blank=True, default="")  # ISO date or "" (all deals)
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    result = models.BinaryField()
    job_key = models.CharField(max_length=64, blank=True, default="")  # the PageJob that kept it, if any
    #: The page's two charts of this result as SVG, per language ({"sv": {"forest": …, "modality": …}}):
    #: drawn when the result is kept (or on the first view of an older one), never on every view.
    charts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "since"], name="stored_analysis_scope_since")]

    def __str__(self) -> str:
        return f"{self.scope} since {self.since or '-'} as of {self.as_of}"

    def result_or_none(self) -> Any:
        try:
            return pickle.loads(bytes(self.result))  # noqa: S301 - written by this program's worker only
        except Exception:  # an older version's result: as if none was kept
            return None

    @staticmethod
    def dump(result: Any) -> bytes:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)

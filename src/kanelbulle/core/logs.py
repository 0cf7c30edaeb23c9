"""Logging filters: a refused request is one line in the log, never a traceback.

Django logs every 4xx answer on ``django.request`` and, for a ``PermissionDenied`` (or a
``SuspiciousOperation``), attaches the exception so that handlers print its whole traceback.
A 403 is the product working as designed (a teammate opened a page that is not theirs), so
the traceback is dropped for any answer below 500; a 5xx keeps it (that one is a bug).
"""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True

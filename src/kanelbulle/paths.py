"""Where the installation keeps its data: one directory, chosen once per process."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from django.core.exceptions import ImproperlyConfigured

ENV = "KANELBULLE_DATA_DIR"


def data_dir() -> Path:
    """The data directory: ``KANELBULLE_DATA_DIR`` or the user's data directory.

    It is created on first use so that a fresh machine needs no set-up.
    """
    configured = os.environ.get(ENV)
    path = Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("kanelbulle"))
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"the data directory {path} is a file, not a directory (--data-dir or {ENV})")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"the data directory {path} cannot be created: {exc.strerror or exc} (--data-dir or {ENV})"
        ) from None
    return path

"""Where the installation keeps its data: one directory, chosen once per process."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """The data directory: ``KANELBULLE_DATA_DIR`` or the user's data directory.

    It is created on first use so that a fresh machine needs no set-up.
    """
    configured = os.environ.get("KANELBULLE_DATA_DIR")
    path = Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("kanelbulle"))
    path.mkdir(parents=True, exist_ok=True)
    return path

"""An import killed with SIGKILL in the middle of writing leaves the database exactly as before.

The import writes in one transaction; a process that dies before its commit leaves nothing
behind (SQLite rolls the WAL back on the next open, PostgreSQL aborts the transaction when the
connection drops). The test waits until the import is really writing (SQLite: its write-ahead
log grows; PostgreSQL: its transaction has an id, which it gets on the first write), kills it,
then compares a full export with the one taken before and runs SQLite's integrity check.
(A backup taken during writes restoring to a consistent database: tests/test_backup.py.)
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from bench.bench_import import make_document

from tests.server import KANELBULLE, Installation

pytestmark = [pytest.mark.server, pytest.mark.slow]


def export(kb: Installation) -> dict[str, Any]:
    result = kb.cli("export")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    doc.pop("exported_at", None)
    return doc


def writing(kb: Installation) -> bool:
    """Has the import started writing its transaction?"""
    url = kb.env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            ).fetchone()
        return bool(row and row[0])
    wal = kb.data_dir / "kanelbulle.sqlite3-wal"
    return wal.exists() and wal.stat().st_size > 0


def test_an_import_killed_while_writing_leaves_the_database_as_before(kb: Installation, tmp_path: Path) -> None:
    assert kb.cli("init").returncode == 0
    small = tmp_path / "small.json"
    small.write_text(json.dumps(make_document(3, 2, seed=1)))
    assert kb.cli("import", str(small)).returncode == 0
    before = export(kb)
    assert len(before["customers"]) == 3

    big = tmp_path / "big.json"
    big.write_text(json.dumps(make_document(1500, 4, seed=2)))
    assert not writing(kb)
    importer = subprocess.Popen(
        [KANELBULLE, "import", str(big)], env=kb.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while not writing(kb):
        assert importer.poll() is None, "the import ended before it was seen writing: make the document bigger"
        assert time.monotonic() < deadline, "the import was never seen writing"
        time.sleep(0.02)
    time.sleep(0.3)  # well inside the write (it takes seconds), not at its first row
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=30)
    assert importer.returncode == -signal.SIGKILL, "the import finished before it could be killed"

    assert export(kb) == before
    if "DATABASE_URL" not in kb.env:
        with sqlite3.connect(kb.data_dir / "kanelbulle.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # And the same import, left to finish, then stores everything.
    finished = kb.cli("import", str(big))
    assert finished.returncode == 0, finished.stderr
    assert len(export(kb)["customers"]) == 1500

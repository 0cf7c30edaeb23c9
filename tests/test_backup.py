"""Backups taken while the server runs restore to a consistent database; restore never overwrites silently."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.server import Installation, installation

pytestmark = pytest.mark.server


def test_backup_during_writes_restores_consistently(kb: Installation, tmp_path: Path) -> None:
    assert kb.cli("init").returncode == 0
    kb.start()
    stop = threading.Event()
    created: list[str] = []

    def write() -> None:
        i = 0
        while not stop.is_set() and i < 40:
            if kb.cli("user", "create", f"seller{i}", "--role", "seller").returncode == 0:
                created.append(f"seller{i}")
            i += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(created) < 3:
            threading.Event().wait(0.1)
        target = tmp_path / "copy.backup"
        result = kb.cli("backup", str(target))
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert target.stat().st_size > 0
    if "DATABASE_URL" not in kb.env:
        with sqlite3.connect(target) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            in_copy = {r[0] for r in conn.execute("SELECT username FROM accounts_user")}
        # Every user in the copy was acknowledged, and the first ones are certainly in it.
        assert set(created[:3]) <= in_copy <= set(created)

    with installation(tmp_path / "other") as fresh:
        assert fresh.cli("init").returncode == 0
        restored = fresh.cli("restore", str(target))
        assert restored.returncode == 0, restored.stderr
        assert fresh.cli("user", "create", created[0], "--role", "seller").stderr.strip() == (
            f"a user named {created[0]!r} already exists"
        )
        # Now it holds data: a second restore without --force is refused and changes nothing.
        again = fresh.cli("restore", str(target))
        assert again.returncode == 2
        assert (
            again.stderr.strip() == "the database is not empty; restore would overwrite it (add --force to replace it)"
        )
        forced = fresh.cli("restore", str(target), "--force")
        assert forced.returncode == 0, forced.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(kb: Installation, tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    assert kb.cli("init").returncode == 0
    result = kb.cli("restore", str(junk))
    if "DATABASE_URL" in kb.env:
        assert result.returncode == 1
        assert result.stderr.startswith("pg_restore failed")
    else:
        assert result.returncode == 2
        assert result.stderr.strip() == f"{junk}: not a SQLite backup, or it is damaged (integrity check failed)"


def test_restore_of_a_missing_file_is_bad_input(kb: Installation, tmp_path: Path) -> None:
    result = kb.cli("restore", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope'}: no such file"


def test_a_backup_is_one_file_and_a_missing_folder_is_refused(kb: Installation, tmp_path: Path) -> None:
    """No -wal/-shm beside the copy; a folder that does not exist is named, not created."""
    assert kb.cli("init").returncode == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    done = kb.cli("backup", str(folder / "kanelbulle.backup"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["kanelbulle.backup"]

    missing = tmp_path / "no-such-folder" / "kanelbulle.backup"
    refused = kb.cli("backup", str(missing))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"the folder {missing.parent} does not exist: create it first (nothing was written)"
    )
    assert not missing.parent.exists()
    into_a_folder = kb.cli("backup", str(folder))
    assert into_a_folder.returncode == 2 and "is a folder" in into_a_folder.stderr

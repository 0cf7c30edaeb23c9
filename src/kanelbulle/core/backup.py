"""Consistent copies of the database, taken while the server runs, and their restore.

SQLite: the online backup API copies a consistent snapshot page by page while writers go on.
PostgreSQL: ``pg_dump`` (custom format) when it is installed, else a clear message.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection


class BackupError(Exception):
    """Could not take or restore a copy (exit 1)."""


class BackupRefused(Exception):
    """The target cannot be written as given (exit 2): a missing folder, a directory."""


class RestoreRefused(Exception):
    """Restoring would overwrite data (exit 2 unless --force)."""


def _sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def _pg_url() -> str:
    s: dict[str, Any] = connection.settings_dict
    user = f"{s['USER']}@" if s.get("USER") else ""
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{user}{s.get('HOST') or ''}{port}/{s['NAME']}"


def _pg_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(connection.settings_dict["PASSWORD"])
    return env


def integrity_ok(path: Path) -> bool:
    """SQLite's integrity check, read-only; ``immutable`` leaves no -shm/-wal beside the file."""
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True) as conn:
            return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    except sqlite3.DatabaseError:
        return False


def backup(target: Path) -> str:
    """Write a consistent copy to ``target`` (replaced atomically); returns a one-line summary."""
    given = target
    target = target.expanduser().resolve()
    if target.is_dir():
        raise BackupRefused(f"{given} is a folder: give the backup's file name, e.g. {given}/kanelbulle.backup")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {given.parent} does not exist: create it first (nothing was written)")
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".kb-backup-", delete=False) as tmp:
        partial = Path(tmp.name)
    try:
        if connection.vendor == "sqlite":
            source = sqlite3.connect(_sqlite_path())
            try:
                dest = sqlite3.connect(partial)
                with dest:
                    source.backup(dest, pages=1024)
                # The copy is one self-contained file: no WAL (and so no -wal/-shm beside it).
                dest.execute("PRAGMA journal_mode=DELETE")
                dest.close()
            finally:
                source.close()
            if not integrity_ok(partial):
                raise BackupError("the copy failed SQLite's integrity check; nothing was written")
        else:
            if shutil.which("pg_dump") is None:
                raise BackupError("pg_dump is not installed: install the PostgreSQL client tools to back up PostgreSQL")
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", _pg_url()],
                capture_output=True, text=True, env=_pg_env(),
            )  # fmt: skip
            if done.returncode != 0:
                raise BackupError("pg_dump failed: " + (done.stderr.strip().splitlines() or ["no message"])[-1])
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return f"backup written to {target} ({target.stat().st_size:,} bytes, {connection.vendor})"


def database_is_empty() -> bool:
    from kanelbulle.accounts.models import User
    from kanelbulle.customers.models import Customer

    try:
        return not (User.objects.exists() or Customer.objects.exists())
    except Exception:  # no tables yet: nothing to lose
        return True


def restore(source: Path, *, force: bool) -> str:
    source = source.expanduser()
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such file")
    if not force and not database_is_empty():
        raise RestoreRefused("the database is not empty; restore would overwrite it (add --force to replace it)")
    if connection.vendor == "sqlite":
        if not integrity_ok(source):
            raise ValueError(f"{source}: not a SQLite backup, or it is damaged (integrity check failed)")
        connection.close()
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(_sqlite_path(), timeout=30)
            with dest:
                src.backup(dest)
            dest.close()
        finally:
            src.close()
    else:
        if shutil.which("pg_restore") is None:
            raise BackupError("pg_restore is not installed: install the PostgreSQL client tools to restore PostgreSQL")
        connection.close()
        done = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={_pg_url()}",
             str(source)],
            capture_output=True, text=True, env=_pg_env(),
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError("pg_restore failed: " + (done.stderr.strip().splitlines() or ["no message"])[-1])
    return f"restored {source} into the {connection.vendor} database"

"""The product served by a real server process, as a user runs it."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest

from tests.server import Installation, fetch_json

pytestmark = pytest.mark.server


def test_serve_answers_health_login_and_static_files(kb: Installation) -> None:
    init = kb.cli("init")
    assert init.returncode == 0, init.stderr
    base = kb.start()
    health = fetch_json(base + "/api/v1/health")
    assert health["status"] == "ok"
    assert health["database"] == ("postgresql" if "DATABASE_URL" in kb.env else "sqlite")
    with urllib.request.urlopen(base + "/") as r:  # noqa: S310
        page = r.read().decode()
        assert "default-src 'self'" in r.headers["Content-Security-Policy"].split("; ")
        assert r.headers["X-Frame-Options"] == "DENY"
    assert 'name="password"' in page
    with urllib.request.urlopen(base + "/static/kanelbulle/vendor/htmx-2.0.11.min.js") as r:  # noqa: S310
        assert b"htmx" in r.read(2000)
    assert fetch_json(base + "/api/v1/openapi.json")["info"]["title"] == "Kanelbulle API"


def test_the_embedded_database_is_sqlite_in_wal_mode(kb: Installation) -> None:
    if "DATABASE_URL" in kb.env:
        pytest.skip("WAL is SQLite's; this run is on PostgreSQL")
    assert kb.cli("init").returncode == 0
    db = kb.data_dir / "kanelbulle.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

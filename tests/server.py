"""A real `kanelbulle serve` process on a free port, with its own data directory and database.

Under ``DATABASE_URL`` (the PostgreSQL run) each server gets a fresh database of its own, made
and dropped here, so server tests never touch the test runner's database or each other's.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KANELBULLE = str(Path(sys.executable).with_name("kanelbulle"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Installation:
    """A data directory (and, on PostgreSQL, a database) that commands and a server share."""

    data_dir: Path
    env: dict[str, str]
    base_url: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KANELBULLE, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=timeout
        )

    def start(self, *, workers: int = 1) -> str:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        log = (self.data_dir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [KANELBULLE, "serve", "--port", str(port), "--workers", str(workers)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited: " + (self.data_dir / "server.log").read_text())
            try:
                with urllib.request.urlopen(self.base_url + "/api/v1/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return self.base_url
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _pg_admin(sql: str, base_url: str) -> None:
    import psycopg

    admin_url = base_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextmanager
def installation(tmp_path: Path) -> Iterator[Installation]:
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    # The test process's own switches (settings module, async-unsafe for Playwright) are not the product's.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["KANELBULLE_DATA_DIR"] = str(data_dir)
    db_name = None
    base_pg = os.environ.get("DATABASE_URL")
    if base_pg:
        db_name = "kb_srv_" + secrets.token_hex(4)
        _pg_admin(f'CREATE DATABASE "{db_name}"', base_pg)
        env["DATABASE_URL"] = base_pg.rsplit("/", 1)[0] + "/" + db_name
    inst = Installation(data_dir=data_dir, env=env)
    try:
        yield inst
    finally:
        inst.stop()
        if db_name and base_pg:
            _pg_admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)', base_pg)
        shutil.rmtree(data_dir, ignore_errors=True)


def fetch_json(url: str, **headers: str) -> Any:
    import json

    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310
        return json.loads(r.read())

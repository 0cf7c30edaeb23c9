"""Redis when configured (issue 15, docs/deploy.md): with ``KANELBULLE_REDIS_URL`` a real server
keeps Django's cache in Redis and reads sessions through it, still writing each session to the
database, so a Redis that is emptied or out of reach logs nobody out.

Against the Redis of the machine (``KANELBULLE_TEST_REDIS_URL``, default database 15 of
127.0.0.1:6379); each test has a key prefix of its own. Skipped, saying so, where no Redis runs.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.personas import PASSWORD
from tests.server import Installation, free_port, installation

REDIS_URL = os.environ.get("KANELBULLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = [pytest.mark.server, pytest.mark.slow]


def _redis() -> object:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis answers at {REDIS_URL} (set KANELBULLE_TEST_REDIS_URL)")
    return client


class Browser:
    """Cookies and a logged-in session over real HTTP, as a browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=10) as r:
            return r.status, r.geturl(), r.read().decode()

    def log_in(self, username: str) -> None:
        _status, _url, page = self.get("/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, "no CSRF token on the login page"
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        with self.opener.open(self.base + "/", data=body, timeout=10) as r:
            assert r.geturl().endswith("/home/"), r.geturl()

    @property
    def session(self) -> str:
        return next(c.value for c in self.jar if c.name == "sessionid")


@pytest.fixture
def redis_prefix() -> Iterator[tuple[object, str]]:
    client = _redis()
    prefix = "kbtest-" + secrets.token_hex(4)
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):  # type: ignore[attr-defined]
        client.delete(key)  # type: ignore[attr-defined]


def serve(tmp: Path, redis_url: str, prefix: str) -> Iterator[Installation]:
    with installation(tmp) as kb:
        kb.env |= {"KANELBULLE_REDIS_URL": redis_url, "KANELBULLE_REDIS_PREFIX": prefix}
        assert kb.cli("init").returncode == 0
        made = kb.cli("user", "create", "anna", "--role", "seller", "--name", "Anna Berg", "--team", "north",
                      "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert made.returncode == 0, made.stderr
        kb.start(workers=2)
        yield kb


def session_keys(client: object, prefix: str, session: str) -> list[bytes]:
    return [k for k in client.scan_iter(f"{prefix}:*")  # type: ignore[attr-defined]
            if k.decode().endswith(session)]  # fmt: skip


def test_sessions_are_read_through_redis_and_survive_it_being_emptied(
    tmp_path: Path, redis_prefix: tuple[object, str]
) -> None:
    client, prefix = redis_prefix
    for kb in serve(tmp_path, REDIS_URL, prefix):
        anna = Browser(kb.base_url)
        anna.log_in("anna")
        assert len(session_keys(client, prefix, anna.session)) == 1  # the session is in Redis
        stored = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from django.contrib.sessions.models import Session; "
             f"print(Session.objects.filter(session_key='{anna.session}').count())"],
            env=kb.env | {"DJANGO_SETTINGS_MODULE": "kanelbulle.settings"}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert stored.stdout.strip() == "1", stored.stderr  # and written to the database
        # Two app processes, one Redis: every request finds her logged in, whichever process answers.
        for _ in range(6):
            status, url, page = anna.get("/home/")
            assert status == 200 and url.endswith("/home/") and "Anna Berg" in page
        # Redis emptied (a restart without persistence): still logged in, read from the database
        # and put back into Redis.
        for key in session_keys(client, prefix, anna.session):
            client.delete(key)  # type: ignore[attr-defined]
        status, url, page = anna.get("/home/")
        assert url.endswith("/home/") and "Anna Berg" in page
        assert len(session_keys(client, prefix, anna.session)) == 1


def test_a_redis_out_of_reach_logs_nobody_out(tmp_path: Path) -> None:
    _redis()  # the same machine, for a like-for-like run; the server's Redis is a closed port
    for kb in serve(tmp_path, f"redis://127.0.0.1:{free_port()}/0", "kbtest-down"):
        anna = Browser(kb.base_url)
        anna.log_in("anna")
        status, url, page = anna.get("/home/")
        assert status == 200 and url.endswith("/home/") and "Anna Berg" in page

"""Eight processes log meetings at once through the real server: nothing is lost, nobody sees
"database is locked", and the database holds exactly the meetings that were acknowledged.

Runs against the database of the run (SQLite file in WAL mode, or PostgreSQL), through
``kanelbulle serve`` with two workers. How long the writers write is
``KANELBULLE_CONCURRENCY_SECONDS`` (10 by default; the figures in
docs/benchmarks-reliability.md were taken with 30).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.server import Installation

pytestmark = [pytest.mark.server, pytest.mark.slow]

WRITERS = 8
SECONDS = float(os.environ.get("KANELBULLE_CONCURRENCY_SECONDS", "10"))

# One writer: POST meetings until the time is up; report what was acknowledged and what failed.
WRITER = r"""
import datetime as dt, json, sys, time, urllib.error, urllib.request
base, token, customer, seconds, me = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
acked, failures, n = [], [], 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    n += 1
    start = (dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=n)).isoformat()
    body = json.dumps({"customer": customer, "start": start, "modality": "phone", "duration_minutes": 15,
                       "notes": f"writer {me}, call {n}"}).encode()
    request = urllib.request.Request(base + "/api/v1/meetings", data=body, method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            if answer.status == 201:
                acked.append(json.loads(answer.read())["ref"])
            else:
                failures.append(f"{answer.status}")
    except urllib.error.HTTPError as exc:
        failures.append(f"{exc.code} {exc.read()[:200].decode(errors='replace')}")
    except OSError as exc:
        failures.append(f"connection: {exc}")
print(json.dumps({"acked": acked, "failures": failures, "sent": n}))
"""


def test_eight_writers_lose_nothing_and_never_see_a_lock(kb: Installation) -> None:
    assert kb.cli("init").returncode == 0
    assert kb.cli("user", "create", "anna", "--role", "seller").returncode == 0
    token = kb.cli("token", "create", "anna").stdout.strip()
    base = kb.start(workers=2)

    import urllib.request

    body = json.dumps({"name": "Norrbotten Stål AB", "country": "SE", "city": "Luleå", "lat": 65.58, "lon": 22.15})
    request = urllib.request.Request(  # noqa: S310
        base + "/api/v1/customers",
        data=body.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        customer = json.loads(answer.read())["ref"]

    began = time.monotonic()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, base, token, customer, str(SECONDS), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WRITERS)
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=SECONDS + 120)
        assert writer.returncode == 0, err
        results.append(json.loads(out))
    elapsed = time.monotonic() - began
    kb.stop()

    acked = [ref for r in results for ref in r["acked"]]
    failures = [f for r in results for f in r["failures"]]
    exported = kb.cli("export")
    assert exported.returncode == 0, exported.stderr
    stored = [m["ref"] for m in json.loads(exported.stdout).get("meetings", []) if m["customer"] == customer]

    sent = sum(r["sent"] for r in results)
    print(
        f"\n{kb.env.get('DATABASE_URL', 'sqlite').split(':')[0]}: {WRITERS} writers x {SECONDS:.0f} s: "
        f"sent {sent}, acknowledged {len(acked)}, stored {len(stored)}, failed {len(failures)}, "
        f"{len(acked) / elapsed:.1f} writes/s"
    )
    locked = [f for f in failures if "locked" in f.lower()]
    assert not locked, f"{len(locked)} requests saw the database locked: {locked[:3]}"
    assert not failures, f"{len(failures)} requests failed, e.g. {failures[:3]}"
    assert len(acked) >= WRITERS, "each writer should have had at least one meeting acknowledged"
    assert sorted(stored) == sorted(acked), "the stored meetings must be exactly the acknowledged ones"

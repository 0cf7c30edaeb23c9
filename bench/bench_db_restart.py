"""Trial: PostgreSQL restarted under load; what do the app processes answer, and when are they back?

Against servers already running (``kanelbulle serve``, one or several, sharing one PostgreSQL),
with an API token of a seller who owns customer ``--customer``::

    .venv/bin/python bench/bench_db_restart.py --url http://127.0.0.1:8701 --url http://127.0.0.1:8702 \
        --token TOKEN --customer REF --seconds 40 --restart-at 10 --restart "pg_ctlcluster 15 NAME restart"

Four client threads per URL, each in a loop without pause, alternately read the attention list and
log a meeting with a ref of their own. After ``--restart-at`` seconds the ``--restart`` command
runs (restart only a cluster of your own). Printed: each second's answers by status, how long
requests failed, how the failures looked (status, Retry-After, body), and the check that nothing
is half-written: every meeting answered 201 is stored, and none answered otherwise is.
"""

from __future__ import annotations

import argparse
import collections
import json
import shlex
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any


def call(url: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "en"}
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310 - 127.0.0.1 only
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()
    except OSError as exc:  # refused or reset: no HTTP answer at all
        return 0, {}, str(exc).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--customer", required=True)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--restart-at", type=float, default=10)
    parser.add_argument("--restart", required=True, help="the command that restarts your PostgreSQL")
    parser.add_argument("--threads", type=int, default=4, help="client threads per URL")
    args = parser.parse_args()

    prefix = json.loads(call(args.url[0], "GET", "/api/v1/me", args.token)[2] or b"{}").get("ref_prefix", "")
    started = time.monotonic()
    log: list[tuple[float, str, int, str]] = []  # (second, kind, status, ref)
    samples: dict[int, tuple[Any, bytes]] = {}
    lock = threading.Lock()

    def client(url: str) -> None:
        n = 0
        while (now := time.monotonic() - started) < args.seconds:
            n += 1
            if n % 2:
                status, headers, body = call(url, "GET", "/api/v1/attention?limit=25", args.token)
                ref = ""
            else:
                ref = f"{prefix}m-rs{uuid.uuid4().hex[:10]}"
                meeting = {"ref": ref, "customer": args.customer, "start": "2026-12-01T10:00:00+01:00", "notes": "r"}
                status, headers, body = call(url, "POST", "/api/v1/meetings", args.token, meeting)
            with lock:
                log.append((now, "post" if ref else "get", status, ref))
                samples.setdefault(status, (headers, body[:300]))

    threads = [
        threading.Thread(target=client, args=(url,)) for url in args.url for _ in range(args.threads)
    ]  # fmt: skip
    for t in threads:
        t.start()
    time.sleep(args.restart_at)
    t0 = time.monotonic() - started
    done = subprocess.run(shlex.split(args.restart), capture_output=True, text=True, check=False)
    t1 = time.monotonic() - started
    print(f"restart ran from {t0:.1f} s to {t1:.1f} s (exit {done.returncode})")
    for t in threads:
        t.join()

    per_second: dict[int, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for second, _kind, status, _ref in log:
        per_second[int(second)][status] += 1
    for second in sorted(per_second):
        counts = sorted(per_second[second].items())
        print(f"  {second:>3} s  " + "  ".join(f"{s or 'no answer'}: {n}" for s, n in counts))
    failed = [second for second, _k, status, _r in log if status not in (200, 201)]
    if failed:
        print(f"failures from {min(failed):.1f} s to {max(failed):.1f} s: {len(failed)} of {len(log)} requests")
        ok_after = [s for s, _k, status, _r in log if status in (200, 201) and s > max(failed)]
        if ok_after:
            print(f"first success after the last failure at {min(ok_after):.1f} s; restart finished at {t1:.1f} s")
    for status, (headers, body) in sorted(samples.items()):
        if status not in (200, 201):
            retry = headers.get("Retry-After", "-") if headers else "-"
            kind = headers.get("Content-Type", "") if headers else ""
            print(f"a {status or 'no answer'}: Retry-After {retry}, {kind}: {body!r}")
    acknowledged = {ref for _s, kind, status, ref in log if kind == "post" and status == 201}
    refused = {ref for _s, kind, status, ref in log if kind == "post" and status != 201}
    print(f"meetings answered 201: {len(acknowledged)}; answered otherwise: {len(refused)}")
    stored_ok = stored_refused = 0
    for ref in acknowledged:
        stored_ok += call(args.url[0], "GET", f"/api/v1/meetings/{ref}", args.token)[0] == 200
    for ref in refused:
        stored_refused += call(args.url[0], "GET", f"/api/v1/meetings/{ref}", args.token)[0] == 200
    print(f"stored: {stored_ok} of the 201s, {stored_refused} of the others (should be all and none)")


if __name__ == "__main__":
    main()

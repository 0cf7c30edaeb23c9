"""Benchmark: 50 people at once with think time (locust), and how soon a logged meeting shows.

Run from the repository root, after ``pip install -e '.[dev,bench]'`` (SQLite by default;
``DATABASE_URL=postgresql://…`` for PostgreSQL, an empty database of its own)::

    .venv/bin/python bench/bench_load.py --keep DIR [--users 50] [--seconds 120] [--app-processes 2] \
        [--meetings 20]

The book is ``bench_pages.py``'s (generated and imported into DIR unless DIR already holds it;
10,000 customers, 50 sellers in 5 teams). The script gives managers to the five teams, a password
and an API token to every account it uses, starts ``kanelbulle serve --workers N`` and runs
``bench/locustfile.py`` headless: ``--users`` simulated people (43 sellers, 5 managers, 2 admins
in every 50), started ``--spawn-rate`` a second, each logging in and then pausing 2-5 s between
clicks; the figures count the ``--seconds`` after all have started. It prints each request
kind's count, failures, median and p95 (ms), and the whole run's.

Then, on the same server, the freshness check: as seller00, ``--meetings`` times, it logs a
meeting through the API for a customer on their attention list and measures from the POST's
answer until (a) that customer's stored state (``CustomerState``, read on another connection)
shows the meeting as its last touch and (b) ``GET /api/v1/attention`` shows the customer's item
changed. ``uptime`` is printed before and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.bench_pages import p95, served, setup_book  # noqa: E402

PASSWORD = "bench-load-pw-1"  # noqa: S105 - a throwaway book on 127.0.0.1


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its descendants, live or ended (Linux /proc), in seconds."""
    total, todo = 0.0, [root]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / tick  # its own, and its ended children's
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return total


def postgres_pid() -> int | None:
    """The postmaster of the database in DATABASE_URL when it runs on this machine (its socket's lock file)."""
    url = os.environ.get("DATABASE_URL", "")
    port = url.rsplit(":", 1)[-1].split("/", 1)[0] if url else ""
    lock = Path(f"/var/run/postgresql/.s.PGSQL.{port}.lock")
    try:
        first = lock.read_text().splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return int(first) if first.isdigit() else None


def prepare_accounts(users: int, data_dir: Path) -> Path:
    """Managers for every team, one password for all, a token each; the accounts file for locust."""
    from django.contrib.auth.hashers import make_password
    from django.db import connections

    from kanelbulle.accounts.models import Role, User
    from kanelbulle.accounts.services import token_create
    from kanelbulle.customers.models import Customer

    for t in range(5):
        User.objects.get_or_create(
            username=f"manager{t}", defaults={"role": Role.MANAGER, "team": f"team{t}", "name": f"manager{t}"}
        )
    User.objects.get_or_create(username="admin2", defaults={"role": Role.ADMIN, "team": "", "name": "admin2"})
    cast = [f"seller{i:02d}" for i in range(43)] + [f"manager{t}" for t in range(5)] + ["admin", "admin2"]
    User.objects.filter(username__in=cast).update(password=make_password(PASSWORD))
    accounts = []
    for username in cast[: max(users, 1)]:
        user = User.objects.get(username=username)
        if user.role == Role.SELLER:
            mine = Customer.objects.filter(owner=user)
        elif user.role == Role.MANAGER:
            mine = Customer.objects.filter(owner__team=user.team)
        else:
            mine = Customer.objects.all()
        _token, secret = token_create(username=username, name="locust")
        refs = list(mine.order_by("?").values_list("ref", flat=True)[:20])
        accounts.append(
            {"username": username, "role": str(user.role), "password": PASSWORD, "token": secret, "customers": refs}
        )
    path = data_dir / "locust-accounts.json"
    path.write_text(json.dumps(accounts, indent=1))
    connections.close_all()
    return path


def run_locust(base: str, accounts: Path, args: argparse.Namespace, out: Path) -> None:
    prefix = out / "locust"
    env = {**os.environ, "KB_LOCUST_ACCOUNTS": str(accounts)}
    locust = str(Path(sys.executable).with_name("locust"))
    # The users start --spawn-rate a second, each logging in first (Argon2: CPU-heavy on purpose);
    # the figures count from when all have started (--reset-stats), for --seconds after that.
    ramp = -(-args.users // args.spawn_rate)
    command = [locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(args.users),
               "-r", str(args.spawn_rate), "-t", f"{ramp + args.seconds}s", "--reset-stats", "--host", base,
               "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]  # fmt: skip
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    print(f"{'request':<34} {'count':>6} {'fail':>5} {'median':>7} {'p95':>6} ms", flush=True)
    for row in rows:
        print(
            f"{row['Type'] + ' ' + row['Name']:<34} {row['Request Count']:>6} {row['Failure Count']:>5} "
            f"{row['50%']:>7} {row['95%']:>6}",
            flush=True,
        )
    failures = Path(f"{prefix}_failures.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    for line in failures[:10]:
        print("  failure:", line, flush=True)


def call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "en"}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310 - 127.0.0.1 only
        return r.status, json.loads(r.read())


def freshness(base: str, accounts: Path, meetings: int) -> None:
    """From a meeting's POST answer to the customer's state and attention item showing it."""
    from django.db import close_old_connections
    from django.utils import timezone

    from kanelbulle.insights.models import CustomerState

    seller = json.loads(accounts.read_text())[0]
    token = seller["token"]
    _status, listed = call(base, "GET", "/api/v1/attention?limit=500", token)
    items = {item["customer"]: item for item in listed["items"]}
    chosen = list(items)[:meetings]
    state_ms: list[float] = []
    api_ms: list[float] = []
    post_ms: list[float] = []
    unchanged = 0
    for ref in chosen:
        start = timezone.now() - dt.timedelta(minutes=5)
        sent = time.perf_counter()
        status, made = call(base, "POST", "/api/v1/meetings", token, {"customer": ref, "start": start.isoformat()})
        answered = time.perf_counter()
        post_ms.append((answered - sent) * 1000)
        assert status == 201, made
        today = timezone.localdate(start)
        while True:  # the state row, on this process's own connection
            close_old_connections()
            state = CustomerState.objects.filter(customer__ref=ref).values("last_touch").first()
            if state and state["last_touch"] == today:
                state_ms.append((time.perf_counter() - answered) * 1000)
                break
            if time.perf_counter() - answered > 10:
                raise SystemExit(f"{ref}: the state still does not show the meeting after 10 s")
        while True:  # the attention list through the API
            _status, now = call(base, "GET", "/api/v1/attention?limit=500", token)
            item = next((i for i in now["items"] if i["customer"] == ref), None)
            if item != items[ref]:
                api_ms.append((time.perf_counter() - answered) * 1000)
                break
            if time.perf_counter() - answered > 5:
                unchanged += 1
                break
    print(
        f"freshness over {len(chosen)} meetings (ms from the POST's answer): stored state p95 "
        f"{p95(state_ms):.0f} (max {max(state_ms):.0f}); attention API shows the change p95 {p95(api_ms):.0f} "
        f"(median {statistics.median(api_ms):.0f}, includes that GET)"
        f"{'; unchanged: ' + str(unchanged) if unchanged else ''}; "
        f"the POST itself p95 {p95(post_ms):.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--meetings-per-customer", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120, help="measured, after all users have started")
    parser.add_argument("--spawn-rate", type=int, default=1, help="users started a second")
    parser.add_argument("--app-processes", type=int, default=2)
    parser.add_argument("--meetings", type=int, default=20, help="meetings for the freshness check (0: skip)")
    parser.add_argument("--no-locust", action="store_true")
    parser.add_argument("--no-refresh", action="store_true", help="keep the stored state (a kept book refreshed today)")
    args = parser.parse_args()

    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kb-bench-load-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_book(args, data_dir)
    import django.db

    django.db.connections.close_all()
    accounts = prepare_accounts(args.users, data_dir)
    with served(data_dir, args.app_processes, "bench-load-server.log") as (base, server):
        db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        print(f"{db}, {args.customers} customers, {args.app_processes} app processes", flush=True)
        print("uptime before:", uptime(), flush=True)
        if not args.no_locust:
            print(f"locust: {args.users} users, think time 2-5 s, {args.seconds} s", flush=True)
            pg = postgres_pid()
            app0, pg0, wall0 = cpu_seconds(server.pid), cpu_seconds(pg) if pg else 0.0, time.monotonic()
            run_locust(base, accounts, args, data_dir)
            app1, pg1, wall1 = cpu_seconds(server.pid), cpu_seconds(pg) if pg else 0.0, time.monotonic()
            print("uptime after:", uptime(), flush=True)
            print(
                f"CPU over the whole locust run ({wall1 - wall0:.0f} s, logins included): app processes "
                f"{app1 - app0:.0f} s" + (f", PostgreSQL {pg1 - pg0:.0f} s" if pg else ""),
                flush=True,
            )
        if args.meetings:
            freshness(base, accounts, args.meetings)


if __name__ == "__main__":
    main()

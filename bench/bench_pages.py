"""Benchmark: every main page and API list against a running `kanelbulle serve`, per role, on a big book.

Run from the repository root (SQLite by default; ``DATABASE_URL=postgresql://…`` for PostgreSQL,
an empty database of its own):

    .venv/bin/python bench/bench_pages.py [--customers 10000] [--meetings-per-customer 20] \
        [--requests 30] [--keep DIR]

It generates the book with ``bench_import.make_document`` (50 sellers in 5 teams; a fixed seed),
imports it, adds a manager of team0 and an admin, times ``kanelbulle refresh`` (every customer's
relationship state), gives seller00, the manager and the admin a home, keeps the evidence
analysis of each one's scope and solves a 5-day plan for seller00 (what a used book has),
starts ``kanelbulle serve`` on a free port and requests each page and API list ``--requests``
times one after another as a seller (seller00), that manager and the admin, printing the median
and p95 in milliseconds and the size of the answer. ``--keep DIR`` keeps the data directory, and
reuses it (no import) when it already holds the book.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

PAGES = [
    "/home/",
    "/attention/",
    "/attention/size-bias/",
    "/customers/",
    "/customers/deals/",
    "/gifts/",
    "/api/v1/attention",
    "/api/v1/customers",
    "/api/v1/meetings",
    "/api/v1/deals",
    "/privacy/audit/",
    "/api/v1/orders",
    "/api/v1/gifts",
    "/api/v1/contacts",
    "/api/v1/meeting-requests",
    "/api/v1/users",
    # Every other page a user opens, on one customer every role sees (seller00's first, team0).
    "/customers/c-00000/",
    "/customers/c-00000/meetings/m-00000-00/",
    "/customers/new/",
    "/customers/log/",
    "/customers/log/?customer=c-00000",
    "/customers/suggest/?q=Customer+12",
    "/gifts/new/",
    "/gifts/g-00000/",
    "/gifts/policy/",
    "/gifts/report/",
    "/gifts/report.csv",
    "/plan/",
    "/plan/{plan}/",
    "/plan/policy/",
    "/plan/brief/c-00000/",
    "/plan/worth/c-00000/",
    "/evidence/",
    "/field/",
    "/users/",
    "/privacy/",
    "/api/v1/customers/c-00000",
    "/api/v1/brief/c-00000",
    "/api/v1/trip-worth/c-00000",
    "/api/v1/evidence?kept=true",  # the kept analysis; without kept=true it is analysed in the
    # request, seconds for an admin (docs/evidence.md): `--pages /api/v1/evidence --requests 5`
    "/api/v1/field/snapshot",
    "/api/v1/gift-policy",
    "/api/v1/me",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


@contextmanager
def served(data_dir: Path, workers: int, log_name: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``kanelbulle serve --workers N`` over ``data_dir`` on a free port, once it answers its health
    check (at most 60 s); yields the base URL and the process, and stops it when the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KANELBULLE_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    kanelbulle = str(Path(sys.executable).with_name("kanelbulle"))
    log = (data_dir / log_name).open("wb")
    server = subprocess.Popen(
        [kanelbulle, "serve", "--port", str(port), "--workers", str(workers)], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/health", timeout=5).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def setup_book(args: argparse.Namespace, data_dir: Path) -> dict[str, dict[str, str]]:
    """Import the book (unless kept), add the manager and admin, refresh; returns each role's credentials."""
    os.environ["KANELBULLE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.bench_import import make_document
    from kanelbulle.accounts.models import Role, User
    from kanelbulle.accounts.services import token_create
    from kanelbulle.core.command import ensure_database
    from kanelbulle.customers.models import Customer
    from kanelbulle.exchange.importer import import_document
    from kanelbulle.insights.state import refresh

    ensure_database()
    if not Customer.objects.exists():
        doc = make_document(args.customers, args.meetings_per_customer, args.seed)
        started = time.perf_counter()
        import_document(doc)
        print(f"import: {time.perf_counter() - started:.1f} s", flush=True)
    for username, role, team in (("manager0", Role.MANAGER, "team0"), ("admin", Role.ADMIN, "")):
        User.objects.get_or_create(username=username, defaults={"role": role, "team": team, "name": username})
    started = time.perf_counter()
    from django.utils import timezone

    if not getattr(args, "no_refresh", False):
        done = refresh(timezone.localdate())
        print(
            f"refresh: {done.customers} customers in {done.scopes} teams, {done.attention} need attention: "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
    # What the pages show once the book has been used: the sellers' homes (trip worth), the
    # evidence analyses kept for each role's scope (the nightly job's), and a plan of seller00's.
    User.objects.filter(username__in=["seller00", "manager0", "admin"]).update(
        home_city="Stockholm", home_country="SE", home_lat=59.3293, home_lon=18.0686
    )
    from kanelbulle.evidence.models import StoredAnalysis
    from kanelbulle.evidence.stored import keep
    from kanelbulle.planner.actions import make_plan, next_working_day
    from kanelbulle.planner.models import VisitPlan

    today = timezone.localdate()
    seller = User.objects.get(username="seller00")
    for scope in ("company", "team:team0", f"user:{seller.pk}"):
        if not StoredAnalysis.objects.filter(scope=scope, since="", as_of=today).exists():
            started = time.perf_counter()
            keep(scope, "", today)
            print(f"evidence kept for {scope}: {time.perf_counter() - started:.1f} s", flush=True)
    if not VisitPlan.objects.filter(owner=seller).exists():
        started = time.perf_counter()
        make_plan(seller, seller, next_working_day(today), 5, today=today)
        print(f"a 5-day plan for seller00: {time.perf_counter() - started:.1f} s", flush=True)
    plan_pk = VisitPlan.objects.filter(owner=seller).order_by("-pk").values_list("pk", flat=True).first()
    creds: dict[str, dict[str, str]] = {"plan": {"pk": str(plan_pk)}}
    for role, username in (("seller", "seller00"), ("manager", "manager0"), ("admin", "admin")):
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _token, secret = token_create(username=username, name="bench")
        creds[role] = {"sessionid": str(session.session_key), "token": secret}
    from django.db import connections

    connections.close_all()
    return creds


def fetch(base: str, path: str, cred: dict[str, str]) -> tuple[float, int, int]:
    headers = {"Accept-Language": "en"}
    if path.startswith("/api/"):
        headers["Authorization"] = f"Bearer {cred['token']}"
    else:
        headers["Cookie"] = f"sessionid={cred['sessionid']}"
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 - 127.0.0.1 only
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as r:  # noqa: S310
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return (time.perf_counter() - started) * 1000, status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--meetings-per-customer", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=1, help="app processes of `kanelbulle serve`")
    parser.add_argument("--keep", metavar="DIR")
    parser.add_argument("--pages", nargs="*", help="only these paths")
    parser.add_argument("--no-refresh", action="store_true", help="keep the stored state (a kept book refreshed today)")
    args = parser.parse_args()

    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kb-bench-pages-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    creds = setup_book(args, data_dir)
    plan_pk = creds.pop("plan")["pk"]
    with served(data_dir, args.workers, "bench-server.log") as (base, _server):
        db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        print(f"{db}, {args.customers} customers, {args.requests} requests per page and role, ms:", flush=True)
        rows = []
        for path in [p.replace("{plan}", plan_pk) for p in args.pages or PAGES]:
            for role, cred in creds.items():
                fetch(base, path, cred)  # warm
                times, statuses, size = [], set(), 0
                for _ in range(args.requests):
                    ms, status, size = fetch(base, path, cred)
                    times.append(ms)
                    statuses.add(status)
                row = {
                    "path": path,
                    "role": role,
                    "median_ms": round(statistics.median(times)),
                    "p95_ms": round(p95(times)),
                    "kb": round(size / 1024),
                    "status": sorted(statuses),
                }
                rows.append(row)
                print(
                    f"  {path:<26} {role:<8} median {row['median_ms']:>6}  p95 {row['p95_ms']:>6}  "
                    f"{row['kb']:>6} KB  {row['status']}",
                    flush=True,
                )
        (data_dir / "bench-pages.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

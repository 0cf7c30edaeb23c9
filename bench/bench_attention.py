"""Benchmark: the attention list on a large generated book, on SQLite.

    .venv/bin/python bench/bench_attention.py [--customers 5000] [--meetings 100000] [--sellers 10] [--seed 7]

Generates the book into a fresh SQLite database in a temporary data directory (bulk_create, a fixed
seed; ``DATABASE_URL`` is ignored), then times one seller's list and the whole team's (the
manager's), each from the database to the finished list, best of three. The targets (issue 6):
one seller under 2 s, the whole team under 10 s. Figures go to docs/benchmarks-attention.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", default="2026-11-24")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the team's list")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (reused when it holds a book)")
    args = parser.parse_args()

    data_dir = args.keep or tempfile.mkdtemp(prefix="kb-bench-attention-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    os.environ["KANELBULLE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    try:
        run(args)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def generate(args: Any, today: dt.date) -> tuple[Any, Any]:
    from django.core.management import call_command
    from django.db import transaction

    from kanelbulle.accounts.models import Role, User
    from kanelbulle.customers.models import Contact, Customer, Fact
    from kanelbulle.deals.models import Deal, Order
    from kanelbulle.meetings.models import Meeting, MeetingRequest

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    tz = dt.UTC
    with transaction.atomic():
        sellers = User.objects.bulk_create(
            [
                User(username=f"seller{i}", name=f"Seller {i}", role=Role.SELLER, team="bench")
                for i in range(args.sellers)
            ]
        )
        manager = User.objects.create(username="manager", name="Manager", role=Role.MANAGER, team="bench")
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    ref=f"c-{i}",
                    name=f"Customer {i} AB",
                    country="SE",
                    city="Stockholm",
                    lat=59.3 + rng.random(),
                    lon=18.0 + rng.random(),
                    time_zone="Europe/Stockholm",
                    owner=sellers[i % len(sellers)],
                    potential=rng.choice(["unknown", "low", "medium", "high"]),
                )
                for i in range(args.customers)
            ],
            batch_size=2000,
        )
        contacts = Contact.objects.bulk_create(
            [
                Contact(ref=f"p-{c.ref}-{j}", customer=c, name=f"Person {j} of {c.ref}", lawful_basis="contract")
                for c in customers
                for j in range(3)
            ],
            batch_size=5000,
        )
        by_customer: dict[int, list[Any]] = {}
        for p in contacts:
            by_customer.setdefault(p.customer_id, []).append(p)
        Fact.objects.bulk_create(
            [
                Fact(
                    contact=p,
                    kind="interest",
                    text=rng.choice(["fishing", "niche expert in seals", "two dogs"]),
                    learned=today,
                )
                for p in contacts[::3]
            ],
            batch_size=5000,
        )
        # Meetings: each customer gets a share; starts spread over three years back from today.
        weights = [rng.random() + 0.2 for _ in customers]
        total = sum(weights)
        meetings: list[Any] = []
        n = 0
        for c, w in zip(customers, weights, strict=True):
            for _ in range(max(1, round(args.meetings * w / total))):
                if n >= args.meetings:
                    break
                days = int(rng.random() ** 1.5 * 1095)
                start = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(9 + rng.randrange(8)), tz)
                meetings.append(
                    Meeting(
                        ref=f"m-{n}",
                        customer=c,
                        user_id=c.owner_id,
                        start=start,
                        modality=rng.choices(["in_person", "video", "phone", "email"], [4, 3, 2, 1])[0],
                        requested_by_customer=rng.random() < 0.1,
                        notes=rng.choice(["", "talked about delivery times", "they lead their niche", "price review"]),
                    )
                )
                n += 1
        meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
        through = Meeting.contacts.through
        links = []
        for m in meetings:
            people = by_customer[m.customer_id]
            for p in rng.sample(people, rng.choice([1, 1, 2, 3])):
                links.append(through(meeting_id=m.pk, contact_id=p.pk))
        through.objects.bulk_create(links, batch_size=10000)
        MeetingRequest.objects.bulk_create(
            [
                MeetingRequest(
                    ref=f"r-{i}",
                    customer=c,
                    requested_at=dt.datetime.combine(today - dt.timedelta(days=rng.randrange(60)), dt.time(9), tz),
                    status=rng.choice(["open", "honoured", "honoured"]),
                )
                for i, c in enumerate(rng.sample(customers, len(customers) // 5))
            ],
            batch_size=5000,
        )
        deals = []
        for i in range(len(customers) * 2):
            c = rng.choice(customers)
            created = today - dt.timedelta(days=rng.randrange(900))
            stage = rng.choice(["open", "won", "lost", "won"])
            closed = created + dt.timedelta(days=rng.randrange(20, 200)) if stage != "open" else None
            if closed and closed > today:
                closed = today
            deals.append(
                Deal(
                    ref=f"d-{i}",
                    customer=c,
                    user_id=c.owner_id,
                    title=f"Deal {i}",
                    value_amount=Decimal(rng.randrange(10_000, 500_000)),
                    value_currency=rng.choice(["SEK", "SEK", "EUR"]),
                    stage=stage,
                    created=created,
                    closed=closed,
                )
            )
        Deal.objects.bulk_create(deals, batch_size=5000)
        Order.objects.bulk_create(
            [
                Order(
                    ref=f"o-{i}",
                    customer=c,
                    date=today - dt.timedelta(days=rng.randrange(730)),
                    value_amount=Decimal(rng.randrange(1_000, 200_000)),
                    value_currency=rng.choice(["SEK", "SEK", "SEK", "EUR", "NOK"]),
                    margin_pct=Decimal(rng.randrange(5, 50)),
                )
                for i, c in enumerate(rng.choices(customers, k=len(customers) * 8))
            ],
            batch_size=5000,
        )
    return sellers[0], manager


def timed(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def run(args: Any) -> None:
    from django.db import connection

    from kanelbulle.insights.service import attention_for

    today = dt.date.fromisoformat(args.today)
    from kanelbulle.accounts.models import User

    t0 = time.perf_counter()
    if (
        args.keep
        and (Path(args.keep) / "kanelbulle.sqlite3").exists()
        and User.objects.filter(username="manager").exists()
    ):
        seller, manager = User.objects.get(username="seller0"), User.objects.get(username="manager")
    else:
        seller, manager = generate(args, today)
    generated = time.perf_counter() - t0
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(attention_for, manager, today, "en")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    with connection.cursor() as cur:
        counts = {}
        for table in ["customers_customer", "meetings_meeting", "deals_order", "deals_deal", "meetings_meetingrequest"]:
            cur.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[table] = cur.fetchone()[0]
    one, seller_list = timed(lambda: attention_for(seller, today, "en"))
    team, team_list = timed(lambda: attention_for(manager, today, "en"))
    codes: dict[str, int] = {}
    for item in team_list.items:
        for r in item.reasons:
            codes[r.code] = codes.get(r.code, 0) + 1
    print(f"generated in {generated:.1f} s: {counts}")
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"one seller ({len(seller_list.items)} items of {args.customers // args.sellers} customers): "
        f"{one:.2f} s (target < 2 s)"
    )
    print(f"whole team ({len(team_list.items)} items of {args.customers} customers): {team:.2f} s (target < 10 s)")
    print(f"reasons across the team: {dict(sorted(codes.items()))}")
    print(f"median priority: {statistics.median(i.priority for i in team_list.items) if team_list.items else '-'}")


if __name__ == "__main__":
    main()

"""Benchmark: import a book of 10,000 customers and 100,000 meetings into an empty SQLite database.

Run from the repository root:

    .venv/bin/python bench/bench_import.py [--customers 10000] [--meetings-per-customer 10] [--seed 7]

It generates the document with a fixed seed (users, customers with and without coordinates,
two contacts each with facts, ten meetings each with who was there, deals, two orders each,
a meeting request for one customer in ten and a gift for one in five), creates
a fresh data directory and database, times ``import_document`` (validation + writing) and then
a second import of the same document (which must change nothing), and prints one results line.
The budget from the issue is 60 s for the first import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

# Places the gazetteer knows (lat/lon left out) and a few given by coordinates only.
PLACES = [
    ("Stockholm", "SE"),
    ("Göteborg", "SE"),
    ("Malmö", "SE"),
    ("Uppsala", "SE"),
    ("Luleå", "SE"),
    ("Umeå", "SE"),
    ("Oslo", "NO"),
    ("Bergen", "NO"),
    ("Helsinki", "FI"),
    ("Tampere", "FI"),
    ("Copenhagen", "DK"),
    ("Aarhus", "DK"),
    ("Hamburg", "DE"),
    ("Berlin", "DE"),
]
#: The last day the generated book has records on (fixed, so a seed gives the same book any day).
LAST_DAY = dt.date(2026, 11, 30)
POINTS = [("Industriområde Nord", "SE", 60.6749, 17.1413), ("Hafen", "DE", 53.5461, 9.9661)]


def make_document(customers: int, meetings_per_customer: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    users = [
        {"username": f"seller{i:02d}", "name": f"Seller {i}", "role": "seller", "team": f"team{i % 5}"}
        for i in range(50)
    ]
    doc: dict[str, Any] = {
        "format": "kanelbulle/1",
        "users": users,
        "customers": [],
        "contacts": [],
        "meetings": [],
        "deals": [],
        "orders": [],
        "meeting_requests": [],
        "gifts": [],
    }
    base = dt.datetime(2024, 1, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    for c in range(customers):
        ref = f"c-{c:05d}"
        owner = users[c % len(users)]["username"]
        customer: dict[str, Any] = {
            "ref": ref,
            "name": f"Customer {c} AB",
            "owner": owner,
            "potential": rng.choice(["unknown", "low", "medium", "high"]),
            "public_sector": rng.random() < 0.1,
            "visit_minutes": rng.choice([45, 60, 90]),
        }
        if rng.random() < 0.2:
            city, country, lat, lon = rng.choice(POINTS)
            customer.update(city=city, country=country, lat=lat + rng.uniform(-0.05, 0.05), lon=lon)
        else:
            city, country = rng.choice(PLACES)
            customer.update(city=city, country=country)
        doc["customers"].append(customer)
        contacts = [f"p-{c:05d}-{k}" for k in range(2)]
        for k, pref in enumerate(contacts):
            doc["contacts"].append(
                {
                    "ref": pref,
                    "customer": ref,
                    "name": f"Person {c}-{k}",
                    "email": f"p{c}.{k}@example.com",
                    "lawful_basis": "legitimate_interest",
                    "facts": [{"kind": "interest", "text": "Sailing", "source": "contact", "learned": "2024-05-01"}],
                }
            )
        for m in range(meetings_per_customer):
            start = base + dt.timedelta(days=rng.randrange(0, 700), hours=rng.randrange(0, 8))
            doc["meetings"].append(
                {
                    "ref": f"m-{c:05d}-{m:02d}",
                    "customer": ref,
                    "contacts": rng.sample(contacts, rng.randint(0, 2)),
                    "user": owner,
                    "start": start.isoformat(),
                    "duration_minutes": 60,
                    "modality": rng.choice(["in_person", "video", "phone", "email"]),
                    "requested_by_customer": rng.random() < 0.3,
                    "notes": "Talked about next year's volumes.",
                }
            )
        if c % 2 == 0:
            doc["deals"].append(
                {
                    "ref": f"d-{c:05d}",
                    "customer": ref,
                    "user": owner,
                    "title": "Annual supply",
                    "value": {"amount": f"{rng.randrange(10_000, 500_000)}.00", "currency": "SEK"},
                    "stage": "open",
                    "created": "2025-01-15",
                }
            )
        doc["orders"].append(
            {
                "ref": f"o-{c:05d}",
                "customer": ref,
                "date": "2025-03-01",
                "value": {"amount": f"{rng.randrange(1_000, 90_000)}.00", "currency": "EUR"},
                "margin_pct": "28.5",
            }
        )
        # A second order in the two years before the book's last day: 20,000 orders at 10,000 customers.
        doc["orders"].append(
            {
                "ref": f"o-{c:05d}-2",
                "customer": ref,
                "date": (LAST_DAY - dt.timedelta(days=rng.randrange(0, 730))).isoformat(),
                "value": {"amount": f"{rng.randrange(1_000, 90_000)}.00", "currency": "SEK"},
                "margin_pct": f"{rng.randrange(5, 45)}.0",
            }
        )
        if c % 10 == 0:  # one customer in ten asked for a meeting; half of those asks are still open
            doc["meeting_requests"].append(
                {
                    "ref": f"r-{c:05d}",
                    "customer": ref,
                    "contact": contacts[0],
                    "requested_at": (base + dt.timedelta(days=rng.randrange(0, 700))).isoformat(),
                    "status": "open" if c % 20 == 0 else "declined",
                }
            )
        if c % 5 == 0:  # one customer in five has a gift on the register
            doc["gifts"].append(
                {
                    "ref": f"g-{c:05d}",
                    "direction": rng.choice(["given", "received"]),
                    "customer": ref,
                    "contact": contacts[1],
                    "user": owner,
                    "date": (LAST_DAY - dt.timedelta(days=rng.randrange(0, 700))).isoformat(),
                    "description": "Christmas chocolates",
                    "category": "food",
                    "value": {"amount": f"{rng.randrange(100, 900)}.00", "currency": "SEK"},
                }
            )
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--meetings-per-customer", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="kb-bench-import-")
    os.environ["KANELBULLE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kanelbulle.exchange.importer import import_document

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    doc = make_document(args.customers, args.meetings_per_customer, args.seed)
    generated = time.perf_counter() - t0

    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    first = import_document(doc)
    first_s, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    second = import_document(doc)
    second_s, second_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert not second.changed, "the second import changed something"

    c = first.counts
    print(
        f"import: {c['customers'].created} customers, {c['contacts'].created} contacts, "
        f"{c['meetings'].created} meetings, {c['deals'].created} deals, {c['orders'].created} orders "
        f"into empty SQLite in {first_s:.1f} s wall / {first_cpu:.1f} s CPU (budget 60 s); "
        f"second import (no change) {second_s:.1f} s wall / {second_cpu:.1f} s CPU; "
        f"document generated in {generated:.1f} s; seed {args.seed}; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load_before:.1f}"
    )


if __name__ == "__main__":
    main()

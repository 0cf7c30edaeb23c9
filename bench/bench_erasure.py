"""Benchmark: erase Chen Hao from the demo, then redact him from an old export of 100,000 meetings.

Run from the repository root:

    .venv/bin/python bench/bench_erasure.py [--copies 270]

It loads the demo book into a fresh SQLite database, times ``erase_contact`` for ``p-ningbo-1``
(every free-text field of the book is searched), then builds the demo document taken *before*
the erasure with its meetings copied ``--copies`` times under new refs (377 × 270 ≈ 100,000) and
times ``privacy.reimport.scrub``, the step an import adds to redact an erased person from such a
document. CPU time is printed beside wall time: the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

TODAY = dt.date(2026, 11, 24)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=270)
    args = parser.parse_args()

    os.environ["KANELBULLE_DATA_DIR"] = tempfile.mkdtemp(prefix="kb-bench-erasure-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kanelbulle.customers.models import Contact
    from kanelbulle.demo.generator import build_demo
    from kanelbulle.exchange.importer import import_document
    from kanelbulle.privacy.erase import erase_contact
    from kanelbulle.privacy.reimport import scrub

    call_command("migrate", interactive=False, verbosity=0)
    import_document(build_demo(TODAY), actor_label="demo")
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    result = erase_contact(Contact.objects.get(ref="p-ningbo-1"))
    erase_s, erase_cpu = time.perf_counter() - t0, time.process_time() - c0

    doc = build_demo(TODAY)
    base = doc["meetings"]
    doc["meetings"] = [dict(m, ref=f"{m['ref']}-{i}") for i in range(args.copies) for m in base]
    t0, c0 = time.perf_counter(), time.process_time()
    _, notes = scrub(doc)
    scrub_s, scrub_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"erase p-ningbo-1 from the demo: {result['records_redacted']} records redacted in {erase_s:.2f} s wall / "
        f"{erase_cpu:.2f} s CPU (the gazetteer already loaded by the import); scrub of an old export with "
        f"{len(doc['meetings'])} meetings: {scrub_s:.2f} s wall / {scrub_cpu:.2f} s CPU ({notes[-1]}); "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}"
    )


if __name__ == "__main__":
    main()

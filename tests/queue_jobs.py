"""Jobs the worker test puts on the real queue (the worker imports this module by name)."""

from __future__ import annotations

import time
from pathlib import Path

from kanelbulle.accounts.models import User
from kanelbulle.insights.jobs import weekly_digest


def digest_that_dies_once(today: str, trace_dir: str) -> dict[str, int]:
    """The weekly digest; on its first attempt it hangs after the first delivery (to be killed).

    Each attempt and each delivery is written to ``trace_dir`` so the test can count them.
    """
    trace = Path(trace_dir)
    attempts = trace / "attempts"
    with attempts.open("a") as f:
        f.write("attempt\n")
    first = attempts.read_text().count("attempt") == 1

    def after_each(user: User, where: str) -> None:
        with (trace / "delivered").open("a") as f:
            f.write(user.username + "\n")
        if first:
            (trace / "hanging").write_text("yes")
            time.sleep(600)

    return weekly_digest(today, after_each=after_each)

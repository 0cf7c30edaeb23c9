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


def plan_that_dies_once(key: str) -> dict[str, object]:
    """A page's plan solve; its first attempt hangs mid-job (to be killed) with the job marked running.

    The trace directory is in the job's params; each attempt is written there.
    """
    from kanelbulle.core import pagejobs
    from kanelbulle.core.models import PageJob
    from kanelbulle.planner.jobs import solve_plan

    trace = Path(PageJob.objects.get(key=key).params["trace"])
    attempts = trace / "attempts"
    with attempts.open("a") as f:
        f.write("attempt\n")
    if attempts.read_text().count("attempt") == 1:

        def hang(job: PageJob) -> None:
            (trace / "hanging").write_text("yes")
            time.sleep(600)

        return pagejobs.run(key, hang, lambda job, payload: {})
    return solve_plan(key)

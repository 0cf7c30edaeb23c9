"""Work the pages put on the queue (plan solves; evidence analyses in test_evidence_jobs.py):
the page follows the job, a second click joins it, and a job run again keeps its effect once.

Jobs run in-process (conftest's synchronous queue) unless a test turns that off to see a job wait.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django_q.conf import Conf  # type: ignore[import-untyped]
from django_q.models import OrmQ

from kanelbulle.core.models import PageJob
from kanelbulle.planner.jobs import solve_plan
from kanelbulle.planner.models import VisitPlan
from tests.personas import Personas
from tests.test_planner_pages import START, TODAY, as_, scenario

pytestmark = pytest.mark.django_db
FORM = {"start": START.isoformat(), "days": "5", "today": TODAY.isoformat()}


@pytest.fixture
def queued() -> Iterator[None]:
    """Jobs stay on the queue (no worker in this test), as they do between a click and the worker."""
    Conf.SYNC = False
    yield
    Conf.SYNC = True


def test_a_solve_started_from_the_page_shows_the_plan_when_the_job_is_done(personas: Personas) -> None:
    scenario(personas)
    client = as_(personas, "seller")
    response = client.post("/plan/solve/", FORM, HTTP_HX_REQUEST="true")
    plan = VisitPlan.objects.get()
    assert response.status_code == 204 and response["HX-Redirect"] == f"/plan/{plan.pk}/"
    job = PageJob.objects.get()
    assert (job.state, job.result, job.attempts) == ("done", {"plan": plan.pk}, 1)
    assert plan.owner == personas.seller and plan.created_by == personas.seller
    assert "Norrbotten Stål" in client.get(f"/plan/{plan.pk}/").content.decode()


def test_a_waiting_solve_says_so_polls_and_a_second_click_joins_it(personas: Personas, queued: None) -> None:
    scenario(personas)
    client = as_(personas, "seller")
    first = client.post("/plan/solve/", FORM)
    job = PageJob.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/plan/job/{job.key}/"
    page = client.get(first["Location"]).content.decode()
    assert "Waiting for the background worker" in page and f'hx-get="/plan/job/{job.key}/"' in page
    again = client.post("/plan/solve/", FORM, HTTP_HX_REQUEST="true")
    assert PageJob.objects.count() == 1 and OrmQ.objects.count() == 1  # joined, not queued twice
    assert f"/plan/job/{job.key}/" in again.content.decode()
    # The worker takes it; the next poll answers with the plan.
    solve_plan(job.key)
    done = client.get(f"/plan/job/{job.key}/", HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == f"/plan/{VisitPlan.objects.get().pk}/"


def test_a_solve_run_again_after_its_worker_died_keeps_one_plan(personas: Personas, queued: None) -> None:
    scenario(personas)
    as_(personas, "seller").post("/plan/solve/", FORM)
    job = PageJob.objects.get()
    # The first attempt died mid-solve: the row says running, nothing was kept.
    PageJob.objects.filter(pk=job.pk).update(state="running", attempts=1)
    first = solve_plan(job.key)
    assert VisitPlan.objects.count() == 1
    assert solve_plan(job.key) == first  # a third hand-out finds it done and keeps nothing
    assert VisitPlan.objects.count() == 1
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 2)


def test_who_may_follow_a_solve(personas: Personas, queued: None) -> None:
    scenario(personas)
    as_(personas, "seller").post("/plan/solve/", FORM)
    url = f"/plan/job/{PageJob.objects.get().key}/"
    assert as_(personas, "seller").get(url).status_code == 200
    assert as_(personas, "manager").get(url).status_code == 200  # Anna's manager sees her plans
    assert as_(personas, "admin").get(url).status_code == 200
    assert as_(personas, "other_seller").get(url).status_code == 404  # a teammate's plan job: not theirs
    assert as_(personas, "outsider").get(url).status_code == 404
    assert as_(personas, "seller").get("/plan/job/no-such-job/").status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_a_refused_solve_says_why_and_queues_nothing(personas: Personas) -> None:
    scenario(personas)
    response = as_(personas, "seller").post("/plan/solve/", FORM | {"days": "15"})
    assert response.status_code == 400 and "less than or equal to 14" in response.content.decode()
    forbidden = as_(personas, "seller").post("/plan/solve/", FORM | {"user": "bertil"})
    assert forbidden.status_code == 403
    assert not PageJob.objects.exists() and not VisitPlan.objects.exists()

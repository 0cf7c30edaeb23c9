from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.personas import Personas, make_personas
from tests.server import Installation, installation

# Playwright's sync API runs an event loop in the test thread; the ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Test files that neither count days nor compare anything with the calendar. Every other test is
# marked `dates` (new files are, by default) and CI runs those again with the clock a year ahead
# and a year back (scripts/test.sh), so a test that leans on today's date fails there, not next month.
CALENDAR_FREE = {
    "test_gazetteer.py",
    "test_i18n.py",
    "test_maps.py",
    "test_money.py",
    "test_money_format.py",
    "test_names.py",
    "test_opening_hours.py",
    # Error lines, flags and the docs' examples, each run as a child process (which libfaketime's
    # moved monotonic clock makes wait unreliably): about what is printed, not about days.
    "test_cli_errors.py",
    "test_doc_examples.py",
    "test_docs.py",
}


# How a test reaches a database: pytest-django's fixtures (every other test is refused one), or an
# installation of its own (a data dir with its database, for commands and a server process).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "admin_user",
    "admin_client",
    "django_user_model",
    "personas",
    "kb",
}


def reaches_a_database(item: pytest.Item) -> bool:
    """Whether the database under test can change what this test sees. The PostgreSQL run
    (scripts/test.sh) runs only these: a plain module's test gives the same answer on both."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("server") or item.get_closest_marker("browser"):
        return True
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    return module is not None and hasattr(module, "installation")  # starts one itself


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name not in CALENDAR_FREE:
            item.add_marker(pytest.mark.dates)
        if reaches_a_database(item):
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True)
def _forget_process_caches() -> Iterator[None]:
    """Caches that depend on the database start empty in every test and are left empty after it,
    and the active language is the default one.

    The planner keeps the in-person uplift per process (statsmodels is slow to fit); a test must
    never see an uplift computed from another test's book.
    """
    from django.conf import settings
    from django.utils import translation

    from kanelbulle.planner.book import clear_uplifts

    clear_uplifts()
    # Every test starts in the default language, whatever an earlier test in this process left active.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    clear_uplifts()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _jobs_run_in_process() -> Iterator[None]:
    """Jobs a page queues run at once, in the test's own process and transaction (django-q2's
    synchronous mode): a test sees the job's effect right after the request that queued it.
    Only tests/test_worker.py runs a real worker."""
    from django_q.conf import Conf  # type: ignore[import-untyped]

    before = Conf.SYNC
    Conf.SYNC = True
    yield
    Conf.SYNC = before


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[Installation]:
    """An installation of its own (data dir, database) for commands and a real server process."""
    with installation(tmp_path) as inst:
        yield inst

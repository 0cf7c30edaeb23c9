"""Locust: sellers, managers and admins working through a morning, with think time.

Run by ``bench/bench_load.py``, which prepares the accounts and writes them to the JSON file named
by ``KB_LOCUST_ACCOUNTS``; by hand (the server already running on the book)::

    KB_LOCUST_ACCOUNTS=DIR/locust-accounts.json .venv/bin/locust -f bench/locustfile.py --headless \
        -u 50 -r 5 -t 2m --host http://127.0.0.1:8000

Each simulated user takes the next account (most are sellers, some managers, one or two admins),
logs in through the login form as a person does, then, pausing 2-5 s between clicks, opens the
attention list, the home page, one of their customers, the attention API, and now and then logs
a meeting through the API as the phone app does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

with open(os.environ["KB_LOCUST_ACCOUNTS"], encoding="utf-8") as _fh:
    ACCOUNTS: list[dict[str, Any]] = json.load(_fh)
_next = itertools.count()


class Person(HttpUser):
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.account = ACCOUNTS[next(_next) % len(ACCOUNTS)]
        self.client.headers["Accept-Language"] = "en"
        self.client.get("/", name="/ (login form)")
        token = self.client.cookies.get("csrftoken", "")
        form = {
            "username": self.account["username"],
            "password": self.account["password"],
            "csrfmiddlewaretoken": token,
        }
        with self.client.post("/", data=form, name="/ (log in)", catch_response=True, allow_redirects=False) as answer:
            if answer.status_code != 302:
                answer.failure(f"login of {self.account['username']} answered {answer.status_code}")
        self.api = {"Authorization": f"Bearer {self.account['token']}"}

    @task(4)
    def attention(self) -> None:
        self.client.get("/attention/", name=f"/attention/ ({self.account['role']})")

    @task(3)
    def home(self) -> None:
        self.client.get("/home/", name=f"/home/ ({self.account['role']})")

    @task(3)
    def customer(self) -> None:
        ref = random.choice(self.account["customers"])
        self.client.get(f"/customers/{ref}/", name="/customers/REF/")

    @task(2)
    def attention_api(self) -> None:
        self.client.get("/api/v1/attention?limit=25", headers=self.api, name="/api/v1/attention")

    @task(1)
    def log_meeting(self) -> None:
        meeting = {
            "customer": random.choice(self.account["customers"]),
            "start": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "modality": "phone",
            "duration_minutes": 15,
            "notes": "Load test call",
        }
        with self.client.post(
            "/api/v1/meetings", json=meeting, headers=self.api, name="/api/v1/meetings (POST)", catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")

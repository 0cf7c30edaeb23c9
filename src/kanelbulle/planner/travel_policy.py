"""Keeping the travel policy's versions: which is in force on a day, and saving a new one.

The policy itself (what it holds, how it is checked, how it becomes a problem's travel figures) is
planner/policy.py; this module is the database side, called alike by the admin page, the import
and the planner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kanelbulle.planner.policy import default_policy, validated

FIRST_DAY = dt.date(1900, 1, 1)


def in_force(day: dt.date) -> Any:
    """The TravelPolicy in force on ``day``: the newest version valid from then or earlier.

    With none stored yet, version 1 is the shipped defaults (planner/data/travel_policy.json), in
    force from the first day. A day before every version's start gets the first version.
    """
    from kanelbulle.planner.models import TravelPolicy

    found = TravelPolicy.objects.filter(valid_from__lte=day).order_by("-version").first()
    if found is not None:
        return found
    first = TravelPolicy.objects.order_by("version").first()
    if first is not None:
        return first
    with transaction.atomic():
        policy, _ = TravelPolicy.objects.get_or_create(
            version=1, defaults={"valid_from": FIRST_DAY, "data": default_policy(), "note": "defaults"}
        )
    return policy


def save_policy(actor: Any, doc: Any, valid_from: dt.date, note: str = "") -> Any:
    """A new version of the policy, in force from ``valid_from``; InvalidPolicy names each bad field.

    Nothing is stored when the document is refused. Earlier versions are kept as they are, so a
    plan made under one still shows it.
    """
    from kanelbulle.planner.models import TravelPolicy

    data = validated(doc)
    with transaction.atomic():
        in_force(valid_from)  # version 1 (the defaults) exists before the first change
        last = TravelPolicy.objects.select_for_update().order_by("-version").first()
        number = 1 if last is None else last.version + 1
        return TravelPolicy.objects.create(
            version=number, valid_from=valid_from, data=data, note=note[:300], created_by=actor
        )

"""Opening hours as a person types them: ``mon-fri 08:00-16:30; sat 10:00-14:00``.

Stored as the exchange format's ``{"mon": [["08:00", "16:30"]], …}``. Swedish day names work too
(``mån-fre 8-16.30``). Days left out are closed; an empty text means "not known" (None), so the
planner falls back to the seller's workday.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SV_DAYS = {"mån": "mon", "tis": "tue", "ons": "wed", "tor": "thu", "fre": "fri", "lör": "sat", "sön": "sun"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


class HoursError(ValueError):
    """The text is not opening hours; the message says which part."""


def _day(token: str) -> str:
    key = token.strip().lower()[:3]
    key = SV_DAYS.get(key, key)
    if key not in DAYS:
        raise HoursError(_("%(part)r is not a day (mon … sun, or mån … sön)") % {"part": token.strip()})
    return key


def _days(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        if "-" in part or "–" in part:
            first, last = re.split(r"[-–]", part, maxsplit=1)
            a, b = DAYS.index(_day(first)), DAYS.index(_day(last))
            if b < a:
                raise HoursError(_("%(part)r runs backwards") % {"part": part.strip()})
            days += DAYS[a : b + 1]
        else:
            days.append(_day(part))
    return days


def _time(token: str) -> str:
    match = _TIME.match(token.strip())
    if not match or int(match.group(1)) > 24 or int(match.group(2) or 0) > 59:
        raise HoursError(_("%(part)r is not a time such as 08:00") % {"part": token.strip()})
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def parse(text: str) -> dict[str, list[list[str]]] | None:
    """Parse the typed form; raises HoursError naming the part that is wrong."""
    if not text.strip():
        return None
    hours: dict[str, list[list[str]]] = {}
    for entry in re.split(r"[;\n]+", text):
        if not entry.strip():
            continue
        match = re.match(r"^\s*([^\d]+?)\s+(\d.*)$", entry)
        if not match:
            raise HoursError(_("%(part)r needs days and times") % {"part": entry.strip()})
        spans = []
        for span in match.group(2).split(","):
            if not re.search(r"[-–]", span):
                raise HoursError(_("%(part)r needs a start and an end") % {"part": span.strip()})
            start, end = (_time(t) for t in re.split(r"[-–]", span, maxsplit=1))
            if end <= start:
                raise HoursError(_("%(part)r ends before it starts") % {"part": span.strip()})
            spans.append([start, end])
        for day in _days(match.group(1)):
            hours[day] = sorted(hours.get(day, []) + spans)
    return {day: hours[day] for day in DAYS if day in hours}


def format_hours(hours: dict[str, list[list[str]]] | None) -> str:
    """The stored form back as text, runs of days with the same hours joined (mon-fri …)."""
    if not hours:
        return ""
    entries: list[str] = []
    run: list[str] = []
    for day in [*DAYS, None]:
        spans = hours.get(day) if day else None
        if run and (day is None or spans != hours.get(run[0]) or DAYS.index(day) != DAYS.index(run[-1]) + 1):
            times = ", ".join(f"{a}-{b}" for a, b in hours[run[0]])
            entries.append(f"{run[0]}-{run[-1]} {times}" if len(run) > 1 else f"{run[0]} {times}")
            run = []
        if day and spans:
            run.append(day)
    return "; ".join(entries)

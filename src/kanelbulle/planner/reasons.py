"""Why a visit is not in the plan, in words a seller reads: the plan must explain itself.

Optional visits: no opening on a working day; not worth the trip (value below the cheapest
marginal travel cost of fitting it into the plan); no time left on the days it is open; or, when
it would fit and pay, that the search left it out within its budget (said plainly, not hidden).
Required visits: no window in working hours, windows too short, out of reach within a working
day, or in conflict with the other required visits.

Each reason has a stable ``code`` for machines (never translated), a ``message`` in the active
language (gettext; the Swedish catalogue is planner/locale) and ``words``: the English message id
and its parameters (amounts as ``{"amount", "currency"}``), kept with a stored plan so that
``render`` writes the reason in the language of whoever reads it later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from kanelbulle.planner.problem import WEEKDAYS

if TYPE_CHECKING:
    from kanelbulle.planner.solver import Built


def _(message: str) -> str:
    """gettext, or the English text when no Django settings are configured (the plain solver in bench/)."""
    return gettext(message) if settings.configured else message


def _mode(mode: str) -> str:
    names = {"car": _("car"), "rail": _("rail"), "air": _("air")}
    return names.get(mode, mode)


class Why(NamedTuple):
    """A reason: a stable code (``not_worth``, ``out_of_reach``, …) and its message in words."""

    code: str
    message: str
    words: dict[str, Any] | None = None


def _words(msgid: str, **params: Any) -> dict[str, Any]:
    return {"msgid": msgid, "params": params}


def _why(code: str, msgid: str, **params: Any) -> Why:
    words = _words(msgid, **params)
    return Why(code, render(words), words)


def _param(value: Any) -> Any:
    if isinstance(value, dict):
        if "msgid" in value:
            return render(value)
        if set(value) == {"amount", "currency"}:
            return _amount(Decimal(value["amount"]), value["currency"])
        if set(value) == {"mode"}:
            return _mode(value["mode"])
    return value


def render(words: dict[str, Any]) -> str:
    """A reason's words in the active language (amounts by core.money.format_money)."""
    params = {k: _param(v) for k, v in words.get("params", {}).items()}
    text = _(words["msgid"])
    return text % params if params else text


def _money(amount: float | Decimal, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": currency}


def _amount(cost: float | Decimal, currency: str) -> str:
    """An amount as the reader writes it (core.money.format_money: ``SEK 1,500``, ``1 500 kr``);
    without Django settings (the plain solver in bench/) ``1500.00 SEK``."""
    if not settings.configured:
        return f"{cost:.2f} {currency}"
    from kanelbulle.core.money import format_money

    return format_money(Decimal(f"{cost:.2f}"), currency)


def _value(built: Built, i: int) -> dict[str, str]:
    return _money(built.problem.visits[i].value, built.problem.currency)


def _hours(built: Built) -> dict[str, Any]:
    p = built.problem
    days = ", ".join(WEEKDAYS[d] for d in sorted(p.weekdays))
    last = p.start.toordinal() + p.days - 1
    from datetime import date

    return _words(
        gettext_noop("%(begin)s–%(end)s on %(days)s between %(first)s and %(last)s"),
        begin=f"{p.workday[0]:%H:%M}",
        end=f"{p.workday[1]:%H:%M}",
        days=days,
        first=p.start.isoformat(),
        last=date.fromordinal(last).isoformat(),
    )


def _no_copies(built: Built, i: int) -> Why:
    visit = built.problem.visits[i]
    from kanelbulle.planner.solver import clock

    # Does any window overlap working hours at all (then it is only too short)?
    for begin, end in visit.windows:
        b, e = clock(built.origin_utc, begin), clock(built.origin_utc, end)
        for day in built.days:
            if min(e, day.end) > max(b, day.start):
                return _why(
                    "window_too_short",
                    gettext_noop(
                        "no window is long enough for the %(minutes)s-minute visit within working hours (%(hours)s)"
                    ),
                    minutes=visit.minutes,
                    hours=_hours(built),
                )
    return _why(
        "no_window",
        gettext_noop("none of its windows falls within working hours (%(hours)s)"),
        hours=_hours(built),
    )


def _minutes(built: Built, a: int, b: int) -> int:
    return int(built.mats.minutes[a, b])


def _cost(built: Built, a: int, b: int) -> float:
    return float(built.mats.cost[a, b])


DayPlan = tuple[int, list[int], int, bool]  # start point, stop copies, end point, ends at a hotel


def _fits(built: Built, k: int, plan: DayPlan, c: int, pos: int) -> bool:
    """Whether copy c inserted at pos into day k keeps every window and the working day."""
    start, stops, end, hotel = plan
    if hotel and pos == len(stops):
        return False
    seq = [*stops[:pos], c, *stops[pos:]]
    t = built.days[k].start
    point = start
    for s in seq:
        copy = built.copies[s]
        p = copy.visit + 1
        begin = max(t + _minutes(built, point, p), copy.early)
        if begin > copy.late:
            return False
        t = begin + built.problem.visits[copy.visit].minutes
        point = p
    if not hotel:
        t += _minutes(built, point, end)
    return t <= built.days[k].end


def why_dropped(built: Built, i: int, plans: list[DayPlan]) -> Why:
    if i in built.unreachable:
        return _out_of_reach(built, i)
    copies = built.copies_of_visit.get(i, [])
    if not copies:
        return _no_copies(built, i)
    p = i + 1
    best: float | None = None
    best_fit: tuple[float, int] | None = None  # (cost, day)
    for c in copies:
        k = built.copies[c].day
        start, stops, end, _hotel = plans[k]
        path = [start, *(built.copies[s].visit + 1 for s in stops), end]
        for pos in range(len(path) - 1):
            a, b = path[pos], path[pos + 1]
            extra = _cost(built, a, p) + _cost(built, p, b) - _cost(built, a, b)
            if best is None or extra < best:
                best = extra
            if _fits(built, k, plans[k], c, pos) and (best_fit is None or extra < best_fit[0]):
                best_fit = (extra, k)
    cur = built.problem.currency
    value = float(built.problem.visits[i].value)
    assert best is not None
    if value < best:
        return _why(
            "not_worth",
            gettext_noop("not worth the trip: value %(value)s < marginal travel cost %(cost)s"),
            value=_value(built, i),
            cost=_money(best, cur),
        )
    if best_fit is None:
        dates = sorted({built.days[built.copies[c].day].date.isoformat() for c in copies})
        return _why(
            "no_time_left",
            gettext_noop(
                "no time left: the days it is open (%(dates)s) are full with visits worth more or the travel "
                "does not fit (value %(value)s, cheapest marginal travel cost %(cost)s)"
            ),
            dates=", ".join(dates),
            value=_value(built, i),
            cost=_money(best, cur),
        )
    cost, k = best_fit
    if value < cost:
        return _why(
            "not_worth",
            gettext_noop("not worth the trip: value %(value)s < marginal travel cost %(cost)s on the days it fits"),
            value=_value(built, i),
            cost=_money(cost, cur),
        )
    return _why(
        "search_budget",
        gettext_noop(
            "left out by the search within its budget: it would fit on %(date)s for a marginal travel cost of "
            "%(cost)s (value %(value)s); give the solver more time or iterations"
        ),
        date=built.days[k].date.isoformat(),
        cost=_money(cost, cur),
        value=_value(built, i),
    )


def _out_of_reach(built: Built, i: int) -> Why:
    """Why the visit cannot be made even on an otherwise empty day (the model leaves it out)."""
    visit = built.problem.visits[i]
    p = i + 1
    go = _minutes(built, 0, p)
    mode = built.mats.modes[int(built.mats.mode[0, p])] if built.mats.mode[0, p] >= 0 else "none"
    return _why(
        "out_of_reach",
        gettext_noop(
            "out of reach: %(go)s minutes by %(mode)s from home, a %(minutes)s-minute visit and the way back do "
            "not fit a working day (%(begin)s–%(end)s) within its windows"
        ),
        go=go,
        mode={"mode": mode},
        minutes=visit.minutes,
        begin=f"{built.problem.workday[0]:%H:%M}",
        end=f"{built.problem.workday[1]:%H:%M}",
    )


def _required(why: Why) -> Why:
    return _why(why.code, gettext_noop("required, but %(reason)s"), reason=why.words)


def why_required_missing(built: Built, i: int, plans: list[DayPlan]) -> Why:
    if i in built.unreachable:
        return _required(_out_of_reach(built, i))
    copies = built.copies_of_visit.get(i, [])
    if not copies:
        return _required(_no_copies(built, i))
    for c in copies:
        k = built.copies[c].day
        for pos in range(len(plans[k][1]) + 1):
            if _fits(built, k, plans[k], c, pos):
                return _why(
                    "search_budget",
                    gettext_noop(
                        "required, but the search did not place it within its budget (it would fit on %(date)s); "
                        "give the solver more time or iterations"
                    ),
                    date=built.days[k].date.isoformat(),
                )
    return _why(
        "no_schedule",
        gettext_noop(
            "required, but no schedule was found that fits it together with the other visits and the travel "
            "between them (its windows clash with other required visits or leave too little time)"
        ),
    )

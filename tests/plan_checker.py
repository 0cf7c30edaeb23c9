"""An independent checker of plans: recomputes everything from the contract, not from the planner.

Nothing from ``kanelbulle.planner`` is imported here on purpose: the travel model (haversine ×
factor, overhead + km / speed, fixed + km × per km + hours × per hour, g/km), the times, the
windows, the working hours, hotel nights and the totals are computed again from the problem
document and compared with the plan. ``violations(problem, plan)`` lists every fault;
``check_plan`` fails a test with all of them.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

R = 6371.0088
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def great_circle(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, h)))


def leg(problem: dict[str, Any], mode: str, a: tuple[float, float], b: tuple[float, float]) -> dict[str, float]:
    m = problem["travel"]["modes"][mode]
    gc = great_circle(a, b)
    km = gc * m["factor"]
    minutes = m.get("overhead_minutes", 0) + km / m["speed_kmh"] * 60
    hours = minutes / 60
    fare = m
    for band in m.get("bands", []):  # a fare by distance band: the band the great-circle km falls in
        if band["from_km"] <= gc and (band["to_km"] is None or gc < band["to_km"]):
            fare = band
    cost = (
        float(fare.get("fixed_cost", {"amount": "0"})["amount"])
        + km * float(fare["cost_per_km"]["amount"])
        + hours * float(problem["travel"]["cost_per_hour"]["amount"])
    )
    return {"gc": gc, "km": km, "minutes": minutes, "cost": cost, "co2_g": km * fare["co2_g_per_km"]}


def when(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"{text} has no offset"
    return moment


def half_up(x: float, places: str) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def violations(problem: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    out: list[str] = []
    tz = ZoneInfo(problem["time_zone"])
    seller = problem["seller"]
    home = (seller["home"]["lat"], seller["home"]["lon"])
    w0, w1 = (dt.time.fromisoformat(x) for x in seller["workday"])
    start = dt.date.fromisoformat(problem["start"])
    worked = [
        start + dt.timedelta(days=i)
        for i in range(problem["days"])
        if DAYS[(start + dt.timedelta(days=i)).weekday()] in seller["weekdays"]
    ]
    night = seller.get("overnight", {"allowed": False})
    visits = {v["ref"]: v for v in problem["visits"]}
    currency = problem["travel"]["cost_per_hour"]["currency"]

    if plan.get("format") != "kanelbulle-plan-result/1":
        out.append("format is not kanelbulle-plan-result/1")
    if [d["date"] for d in plan["days"]] != [d.isoformat() for d in worked]:
        out.append(f"days {[d['date'] for d in plan['days']]} are not the worked days {worked}")
        return out

    tot_km = tot_min = tot_co2 = tot_cost = 0.0
    legs = 0
    hotels = 0
    hotel_total = Decimal(0)
    value = Decimal(0)
    seen: list[str] = []
    where = home
    for n, day in enumerate(plan["days"]):
        date = dt.date.fromisoformat(day["date"])
        open_at = dt.datetime.combine(date, w0, tzinfo=tz)
        close_at = dt.datetime.combine(date, w1, tzinfo=tz)
        tag = day["date"]
        begin_at = (day["start"]["lat"], day["start"]["lon"])
        if begin_at != where:
            out.append(f"{tag}: starts at {begin_at}, but the seller woke up at {where}")
        t = when(day["start"]["time"])
        if t < open_at:
            out.append(f"{tag}: leaves at {t} before the working day starts")
        day_km = day_min = 0.0
        for stop in day["stops"]:
            ref = stop["ref"]
            v = visits.get(ref)
            if v is None:
                out.append(f"{tag}: unknown visit {ref}")
                continue
            seen.append(ref)
            there = (v["lat"], v["lon"])
            arrive, begin, end = when(stop["arrive"]), when(stop["begin"]), when(stop["end"])
            if there == where:
                if stop["mode"] is not None:
                    out.append(f"{tag} {ref}: same place, but mode {stop['mode']}")
                expect = t
            else:
                mode = stop["mode"]
                if mode not in problem["travel"]["modes"]:
                    out.append(f"{tag} {ref}: mode {mode} is not in the problem")
                    continue
                got = leg(problem, mode, where, there)
                if got["gc"] < problem["travel"]["modes"][mode].get("min_km", 0):
                    out.append(f"{tag} {ref}: {mode} used for {got['gc']:.1f} km, below its min_km")
                day_km += got["km"]
                day_min += got["minutes"]
                tot_co2 += got["co2_g"]
                tot_cost += got["cost"]
                legs += 1
                exact = t + dt.timedelta(minutes=got["minutes"])
                # Rounded up to the whole minute.
                whole = exact.replace(second=0, microsecond=0)
                expect = whole if whole == exact else whole + dt.timedelta(minutes=1)
            if arrive != expect:
                out.append(f"{tag} {ref}: arrives {arrive}, the travel model says {expect}")
            if begin < arrive:
                out.append(f"{tag} {ref}: begins {begin} before arriving {arrive}")
            if end - begin != dt.timedelta(minutes=v["minutes"]):
                out.append(f"{tag} {ref}: lasts {end - begin}, not {v['minutes']} minutes")
            if not any(when(a) <= begin and end <= when(b) for a, b in v["windows"]):
                out.append(f"{tag} {ref}: {begin}–{end} is outside every window")
            if begin < open_at or end > close_at:
                out.append(f"{tag} {ref}: {begin}–{end} is outside working hours")
            for moment in (arrive, begin, end):
                if moment.second or moment.microsecond:
                    out.append(f"{tag} {ref}: {moment} is not a whole minute")
            value += Decimal(v.get("value", {"amount": "0"})["amount"])
            t = end
            where = there
        finish = day["finish"]
        last_day = n == len(plan["days"]) - 1
        f_at = (finish["lat"], finish["lon"])
        f_time = when(finish["time"])
        if finish["overnight"]:
            hotels += 1
            slept = visits.get(day["stops"][-1]["ref"], {}) if day["stops"] else {}
            hotel_total += Decimal((slept.get("overnight_cost") or night.get("cost") or {"amount": "0"})["amount"])
            if last_day:
                out.append(f"{tag}: the last day must end at home")
            if not night.get("allowed"):
                out.append(f"{tag}: a hotel night, but overnight stays are not allowed")
            if not day["stops"]:
                out.append(f"{tag}: a hotel night without a visit that day")
            if f_at != where or finish["mode"] is not None or f_time != t:
                out.append(f"{tag}: a hotel night must be at the last stop, mode null, at its end")
        else:
            if f_at != home:
                out.append(f"{tag}: ends at {f_at}, neither home nor a hotel night")
            if where != home:
                mode = finish["mode"]
                if mode not in problem["travel"]["modes"]:
                    out.append(f"{tag}: home by unknown mode {mode}")
                else:
                    got = leg(problem, mode, where, home)
                    if got["gc"] < problem["travel"]["modes"][mode].get("min_km", 0):
                        out.append(f"{tag}: {mode} home used below its min_km")
                    day_km += got["km"]
                    day_min += got["minutes"]
                    tot_co2 += got["co2_g"]
                    tot_cost += got["cost"]
                    legs += 1
                    exact = t + dt.timedelta(minutes=got["minutes"])
                    if f_time < exact or f_time - exact >= dt.timedelta(minutes=1):
                        out.append(f"{tag}: home at {f_time}, the travel model says {exact}")
            elif finish["mode"] is not None:
                out.append(f"{tag}: no travel home, but mode {finish['mode']}")
            where = home
        if f_time > close_at:
            out.append(f"{tag}: the day ends at {f_time}, after the working day")
        if Decimal(day["km"]) != half_up(day_km, "0.1"):
            out.append(f"{tag}: km {day['km']}, recomputed {day_km:.2f}")
        if abs(day["travel_minutes"] - day_min) > 0.5 + 1e-6:
            out.append(f"{tag}: travel_minutes {day['travel_minutes']}, recomputed {day_min:.2f}")
        tot_km += day_km
        tot_min += day_min

    if len(seen) != len(set(seen)):
        out.append(f"a visit is made twice: {sorted(r for r in seen if seen.count(r) > 1)}")
    accounted = seen + [d["ref"] for d in plan["dropped"]] + [d["ref"] for d in plan["infeasible"]]
    if sorted(accounted) != sorted(visits):
        out.append("the plan does not account for every visit exactly once (planned, dropped or infeasible)")
    for item in plan["dropped"] + plan["infeasible"]:
        if not str(item.get("reason", "")).strip():
            out.append(f"{item['ref']}: no reason given")
    for item in plan["dropped"]:
        if visits.get(item["ref"], {}).get("required"):
            out.append(f"{item['ref']} is required but listed as dropped")
    missing_required = sorted(r for r, v in visits.items() if v.get("required") and r not in seen)
    if sorted(d["ref"] for d in plan["infeasible"]) != missing_required:
        out.append(f"infeasible lists {plan['infeasible']}, but the required visits not placed are {missing_required}")
    if plan["feasible"] != (not missing_required):
        out.append("feasible does not match the required visits placed")

    totals = plan["totals"]
    if Decimal(totals["km"]) != half_up(tot_km, "0.1"):
        out.append(f"totals.km {totals['km']}, recomputed {tot_km:.2f}")
    if abs(totals["travel_minutes"] - tot_min) > 0.5 + 1e-6:
        out.append(f"totals.travel_minutes {totals['travel_minutes']}, recomputed {tot_min:.2f}")
    if abs(float(totals["co2_kg"]) - tot_co2 / 1000) > 0.05 + 1e-6:
        out.append(f"totals.co2_kg {totals['co2_kg']}, recomputed {tot_co2 / 1000:.3f}")
    if abs(float(totals["travel_cost"]["amount"]) - tot_cost) > 0.005 * legs + 0.005:
        out.append(f"totals.travel_cost {totals['travel_cost']['amount']}, recomputed {tot_cost:.4f}")
    if Decimal(totals["overnight_cost"]["amount"]) != hotel_total:
        out.append(
            f"totals.overnight_cost {totals['overnight_cost']['amount']}, recomputed {hotels} nights {hotel_total}"
        )
    if Decimal(totals["value_covered"]["amount"]) != value:
        out.append(f"totals.value_covered {totals['value_covered']['amount']}, recomputed {value}")
    for key in ("travel_cost", "overnight_cost", "value_covered"):
        if totals[key]["currency"] != currency:
            out.append(f"totals.{key} in {totals[key]['currency']}, not {currency}")
    return out


def check_plan(problem: dict[str, Any], plan: dict[str, Any]) -> None:
    found = violations(problem, plan)
    assert not found, "plan violates the contract:\n" + "\n".join(found)

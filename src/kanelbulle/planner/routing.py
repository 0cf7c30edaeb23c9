"""An optional road router for the car legs of `--user` plans: OSRM or Valhalla over HTTP.

Offline by default: the contract's model (great-circle distance × the car's road factor, at its
speed). With ``KANELBULLE_ROUTER=osrm`` or ``valhalla`` and ``KANELBULLE_ROUTER_URL=http://…``
(and optionally ``KANELBULLE_ROUTER_TIMEOUT`` seconds per request, default 10), car distances and
driving times come from the router's matrix API instead: OSRM's ``/table/v1/driving/…`` or
Valhalla's ``/sources_to_targets``, asked in blocks so a large book stays within the servers'
default matrix limits.

Never a crash and never a silent change: when the router is unreachable or answers with an error,
the plan falls back to the offline model and says so in one line (stderr in the CLI, and the plan's
``notes``); when the router is used, the notes say that too. Pairs the router cannot route (``null``)
use the offline model and are counted in the note. Plain ``urllib.request``, no new dependency.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np
from django.utils.translation import gettext as _

from kanelbulle.planner.problem import PlanProblem
from kanelbulle.planner.travel import RoadTable, haversine_matrix

ROUTERS = ("osrm", "valhalla")
DEFAULT_TIMEOUT = 10.0
BLOCK = {"osrm": 100, "valhalla": 50}  # points per side of one matrix request (the servers' default limits)


class RouterError(Exception):
    """The router could not be reached or gave an answer that cannot be used."""


@dataclass(frozen=True)
class RouterConfig:
    kind: str
    url: str
    timeout: float = DEFAULT_TIMEOUT


@dataclass
class Routing:
    """A road table (or None: the offline model) and what to tell the user about it."""

    table: RoadTable | None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the notes that should also go to stderr


def configured(env: dict[str, str] | None = None) -> tuple[RouterConfig | None, str]:
    """The router configuration from the environment, or (None, why it cannot be used / "")."""
    env = dict(os.environ) if env is None else env
    kind = env.get("KANELBULLE_ROUTER", "").strip().lower()
    if not kind or kind == "none":
        return None, ""
    if kind not in ROUTERS:
        return None, _(
            "KANELBULLE_ROUTER: unknown router %(kind)r (osrm or valhalla); car legs use the offline model"
        ) % {"kind": kind}
    url = env.get("KANELBULLE_ROUTER_URL", "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        return None, _(
            "KANELBULLE_ROUTER_URL: give the %(kind)s server's http:// or https:// address; car legs use the "
            "offline model"
        ) % {"kind": kind}
    try:
        timeout = float(env.get("KANELBULLE_ROUTER_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    return RouterConfig(kind, url, timeout if timeout > 0 else DEFAULT_TIMEOUT), ""


def _get_json(request: urllib.request.Request, timeout: float) -> Any:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            body = json.loads(exc.read().decode("utf-8"))
            detail = str(body.get("message") or body.get("error") or "")
        except (ValueError, AttributeError, UnicodeDecodeError):
            pass
        raise RouterError(f"HTTP {exc.code}" + (f": {detail}" if detail else "")) from None
    except urllib.error.URLError as exc:
        reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
        raise RouterError(str(reason)) from None
    except TimeoutError:
        raise RouterError(f"no answer within {timeout:g} s") from None
    except OSError as exc:
        raise RouterError(exc.strerror or str(exc)) from None
    except (ValueError, UnicodeDecodeError):
        raise RouterError("the answer is not JSON") from None


def _osrm_block(
    config: RouterConfig, points: list[tuple[float, float]], src: list[int], dst: list[int]
) -> tuple[list[list[Any]], list[list[Any]]]:
    used = sorted(set(src) | set(dst))
    where = {p: k for k, p in enumerate(used)}
    coords = ";".join(f"{points[p][1]:.6f},{points[p][0]:.6f}" for p in used)
    query = (
        f"sources={';'.join(str(where[p]) for p in src)}&destinations={';'.join(str(where[p]) for p in dst)}"
        "&annotations=distance,duration"
    )
    request = urllib.request.Request(f"{config.url}/table/v1/driving/{coords}?{query}")  # noqa: S310 - http(s) only
    answer = _get_json(request, config.timeout)
    if not isinstance(answer, dict) or answer.get("code") != "Ok":
        code = answer.get("code") if isinstance(answer, dict) else None
        message = answer.get("message") if isinstance(answer, dict) else None
        raise RouterError(f"OSRM answered {code or 'without a code'}" + (f": {message}" if message else ""))
    distances, durations = answer.get("distances"), answer.get("durations")
    if not _shaped(distances, len(src), len(dst)) or not _shaped(durations, len(src), len(dst)):
        raise RouterError("OSRM's table has no distances or durations of the size asked for")
    km = [[None if d is None else float(d) / 1000 for d in row] for row in distances]
    minutes = [[None if t is None else float(t) / 60 for t in row] for row in durations]
    return km, minutes


def _valhalla_block(
    config: RouterConfig, points: list[tuple[float, float]], src: list[int], dst: list[int]
) -> tuple[list[list[Any]], list[list[Any]]]:
    body = {
        "sources": [{"lat": points[p][0], "lon": points[p][1]} for p in src],
        "targets": [{"lat": points[p][0], "lon": points[p][1]} for p in dst],
        "costing": "auto",
        "units": "kilometers",
    }
    request = urllib.request.Request(  # noqa: S310 - configured() allows http(s) only
        f"{config.url}/sources_to_targets",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    answer = _get_json(request, config.timeout)
    rows = answer.get("sources_to_targets") if isinstance(answer, dict) else None
    if not _shaped(rows, len(src), len(dst)):
        message = answer.get("error") if isinstance(answer, dict) else None
        raise RouterError(
            "Valhalla's answer has no sources_to_targets of the size asked for" + (f": {message}" if message else "")
        )
    km = [[_cell(c, "distance", 1.0) for c in row] for row in rows]
    minutes = [[_cell(c, "time", 1 / 60) for c in row] for row in rows]
    return km, minutes


def _cell(cell: Any, key: str, scale: float) -> float | None:
    value = cell.get(key) if isinstance(cell, dict) else None
    return None if value is None else float(value) * scale


def _shaped(rows: Any, n: int, m: int) -> TypeGuard[list[list[Any]]]:
    return isinstance(rows, list) and len(rows) == n and all(isinstance(r, list) and len(r) == m for r in rows)


def road_table(
    points: list[tuple[float, float]], factor: float, speed_kmh: float, config: RouterConfig
) -> tuple[RoadTable, int]:
    """The router's car km and driving minutes between all points; (table, pairs filled offline).

    Raises RouterError when the router cannot be used at all.
    """
    n = len(points)
    lat = np.array([p[0] for p in points], dtype=np.float64)
    lon = np.array([p[1] for p in points], dtype=np.float64)
    offline_km = haversine_matrix(lat, lon) * factor
    km = np.full((n, n), np.nan)
    minutes = np.full((n, n), np.nan)
    ask = _osrm_block if config.kind == "osrm" else _valhalla_block
    size = BLOCK[config.kind]
    blocks = [list(range(i, min(n, i + size))) for i in range(0, n, size)]
    for src in blocks:
        for dst in blocks:
            bkm, bmin = ask(config, points, src, dst)
            for a, row_km, row_min in zip(src, bkm, bmin, strict=True):
                for b, d, t in zip(dst, row_km, row_min, strict=True):
                    if d is not None and t is not None and d >= 0 and t >= 0:
                        km[a, b], minutes[a, b] = d, t
    missing = np.isnan(km) | np.isnan(minutes)
    np.fill_diagonal(missing, False)
    km = np.where(missing, offline_km, km)
    minutes = np.where(missing, offline_km / speed_kmh * 60, minutes)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(minutes, 0.0)
    return RoadTable(km, minutes, f"{config.kind} {config.url}"), int(missing.sum())


def routing_for(problem: PlanProblem, env: dict[str, str] | None = None) -> Routing:
    """The road table for a problem's car legs when a router is configured, with what to tell the user."""
    config, why = configured(env)
    if config is None:
        return Routing(None, [why] if why else [], [why] if why else [])
    car = problem.modes["car"]
    points = [(problem.home_lat, problem.home_lon), *((v.lat, v.lon) for v in problem.visits)]
    try:
        table, offline = road_table(points, car.factor, car.speed_kmh, config)
    except RouterError as exc:
        warning = _(
            "road router %(kind)s at %(url)s cannot be used (%(why)s): car legs use the offline model "
            "(great-circle distance × %(factor)s at %(speed)s km/h)"
        ) % {"kind": config.kind, "url": config.url, "why": exc, "factor": car.factor, "speed": car.speed_kmh}
        return Routing(None, [warning], [warning])
    note = _("car legs: road distances and driving times from the %(kind)s router at %(url)s") % {
        "kind": config.kind,
        "url": config.url,
    }
    notes, warnings = [note], []
    if offline:
        warning = _(
            "road router %(kind)s: %(n)s pairs of places had no road route; the offline model was used for them"
        ) % {
            "kind": config.kind,
            "n": offline,
        }
        notes.append(warning)
        warnings.append(warning)
    return Routing(table, notes, warnings)

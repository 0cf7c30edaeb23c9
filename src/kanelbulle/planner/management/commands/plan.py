"""`kanelbulle plan`: solve a planning problem file (plan-problem.md) or a seller's book (--user)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.core.command import InputError, KbCommand, RunError


def _positive_float(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


class Command(KbCommand):
    help = "Plan visits: solve a problem file (--problem FILE) or a seller's days (--user NAME)."
    json_option = True
    needs_database = False  # a problem file needs none; --user opens the database itself
    today_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--problem", metavar="FILE", help="a kanelbulle-plan/1 .json, Solomon .txt or VRPLIB .vrp")
        parser.add_argument("--user", metavar="NAME", help="plan this seller's visits from the book")
        parser.add_argument("--start", metavar="DATE", help="first day of the plan (with --user)")
        parser.add_argument("--days", metavar="N", type=_positive_int, help="number of calendar days (with --user)")
        parser.add_argument(
            "--seconds",
            metavar="S",
            type=_positive_float,
            help="time limit for the whole command (default 10; with --iterations alone a safety limit of 300)",
        )
        parser.add_argument(
            "--iterations",
            metavar="N",
            type=_positive_int,
            help="iteration limit: the same seed and limit give the same plan on any machine",
        )
        parser.add_argument("--seed", metavar="K", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--language", choices=["en", "sv"], default="en", help="language of the reasons and the text (default en)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import time

        from django.utils import translation

        options["started"] = time.perf_counter()  # the time limit covers reading the book too
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        if options["problem"] and options["user"]:
            raise InputError("give either --problem FILE or --user NAME, not both")
        if not options["problem"] and not options["user"]:
            raise InputError("plan: give --problem FILE (or --user NAME --start DATE --days N)")
        progress = None
        if sys.stderr.isatty():
            from kanelbulle.planner.solver import progress_to_stderr

            progress = progress_to_stderr
        try:
            if options["user"]:
                document = self._solve_user(options, progress)
            else:
                document = self._solve(Path(options["problem"]), options, progress)
        finally:
            if progress is not None:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
        solver = document.get("solver", {})
        if solver.get("stopped_by") == "seconds" and solver.get("iterations") == 0:
            sys.stderr.write(
                _(
                    "warning: the time limit was spent before the search began (%(seconds)s s reading the book "
                    "and building the problem): the plan is unsearched; give more --seconds or --iterations"
                )
                % {"seconds": solver.get("seconds")}
                + "\n"
            )
        if options["json"]:
            self.emit_json(document)
        else:
            self.stdout.write(self._text(document))

    def _solve_user(self, options: dict[str, Any], progress: Any) -> dict[str, Any]:
        import datetime as dt

        from django.contrib.auth import get_user_model

        from kanelbulle.core.command import ensure_database
        from kanelbulle.core.rates import NoRate
        from kanelbulle.planner.book import BookError, problem_for
        from kanelbulle.planner.problem import InvalidProblem, parse_problem
        from kanelbulle.planner.routing import routing_for
        from kanelbulle.planner.solver import solve_problem

        ensure_database()
        problems = []
        start = None
        if not options["start"]:
            problems.append("--start: give the first day of the plan (YYYY-MM-DD)")
        else:
            try:
                start = dt.date.fromisoformat(options["start"])
            except ValueError:
                problems.append(f"--start: {options['start']!r} is not a date YYYY-MM-DD")
        if options["days"] is None:
            problems.append("--days: give the number of calendar days to plan")
        elif options["days"] > 62:
            problems.append(f"--days: at most 62, not {options['days']}")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            problems.append(f"--user: no user named {options['user']!r}")
        if problems:
            raise InputError(*problems)
        assert start is not None
        today = self.today(options)
        from kanelbulle.planner.actions import PlanError, check_days

        try:
            check_days(start, options["days"], today)  # the pages' and the API's rule
        except PlanError as exc:
            raise InputError(f"--start: {exc}") from None
        try:
            raw, values = problem_for(user, start, options["days"], today)
            problem = parse_problem(raw)
        except BookError as exc:
            raise InputError(str(exc)) from None
        except NoRate as exc:
            raise InputError(str(exc)) from None
        except InvalidProblem as exc:
            raise RunError("the book gave an invalid problem: " + "; ".join(str(p) for p in exc.problems)) from None
        routing = routing_for(problem)
        for warning in routing.warnings:
            sys.stderr.write(_("warning: %(warning)s") % {"warning": warning} + "\n")
        document = solve_problem(
            problem,
            seconds=options["seconds"],
            iterations=options["iterations"],
            seed=options["seed"],
            progress=progress,
            road=routing.table,
            started=options["started"],
        )
        document["notes"] = routing.notes
        document["as_of"] = today.isoformat()
        document["values"] = [
            {"ref": v.ref, "name": v.name, "value": {"amount": str(v.amount), "currency": problem.currency},
             "required": v.required, "requested": v.requests > 0, "why": v.parts}
            for v in values.values()
        ]  # fmt: skip
        from kanelbulle.planner.book import request_options

        document["meeting_requests"] = request_options(problem, values, document)
        return document

    def _solve(self, path: Path, options: dict[str, Any], progress: Any) -> dict[str, Any]:
        if not path.is_file():
            raise InputError(f"--problem: no such file {str(path)!r}")
        kind = path.suffix.lower()
        seconds, iterations, seed = options["seconds"], options["iterations"], options["seed"]
        if seconds is not None:
            import time

            seconds = max(0.0, seconds - (time.perf_counter() - options["started"]))
        if kind in {".txt", ".vrp"}:
            from kanelbulle.planner.benchmark import BadInstance, solve_instance

            try:
                return solve_instance(path, seconds=seconds, iterations=iterations, seed=seed, progress=progress)
            except BadInstance as exc:
                raise InputError(str(exc)) from None
        from kanelbulle.planner.problem import InvalidProblem, parse_problem
        from kanelbulle.planner.solver import solve_problem

        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: not a UTF-8 text file") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{path.name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        except OSError as exc:
            raise RunError(f"{path.name}: cannot be read ({exc.strerror})") from None
        try:
            problem = parse_problem(raw)
        except InvalidProblem as exc:
            raise InputError(*(str(p) for p in exc.problems)) from None
        return solve_problem(problem, seconds=seconds, iterations=iterations, seed=seed, progress=progress)

    def _text(self, doc: dict[str, Any]) -> str:
        if "format" not in doc:  # a benchmark instance
            state = _("feasible") if doc["feasible"] else _("INFEASIBLE")
            return _("cost %(cost)s with %(routes)s routes (%(state)s, %(seconds)s s)") % {
                "cost": doc["cost"],
                "routes": len(doc["routes"]),
                "state": state,
                "seconds": doc["seconds"],
            }
        lines = []
        for day in doc["days"]:
            lines.append(
                _("%(date)s  %(km)s km, %(minutes)s min travel")
                % {"date": day["date"], "km": day["km"], "minutes": day["travel_minutes"]}
            )
            lines.append("  " + _("%(time)s leave") % {"time": day["start"]["time"][11:16]})
            for stop in day["stops"]:
                lines.append(
                    "  "
                    + _("%(begin)s–%(end)s %(ref)s (by %(mode)s)")
                    % {
                        "begin": stop["begin"][11:16],
                        "end": stop["end"][11:16],
                        "ref": stop["ref"],
                        "mode": mode_name(stop["mode"]),
                    }
                )
            finish = day["finish"]
            where = _("hotel night") if finish["overnight"] else _("home")
            lines.append(f"  {finish['time'][11:16]} {where}")
        for item in doc["dropped"]:
            lines.append(_("dropped %(ref)s: %(reason)s") % item)
        for item in doc["infeasible"]:
            lines.append(_("NOT PLACED %(ref)s: %(reason)s") % item)
        for item in doc.get("meeting_requests", []):
            trip, video = item["trip"], item["video"]
            lines.append(
                _(
                    "%(ref)s asked to meet (%(state)s): a trip %(trip)s %(currency)s for %(value)s %(currency)s, "
                    "or a video meeting 0 %(currency)s keeping %(kept)s %(currency)s"
                )
                % {
                    "ref": item["ref"],
                    "state": _("in the plan") if item["planned"] else _("not in the plan"),
                    "trip": trip["cost"]["amount"],
                    "value": trip["value"]["amount"],
                    "kept": video["value_kept"]["amount"],
                    "currency": trip["cost"]["currency"],
                }
            )
        for note in doc.get("notes", []):
            lines.append(_("note: %(note)s") % {"note": note})
        if doc.get("travel_policy"):
            lines.append(_("costs by the travel policy version %(v)s") % {"v": doc["travel_policy"]["version"]})
        t = doc["totals"]
        lines.append(
            _(
                "total %(km)s km, %(minutes)s min, %(co2)s kg CO2, travel %(travel)s + hotels %(hotels)s %(currency)s, "
                "value covered %(value)s %(value_currency)s"
            )
            % {
                "km": t["km"],
                "minutes": t["travel_minutes"],
                "co2": t["co2_kg"],
                "travel": t["travel_cost"]["amount"],
                "hotels": t["overnight_cost"]["amount"],
                "currency": t["travel_cost"]["currency"],
                "value": t["value_covered"]["amount"],
                "value_currency": t["value_covered"]["currency"],
            }
        )
        lines.append(_("feasible") if doc["feasible"] else _("INFEASIBLE: required visits could not be placed"))
        return "\n".join(lines)


def mode_name(mode: str | None) -> str:
    """A travel mode in words (the JSON keeps the code)."""
    names = {"car": _("car"), "rail": _("train"), "air": _("plane"), None: _("foot")}
    return names.get(mode, mode or "")

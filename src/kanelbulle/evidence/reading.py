"""The plain-language reading of an evidence result, in the reader's language (English or Swedish).

The reading is written when it is shown, from the result's numbers and codes, never stored as
prose: a result kept for later reads in the language of whoever opens it.

It reports associations with their intervals and never says that meeting in person *causes*
anything: the data are observational (docs/evidence.md says what the reading may say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kanelbulle.evidence.analysis import Estimate, Outcome, Result


def _num(x: float, lang: str, places: int = 2) -> str:
    text = f"{x:.{places}f}"
    return text.replace(".", ",").replace("-", "−") if lang == "sv" else text.replace("-", "−")


def _pct(x: float, lang: str) -> str:
    return _num(100 * x, lang, 0)


def _factors(est: Estimate) -> str:
    names = {
        "potential": _("the customer's potential"),
        "prior_revenue": _("revenue in the 12 months before"),
        "public_sector": _("public sector"),
        "distance": _("distance"),
        "seller": _("the seller"),
    }
    return ", ".join(str(names[f]) for f in est.adjusted_for if f in names)


def _not_enough(outcome: Outcome, label: str) -> str:
    if outcome.reason in ("separation", "did_not_converge", "singular", "exposure_collinear", "too_many_parameters"):
        return _("%(what)s: the model cannot be estimated reliably from these deals yet; more are needed.") % {
            "what": label
        }
    if outcome.reason in ("too_few_met_in_person", "too_few_not_met_in_person"):
        return _("%(what)s: too few deals in one of the two groups (at least %(min)s are needed in each).") % {
            "what": label,
            "min": 5,
        }
    return _("%(what)s: not enough data yet (%(n)s deals, %(needed)s needed).") % {
        "what": label,
        "n": outcome.n,
        "needed": outcome.needed,
    }


def _win(o: Outcome, lang: str) -> list[str]:
    label = _("Win rate")
    if not o.ok or o.adjusted is None:
        return [_not_enough(o, str(label))]
    est = o.adjusted
    values = {
        "or": _num(est.value, lang),
        "lo": _num(est.ci95[0], lang),
        "hi": _num(est.ci95[1], lang),
        "factors": _factors(est),
    }
    out = []
    if est.covers_no_effect:
        out.append(
            _(
                "Win rate: no clear difference between deals met in person and the others once we allow for "
                "%(factors)s (odds ratio %(or)s, 95%% interval %(lo)s to %(hi)s, which includes no difference)."
            )
            % values
        )
    elif est.value > 1:
        out.append(
            _(
                "Win rate: deals where we met the customer in person were won more often; allowing for "
                "%(factors)s, their odds of winning were %(or)s times as high (95%% interval %(lo)s to %(hi)s)."
            )
            % values
        )
    else:
        out.append(
            _(
                "Win rate: deals where we met the customer in person were won less often; allowing for "
                "%(factors)s, their odds of winning were %(or)s times as high (95%% interval %(lo)s to %(hi)s)."
            )
            % values
        )
    if "in_person_rate" in o.naive and "other_rate" in o.naive:
        out.append(
            _(
                "A plain comparison (%(a)s%% won when met in person, %(b)s%% otherwise) also reflects which "
                "customers we choose to visit."
            )
            % {"a": _pct(o.naive["in_person_rate"], lang), "b": _pct(o.naive["other_rate"], lang)}
        )
    if o.e_value is not None and not est.covers_no_effect:
        out.append(
            _(
                "To explain this away, a factor we have not measured would have to be linked to both meeting in "
                "person and winning by a risk ratio of at least %(e)s each (%(eci)s to move the interval to "
                "include no difference)."
            )
            % {"e": _num(o.e_value.point, lang, 1), "eci": _num(o.e_value.ci, lang, 1)}
        )
    return out


def _ratio_sentence(o: Outcome, lang: str) -> list[str]:
    label = _("Deal size")
    if not o.ok or o.adjusted is None:
        return [_not_enough(o, str(label))]
    est = o.adjusted
    values = {
        "pct": _num(abs(est.value - 1) * 100, lang, 0),
        "lo": _num(est.ci95[0], lang),
        "hi": _num(est.ci95[1], lang),
        "ratio": _num(est.value, lang),
    }
    if est.covers_no_effect:
        return [
            _(
                "Deal size: won deals met in person were not clearly larger or smaller "
                "(ratio %(ratio)s, 95%% interval %(lo)s to %(hi)s)."
            )
            % values
        ]
    if est.value > 1:
        return [
            _(
                "Deal size: won deals met in person were about %(pct)s%% larger "
                "(ratio %(ratio)s, 95%% interval %(lo)s to %(hi)s)."
            )
            % values
        ]
    return [
        _(
            "Deal size: won deals met in person were about %(pct)s%% smaller "
            "(ratio %(ratio)s, 95%% interval %(lo)s to %(hi)s)."
        )
        % values
    ]


def _margin_sentence(o: Outcome, lang: str) -> list[str]:
    label = _("Margin")
    if not o.ok or o.adjusted is None:
        return [_not_enough(o, str(label))]
    est = o.adjusted
    values = {
        "d": _num(est.value, lang, 1),
        "lo": _num(est.ci95[0], lang, 1),
        "hi": _num(est.ci95[1], lang, 1),
    }
    if est.covers_no_effect:
        return [_("Margin: no clear difference (%(d)s percentage points, 95%% interval %(lo)s to %(hi)s).") % values]
    return [
        _("Margin: a difference of %(d)s percentage points for deals met in person (95%% interval %(lo)s to %(hi)s).")
        % values
    ]


def _time_sentence(o: Outcome, lang: str) -> list[str]:
    label = _("Time to close")
    if not o.ok or o.adjusted is None:
        return [_not_enough(o, str(label))]
    est = o.adjusted
    values = {"hr": _num(est.value, lang), "lo": _num(est.ci95[0], lang), "hi": _num(est.ci95[1], lang)}
    if est.covers_no_effect:
        return [
            _(
                "Time to close: deals met in person were not clearly won sooner or later "
                "(hazard ratio %(hr)s, 95%% interval %(lo)s to %(hi)s)."
            )
            % values
        ]
    if est.value > 1:
        return [
            _(
                "Time to close: deals met in person were won sooner "
                "(hazard ratio %(hr)s, 95%% interval %(lo)s to %(hi)s)."
            )
            % values
        ]
    return [
        _("Time to close: deals met in person were won later (hazard ratio %(hr)s, 95%% interval %(lo)s to %(hi)s).")
        % values
    ]


def read(result: Result, lang: str | None = None) -> str:
    """The reading of ``result`` in ``lang`` ("en" or "sv"; by default the active language)."""
    lang = "sv" if (lang or translation.get_language() or "en").startswith("sv") else "en"
    with translation.override(lang):
        win = result.outcomes["win"]
        parts = [
            _("Based on %(closed)s closed deals of %(deals)s in all.")
            % {"closed": result.n_closed_deals, "deals": result.n_deals}
        ]
        parts += _win(win, lang)
        parts += _ratio_sentence(result.outcomes["deal_size"], lang)
        parts += _margin_sentence(result.outcomes["margin"], lang)
        parts += _time_sentence(result.outcomes["time_to_close"], lang)
        parts.append(
            _(
                "These are associations in our own records, not proof that meeting in person causes them: "
                "the customers we choose to meet may differ in ways the records do not show."
            )
        )
        return " ".join(str(p) for p in parts)


def document(result: Result, lang: str | None = None) -> dict[str, Any]:
    """``result`` as JSON with its ``reading`` in ``lang`` (by default the active language): one
    language, the caller's, as for every other message the API and the commands write."""
    return result.to_json(reading=read(result, lang))

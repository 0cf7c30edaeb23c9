"""Does meeting in person pay off? Honest estimates from a team's own book of business.

A plain module: deals, meetings, customers and orders in, estimates out; no Django models, no
database. The statistics are statsmodels' (imported lazily: it takes ~2 s), the only formulas
written here are the E-value and the shrinkage of ``shrunk_win_uplift``. The method, the
thresholds and what the reading may say are in ``docs/evidence.md``.

Exposure: a deal is *met in person* when at least one ``in_person`` meeting with its customer
took place between the deal's creation and its close (or today, while it is open).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import numpy as np

# ---------------------------------------------------------------------------------------------
# Thresholds (documented in docs/evidence.md). Below them an outcome says "not enough data".
MIN_CLOSED_FOR_WIN = 30  # closed deals for the win model
MIN_WON_FOR_SIZE = 20  # won deals with a value for the deal-size and margin models
MIN_DEALS_FOR_TIME = 30  # deals (closed or open) for the time-to-close model
MIN_PER_GROUP = 5  # deals in each exposure group (met in person / not)
MIN_PER_CLASS = 5  # wins and losses each (win model); wins (time-to-close model)
MIN_CLUSTERS = 10  # distinct customers: cluster-robust errors need enough clusters
MIN_LEVEL_DEALS = 10  # a potential level or seller with fewer deals is pooled with the most common one
MAX_ABS_LOG_EFFECT = 10.0  # |log effect| beyond this is a sign of (quasi-)separation

# Prior for shrunk_win_uplift: log odds ratio ~ Normal(0, PRIOR_SD_LOG_OR²), i.e. 95% prior mass
# on odds ratios between about 0.38 and 2.7 (documented in docs/evidence.md).
PRIOR_SD_LOG_OR = 0.5

Z95 = 1.959963984540054
MODALITIES = ("in_person", "video", "phone", "email")
NO_MEETING = "none"
COVARIATES = ("potential", "prior_revenue", "public_sector", "distance", "seller")


# ---------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class CustomerIn:
    key: str
    potential: str = "unknown"  # unknown, low, medium, high
    public_sector: bool = False
    country: str = ""


@dataclass(frozen=True)
class DealIn:
    key: str
    customer: str
    seller: str
    created: dt.date
    stage: Literal["open", "won", "lost"]
    closed: dt.date | None = None
    value: Decimal | None = None  # in the company currency
    margin_pct: Decimal | None = None
    distance_km: float | None = None  # from the deal's seller's home to the customer


@dataclass(frozen=True)
class MeetingIn:
    customer: str
    start: dt.datetime  # aware; compared by its (local) date
    modality: str
    held: bool = True  # False for a cancelled meeting (or a planned one not yet held)


@dataclass(frozen=True)
class OrderIn:
    customer: str
    date: dt.date
    value: Decimal  # in the company currency


@dataclass(frozen=True)
class LeftOut:
    """A record the analysis could not use: its amount cannot be converted to the company currency."""

    kind: Literal["deal", "order"]
    ref: str
    currency: str
    on: dt.date

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "currency": self.currency, "date": self.on.isoformat()}


@dataclass(frozen=True)
class Book:
    deals: Sequence[DealIn]
    meetings: Sequence[MeetingIn]
    customers: Sequence[CustomerIn]
    orders: Sequence[OrderIn] = ()
    today: dt.date = field(default_factory=dt.date.today)
    currency: str = "SEK"
    left_out: Sequence[LeftOut] = ()  # records that could not be converted (never a silent 1:1)


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class Estimate:
    """An effect with its 95% interval; ``measure`` names it in the JSON (odds_ratio, ratio, …)."""

    measure: str
    value: float
    ci95: tuple[float, float]
    p_value: float
    adjusted_for: tuple[str, ...] = ()

    @property
    def covers_no_effect(self) -> bool:
        none = 0.0 if self.measure == "difference_pp" else 1.0
        return self.ci95[0] <= none <= self.ci95[1]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            self.measure: _r(self.value),
            "ci95": [_r(self.ci95[0]), _r(self.ci95[1])],
            "p_value": _r(self.p_value, 4),
        }
        if self.adjusted_for:
            out["adjusted_for"] = list(self.adjusted_for)
        return out


@dataclass(frozen=True)
class EValue:
    point: float
    ci: float  # for the interval bound nearer to no effect (1 when the interval covers 1)
    rare_outcome: bool  # False: the odds ratio was square-rooted to approximate a risk ratio

    def to_json(self) -> dict[str, Any]:
        return {"point": _r(self.point), "ci": _r(self.ci), "approximation": "or" if self.rare_outcome else "sqrt_or"}


@dataclass(frozen=True)
class Outcome:
    """One outcome: either estimates (``status`` "ok") or "not enough data" with how many are needed."""

    name: str
    n: int
    status: Literal["ok", "not_enough_data"] = "ok"
    adjusted: Estimate | None = None
    naive: dict[str, Any] = field(default_factory=dict)
    naive_estimate: Estimate | None = None
    needed: int = 0
    reason: str = ""
    n_in_person: int = 0
    n_other: int = 0
    e_value: EValue | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.adjusted is not None

    def to_json(self) -> dict[str, Any]:
        if not self.ok:
            out: dict[str, Any] = {"status": "not_enough_data", "n": self.n, "needed": self.needed}
            if self.reason:
                out["reason"] = self.reason
            return out
        assert self.adjusted is not None
        naive = dict(self.naive)
        if self.naive_estimate is not None:
            naive.update(self.naive_estimate.to_json())
        out = {
            "adjusted": self.adjusted.to_json(),
            "naive": naive,
            "n": self.n,
            "n_in_person": self.n_in_person,
            "n_other": self.n_other,
        }
        if self.e_value is not None:
            out["e_value"] = self.e_value.to_json()
        return out


@dataclass(frozen=True)
class ModalityRow:
    modality: str
    closed: int
    won: int

    @property
    def win_rate(self) -> float | None:
        return self.won / self.closed if self.closed else None

    def to_json(self) -> dict[str, Any]:
        rate = self.win_rate
        return {"closed": self.closed, "won": self.won, "win_rate": None if rate is None else _r(rate)}


@dataclass(frozen=True)
class PeriodRow:
    period: str  # e.g. "2025-Q3", by close date
    modality: str
    closed: int
    won: int

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period, "modality": self.modality, "closed": self.closed, "won": self.won}


@dataclass(frozen=True)
class Breakdown:
    """The win odds ratio within one seller's (or one country's) deals, where the data allow."""

    key: str
    n_closed: int
    win: Outcome

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "n_closed": self.n_closed, "win": self.win.to_json()}


@dataclass(frozen=True)
class Result:
    n_deals: int
    n_closed_deals: int
    outcomes: dict[str, Outcome]
    by_first_modality: list[ModalityRow]
    over_time: list[PeriodRow]
    by_seller: list[Breakdown]
    by_country: list[Breakdown]
    today: dt.date
    currency: str
    left_out: tuple[LeftOut, ...] = ()

    @property
    def win(self) -> Outcome:
        return self.outcomes["win"]

    def to_json(self, reading: str | None = None) -> dict[str, Any]:
        """The result as numbers and codes, fit to store; with ``reading`` (made by
        ``reading.document`` in the reader's language when shown: the analysis writes no prose)."""
        doc = {
            "n_deals": self.n_deals,
            "n_closed_deals": self.n_closed_deals,
            "today": self.today.isoformat(),
            "currency": self.currency,
            "outcomes": {name: o.to_json() for name, o in self.outcomes.items()},
            "by_first_modality": {row.modality: row.to_json() for row in self.by_first_modality},
            "win_rate_over_time": [row.to_json() for row in self.over_time],
            "by_seller": [b.to_json() for b in self.by_seller],
            "by_country": [b.to_json() for b in self.by_country],
            "shrunk_win_odds_ratio": _r(shrunk_win_uplift(self)),
            "left_out": {"count": len(self.left_out), "records": [r.to_json() for r in self.left_out]},
        }
        if reading is not None:
            doc["reading"] = reading
        return doc


def _r(x: float, places: int = 3) -> float:
    return round(float(x), places)


# ---------------------------------------------------------------------------------------------
# Preparing the data


@dataclass
class _Row:
    deal: DealIn
    customer: CustomerIn
    in_person: bool
    first_modality: str
    prior_revenue: float
    distance_km: float


def prepare(book: Book) -> list[_Row]:
    """One row per deal with its exposure, first modality and confounders.

    Deals created after ``today`` are left out; a deal whose customer is unknown is left out.
    A missing distance takes the median of the known ones (documented).
    """
    customers = {c.key: c for c in book.customers}
    meetings_by_customer: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for m in book.meetings:
        if m.held:
            meetings_by_customer[m.customer].append((m.start.date(), m.modality))
    for items in meetings_by_customer.values():
        items.sort()
    orders_by_customer: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for o in book.orders:
        orders_by_customer[o.customer].append((o.date, o.value))

    known_distances = [d.distance_km for d in book.deals if d.distance_km is not None]
    fallback_distance = float(np.median(known_distances)) if known_distances else 0.0
    rows: list[_Row] = []
    for deal in book.deals:
        customer = customers.get(deal.customer)
        if customer is None or deal.created > book.today:
            continue
        end = deal.closed if deal.stage != "open" and deal.closed else book.today
        end = min(end, book.today)
        during = [mod for day, mod in meetings_by_customer.get(deal.customer, ()) if deal.created <= day <= end]
        start_year = deal.created - dt.timedelta(days=365)
        prior = sum(
            (v for day, v in orders_by_customer.get(deal.customer, ()) if start_year <= day < deal.created),
            Decimal(0),
        )
        rows.append(
            _Row(
                deal=deal,
                customer=customer,
                in_person="in_person" in during,
                first_modality=during[0] if during else NO_MEETING,
                prior_revenue=max(float(prior), 0.0),
                distance_km=deal.distance_km if deal.distance_km is not None else fallback_distance,
            )
        )
    return rows


def _pooled(values: list[str]) -> list[str]:
    """A categorical confounder with its rare levels (< MIN_LEVEL_DEALS deals) pooled into the most
    common level: three deals of "unknown" potential, all lost, would otherwise separate the data."""
    counts = Counter(values)
    if not counts:
        return values
    common = counts.most_common(1)[0][0]
    return [v if counts[v] >= MIN_LEVEL_DEALS else common for v in values]


def _design(rows: Sequence[_Row], include: Sequence[str], *, const: bool = True) -> tuple[Any, list[str]]:
    """The exposure first, then the confounders named in ``include``; constant and collinear
    columns are dropped (a seller with one deal tells nothing), never the exposure."""
    cols: dict[str, list[float]] = {"in_person": [float(r.in_person) for r in rows]}
    if "potential" in include:
        potential = _pooled([r.customer.potential for r in rows])
        for level in sorted(set(potential))[1:]:
            cols[f"potential[{level}]"] = [float(p == level) for p in potential]
    if "prior_revenue" in include:
        cols["log1p_prior_revenue"] = [math.log1p(r.prior_revenue) for r in rows]
    if "public_sector" in include:
        cols["public_sector"] = [float(r.customer.public_sector) for r in rows]
    if "distance" in include:
        cols["log1p_distance_km"] = [math.log1p(max(r.distance_km, 0.0)) for r in rows]
    if "seller" in include:
        seller = _pooled([r.deal.seller for r in rows])
        for level in sorted(set(seller))[1:]:
            cols[f"seller[{level}]"] = [float(s == level) for s in seller]
    names = [name for name, values in cols.items() if name == "in_person" or len(set(values)) > 1]
    matrix = np.column_stack([cols[n] for n in names]) if names else np.zeros((len(rows), 0))
    if const:
        matrix = np.column_stack([np.ones(len(rows)), matrix])
        names = ["const", *names]
    # Drop columns that add nothing (linear combinations of earlier ones), keeping the exposure.
    keep: list[int] = []
    for j in range(matrix.shape[1]):
        trial = [*keep, j]
        if np.linalg.matrix_rank(matrix[:, trial]) == len(trial):
            keep.append(j)
    kept_names = [names[j] for j in keep]
    return matrix[:, keep], kept_names


def _groups(rows: Sequence[_Row]) -> Any:
    keys = {k: i for i, k in enumerate(sorted({r.deal.customer for r in rows}))}
    return np.array([keys[r.deal.customer] for r in rows])


class _Unestimable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fit_guarded(fit: Any) -> Any:
    """Run a statsmodels fit; separation, non-convergence or a singular matrix become _Unestimable."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fit()
        except np.linalg.LinAlgError:
            raise _Unestimable("singular") from None
        except Exception as exc:  # statsmodels raises PerfectSeparationError in some versions
            if "separation" in str(exc).lower() or exc.__class__.__name__ == "PerfectSeparationError":
                raise _Unestimable("separation") from None
            raise _Unestimable("did_not_converge") from None
    for w in caught:
        if issubclass(w.category, PerfectSeparationWarning):
            raise _Unestimable("separation")
        if issubclass(w.category, ConvergenceWarning):
            raise _Unestimable("did_not_converge")
    retvals = getattr(res, "mle_retvals", None)
    if isinstance(retvals, dict) and retvals.get("converged") is False:
        raise _Unestimable("did_not_converge")
    return res


def _estimate(res: Any, names: list[str], measure: str, *, log_scale: bool, adjusted_for: Sequence[str]) -> Estimate:
    j = names.index("in_person")
    params = np.asarray(res.params)
    bse = np.asarray(res.bse)
    b, se = float(params[j]), float(bse[j])
    if not (math.isfinite(b) and math.isfinite(se)) or se <= 0:
        raise _Unestimable("did_not_converge")
    if log_scale and abs(b) > MAX_ABS_LOG_EFFECT:
        raise _Unestimable("separation")
    p = float(np.asarray(res.pvalues)[j])
    lo, hi = b - Z95 * se, b + Z95 * se
    if log_scale:
        return Estimate(measure, math.exp(b), (math.exp(lo), math.exp(hi)), p, tuple(adjusted_for))
    return Estimate(measure, b, (lo, hi), p, tuple(adjusted_for))


def _ladder(
    rows: Sequence[_Row], fit_one: Any, measure: str, *, log_scale: bool, const: bool = True
) -> tuple[Estimate | None, str]:
    """The full adjustment first; if it cannot be fitted (a seller who won everything separates
    the data), the same without the seller. Returns the estimate or the reason it failed."""
    reason = ""
    for include in (COVARIATES, tuple(c for c in COVARIATES if c != "seller")):
        X, names = _design(rows, include, const=const)
        if "in_person" not in names:
            return None, "exposure_collinear"
        if X.shape[1] >= len(rows) - 2:
            return None, "too_many_parameters"
        try:
            res = _fit_guarded(lambda X=X: fit_one(X))
            present = [c for c in include if _covariate_present(c, names)]
            return _estimate(res, names, measure, log_scale=log_scale, adjusted_for=present), ""
        except _Unestimable as exc:
            reason = exc.reason
    return None, reason


def _covariate_present(covariate: str, names: Sequence[str]) -> bool:
    prefix = {
        "potential": "potential[",
        "prior_revenue": "log1p_prior_revenue",
        "public_sector": "public_sector",
        "distance": "log1p_distance_km",
        "seller": "seller[",
    }[covariate]
    return any(n.startswith(prefix) for n in names)


def _naive_fit(rows: Sequence[_Row], fit_one: Any, measure: str, *, log_scale: bool, const: bool = True) -> Any:
    X, names = _design(rows, (), const=const)
    try:
        res = _fit_guarded(lambda: fit_one(X))
        return _estimate(res, names, measure, log_scale=log_scale, adjusted_for=())
    except _Unestimable:
        return None


def _too_few(name: str, n: int, needed: int, rows: Sequence[_Row], reason: str = "") -> Outcome | None:
    n_in = sum(r.in_person for r in rows)
    n_out = len(rows) - n_in
    if n < needed:
        return Outcome(name, n, "not_enough_data", needed=needed, reason=reason or "too_few_deals")
    if n_in < MIN_PER_GROUP:
        return Outcome(name, n, "not_enough_data", needed=needed, reason="too_few_met_in_person")
    if n_out < MIN_PER_GROUP:
        return Outcome(name, n, "not_enough_data", needed=needed, reason="too_few_not_met_in_person")
    if len({r.deal.customer for r in rows}) < MIN_CLUSTERS:
        return Outcome(name, n, "not_enough_data", needed=needed, reason="too_few_customers")
    return None


# ---------------------------------------------------------------------------------------------
# The four outcomes


def _win(rows: Sequence[_Row]) -> Outcome:
    import statsmodels.api as sm

    closed = [r for r in rows if r.deal.stage in ("won", "lost")]
    n = len(closed)
    short = _too_few("win", n, MIN_CLOSED_FOR_WIN, closed)
    if short:
        return short
    y = np.array([1.0 if r.deal.stage == "won" else 0.0 for r in closed])
    if min(y.sum(), n - y.sum()) < MIN_PER_CLASS:
        return Outcome("win", n, "not_enough_data", needed=MIN_CLOSED_FOR_WIN, reason="too_few_wins_or_losses")
    groups = _groups(closed)

    def fit(X: Any) -> Any:
        return sm.Logit(y, X).fit(disp=0, maxiter=200, cov_type="cluster", cov_kwds={"groups": groups})

    adjusted, reason = _ladder(closed, fit, "odds_ratio", log_scale=True)
    if adjusted is None:
        return Outcome("win", n, "not_enough_data", needed=MIN_CLOSED_FOR_WIN, reason=reason)
    met = [r for r in closed if r.in_person]
    other = [r for r in closed if not r.in_person]
    naive = {
        "in_person_rate": _r(sum(r.deal.stage == "won" for r in met) / len(met)),
        "other_rate": _r(sum(r.deal.stage == "won" for r in other) / len(other)),
    }
    win_share = float(y.mean())
    return Outcome(
        "win",
        n,
        adjusted=adjusted,
        naive=naive,
        naive_estimate=_naive_fit(closed, fit, "odds_ratio", log_scale=True),
        n_in_person=len(met),
        n_other=len(other),
        e_value=e_value_for_odds_ratio(adjusted, outcome_share=win_share),
    )


def _won_with(rows: Sequence[_Row], attr: str) -> list[_Row]:
    out = []
    for r in rows:
        if r.deal.stage != "won":
            continue
        v = getattr(r.deal, attr)
        if v is None or (attr == "value" and v <= 0):
            continue
        out.append(r)
    return out


def _deal_size(rows: Sequence[_Row], currency: str) -> Outcome:
    import statsmodels.api as sm

    won = _won_with(rows, "value")
    n = len(won)
    short = _too_few("deal_size", n, MIN_WON_FOR_SIZE, won)
    if short:
        return short
    y = np.log(np.array([float(r.deal.value or 0) for r in won]))
    groups = _groups(won)

    def fit(X: Any) -> Any:
        return sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})

    adjusted, reason = _ladder(won, fit, "ratio", log_scale=True)
    if adjusted is None:
        return Outcome("deal_size", n, "not_enough_data", needed=MIN_WON_FOR_SIZE, reason=reason)
    met = [float(r.deal.value or 0) for r in won if r.in_person]
    other = [float(r.deal.value or 0) for r in won if not r.in_person]
    naive = {
        "in_person_geometric_mean": f"{math.exp(float(np.mean(np.log(met)))):.2f}",
        "other_geometric_mean": f"{math.exp(float(np.mean(np.log(other)))):.2f}",
        "currency": currency,
    }
    return Outcome(
        "deal_size",
        n,
        adjusted=adjusted,
        naive=naive,
        naive_estimate=_naive_fit(won, fit, "ratio", log_scale=True),
        n_in_person=len(met),
        n_other=len(other),
    )


def _margin(rows: Sequence[_Row]) -> Outcome:
    import statsmodels.api as sm

    won = _won_with(rows, "margin_pct")
    n = len(won)
    short = _too_few("margin", n, MIN_WON_FOR_SIZE, won)
    if short:
        return short
    y = np.array([float(r.deal.margin_pct or 0) for r in won])
    groups = _groups(won)

    def fit(X: Any) -> Any:
        return sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})

    adjusted, reason = _ladder(won, fit, "difference_pp", log_scale=False)
    if adjusted is None:
        return Outcome("margin", n, "not_enough_data", needed=MIN_WON_FOR_SIZE, reason=reason)
    met = [float(r.deal.margin_pct or 0) for r in won if r.in_person]
    other = [float(r.deal.margin_pct or 0) for r in won if not r.in_person]
    naive = {"in_person_mean_pct": _r(float(np.mean(met)), 2), "other_mean_pct": _r(float(np.mean(other)), 2)}
    return Outcome(
        "margin",
        n,
        adjusted=adjusted,
        naive=naive,
        naive_estimate=_naive_fit(won, fit, "difference_pp", log_scale=False),
        n_in_person=len(met),
        n_other=len(other),
    )


def _time_to_close(rows: Sequence[_Row], today: dt.date) -> Outcome:
    """Cox model of the time from creation to a win: lost deals are censored at their close and
    open deals today (a cause-specific hazard; documented). Robust errors by customer."""
    from statsmodels.duration.hazard_regression import PHReg

    sample = [r for r in rows if r.deal.stage == "open" or r.deal.closed is not None]
    n = len(sample)
    short = _too_few("time_to_close", n, MIN_DEALS_FOR_TIME, sample)
    if short:
        return short
    times, events = [], []
    for r in sample:
        end = r.deal.closed if r.deal.stage != "open" and r.deal.closed else today
        times.append(max((end - r.deal.created).days, 0) + 0.5)  # same-day closes count as half a day
        events.append(1.0 if r.deal.stage == "won" else 0.0)
    t, ev = np.array(times), np.array(events)
    if ev.sum() < MIN_PER_CLASS:
        return Outcome("time_to_close", n, "not_enough_data", needed=MIN_DEALS_FOR_TIME, reason="too_few_wins")
    # A deal censored before the first win is in no risk set: it adds nothing to the partial
    # likelihood, but statsmodels gives it an undefined (NaN) score residual, which would make the
    # robust covariance NaN. Leaving it out changes neither the estimate nor its variance.
    at_risk = t >= t[ev == 1].min()
    sample = [r for r, keep in zip(sample, at_risk, strict=True) if keep]
    t, ev = t[at_risk], ev[at_risk]
    groups = _groups(sample)

    def fit(X: Any) -> Any:
        return PHReg(t, X, status=ev, ties="breslow").fit(groups=groups)

    adjusted, reason = _ladder(sample, fit, "hazard_ratio", log_scale=True, const=False)
    if adjusted is None:
        return Outcome("time_to_close", n, "not_enough_data", needed=MIN_DEALS_FOR_TIME, reason=reason)

    def median_days(met: bool) -> float | None:
        days = [tt for tt, e, r in zip(t, ev, sample, strict=True) if e and r.in_person == met]
        return _r(float(np.median(days)) - 0.5, 1) if days else None

    naive = {"in_person_median_days_to_win": median_days(True), "other_median_days_to_win": median_days(False)}
    return Outcome(
        "time_to_close",
        n,
        adjusted=adjusted,
        naive=naive,
        naive_estimate=_naive_fit(sample, fit, "hazard_ratio", log_scale=True, const=False),
        n_in_person=sum(r.in_person for r in sample),
        n_other=sum(not r.in_person for r in sample),
    )


# ---------------------------------------------------------------------------------------------
# Sensitivity and shrinkage


def e_value_for_odds_ratio(estimate: Estimate, *, outcome_share: float) -> EValue:
    """VanderWeele & Ding's E-value (Ann Intern Med 2017) for an odds ratio.

    The minimum strength of association, on the risk-ratio scale, that an unmeasured confounder
    would need with both the exposure and the outcome to explain the estimate away. An odds
    ratio approximates a risk ratio only for a rare outcome (< 15%); for a common one (winning
    usually is) the risk ratio is approximated by the square root of the odds ratio.
    """
    rare = outcome_share < 0.15

    def rr(odds_ratio: float) -> float:
        return odds_ratio if rare else math.sqrt(odds_ratio)

    def e(risk_ratio: float) -> float:
        r = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
        return r + math.sqrt(r * (r - 1))

    point = e(rr(estimate.value))
    lo, hi = estimate.ci95
    nearer_to_one = lo if estimate.value > 1 else hi
    ci = 1.0 if lo <= 1 <= hi else e(rr(nearer_to_one))
    return EValue(point=point, ci=ci, rare_outcome=rare)


def shrunk_win_uplift(result: Result | None) -> float:
    """The adjusted win odds ratio, shrunk toward 1 (no effect) the more uncertain it is.

    Normal-normal shrinkage of the log odds ratio b (standard error s, from the 95% interval)
    with a prior Normal(0, τ²), τ = PRIOR_SD_LOG_OR: the posterior mean b·τ²/(τ²+s²). An
    estimate with a wide interval ends near 1; a tight one near itself. 1.0 when there is not
    enough data. The planner multiplies a visit's win *odds* by it (see uplifted_probability).
    """
    if result is None or not result.win.ok:
        return 1.0
    est = result.win.adjusted
    assert est is not None
    b = math.log(est.value)
    s = (math.log(est.ci95[1]) - math.log(est.ci95[0])) / (2 * Z95)
    tau2 = PRIOR_SD_LOG_OR**2
    return math.exp(b * tau2 / (tau2 + s * s))


def uplifted_probability(probability: float, odds_ratio: float) -> float:
    """A win probability with its odds multiplied by ``odds_ratio``."""
    p = min(max(probability, 0.0), 1.0)
    if p in (0.0, 1.0):
        return p
    odds = p / (1 - p) * odds_ratio
    return odds / (1 + odds)


# ---------------------------------------------------------------------------------------------
# Descriptives and the whole analysis


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _by_first_modality(rows: Iterable[_Row]) -> tuple[list[ModalityRow], list[PeriodRow]]:
    total: dict[str, list[int]] = {m: [0, 0] for m in (*MODALITIES, NO_MEETING)}
    period: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r.deal.stage not in ("won", "lost") or r.deal.closed is None:
            continue
        won = int(r.deal.stage == "won")
        cell = total.setdefault(r.first_modality, [0, 0])
        cell[0] += 1
        cell[1] += won
        p = period[(_quarter(r.deal.closed), r.first_modality)]
        p[0] += 1
        p[1] += won
    modality_rows = [ModalityRow(m, c, w) for m, (c, w) in total.items()]
    period_rows = [PeriodRow(q, m, c, w) for (q, m), (c, w) in sorted(period.items())]
    return modality_rows, period_rows


def _breakdown(rows: Sequence[_Row], key: Any) -> list[Breakdown]:
    """The win model within each group large enough for it; smaller groups are left out."""
    groups: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = []
    for name, members in sorted(groups.items()):
        closed = sum(r.deal.stage in ("won", "lost") for r in members)
        if closed < MIN_CLOSED_FOR_WIN:
            continue
        win = _win(members)
        if win.ok:
            out.append(Breakdown(name, closed, win))
    return out


def analyse(book: Book, *, only: Iterable[str] | None = None, breakdowns: bool = True) -> Result:
    """Every outcome, adjusted and naive, with the descriptives for the charts.

    ``only`` limits the models fitted (the others say ``not_computed``), and ``breakdowns=False``
    skips the per-seller and per-country models: both for simulations that need one outcome fast.
    """
    rows = prepare(book)
    by_modality, over_time = _by_first_modality(rows)
    fitters: dict[str, Callable[[], Outcome]] = {
        "win": lambda: _win(rows),
        "deal_size": lambda: _deal_size(rows, book.currency),
        "margin": lambda: _margin(rows),
        "time_to_close": lambda: _time_to_close(rows, book.today),
    }
    wanted = set(fitters) if only is None else set(only)
    outcomes = {
        name: fit() if name in wanted else Outcome(name, 0, "not_enough_data", reason="not_computed")
        for name, fit in fitters.items()
    }
    n_sellers = len({r.deal.seller for r in rows}) if breakdowns else 0
    n_countries = len({r.customer.country for r in rows}) if breakdowns else 0
    return Result(
        n_deals=len(rows),
        n_closed_deals=sum(r.deal.stage in ("won", "lost") for r in rows),
        outcomes=outcomes,
        by_first_modality=by_modality,
        over_time=over_time,
        by_seller=_breakdown(rows, lambda r: r.deal.seller) if n_sellers > 1 else [],
        by_country=_breakdown(rows, lambda r: r.customer.country) if n_countries > 1 else [],
        today=book.today,
        currency=book.currency,
        left_out=tuple(book.left_out),
    )

"""The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way".

Each customer buys at a Poisson rate while alive (rates gamma(r, alpha) across customers)
and after each purchase drops out for good with probability p (p beta(a, b) across
customers). From each customer's repeat count ``x``, time of last repeat purchase ``t_x`` and
time observed ``T`` (all measured from their first purchase) the model gives the probability
that they are still alive and their expected purchases ahead.

numpy and scipy are an optional extra (``pip install 'sheets-sync[stats]'``): they are
imported only inside the functions that need them, so the rest of the package stays light.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sheets_sync.errors import FitError

NEEDS_EXTRA = "the BG/NBD model needs numpy and scipy: pip install 'sheets-sync[stats]'"
MIN_CUSTOMERS = 20
DAYS_PER_UNIT = {"weeks": 7.0, "months": 365.25 / 12}
# Beyond this span of sales history, weeks make alpha and T large numbers; months keep the
# parameters near 1, where the optimiser starts.
WEEKS_UP_TO_DAYS = 3 * 365


@dataclass(frozen=True)
class RFM:
    """One customer's summary: repeat purchases, time of the last one, time observed."""

    customer_id: str
    x: int
    t_x: float
    T: float


@dataclass(frozen=True)
class BGNBDFit:
    """Maximum-likelihood parameters, the log-likelihood at them and the data's size."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    time_unit: str = "weeks"

    def to_json(self) -> dict[str, object]:
        """The parameters as the ``stats --json`` contract names them."""
        return {
            "r": round(self.r, 6), "alpha": round(self.alpha, 6), "a": round(self.a, 6),
            "b": round(self.b, 6), "time_unit": self.time_unit,
            "log_likelihood": round(self.log_likelihood, 4), "customers": self.customers,
        }


def summarize(purchases: Iterable[tuple[str, dt.date]], end: dt.date, unit_days: float = 7.0) -> list[RFM]:
    """Each customer's (x, t_x, T) from (customer, date) purchases up to and including ``end``.

    Time starts at the customer's first purchase; several purchases on one day count as
    one; ``x`` counts repeat purchase days only; ``T`` runs from the first purchase to ``end``.
    Purchases after ``end`` are ignored. Sorted by customer ID.
    """
    days: dict[str, set[dt.date]] = defaultdict(set)
    for customer, when in purchases:
        if when <= end:
            days[customer].add(when)
    out = []
    for customer in sorted(days):
        dates = sorted(days[customer])
        first, last = dates[0], dates[-1]
        out.append(RFM(customer, len(dates) - 1, (last - first).days / unit_days,
                       (end - first).days / unit_days))
    return out


def choose_unit(first: dt.date, last: dt.date) -> str:
    """'weeks' (the unit of the published CDNOW fit) unless the history spans over 3 years."""
    return "weeks" if (last - first).days <= WEEKS_UP_TO_DAYS else "months"


def _arrays(data: Sequence[RFM]):  # -> tuple[np.ndarray, ...]
    import numpy as np

    x = np.array([c.x for c in data], dtype=float)
    t_x = np.array([c.t_x for c in data], dtype=float)
    T = np.array([c.T for c in data], dtype=float)
    return x, t_x, T


def _log_lik_terms(r: float, alpha: float, a: float, b: float, x, t_x, T):
    """Per-customer log-likelihood, FHL (2005) eq. 6, kept in logs throughout.

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))
    The second term over the first's beta part is a/(b+x-1), so both share one prefix.
    """
    import numpy as np
    from scipy.special import gammaln

    common = (gammaln(r + x) - gammaln(r) + r * math.log(alpha)
              + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x))
    first = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    second = np.full_like(x, -np.inf)
    xr = x[repeat]
    second[repeat] = math.log(a) - np.log(b + xr - 1) - (r + xr) * np.log(alpha + t_x[repeat])
    return common + np.logaddexp(first, second)


def log_likelihood(r: float, alpha: float, a: float, b: float, data: Sequence[RFM]) -> float:
    """The BG/NBD log-likelihood of the parameters on the customers' summaries."""
    x, t_x, T = _arrays(data)
    return float(_log_lik_terms(r, alpha, a, b, x, t_x, T).sum())


def fit(data: Sequence[RFM], time_unit: str = "weeks") -> BGNBDFit:
    """Maximum-likelihood BG/NBD parameters for the customers' summaries.

    L-BFGS-B on the log of each parameter (so they stay positive without bounds that bite),
    from a few starting points; the best converged optimum wins. Identical (x, t_x, T)
    rows are pooled with weights, which makes a fit on thousands of customers quick.
    Raises ``FitError`` with a one-line reason when the data cannot identify the model or
    the optimiser does not converge; ``ImportError`` when numpy/scipy are missing.
    """
    import numpy as np
    from scipy.optimize import minimize

    if len(data) < MIN_CUSTOMERS:
        raise FitError(f"only {len(data)} customers with purchase history; the model needs {MIN_CUSTOMERS}")
    x, t_x, T = _arrays(data)
    if not (x > 0).any():
        raise FitError("nobody has bought twice yet, so there is nothing to learn repeat buying from")
    if not (T > 0).any():
        raise FitError("every customer's first purchase is today; there is no history to fit")
    keys, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    ux, ut, uT = keys[:, 0], keys[:, 1], keys[:, 2]
    weights = counts.astype(float)
    n = weights.sum()

    def objective(theta):
        r, alpha, a, b = np.exp(theta)
        value = -(weights * _log_lik_terms(r, alpha, a, b, ux, ut, uT)).sum() / n
        return value if np.isfinite(value) else 1e10

    scale = max(float(np.mean(T)), 1e-3)
    best = None
    for start in ((1.0, scale / 4, 1.0, 1.0), (0.5, scale, 0.5, 2.0), (2.0, scale / 10, 2.0, 5.0)):
        with np.errstate(all="ignore"):
            result = minimize(objective, np.log(start), method="L-BFGS-B",
                              bounds=[(-12.0, 12.0)] * 4, options={"maxiter": 2000})
        if np.isfinite(result.fun) and result.fun < 1e9 and (best is None or result.fun < best.fun):
            best = result
    if best is None:
        raise FitError("the likelihood could not be maximised from any starting point")
    r, alpha, a, b = (float(v) for v in np.exp(best.x))
    if any(abs(v) > 11.5 for v in best.x):
        raise FitError("the purchases do not fit the BG/NBD model (its estimates run off to the edge, "
                       "typical of renewals on a fixed cycle): no P(alive); see the repeat rate instead")
    ll = float((weights * _log_lik_terms(r, alpha, a, b, ux, ut, uT)).sum())
    return BGNBDFit(r, alpha, a, b, ll, len(data), time_unit)


def p_alive(params: BGNBDFit, x: int, t_x: float, T: float) -> float:
    """Probability the customer has not dropped out by T (FHL 2005 eq. 11).

    1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); 1 for a customer with no
    repeat purchase (under BG/NBD dropping out happens only right after a purchase).
    """
    if x == 0:
        return 1.0
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    log_ratio = math.log(a) - math.log(b + x - 1) + (r + x) * (math.log(alpha + T) - math.log(alpha + t_x))
    return 1.0 / (1.0 + math.exp(min(log_ratio, 700.0)))


def expected_purchases(params: BGNBDFit, t: float, x: int, t_x: float, T: float) -> float:
    """Expected purchases in the next ``t`` time units given the history (FHL 2005 eq. 10).

    (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    times P(alive). The formula stays valid for a < 1 (numerator and denominator change sign
    together); within 5e-5 of a == 1, a removable singularity, it is the mean at a = 1 -/+ 1e-4.
    """
    if t <= 0:
        return 0.0
    if abs(params.a - 1.0) < 5e-5:
        return (expected_purchases(replace(params, a=1.0 - 1e-4), t, x, t_x, T)
                + expected_purchases(replace(params, a=1.0 + 1e-4), t, x, t_x, T)) / 2
    from scipy.special import hyp2f1

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1.0 - math.exp((r + x) * (math.log(alpha + T) - math.log(alpha + T + t))) * float(
        hyp2f1(r + x, b + x, a + b + x - 1, z))
    return max(head * tail, 0.0) * p_alive(params, x, t_x, T)

"""BG/NBD: the likelihood and per-customer formulas against hand-worked values, and the fit
against data simulated from known parameters."""

from __future__ import annotations

import datetime as dt
import math

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("scipy")

from sheets_sync.errors import FitError  # noqa: E402
from sheets_sync.stats import bgnbd  # noqa: E402
from sheets_sync.stats.bgnbd import RFM, BGNBDFit  # noqa: E402

D = dt.date
ONES = BGNBDFit(r=1.0, alpha=1.0, a=1.0, b=1.0, log_likelihood=0.0, customers=0)


def test_likelihood_of_a_customer_who_never_came_back():
    """x = 0, T = 2, r = alpha = a = b = 1:
    L = B(1, 1)/B(1, 1) * G(1)/G(1) * 1^1 / (1 + 2)^1 = 1/3."""
    assert bgnbd.log_likelihood(1, 1, 1, 1, [RFM("c", 0, 0.0, 2.0)]) == pytest.approx(math.log(1 / 3))


def test_likelihood_of_a_repeat_customer():
    """x = 1, t_x = 1, T = 2, all parameters 1:
    alive term   B(1, 2)/B(1, 1) * G(2)/G(1) / (1 + 2)^2 = 1/2 * 1/9 = 1/18
    dropped term B(2, 1)/B(1, 1) * G(2)/G(1) / (1 + 1)^2 = 1/2 * 1/4 = 1/8
    L = 1/18 + 1/8 = 13/72; the log-likelihood of both customers adds up."""
    one = [RFM("c", 1, 1.0, 2.0)]
    assert bgnbd.log_likelihood(1, 1, 1, 1, one) == pytest.approx(math.log(13 / 72))
    both = one + [RFM("d", 0, 0.0, 2.0)]
    assert bgnbd.log_likelihood(1, 1, 1, 1, both) == pytest.approx(math.log(13 / 72) + math.log(1 / 3))


def test_likelihood_stays_finite_for_heavy_buyers():
    """Naive products of gamma functions overflow at x = 400; the log form does not."""
    value = bgnbd.log_likelihood(0.243, 4.414, 0.793, 2.426, [RFM("c", 400, 38.0, 39.0)])
    assert math.isfinite(value)


def test_p_alive_hand_worked():
    """Same customer (x = 1, t_x = 1, T = 2, parameters 1): P(alive) = 1 / (1 + a/(b+x-1)
    ((alpha+T)/(alpha+t_x))^(r+x)) = 1 / (1 + (3/2)^2) = 4/13, the alive term's share of L
    (1/18 over 13/72). A customer with no repeat purchase is alive under BG/NBD."""
    assert bgnbd.p_alive(ONES, 1, 1.0, 2.0) == pytest.approx(4 / 13)
    assert bgnbd.p_alive(ONES, 0, 0.0, 50.0) == 1.0


def test_p_alive_falls_as_the_silence_grows():
    params = BGNBDFit(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    values = [bgnbd.p_alive(params, 3, 10.0, T) for T in (10.0, 20.0, 40.0, 80.0)]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]


def test_expected_purchases_matches_hardies_spreadsheet():
    """With the published CDNOW parameters, a customer with x = 2, t_x = 30.43, T = 38.86
    is expected to make 1.226 purchases in the next 39 weeks (Hardie's BG/NBD spreadsheet,
    also asserted by lifetimes' test_conditional_expectation_returns_same_value_as_Hardie_excel_sheet)."""
    params = BGNBDFit(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    assert bgnbd.expected_purchases(params, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=1e-3)


def test_expected_purchases_without_dropout_is_the_nbd_forecast():
    """With b huge (mean drop-out probability a/(a+b) = 2e-6) nobody drops out and the model
    is the NBD: E[Y(t) | x, T] = (r + x) / (alpha + T) * t = (0.5 + 3) / (3 + 30) * 10 = 1.0606."""
    params = BGNBDFit(0.5, 3.0, 2.0, 1e6, 0.0, 0)
    assert bgnbd.expected_purchases(params, 10, 3, 20.0, 30.0) == pytest.approx(35 / 33, rel=1e-3)
    assert bgnbd.expected_purchases(params, 0, 3, 20.0, 30.0) == 0.0


def test_expected_purchases_is_smooth_through_a_equal_one():
    """a = 1 divides by zero in the formula; the value there lies between its neighbours."""
    def at(a: float) -> float:
        return bgnbd.expected_purchases(BGNBDFit(0.5, 3.0, a, 2.0, 0.0, 0), 10, 3, 20.0, 30.0)

    low, mid, high = at(0.99), at(1.0), at(1.01)
    assert min(low, high) < mid < max(low, high)


def test_summarize_counts_days_from_the_first_purchase():
    """A: 1 Jan, 1 Jan again (same day, counts once), 15 Jan, 29 Jan, 1 Mar (after the end).
    x = 2 repeat days, t_x = 28 days = 4 weeks, T = 1 Jan to 12 Feb = 42 days = 6 weeks."""
    purchases = [("A", D(2026, 1, 1)), ("A", D(2026, 1, 1)), ("A", D(2026, 1, 15)),
                 ("A", D(2026, 1, 29)), ("A", D(2026, 3, 1)), ("B", D(2026, 2, 5))]
    rfm = bgnbd.summarize(purchases, D(2026, 2, 12))
    assert rfm == [RFM("A", 2, 4.0, 6.0), RFM("B", 0, 0.0, 1.0)]


def test_time_unit_is_weeks_unless_history_is_long():
    assert bgnbd.choose_unit(D(2024, 1, 1), D(2026, 12, 31)) == "weeks"  # 1,095 days
    assert bgnbd.choose_unit(D(2023, 1, 1), D(2026, 12, 31)) == "months"  # 1,460 days


def test_too_few_customers_is_a_reason_not_a_crash():
    few = [RFM(str(i), 1, 1.0, 5.0) for i in range(bgnbd.MIN_CUSTOMERS - 1)]
    with pytest.raises(FitError, match="needs 20"):
        bgnbd.fit(few)
    nobody_returned = [RFM(str(i), 0, 0.0, 5.0) for i in range(50)]
    with pytest.raises(FitError, match="bought twice"):
        bgnbd.fit(nobody_returned)


def simulate(r: float, alpha: float, a: float, b: float, horizons, ahead: float, seed: int):
    """Customers from the BG/NBD process: lambda ~ gamma(r, rate alpha), p ~ beta(a, b);
    exponential gaps with mean 1/lambda; after each repeat purchase the customer drops out
    with probability p. Returns (RFM over (0, T], alive at T, purchases in (T, T + ahead])."""
    rng = np.random.default_rng(seed)
    out = []
    for i, T in enumerate(horizons):
        lam, p = rng.gamma(r, 1.0 / alpha), rng.beta(a, b)
        x, last, later, now, alive = 0, 0.0, 0, 0.0, True
        while alive:
            now += rng.exponential(1.0 / lam)
            if now > T + ahead:
                break
            if now <= T:
                x, last = x + 1, now
            else:
                later += 1
            alive = rng.random() >= p
        out.append((RFM(f"S{i}", x, last, float(T)), alive or now > T, later))
    return out


TRUE = (0.243, 4.414, 0.793, 2.426)  # the CDNOW estimates: a realistic shape to recover


@pytest.fixture(scope="module")
def simulated():
    horizons = np.random.default_rng(7).uniform(27.0, 39.0, 4000)  # CDNOW-like: 27-39 weeks
    return simulate(*TRUE, horizons, ahead=39.0, seed=2005)


def _log_param_standard_errors(fit: BGNBDFit, data) -> np.ndarray:
    """Asymptotic standard errors of log r, log alpha, log a, log b: the inverse of the
    observed information (a central-difference Hessian of the log-likelihood)."""
    theta = np.log([fit.r, fit.alpha, fit.a, fit.b])

    def ll(t):
        return bgnbd.log_likelihood(*np.exp(t), data)

    h = 1e-3
    hess = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            e_i, e_j = np.eye(4)[i] * h, np.eye(4)[j] * h
            hess[i, j] = (ll(theta + e_i + e_j) - ll(theta + e_i - e_j)
                          - ll(theta - e_i + e_j) + ll(theta - e_i - e_j)) / (4 * h * h)
    return np.sqrt(np.diag(np.linalg.inv(-hess)))


def test_fit_recovers_known_parameters(simulated):
    """4,000 simulated customers. The tolerance is statistical, not arbitrary: each
    estimate must lie within 4 asymptotic standard errors of the truth (on the log scale,
    where the fit works), which a correct estimator misses with probability < 1e-4 per
    parameter; a wrong likelihood is off by far more. The standard errors here are 0.04
    (log r) to 0.22 (log b), i.e. 4-25% of each parameter."""
    data = [rfm for rfm, _, _ in simulated]
    fit = bgnbd.fit(data)
    se = _log_param_standard_errors(fit, data)
    estimate = np.log([fit.r, fit.alpha, fit.a, fit.b])
    z = (estimate - np.log(TRUE)) / se
    assert np.all(np.abs(z) < 4), f"estimates {fit}, z-scores {z}"
    assert fit.log_likelihood >= bgnbd.log_likelihood(*TRUE, data)  # the optimum beats the truth


def test_p_alive_and_expectations_are_calibrated(simulated):
    """With the true parameters, the mean P(alive) must match the share truly alive, and
    the summed expected purchases the purchases that happened in the next 39 weeks, each
    within 4 standard errors of the sums (binomial for alive; the realised variance of
    purchases for the forecast)."""
    params = BGNBDFit(*TRUE, 0.0, 0)
    alive_p = np.array([bgnbd.p_alive(params, c.x, c.t_x, c.T) for c, _, _ in simulated])
    alive = np.array([a for _, a, _ in simulated], dtype=float)
    assert abs(alive.sum() - alive_p.sum()) < 4 * math.sqrt((alive_p * (1 - alive_p)).sum())
    expected = np.array([bgnbd.expected_purchases(params, 39.0, c.x, c.t_x, c.T) for c, _, _ in simulated])
    later = np.array([n for _, _, n in simulated], dtype=float)
    assert abs(later.sum() - expected.sum()) < 4 * math.sqrt(later.var() * len(later))

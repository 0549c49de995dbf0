"""The standard-library intervals against scipy's (a test dependency through the
analysis extras), over the sample sizes the dashboard meets."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest
from scipy.stats import t as student_t

from consult.evaluation.intervals import t_interval, t_quantile, wilson


@pytest.mark.parametrize("n", [1, 2, 5, 10, 29, 30, 31, 100, 263, 1000, 250_000])
def test_wilson_matches_scipy(n):
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        if not 0 <= k <= n:
            continue
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 9, 10, 29, 30, 120, 1000, 100_000])
@pytest.mark.parametrize("p", [0.9, 0.95, 0.975, 0.995])
def test_t_quantile_matches_scipy(df, p):
    assert t_quantile(p, df) == pytest.approx(float(student_t.ppf(p, df)), rel=1e-9)


def test_t_interval_from_sums():
    vals = [1, 2, 3, 4, 5] * 2
    mean, low, high = t_interval(sum(vals), sum(v * v for v in vals), len(vals))
    half = float(student_t.ppf(0.975, 9)) * (sum((v - 3) ** 2 for v in vals) / 9 / 10) ** 0.5
    assert (mean, low, high) == pytest.approx((3, 3 - half, 3 + half))


@pytest.mark.parametrize("bad", [(-1, 5), (6, 5), (0, 0)])
def test_wilson_refuses_impossible_counts(bad):
    with pytest.raises(ValueError):
        wilson(*bad)


def test_t_quantile_refuses_lower_half_and_no_freedom():
    with pytest.raises(ValueError):
        t_quantile(0.4, 5)
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)

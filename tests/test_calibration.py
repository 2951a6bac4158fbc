"""Coverage of the models' 90% intervals on programmes simulated off their priors (a wrong
plan, persistent clustering, a declining rate, unequal partners): small runs of the study in
tests/calibration.py. Tolerances are about three binomial standard errors; where a model
fails under a truth it does not assume, the test holds the report's statement that it does.
"""

from __future__ import annotations

import pytest

from calibration import (
    UNEQUAL,
    clustered,
    coverage,
    declining,
    steady,
    warning_false_alarm,
)


@pytest.mark.parametrize("pace", [0.3, 0.6, 0.8, 1.0])
def test_the_data_alone_cover_whatever_the_pace(pace: float) -> None:
    # 400 programmes: SE 1.5%, so 90% +- 4.5%.
    assert 0.855 <= coverage(steady(pace), "data alone (P = 0)", 400, seed=1) <= 0.945


@pytest.mark.parametrize("pace", [0.3, 1.0])
def test_the_headline_covers_when_the_plan_is_far_off_or_right(pace: float) -> None:
    assert coverage(steady(pace), "headline (plan prior unless rejected)", 400, seed=2) >= 0.855


def test_a_plan_prior_the_data_reject_covers_almost_nothing() -> None:
    # Why the headline drops it: at 30% of plan, the P = 0.5 interval misses the truth.
    assert coverage(steady(0.3), "plan prior (P = 0.5)", 200, seed=3) < 0.05


@pytest.mark.parametrize("scenario", [steady(0.3), steady(0.3, UNEQUAL)],
                         ids=["equal", "unequal"])
def test_the_partners_total_covers_equal_and_unequal_partners(scenario) -> None:
    assert coverage(scenario, "partners (data alone)", 150, seed=4) >= 0.83


def test_clustered_months_the_negative_binomial_helps_but_not_enough() -> None:
    # The report says: when the rate wanders, even the wider interval is too narrow.
    truth = clustered(0.3)
    nb = coverage(truth, "negative binomial (data alone)", 150, seed=5)
    poisson = coverage(truth, "data alone (P = 0)", 150, seed=5)
    assert nb > poisson and nb < 0.8


def test_a_declining_rate_defeats_every_model() -> None:
    # The report says: neither model is right when the rate drifts; intervals too narrow.
    truth = declining(0.3)
    assert coverage(truth, "data alone (P = 0)", 150, seed=6) < 0.5
    assert coverage(truth, "negative binomial (data alone)", 150, seed=6) < 0.5


def test_clustering_raises_the_warning_rules_false_alarms() -> None:
    # The report says: with persistent clusters false alarms come far more often than 10%.
    assert warning_false_alarm(clustered(1.0), 400, seed=7) > 0.3
    assert warning_false_alarm(steady(1.0), 2000, seed=7) <= 0.10 + 3 * 0.0067

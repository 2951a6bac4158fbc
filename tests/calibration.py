"""Calibration of the recruitment models on programmes simulated *off* their priors.

A programme of 465 persons over 48 months is simulated month by month under a stated truth
that none of the models assumes exactly: a plan that is too optimistic (the programme runs at
30 %, 60 % or 80 % of it, or on plan), persistent clustering (the monthly rate follows a
log-AR(1) process), a rate that declines over the period, and partners that recruit equally
or unequally. Each model forecasts the final count from the first 24 months; the coverage of
its 90 % predictive interval is the share of programmes whose true final count falls inside.

tests/test_calibration.py runs small versions of this study. The full table of the closing
note and docs/calibration.md comes from::

    .venv/bin/python tests/calibration.py --programmes 2000 --seed 20261201
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import exitanalysis as xa
from exitanalysis.models.history import period_frame
from exitanalysis.models.monitoring import warning_rule
from exitanalysis.models.partners import fit_partners
from exitanalysis.models.recruitment import forecast_overdispersed, prior_check

TARGET, DURATION, LOOK = 465, 48, 24
PLAN_RATE = TARGET / DURATION
LEVEL = 0.90
_START, _END = dt.date(2020, 1, 1), dt.date(2023, 12, 31)
#: Shares of the total planned for the three partners when they recruit unequally.
UNEQUAL = (0.6, 0.3, 0.1)


@dataclass(frozen=True)
class Scenario:
    """How programmes are simulated: ``rates(rng)`` gives the expected count of each month
    (48) for each partner (3 columns); counts are Poisson given these rates."""

    name: str
    pace: float
    rates: Callable[[np.random.Generator], np.ndarray]


def steady(pace: float, shares: tuple[float, ...] = (1 / 3,) * 3) -> Scenario:
    def rates(rng: np.random.Generator) -> np.ndarray:
        return np.outer(np.full(DURATION, pace * PLAN_RATE), shares)
    kind = "steady" if shares == (1 / 3,) * 3 else "unequal partners"
    return Scenario(f"{kind}, {pace:.0%} of plan", pace, rates)


def clustered(pace: float, rho: float = 0.8, sigma: float = 0.5) -> Scenario:
    """A monthly rate that wanders: log-AR(1) with correlation ``rho`` from month to month
    and marginal standard deviation ``sigma``, mean-corrected so the average stays at pace."""
    def rates(rng: np.random.Generator) -> np.ndarray:
        z = np.empty(DURATION)
        z[0] = rng.normal(0, sigma)
        for t in range(1, DURATION):
            z[t] = rho * z[t - 1] + rng.normal(0, sigma * np.sqrt(1 - rho**2))
        monthly = pace * PLAN_RATE * np.exp(z - sigma**2 / 2)
        return np.outer(monthly, (1 / 3,) * 3)
    return Scenario(f"clustered (log-AR(1), rho {rho:g}), {pace:.0%} of plan", pace, rates)


def declining(pace: float) -> Scenario:
    """A rate that falls steadily from 1.5 to 0.5 times its average over the period."""
    def rates(rng: np.random.Generator) -> np.ndarray:
        t = (np.arange(DURATION) + 0.5) / DURATION
        return np.outer(pace * PLAN_RATE * (1.5 - t), (1 / 3,) * 3)
    return Scenario(f"declining (1.5 to 0.5 of its average), {pace:.0%} of plan", pace, rates)


def _headline(total: int) -> xa.RecruitmentForecast:
    """The report's procedure: the plan prior unless the data reject it, then the data alone."""
    check = prior_check(target=TARGET, duration=DURATION, elapsed=LOOK, recruited=total)
    weight = 0.0 if check.conflict and total > 0 else 0.5
    return xa.forecast_recruitment(target=TARGET, duration=DURATION, elapsed=LOOK,
                                   recruited=total, prior_weight=weight)


#: The models the report shows, each forecasting from the first 24 months (monthly counts by
#: partner) to the end of the period.
MODELS: dict[str, Callable[[np.ndarray], xa.RecruitmentForecast]] = {
    "headline (plan prior unless rejected)": lambda past: _headline(int(past.sum())),
    "data alone (P = 0)": lambda past: xa.forecast_recruitment(
        target=TARGET, duration=DURATION, elapsed=LOOK, recruited=int(past.sum()),
        prior_weight=0.0),
    "plan prior (P = 0.5)": lambda past: xa.forecast_recruitment(
        target=TARGET, duration=DURATION, elapsed=LOOK, recruited=int(past.sum()),
        prior_weight=0.5),
    "negative binomial (data alone)": lambda past: forecast_overdispersed(
        past.sum(axis=1), target=TARGET, duration=DURATION, prior_weight=0.0,
        horizon=DURATION),
    "partners (data alone)": lambda past: fit_partners(
        past.sum(axis=0), np.full(past.shape[1], float(LOOK))).forecast(
        target=TARGET, duration=DURATION, elapsed=LOOK, horizon=DURATION),
}


def coverage(scenario: Scenario, model: str, programmes: int, seed: int) -> float:
    """Share of simulated programmes whose final count lies in the model's 90 % interval."""
    rng = np.random.default_rng(seed)
    tails = ((1 - LEVEL) / 2, (1 + LEVEL) / 2)
    hits = 0
    for _ in range(programmes):
        counts = rng.poisson(scenario.rates(rng))
        past = counts[:LOOK]
        if past.sum() == 0:  # nothing to forecast from: the models refuse, so count a miss
            continue
        low, high = MODELS[model](past).count_quantiles(tails)
        hits += int(low <= counts.sum() <= high)
    return hits / programmes


def warning_false_alarm(scenario: Scenario, programmes: int, seed: int) -> float:
    """Share of simulated programmes that the default warning rule warns about at some
    monthly review (built for a steady Poisson plan)."""
    rule = warning_rule(period_frame(_START, _END, []), target=TARGET, duration=DURATION)
    boundary = rule.boundaries["boundary"].to_numpy()
    rng = np.random.default_rng(seed)
    warned = 0
    for _ in range(programmes):
        cumulative = rng.poisson(scenario.rates(rng)).sum(axis=1).cumsum()
        warned += int(np.any(cumulative <= boundary))
    return warned / programmes


def conflict_rate(scenario: Scenario, programmes: int, seed: int) -> float:
    """Share of simulated programmes whose first 24 months reject the plan prior."""
    rng = np.random.default_rng(seed)
    found = sum(prior_check(target=TARGET, duration=DURATION, elapsed=LOOK,
                            recruited=int(rng.poisson(scenario.rates(rng))[:LOOK].sum()))
                .conflict for _ in range(programmes))
    return found / programmes


SCENARIOS = [steady(0.3), steady(0.6), steady(0.8), steady(1.0), clustered(0.3),
             clustered(1.0), declining(0.3), steady(0.3, UNEQUAL)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programmes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    n = args.programmes
    se = np.sqrt(LEVEL * (1 - LEVEL) / n)
    print(f"Coverage of 90% predictive intervals of the final count, forecast at month "
          f"{LOOK} of {DURATION}; {n} simulated programmes per cell (binomial SE at 90%: "
          f"{se:.3f}); seed {args.seed}.\n")
    names = list(MODELS)
    print("| truth (simulated) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for i, scenario in enumerate(SCENARIOS):
        cells = []
        for j, model in enumerate(names):
            slow = model.startswith(("negative", "partners"))
            runs = max(n // 4, 200) if slow else n
            value = coverage(scenario, model, runs, args.seed + 100 * i + j)
            cells.append(f"{value:.1%}" + ("" if runs == n else f" (n = {runs})"))
        print(f"| {scenario.name} | " + " | ".join(cells) + " |")
    print("\nThe warning rule (10% false alarms spent, built for a steady Poisson plan) and "
          "the prior-data conflict check (level 0.01, at month 24):\n")
    print("| truth (simulated) | warned at some review | plan prior rejected at month 24 |")
    print("|---|---|---|")
    for i, scenario in enumerate(SCENARIOS[:7]):
        print(f"| {scenario.name} | {warning_false_alarm(scenario, n, args.seed + i):.1%} | "
              f"{conflict_rate(scenario, n, args.seed + 50 + i):.1%} |")


if __name__ == "__main__":
    main()

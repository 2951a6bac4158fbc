"""The closed-form forecast and replay against a Monte Carlo of the same model.

Usage: .venv/bin/python benchmarks/bench_forecast.py [--draws N] [--repeat R] [--json]

The Gamma–Poisson forecast (CONTRACT §5) is computed in closed form (negative binomial). The
same model by simulation: λ ~ Gamma(target·P + m, duration·P + t), the count still to come
~ Poisson(λ·(T − t)), ``--draws`` draws (10,000 by default). Both answer P(reach the target)
and the final count's quantiles; the script checks that they agree within the simulation's
error and times both. The replay does the same at the end of every month of a 48-month
programme (the bundled synthetic case's months, extended at its pace).

Target (issue 14): the closed form at least 1,000 times faster than 10,000 draws.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import timeit
from typing import Any

import numpy as np

import exitanalysis as xa

CASE = {"target": 465, "duration": 48.0, "elapsed": 24.0, "recruited": 64}
QUANTILES = (0.025, 0.5, 0.975)


def closed_form(case: dict[str, Any], prior_weight: float = 0.5) -> tuple[float, np.ndarray]:
    forecast = xa.forecast_recruitment(**case, prior_weight=prior_weight)
    return forecast.p_reach_target, np.asarray(forecast.count_quantiles(list(QUANTILES)))


def monte_carlo(case: dict[str, Any], draws: int, rng: np.random.Generator,
                prior_weight: float = 0.5) -> tuple[float, np.ndarray, float]:
    """P(reach), quantiles of the final count and P's standard error, by simulation."""
    shape = case["target"] * prior_weight + case["recruited"]
    rate = case["duration"] * prior_weight + case["elapsed"]
    lam = rng.gamma(shape, 1.0 / rate, size=draws)
    final = case["recruited"] + rng.poisson(lam * (case["duration"] - case["elapsed"]))
    p = float(np.mean(final >= case["target"]))
    return p, np.quantile(final, QUANTILES), math.sqrt(max(p * (1 - p), 1e-12) / draws)


def _timed(call: Any, number: int, repeat: int) -> tuple[float, float, float]:
    """Median, min and max seconds per call over ``repeat`` timings of ``number`` calls."""
    runs = [t / number for t in timeit.repeat(call, number=number, repeat=repeat)]
    return statistics.median(runs), min(runs), max(runs)


def replay_cases(months: int = 48) -> list[dict[str, Any]]:
    """The recruited count at the end of each month: the synthetic case's months, then its
    pace to the end of a 48-month period."""
    from exitanalysis.assess.cases import recruitment_history

    programme = xa.load_programme(xa.load_config("configs/exitpakke.yaml"))
    counts = recruitment_history(programme, "contacted").monthly["recruited"].to_numpy()
    pace = counts.mean()
    cumulative = np.cumsum(np.concatenate([counts, np.full(months - len(counts), pace)]))
    return [{"target": 465, "duration": float(months), "elapsed": float(m + 1),
             "recruited": int(round(cumulative[m]))} for m in range(months - 1)]


def measure(draws: int = 10_000, repeat: int = 5) -> dict[str, Any]:
    """Both ways, their agreement and their times (median, min, max seconds)."""
    rng = np.random.default_rng(20200101)
    p_closed, q_closed = closed_form(CASE)
    p_mc, q_mc, se = monte_carlo(CASE, draws, rng)
    closed_t = _timed(lambda: closed_form(CASE), 200, repeat)
    mc_t = _timed(lambda: monte_carlo(CASE, draws, rng), 5, repeat)

    cases = replay_cases()
    replay_closed = [closed_form(c)[0] for c in cases]
    replay_mc = [monte_carlo(c, draws, rng) for c in cases]
    worst = max(abs(pc - pm) / max(s, 1 / draws)
                for pc, (pm, _, s) in zip(replay_closed, replay_mc, strict=True))
    replay_closed_t = _timed(lambda: [closed_form(c) for c in cases], 3, repeat)
    replay_mc_t = _timed(lambda: [monte_carlo(c, draws, rng) for c in cases], 1, repeat)
    return {
        "draws": draws,
        "forecast": {
            "p_closed": p_closed, "p_monte_carlo": p_mc, "monte_carlo_se": se,
            "quantiles_closed": q_closed.tolist(), "quantiles_monte_carlo": q_mc.tolist(),
            "agree": abs(p_closed - p_mc) <= 4 * se + 1e-12,
            "seconds_closed": closed_t, "seconds_monte_carlo": mc_t,
            "speed_ratio": mc_t[0] / closed_t[0],
        },
        "replay": {
            "months": len(cases), "largest_gap_in_se": worst, "agree": worst <= 4.0,
            "seconds_closed": replay_closed_t, "seconds_monte_carlo": replay_mc_t,
            "speed_ratio": replay_mc_t[0] / replay_closed_t[0],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    result = measure(args.draws, args.repeat)
    p_closed, p_mc = result["forecast"]["p_closed"], result["forecast"]["p_monte_carlo"]
    se = result["forecast"]["monte_carlo_se"]
    q_closed = result["forecast"]["quantiles_closed"]
    q_mc = result["forecast"]["quantiles_monte_carlo"]
    worst, months = result["replay"]["largest_gap_in_se"], result["replay"]["months"]
    if args.json:
        print(json.dumps(result, indent=1))
        return
    f, r = result["forecast"], result["replay"]
    print(f"forecast: P(reach) closed {p_closed:.4g}, Monte Carlo {p_mc:.4g} (SE {se:.2g}); "
          f"quantiles closed {q_closed}, MC {q_mc}")
    print(f"  closed {f['seconds_closed'][0] * 1e3:.3f} ms, MC ({args.draws} draws) "
          f"{f['seconds_monte_carlo'][0] * 1e3:.2f} ms: {f['speed_ratio']:.0f}x")
    print(f"replay of {months} months: largest gap {worst:.2f} MC SE; closed "
          f"{r['seconds_closed'][0] * 1e3:.1f} ms, MC {r['seconds_monte_carlo'][0] * 1e3:.0f} "
          f"ms: {r['speed_ratio']:.0f}x")


if __name__ == "__main__":
    main()

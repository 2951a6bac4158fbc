"""Speed of the recruitment forecast and the early-warning replay.

Usage: .venv/bin/python benchmarks/bench_recruitment.py

Targets (issue 3): one forecast under 1 ms; a 48-month replay under 100 ms. Also: the
prior-data conflict check, the warning rule with its operating characteristics (exact), the
clustered-months forecast, the partners' fit and total, and the whole assessment.
Reports the median and the best of several repeats (timeit), in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import statistics
import timeit

import numpy as np
import pandas as pd

import exitanalysis as xa
from exitanalysis.models.history import RecruitmentHistory, month_frame, period_frame
from exitanalysis.models.monitoring import replay_warnings, warning_rule
from exitanalysis.models.partners import fit_partners
from exitanalysis.models.recruitment import prior_check


def _time(statement, number: int, repeat: int = 7) -> tuple[float, float]:
    runs = timeit.repeat(statement, number=number, repeat=repeat)
    per_call = [r / number * 1000 for r in runs]
    return statistics.median(per_call), min(per_call)


def main() -> None:
    kwargs = {"target": 465, "duration": 48, "elapsed": 24, "recruited": 64}
    rows = []
    for prior in (0.5, "accelerated", "hedging"):
        rows.append((f"forecast + P(reach), prior {prior}",
                     *_time(lambda p=prior: xa.forecast_recruitment(
                         **kwargs, prior_weight=p).p_reach_target, 200)))
        rows.append((f"forecast + to_dict(), prior {prior}",
                     *_time(lambda p=prior: xa.forecast_recruitment(
                         **kwargs, prior_weight=p).to_dict(), 20)))
    rng = np.random.default_rng(1)
    months = pd.period_range("2020-01", "2023-12", freq="M").astype(str)
    counts = pd.Series(rng.poisson(2.7, size=48), index=months)
    frame = month_frame(dt.date(2020, 1, 1), dt.date(2024, 1, 1), counts, [])
    history = RecruitmentHistory(frame, pd.Series(dtype=int), "included", ("benchmark", {}),
                                 period_frame(dt.date(2020, 1, 1), dt.date(2023, 12, 31), []))
    for prior in (0.5, "hedging"):
        rows.append((f"prior-data conflict check, prior {prior}",
                     *_time(lambda p=prior: prior_check(**kwargs, prior_weight=p), 3)))
    rows.append(("warning rule: boundaries, false alarm, detection at 3 paces (exact)",
                 *_time(lambda: warning_rule(history.period, target=465, duration=48), 3)))
    rule = warning_rule(history.period, target=465, duration=48)
    rows.append(("48-month replay with a given rule",
                 *_time(lambda: replay_warnings(history, target=465, duration=48,
                                                start=dt.date(2020, 1, 1), rule=rule), 3)))
    rows.append(("over-dispersed forecast, 24 months (dispersion integrated)",
                 *_time(lambda: xa.forecast_overdispersed(counts.to_numpy()[:24], target=465,
                                                          duration=48), 10)))
    rows.append(("partners: fit of 3 (grid posterior)",
                 *_time(lambda: fit_partners([29, 15, 15], [40.7] * 3), 5)))
    fit = fit_partners([29, 15, 15], [40.7] * 3)
    rows.append(("partners: total to_dict(), equal exposures (closed form)",
                 *_time(lambda: fit.forecast(target=465, duration=48, elapsed=40.7,
                                             horizon=46.7).to_dict(), 3)))
    unequal = fit_partners([29, 15, 15], [40.7, 30.0, 20.0])
    rows.append(("partners: total p_reach + quantiles, unequal exposures (convolution)",
                 *_time(lambda: unequal.forecast(target=465, duration=48, elapsed=40.7,
                                                 horizon=46.7).count_quantiles(), 1,
                        repeat=3)))
    programme = xa.load_programme(xa.load_config("configs/exitpakke.yaml"))
    rows.append(("assess_shortfall(exitpakke) in full",
                 *_time(lambda: xa.assess_shortfall(programme), 1, repeat=5)))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  median ms  best ms")
    for name, median, best in rows:
        print(f"{name:<{width}}  {median:9.3f}  {best:7.3f}")


if __name__ == "__main__":
    main()

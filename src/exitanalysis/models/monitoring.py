"""Monitoring recruitment: forecasts from a monthly history, the early-warning replay, pace
rules and sensitivity to the prior.

Everything here reads a :class:`~exitanalysis.models.history.RecruitmentHistory`; the
report's sentences about it are assembled in :mod:`exitanalysis.assess.shortfall`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from .history import RecruitmentHistory, date_at, months_between
from .priors import PriorWeight, prior_key
from .recruitment import RecruitmentForecast, forecast_overdispersed, forecast_recruitment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Priors of the replay and the sensitivity table (CONTRACT: P ∈ {0, 0.25, 0.5, 1}, hedging).
REPLAY_PRIORS: tuple[PriorWeight, ...] = (0.0, 0.25, 0.5, 1.0, "hedging")
#: Pace rules used in trial monitoring: the Japan Clinical Oncology Group terminates a trial in
#: principle below 20 % of planned accrual pace 1.5 years after it opens and below 50 % at 2.5
#: years (Sasaki et al. 2024, Trials 25:646, Table 5; enforced since 2019).
PACE_RULES: tuple[tuple[float, float], ...] = ((18.0, 0.20), (30.0, 0.50))


class ClosureRange(Protocol):
    """When a programme was closed early: between ``earliest`` and ``latest`` (the config's
    ``programme.closed``)."""

    @property
    def earliest(self) -> dt.date: ...

    @property
    def latest(self) -> dt.date: ...


# --- forecasts from a history ----------------------------------------------------------------


def forecast_from_history(history: RecruitmentHistory, *, target: int, duration: float,
                          prior_weight: PriorWeight | str,
                          month: int | None = None) -> RecruitmentForecast:
    """The Gamma–Poisson forecast at the end of month ``month`` (default: the last).

    Time is the history's effective time (plan months weighted by exposure), and the final
    count is taken at the effective time of the whole period: months still to come count for
    what the plan and the exposure say, closed months included.
    """
    row = history.monthly.iloc[-1 if month is None else month]
    effective = float(row["effective_elapsed"])
    return forecast_recruitment(
        target=target, duration=duration, elapsed=effective, recruited=int(row["cumulative"]),
        prior_weight=prior_weight, horizon=max(history.total_time, effective),
    )


def overdispersed_from_history(history: RecruitmentHistory, *, target: int, duration: float,
                               prior_weight: PriorWeight | str) -> RecruitmentForecast:
    """The negative-binomial (clustered months) forecast from a monthly history."""
    monthly = history.monthly
    weight = 0.5 if prior_weight == "hedging" else prior_weight
    return forecast_overdispersed(
        monthly["recruited"].to_numpy(),
        exposure=(monthly["plan_time"] * monthly["exposure"]).to_numpy(),
        target=target, duration=duration, prior_weight=weight,
        horizon=max(history.total_time, history.effective_elapsed),
    )


# --- early-warning replay -----------------------------------------------------------------


@dataclass(frozen=True)
class EarlyWarning:
    """A replay of monitoring: at every month, what the data known then said.

    Attributes
    ----------
    replay
        Tidy: ``month``, ``elapsed``, ``recruited``, ``pace_ratio``, ``prior``, ``p_reach``
        (missing where the data did not yet identify the rate: prior weight 0, no recruits).
    threshold
        Warn when P(reach target) falls below this.
    prior
        The prior weight whose replay decides the warning (the config's).
    first_warning
        The first month (``YYYY-MM``) the warning fired, or ``None``.
    first_warning_by_prior
        The same for every prior of the replay.
    pace_rules
        One row per rule: ``at_months`` (calendar months after the start), ``limit``,
        ``month``, ``pace_ratio`` (recruited against the plan for the exposure-weighted time),
        ``fired`` (``None`` when the replay does not reach that month).
    history
        The monthly history replayed.
    start
        First day of the period (to turn months into dates).
    closure
        When the programme was closed, if it was.
    """

    replay: pd.DataFrame
    threshold: float
    prior: PriorWeight | str
    first_warning: str | None
    first_warning_by_prior: dict[str, str | None]
    pace_rules: pd.DataFrame
    history: RecruitmentHistory
    start: dt.date
    closure: ClosureRange | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.replay.copy()

    def months_before_closure(self) -> tuple[float, float] | None:
        """How many months before the closure the warning fired: (least, most)."""
        if self.first_warning is None or self.closure is None:
            return None
        row = self.replay[self.replay["month"] == self.first_warning].iloc[0]
        warned = date_at(self.start, float(row["elapsed"]))
        return (months_between(warned, self.closure.earliest),
                months_between(warned, self.closure.latest))

    def summary(self) -> str:
        """The replay in a few lines (a report's sentences come from
        :func:`exitanalysis.assess.shortfall.warning_sentences`)."""
        lines = [f"First month with P(reach target) below {self.threshold:.0%} "
                 f"({prior_key(self.prior)}): {self.first_warning or 'none'}."]
        if self.history.snapshot:
            lines.append("Only published figures are known: one review at each.")
        for rule in self.pace_rules.itertuples(index=False):
            if rule.fired is not None:
                lines.append(f"Pace below {rule.limit:.0%} of plan after {rule.at_months:g} "
                             f"months: {'fired' if rule.fired else 'did not fire'} "
                             f"(pace {rule.pace_ratio:.0%} in {rule.month}).")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_replay

        return plot_replay(self, ax=ax)


def replay_warnings(
    history: RecruitmentHistory,
    *,
    target: int,
    duration: float,
    start: dt.date,
    threshold: float = 0.10,
    prior: PriorWeight | str = 0.5,
    priors: Sequence[PriorWeight | str] = REPLAY_PRIORS,
    pace_rules: Sequence[tuple[float, float]] = PACE_RULES,
    closure: ClosureRange | None = None,
) -> EarlyWarning:
    """Replay monitoring month by month using only what was known at each month's end.

    Returns
    -------
    EarlyWarning
    """
    priors = list(dict.fromkeys([*priors, prior]))
    records = []
    shown = (np.ones(len(history.monthly), dtype=bool) if history.published is None
             else history.published)
    for i, row in enumerate(history.monthly.itertuples(index=False)):
        if not shown[i]:
            continue
        # Pace against the plan for the time recruitment could run (closed days discounted).
        pace = (row.cumulative / (target * row.effective_elapsed / duration)
                if row.effective_elapsed > 0 else np.nan)
        for choice in priors:
            try:
                p = forecast_from_history(history, target=target, duration=duration,
                                          prior_weight=choice, month=i).p_reach_target
            except ValueError:  # no recruits yet and no prior: nothing is known
                p = np.nan
            records.append({"month": row.month, "elapsed": row.elapsed,
                            "recruited": int(row.cumulative), "pace_ratio": pace,
                            "prior": prior_key(choice), "p_reach": p})
    replay = pd.DataFrame(records)
    firsts: dict[str, str | None] = {}
    for key, part in replay.groupby("prior", sort=False):
        below = part.loc[part["p_reach"] < threshold, "month"]
        firsts[str(key)] = str(below.iloc[0]) if len(below) else None
    rules = []
    months = history.shown_months()
    for at, limit in pace_rules:
        reached = months[months["elapsed"] >= at - 1e-9]
        if not len(reached):
            rules.append({"at_months": at, "limit": limit, "month": None,
                          "pace_ratio": None, "fired": None})
            continue
        row = reached.iloc[0]
        pace = row["cumulative"] / (target * row["effective_elapsed"] / duration)
        rules.append({"at_months": at, "limit": limit, "month": row["month"],
                      "pace_ratio": float(pace), "fired": bool(pace < limit)})
    return EarlyWarning(
        replay=replay, threshold=threshold, prior=prior,
        first_warning=firsts[prior_key(prior)], first_warning_by_prior=firsts,
        pace_rules=pd.DataFrame(rules), history=history, start=start, closure=closure,
    )


# --- sensitivity ----------------------------------------------------------------------------


def prior_sensitivity(history: RecruitmentHistory, *, target: int, duration: float,
                      priors: Sequence[PriorWeight | str] = (*REPLAY_PRIORS, "accelerated"),
                      ) -> pd.DataFrame:
    """The headline forecast under each prior weight.

    Columns: ``prior``, ``effective_prior_weight``, ``p_reach_target``, ``final_q025``,
    ``final_q50``, ``final_q975``, ``time_to_target_q50``.
    """
    rows = []
    for choice in priors:
        try:
            d = forecast_from_history(history, target=target, duration=duration,
                                      prior_weight=choice).to_dict()
        except ValueError:
            continue
        rows.append({"prior": prior_key(choice),
                     "effective_prior_weight": d["effective_prior_weight"],
                     "p_reach_target": d["p_reach_target"],
                     "final_q025": d["final_count"]["q025"],
                     "final_q50": d["final_count"]["q50"],
                     "final_q975": d["final_count"]["q975"],
                     "time_to_target_q50": d["time_to_target"]["q50"]})
    return pd.DataFrame(rows)


__all__ = [
    "PACE_RULES",
    "REPLAY_PRIORS",
    "ClosureRange",
    "EarlyWarning",
    "forecast_from_history",
    "overdispersed_from_history",
    "prior_sensitivity",
    "replay_warnings",
]

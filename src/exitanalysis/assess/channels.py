"""Channel effects of a programme: who is reached where, how each channel converts, how the
lockdowns moved contacts by channel, and how much of a change in inclusions the channel mix
explains.

One call, :func:`assess_channels`, runs what the programme's data allow and says, for each
part it cannot run, why (:attr:`ChannelEffects.missing`): reach and conversion need the
persons table; the count model and the lockdown shift need monthly counts by channel (from
persons or the aggregate monthly table); the lockdown shift needs at least
:data:`~exitanalysis.models.interrupted.MIN_BEFORE` months before the first lockdown.
The report built on it is the ``channel_effects`` notebook (issue 11, in progress).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.programme import Programme
from ..errors import ArgumentError
from ..models.conversion import Conversion, conversion_by
from ..models.decomposition import RateDecomposition, decompose_rate
from ..models.interrupted import ChannelInterruptions, by_channel
from ..models.rates import ChannelRates, channel_rate_ratios
from ..models.reach import Counterfactual, PopulationShare, Reach, counterfactual_reach, reach_by
from .cases import monthly_contacts

#: Channels whose counts say nothing about a channel (left out of rates and the mix).
NOT_A_CHANNEL = ("unknown",)


@dataclass(frozen=True)
class ChannelEffects:
    """What the channel analysis found, part by part (``None`` where the data do not allow
    it; :attr:`missing` says why).

    Attributes
    ----------
    reach
        Where the persons reached sell, against the population (:func:`reach_by`).
    counterfactual
        Persons missed online at the street rate, when population shares for both are given.
    conversion
        Contact → inclusion by contact channel, adjusted for organisation and where the person
        sells (:func:`conversion_by`).
    rates
        Contacts a month by channel, from a count model with the lockdowns as period terms.
    lockdown
        The lockdown shift, channel by channel (interrupted time series).
    mix
        Inclusions a month in the second half of the months observed against the first,
        split into contact volume, channel mix and conversion within channels (Das Gupta).
    lockdowns
        The lockdown periods used (months), from the config's exposure periods.
    missing
        Part → why it is not there.
    synthetic
        Whether the case data are synthetic.
    """

    reach: Reach | None
    counterfactual: Counterfactual | None
    conversion: Conversion | None
    rates: ChannelRates | None
    lockdown: ChannelInterruptions | None
    mix: RateDecomposition | None
    lockdowns: tuple[tuple[str, str], ...]
    missing: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False

    def to_frame(self) -> pd.DataFrame:
        """Which parts ran, and why the others did not."""
        parts = ("reach", "counterfactual", "conversion", "rates", "lockdown", "mix")
        return pd.DataFrame({"part": parts,
                             "ran": [getattr(self, p) is not None for p in parts],
                             "why_not": [self.missing.get(p, "") for p in parts]})

    def summary(self) -> str:
        lines = []
        for part in ("reach", "counterfactual", "conversion", "rates", "lockdown", "mix"):
            result: Any = getattr(self, part)
            lines.append(result.summary() if result is not None
                         else f"{part}: not run ({self.missing.get(part, 'no data')}).")
        return "\n\n".join(lines)


def lockdown_months(programme: Programme) -> tuple[tuple[str, str], ...]:
    """The config's exposure periods with reduced weight as month ranges (``YYYY-MM``): the
    lockdowns, whose sources the config gives."""
    periods = []
    for period in programme.config.analysis.exposure:
        if period.weight < 1:
            periods.append((f"{period.start:%Y-%m}", f"{period.end:%Y-%m}"))
    return tuple(periods)


def channel_months(programme: Programme) -> pd.DataFrame:
    """Contacts and inclusions per month and contact channel, every month × channel of the
    data (zeros included), channels of :data:`NOT_A_CHANNEL` left out."""
    counts = monthly_contacts(programme)
    if not len(counts):
        return pd.DataFrame(columns=["month", "contact_channel", "contacted", "included"])
    counts = counts[~counts["contact_channel"].astype(str).isin(NOT_A_CHANNEL)]
    grouped = (counts.assign(month=counts["month"].astype(str),
                             contact_channel=counts["contact_channel"].astype(str))
               .groupby(["month", "contact_channel"])[["contacted", "included"]].sum())
    if not len(grouped):
        return pd.DataFrame(columns=["month", "contact_channel", "contacted", "included"])
    months = pd.period_range(min(grouped.index.get_level_values(0)),
                             max(grouped.index.get_level_values(0)), freq="M").astype(str)
    channels = sorted(set(grouped.index.get_level_values(1)))
    full = pd.MultiIndex.from_product([months, channels], names=["month", "contact_channel"])
    return grouped.reindex(full, fill_value=0).reset_index()


def mix_decomposition(months: pd.DataFrame) -> RateDecomposition:
    """Inclusions a month, second half of the months against the first, as contacts a month
    × Σ over channels (share of contacts × share included): Das Gupta's three effects of
    volume, mix and conversion within channels."""
    ordered = sorted(months["month"].unique())
    if len(ordered) < 4:
        raise ArgumentError("months", "fewer than four months: no halves to compare")
    half = len(ordered) // 2
    factors = []
    for part in (ordered[:half], ordered[half:]):
        rows = months[months["month"].isin(part)].groupby("contact_channel")[
            ["contacted", "included"]].sum()
        contacted = rows["contacted"].to_numpy(dtype=float)
        total = contacted.sum()
        if not total:
            raise ArgumentError("months", "no contacts in one half")
        conversion = np.divide(rows["included"].to_numpy(dtype=float), contacted,
                               out=np.zeros_like(contacted), where=contacted > 0)
        factors.append({"volume": total / len(part), "mix": contacted / total,
                        "conversion": conversion})
    return decompose_rate(factors[0], factors[1])


def assess_channels(programme: Programme) -> ChannelEffects:
    """Every channel analysis the programme's data allow (see :class:`ChannelEffects`)."""
    config = programme.config
    persons = programme.persons
    missing: dict[str, str] = {}
    reach = counterfactual = conversion = rates = lockdown = mix = None
    population = {str(arena): PopulationShare(share.low, share.high, share.source)
                  for arena, share in config.analysis.population_shares.items()}
    if persons is not None and len(persons):
        reach = reach_by(persons, "sales_channel", population=population)
        # The fullest adjustment the data carry: a small programme may not converge with
        # where persons sell as well as the organisation (the result says which was used).
        for adjust in (("organisation", "sales_channel"), ("organisation",), ()):
            conversion = conversion_by(persons, "contact_channel", adjust=adjust)
            if conversion.note is None or "converge" not in conversion.note:
                break
        if {"online", "street"} <= set(population):
            try:
                counterfactual = counterfactual_reach(reach)
            except ValueError as exc:
                missing["counterfactual"] = str(exc)
        else:
            missing["counterfactual"] = ("no population shares for online and street are "
                                         "given (analysis.population_shares)")
    else:
        for part in ("reach", "conversion", "counterfactual"):
            missing[part] = "needs the persons table"
    months = channel_months(programme)
    lockdowns = lockdown_months(programme)
    if months["contact_channel"].nunique() >= 2:
        periods = {f"{a} to {b}": (a, b) for a, b in lockdowns}
        try:
            rates = channel_rate_ratios(months, periods=periods or None)
        except ValueError as exc:
            missing["rates"] = str(exc)
        try:
            mix = mix_decomposition(months)
        except ValueError as exc:
            missing["mix"] = str(exc)
    else:
        for part in ("rates", "mix"):
            missing[part] = "needs monthly counts of at least two contact channels"
    if lockdowns and len(months):
        try:
            lockdown = by_channel(months, channel_column="contact_channel",
                                  count_column="contacted", month_column="month",
                                  interruptions=list(lockdowns))
        except ValueError as exc:
            missing["lockdown"] = str(exc)
    else:
        missing["lockdown"] = ("no lockdown periods (analysis.exposure) or no monthly counts"
                               if not lockdowns else "no monthly counts by channel")
    synthetic = bool(programme.synthetic)
    return ChannelEffects(reach, counterfactual, conversion, rates, lockdown, mix, lockdowns,
                          missing, synthetic)


__all__ = ["ChannelEffects", "assess_channels", "channel_months", "lockdown_months",
           "mix_decomposition"]

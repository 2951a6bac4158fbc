"""Channel effects of a programme: who is reached where, how each channel converts, how the
lockdowns moved contacts by channel, and how much of a change in inclusions the channel mix
explains.

One call, :func:`assess_channels`, runs what the programme's data allow and says, for each
part it cannot run, why (:attr:`ChannelEffects.missing`): reach and conversion need the
persons table; the count model and the lockdown shift need monthly counts by channel (from
persons or the aggregate monthly table); the lockdown shift needs at least
:data:`~exitanalysis.models.interrupted.MIN_BEFORE` months without a lockdown before the
first lockdown, or after it when it ends within the series.
The report built on it is the ``channel_effects`` notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data.programme import Programme
from ..errors import ArgumentError
from ..models.conversion import Conversion, conversion_by
from ..models.decomposition import RateDecomposition, decompose_rate
from ..models.disclosure import SuppressedTable
from ..models.interrupted import MIN_BEFORE, MIN_EVENTS, ChannelInterruptions, by_channel
from ..models.rates import ChannelRates, channel_rate_ratios
from ..models.reach import Counterfactual, PopulationShare, Reach, counterfactual_reach, reach_by
from ..text import Language, label, month, number, p_value, percent
from .cases import NOT_A_CHANNEL, monthly_contacts
from .findings import KeyFindings, Sentences, parts_frame, parts_summary
from .release import as_released, public_release

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Why a channel's lockdown shift is not in a public report.
PUBLIC_WITHHELD = "contacts during a lockdown below the publication threshold"
#: The parts of the analysis, in the order a report shows them.
PARTS = ("reach", "counterfactual", "conversion", "rates", "lockdown", "mix")


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
        Part → why it is not there (a key of the report vocabulary, ``why_*``).
    synthetic
        Whether the case data are synthetic.
    withheld
        Public audience: part → categories left out because their counts are not published.
    public
        Whether this is the public audience's analysis (see :func:`assess_channels`).
    language
        The language of the sentences and figures when none is asked for (the config's).
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
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)
    public: bool = False
    language: Language = "en"

    def to_frame(self) -> pd.DataFrame:
        """Which parts ran, and why the others did not."""
        return parts_frame(self, PARTS)

    def explain(self, topic: str, language: Language | None = None) -> Sentences:
        """The sentences of one part (``reach``, ``conversion``, ``counterfactual``,
        ``rates``, ``lockdown``, ``mix``) in ``language``, every number from its result; a
        part that did not run says why. ``decision``: what the parts say together about
        online outreach."""
        language = language or self.language
        if topic == "decision":
            return Sentences(_decision_sentence(self, language))
        if topic not in PARTS:
            raise ValueError(f"unknown topic {topic!r}; expected one of "
                             f"{', '.join(PARTS)} or decision")
        result: Any = getattr(self, topic)
        if result is None:
            return Sentences(label(
                "channel_part_missing", language, part=label(f"part_{topic}", language),
                why=label(self.missing.get(topic, "why_model_failed"), language)))
        if topic == "reach" and "online" in self.withheld.get("reach", ()):
            text = label("reach_online_withheld", language,
                         n=number(int(result.table["persons"].sum()), language))
        elif topic == "conversion" and self.public:
            text = _conversion_sentences(result, language).split("\n")[0] + "\n" + label(
                "conversion_public", language)
        else:
            text = _SENTENCES[topic](result, language)
        if self.withheld.get(topic):
            text += "\n" + label("channels_withheld", language, names=", ".join(
                label(name, language) for name in self.withheld[topic]))
        return Sentences(text)

    def plot(self, part: str = "reach", ax: Axes | None = None,
             language: Language | None = None) -> Axes:
        """The figure of one part (see :meth:`explain`), in ``language``, marked synthetic
        when the data are; a part that did not run draws its reason."""
        from ..figures.channels import plot_channel_part

        return plot_channel_part(self, part, ax=ax, language=language or self.language)

    def key_findings(self, language: Language | None = None) -> KeyFindings:
        """Where the persons reached sell, how the channels convert, what the lockdowns did
        and what the channel mix explains: the parts that ran, one sentence each."""
        language = language or self.language
        sentences = tuple(self.explain(part, language).split("\n")[0]
                          for part in ("reach", "conversion", "lockdown", "mix")
                          if getattr(self, part) is not None)
        if not sentences:
            sentences = (label("channels_nothing", language),)
        else:
            sentences = (*sentences, _decision_sentence(self, language))
        basis = label("channels_basis", language)
        if self.synthetic:
            basis = label("synthetic_prefix", language) + basis
        return KeyFindings(sentences, basis, self.synthetic, language)

    def summary(self) -> str:
        return parts_summary(self, PARTS)


def _reach_sentences(reach: Reach, language: Language) -> str:
    table = reach.table.set_index("category")
    if "online" not in table.index:
        return label("reach_no_online", language, n=number(int(table["persons"].sum()),
                                                            language))
    row = table.loc["online"]
    lines = [label("reach_online", language, n=number(int(table["persons"].sum()), language),
                   share=percent(row["share"], language), low=percent(row["low"], language),
                   high=percent(row["high"], language))]
    if row["verdict"] == "no population figure":
        lines.append(label("reach_no_population", language))
    else:
        lines.append(label(f"reach_{row['verdict'].replace(' ', '_')}", language,
                           plow=percent(row["population_low"], language),
                           phigh=percent(row["population_high"], language),
                           source=row["population_source"]))
    return "\n".join(lines)


def _conversion_sentences(conversion: Conversion, language: Language) -> str:
    shown = conversion.table[conversion.table["enough"]]
    few = int((~conversion.table["enough"]).sum())
    if len(shown) < 2:
        return label("conversion_too_few", language, k=conversion.min_events)
    low, high = shown.loc[shown["share"].idxmin()], shown.loc[shown["share"].idxmax()]
    text = label("conversion_range", language, low=percent(low["share"], language),
                 low_name=label(str(low["category"]), language),
                 high=percent(high["share"], language),
                 high_name=label(str(high["category"]), language), few=number(few, language),
                 k=conversion.min_events)
    adjusted = ", ".join(label(a, language).lower() for a in conversion.adjusted_for)
    return text + "\n" + label("conversion_adjusted" if adjusted else "conversion_unadjusted",
                                language, adjusted=adjusted)


def _counterfactual_sentences(result: Counterfactual, language: Language) -> str:
    return label("counterfactual_sentence", language, extra=number(result.extra, language),
                 low=number(result.low, language), high=number(result.high, language),
                 reached=number(result.reached, language))


def _rates_sentences(rates: ChannelRates, language: Language) -> str:
    table = rates.to_frame()
    channels = table[(table["kind"] == "channel") & table["rate_ratio"].notna()
                     & (table["term"] != rates.reference)]
    lines = [label("rates_reference", language, months=number(rates.months, language),
                   reference=label(rates.reference, language))]
    for row in channels.itertuples(index=False):
        lines.append(label("rates_line", language, channel=label(str(row.term), language),
                           ratio=number(row.rate_ratio, language, 2),
                           low=number(row.low, language, 2), high=number(row.high, language, 2)))
    lines.append(label("rates_overdispersed" if rates.overdispersed else "rates_steady",
                       language, p=p_value(rates.overdispersion_p, language)))
    return "\n".join(lines)


def _lockdown_sentences(lockdown: ChannelInterruptions, language: Language) -> str:
    skipped = lockdown.skipped
    if not lockdown.results:
        # The models' reasons are English: say the commonest one in the reader's language.
        reasons = " ".join(skipped.values())
        key = ("why_too_little_before" if "before the first interruption" in reasons
               else "why_public_withheld" if PUBLIC_WITHHELD in reasons
               else "why_too_sparse")
        return label("lockdown_not_estimated", language,
                     reason=label(key, language, needed=MIN_BEFORE))
    frame = lockdown.to_frame()
    frame = frame[frame["effect"] == "level"]
    sparse = sum("counts in all" in why or "all counts are zero" in why
                 for why in skipped.values())
    lines = []
    for period, rows in frame.groupby("interruption", sort=False):
        first, last = str(period).split(" to ")
        span = label("month_span", language, first=month(first, language),
                     last=month(last, language))
        parts = []
        for change in ("fell", "rose"):
            moved = rows[rows["change"] == change]
            if len(moved):
                parts.append(label(f"lockdown_{change}", language, period=span, channels="; ".join(
                    label("lockdown_ratio", language, channel=label(str(r.channel), language),
                          ratio=number(r.rate_ratio, language, 2),
                          low=number(r.low, language, 2), high=number(r.high, language, 2))
                    for r in moved.itertuples(index=False))))
        steady = [label(str(c), language) for c in rows.loc[rows["change"] == "no clear change",
                                                             "channel"]]
        if steady:
            parts.append(label("lockdown_steady", language, period=span,
                               channels=", ".join(steady)))
        silent = [label(c, language) for c, why in skipped.items()
                  if f"no counts during {period}" in why]
        if silent:
            parts.append(label("lockdown_silent", language, period=span,
                               channels=", ".join(silent)))
        lines.append(" ".join(parts))
    if sparse:
        lines.append(label("lockdown_sparse", language, k=number(sparse, language),
                           needed=MIN_EVENTS))
    private = sum(why == PUBLIC_WITHHELD for why in skipped.values())
    if private:
        lines.append(label("lockdown_withheld", language, k=number(private, language)))
    return "\n".join(lines)


def mix_decimals(mix: RateDecomposition) -> int:
    """Decimals that show the mix's change: 2 when it is under half an inclusion a month
    (else 1.4 to 1.4 would hide a change of 0.05), 1 otherwise."""
    return 2 if abs(mix.difference) < 0.5 else 1


def _mix_sentences(mix: RateDecomposition, language: Language) -> str:
    volume, channel_mix, conversion = mix.effects
    d = mix_decimals(mix)
    return label("mix_sentence", language, a=number(mix.crude_a, language, d),
                 b=number(mix.crude_b, language, d), volume=number(volume, language, d),
                 mix=number(channel_mix, language, d),
                 conversion=number(conversion, language, d))


_SENTENCES: dict[str, Callable[[Any, Language], str]] = {
    "reach": _reach_sentences, "conversion": _conversion_sentences,
    "counterfactual": _counterfactual_sentences, "rates": _rates_sentences,
    "lockdown": _lockdown_sentences, "mix": _mix_sentences,
}


def _decision_sentence(effects: ChannelEffects, language: Language) -> str:
    """What the parts say about paying for online outreach, each clause from its result:
    whether reach follows selling online, the persons missed, and what online outreach
    brought and how it converted."""
    parts = []
    reach = effects.reach
    table = reach.table.set_index("category") if reach is not None else None
    if table is not None and "online" in table.index and not effects.withheld.get("reach"):
        row = table.loc["online"]
        if row["verdict"] == "no population figure":
            parts.append(label("decision_reach_unknown", language))
        else:
            parts.append(label(f"decision_reach_{row['verdict'].replace(' ', '_')}", language,
                               share=percent(row["share"], language),
                               plow=percent(row["population_low"], language),
                               phigh=percent(row["population_high"], language)))
    elif reach is not None and not effects.withheld.get("reach"):
        parts.append(label("decision_reach_unknown", language))
    if effects.counterfactual is not None:
        cf = effects.counterfactual
        parts.append(label("decision_missed", language, extra=number(cf.extra, language),
                           low=number(cf.low, language), high=number(cf.high, language)))
    online = "online_outreach"
    rates = effects.rates.to_frame() if effects.rates is not None else None
    if rates is not None and online in set(rates["term"]):
        row = rates.set_index("term").loc[online]
        if effects.rates is not None and online != effects.rates.reference and pd.notna(
                row["rate_ratio"]):
            parts.append(label("decision_online_rate", language,
                               ratio=number(row["rate_ratio"], language, 2),
                               reference=label(effects.rates.reference, language),
                               low=number(row["low"], language, 2),
                               high=number(row["high"], language, 2)))
    conversion = effects.conversion
    if conversion is not None and online in set(conversion.table["category"]):
        row = conversion.table.set_index("category").loc[online]
        if row["enough"]:
            parts.append(label("decision_online_converts", language,
                               share=percent(row["share"], language),
                               low=percent(row["low"], language),
                               high=percent(row["high"], language)))
        else:
            parts.append(label("decision_online_few", language))
    if not parts:
        hidden = {name for names in effects.withheld.values() for name in names}
        parts.append(label("decision_withheld" if hidden & {"online", online}
                           else "decision_no_online_channel", language))
    return label("decision_lead", language, parts="; ".join(parts))


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
    """Every channel analysis the programme's data allow (see :class:`ChannelEffects`).

    For the public audience (``audience: public``) every count behind a result is one the
    report-wide disclosure audit lets through (:func:`~exitanalysis.public_release`): the
    data end at the release's cutoff; reach shows only arenas whose count of persons is
    published; conversion only channels whose included and not-included counts both are,
    unadjusted (an adjusted odds ratio rests on organisation × channel cells that are not
    published); the count models use only channels whose total is published, and a
    channel's lockdown shift is shown only when its contacts during each lockdown are none
    or at least ``analysis.min_cell``; the mix only when the release publishes the halves'
    counts. What is left out is said (:attr:`ChannelEffects.missing`, :attr:`withheld`).
    """
    config = programme.config
    release = public_release(programme) if config.audience == "public" else None
    if release is not None:
        if release.cutoff is None:
            return ChannelEffects(None, None, None, None, None, None, lockdown_months(programme),
                                  dict.fromkeys(PARTS, "why_public_nothing"),
                                  bool(programme.synthetic), public=True,
                                  language=config.language)
        programme = as_released(programme, release)
    persons = programme.persons
    missing: dict[str, str] = {}
    withheld: dict[str, tuple[str, ...]] = {}
    reach = counterfactual = conversion = rates = lockdown = mix = None
    population = {str(arena): PopulationShare(share.low, share.high, share.source)
                  for arena, share in config.analysis.population_shares.items()}
    if persons is not None and len(persons):
        arenas = persons
        if release is not None:
            shown = _shown_columns(release.quarters.get("sales_channel"))
            arenas = persons[persons["sales_channel"].astype(str).isin(shown)]
            withheld["reach"] = _hidden(persons["sales_channel"], shown)
        if len(arenas):
            reach = reach_by(arenas, "sales_channel", population=population)
        else:
            missing["reach"] = "why_public_withheld"
        if release is not None:
            contacts = persons[persons["contact_channel"].astype(str).isin(
                _shown_rows(release.conversion))]
            withheld["conversion"] = _hidden(persons["contact_channel"], set(
                contacts["contact_channel"].astype(str)))
            if len(contacts):
                conversion = conversion_by(contacts, "contact_channel", adjust=())
            else:
                missing["conversion"] = "why_public_withheld"
        else:
            # The fullest adjustment the data carry: a small programme may not converge
            # with where persons sell as well as the organisation (the result says which).
            for adjust in (("organisation", "sales_channel"), ("organisation",), ()):
                conversion = conversion_by(persons, "contact_channel", adjust=adjust)
                if conversion.note is None or "converge" not in conversion.note:
                    break
        if reach is None:
            missing["counterfactual"] = missing["reach"]
        elif {"online", "street"} <= set(population):
            try:
                counterfactual = counterfactual_reach(reach)
            except ValueError:
                missing["counterfactual"] = "why_model_failed"
        else:
            missing["counterfactual"] = "why_no_population_shares"
    else:
        for part in ("reach", "conversion", "counterfactual"):
            missing[part] = "why_no_persons"
    months = channel_months(programme)
    if release is not None:
        shown = _shown_columns(release.quarters.get("contact_channel"))
        withheld["rates"] = _hidden(months.loc[months["contacted"] > 0, "contact_channel"],
                                    shown)
        months = months[months["contact_channel"].isin(shown)]
    lockdowns = lockdown_months(programme)
    if months["contact_channel"].nunique() >= 2:
        periods = {f"{a} to {b}": (a, b) for a, b in lockdowns}
        try:
            rates = channel_rate_ratios(months, periods=periods or None)
        except ValueError:
            missing["rates"] = "why_model_failed"
        if release is not None and any(v is None for v in release.halves.values()):
            missing["mix"] = "why_public_withheld"
        else:
            try:
                mix = mix_decomposition(months)
            except ValueError:
                missing["mix"] = "why_too_few_months"
    else:
        for part in ("rates", "mix"):
            missing[part] = "why_no_channels"
    lockdowns = tuple((a, b) for a, b in lockdowns if len(months) and b >= months["month"].min()
                      and a <= months["month"].max())
    if lockdowns and len(months):
        lockdowns_in = tuple((a, min(b, months["month"].max())) for a, b in lockdowns)
        try:
            lockdown = by_channel(months, channel_column="contact_channel",
                                  count_column="contacted", month_column="month",
                                  interruptions=list(lockdowns_in))
        except ValueError:
            missing["lockdown"] = "why_model_failed"
        if lockdown is not None and release is not None:
            lockdown = _publishable_shifts(lockdown, months, lockdowns_in, release.min_cell)
    else:
        missing["lockdown"] = "why_no_lockdowns" if not lockdowns else "why_no_channels"
    return ChannelEffects(reach, counterfactual, conversion, rates, lockdown, mix, lockdowns,
                          missing, bool(programme.synthetic),
                          {k: v for k, v in withheld.items() if v}, release is not None,
                          config.language)


def _shown_columns(table: SuppressedTable | None) -> set[str]:
    return table.shown_columns() if table is not None else set()


def _shown_rows(table: SuppressedTable | None) -> set[str]:
    return table.shown_rows() if table is not None else set()


def _hidden(values: pd.Series, shown: set[str]) -> tuple[str, ...]:
    """The categories of ``values`` (not :data:`NOT_A_CHANNEL`) that are not shown."""
    present = {str(v) for v in values.dropna().unique()} - set(NOT_A_CHANNEL)
    return tuple(sorted(present - shown))


def _publishable_shifts(lockdown: ChannelInterruptions, months: pd.DataFrame,
                        periods: tuple[tuple[str, str], ...],
                        min_cell: int) -> ChannelInterruptions:
    """Keep a channel's lockdown shift only when its contacts during each lockdown are none
    or at least ``min_cell``: a level ratio with its interval gives the count back."""
    results, skipped = dict(lockdown.results), dict(lockdown.skipped)
    for channel in list(results):
        rows = months[months["contact_channel"] == channel]
        during = [int(rows.loc[(rows["month"] >= a) & (rows["month"] <= b), "contacted"].sum())
                  for a, b in periods]
        if any(0 < n < min_cell for n in during):
            del results[channel]
            skipped[channel] = PUBLIC_WITHHELD
    return ChannelInterruptions(results, skipped)


__all__ = ["ChannelEffects", "assess_channels", "channel_months", "lockdown_months",
           "mix_decimals", "mix_decomposition"]

"""The partner network of a programme: who refers whom, referrals month by month, whether
referred persons are included more often, and referrals before and while the partners'
network was active.

One call, :func:`assess_network`, runs what the programme's data allow and says, for each
part it cannot run, why (:attr:`NetworkAssessment.missing`): the referral parts need the
referrals table; the referred persons' conversion needs the persons table; the comparison
before and during the network needs ``analysis.network`` (when it was active). The report
built on it is the ``partner_network`` notebook.

For the public audience the referral counts are not shown: they count referrals, not persons,
and a person can be in several cells (CONTRACT §4 publishes counts of distinct persons only).
The conversion of referred persons rests on the contact channel × included counts the
report-wide audit publishes, and the rate ratio is shown only when both periods hold at
least ``analysis.min_cell`` referrals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data.programme import Programme
from ..models.referrals import (
    REFERRAL_CHANNELS,
    SERVICES,
    NetworkRateRatio,
    RateKind,
    ReferralInclusions,
    ReferralMatrix,
    network_rate_ratio,
    referral_inclusions,
    referral_matrix,
    referrals_by_month,
)
from ..text import Language, label, month, number, p_value, percent
from .findings import (
    KeyFindings,
    Sentences,
    part_missing,
    parts_findings,
    parts_frame,
    parts_summary,
)
from .release import as_released, public_release

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The parts of the report, in the order it shows them.
PARTS = ("matrix", "by_month", "inclusions", "network")
#: The referrals the network comparison counts: partner referrals that brought a person to
#: the programme (what the network is meant to improve, and what a person's record shows).
NETWORK_KIND: RateKind = "partner_intake"


@dataclass(frozen=True)
class NetworkAssessment:
    """What the partner-network analysis found, part by part (``None`` where the data do not
    allow it; :attr:`missing` says why).

    Attributes
    ----------
    matrix
        Referrals and persons referred from each party to each party.
    by_month
        Referrals a month by kind, every month from the start to the analysis date.
    inclusions
        The share of inclusions that came through referral channels, and the conversion of
        referred persons against the others.
    network
        Partner referrals that brought a person, a month, before and while the network was
        active, as a rate ratio.
    network_period
        The network's active period (``YYYY-MM`` months; the end ``None`` when open), the
        source of its dates, and whether they are assumed.
    names
        The organisations' names by id (from the config).
    missing
        Part → why it is not there (a key of the report vocabulary, ``why_*``).
    synthetic, public, language
        Whether the case data are synthetic, the audience is public, and the language of
        sentences and figures when none is asked for.
    """

    matrix: ReferralMatrix | None
    by_month: pd.DataFrame | None
    inclusions: ReferralInclusions | None
    network: NetworkRateRatio | None
    network_period: tuple[str, str | None, str, bool] | None
    names: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    public: bool = False
    language: Language = "en"

    def to_frame(self) -> pd.DataFrame:
        """Which parts ran, and why the others did not."""
        return parts_frame(self, PARTS)

    def explain(self, topic: str, language: Language | None = None) -> Sentences:
        """The sentences of one part (see :data:`PARTS`) in ``language``, every number from
        its result; a part that did not run says why."""
        if topic not in PARTS:
            raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(PARTS)}")
        language = language or self.language
        result: Any = getattr(self, topic)
        if result is None:
            return part_missing("network", topic, self.missing.get(topic, "why_model_failed"),
                                language)
        return Sentences(_SENTENCES[topic](self, language))

    def key_findings(self, language: Language | None = None) -> KeyFindings:
        """Who refers whom, whether referred persons are included more often, and what the
        network's period shows: the parts that ran, one sentence each."""
        language = language or self.language
        sentences = tuple(str(self.explain(part, language)).split("\n")[0]
                          for part in ("matrix", "inclusions", "network")
                          if getattr(self, part) is not None)
        return parts_findings(sentences, nothing="network_public_nothing" if self.public
                              else "network_nothing", basis="network_basis",
                              synthetic=self.synthetic, language=language)

    def plot(self, part: str = "matrix", ax: Axes | None = None,
             language: Language | None = None) -> Axes:
        """The figure of one part (``matrix``, ``flows``, ``by_month``, ``inclusions``,
        ``network``) in ``language``; a part that did not run draws its reason."""
        from ..figures.network import plot_network_part

        return plot_network_part(self, part, ax=ax, language=language or self.language)

    def figure_title(self, part: str, language: Language | None = None) -> str | None:
        """The title that states a figure's finding, from its result (``None``: the figure
        keeps its own title)."""
        language = language or self.language
        if part in ("matrix", "flows") and self.matrix is not None and self.matrix.referrals:
            return label("fig_network_matrix", language,
                         **_largest_flow(self.matrix, self.names, language))
        if part == "inclusions" and self.inclusions is not None:
            table = self.inclusions.to_frame().set_index("group")
            return label("fig_network_inclusions", language,
                         referred=percent(table.loc["referred", "conversion"], language),
                         other=percent(table.loc["not_referred", "conversion"], language))
        return None

    def summary(self) -> str:
        return parts_summary(self, PARTS, {"by_month": lambda frame: (
            f"by_month: {len(frame)} months, {int(frame['total'].sum())} referrals.")})


# --- sentences ---------------------------------------------------------------------------------


def party_name(party: str, language: Language = "en",
               names: Mapping[str, str] | None = None) -> str:
    """How a report names a party: the config's name of an organisation, the report word of
    a service, else the id."""
    if names and party in names:
        return names[party]
    return label(f"party_{party}", language) if party in SERVICES else party


def _largest_flow(matrix: ReferralMatrix, names: Mapping[str, str],
                  language: Language) -> dict[str, str]:
    """The largest flow of referrals (ties: the first parties by id), in words."""
    largest = matrix.to_frame().sort_values(["referrals", "from_party", "to_party"],
                                            ascending=[False, True, True]).iloc[0]
    return {"source": party_name(str(largest["from_party"]), language, names),
            "target": party_name(str(largest["to_party"]), language, names),
            "count": number(int(largest["referrals"]), language)}


def _matrix_sentences(effects: NetworkAssessment, language: Language) -> str:
    matrix = effects.matrix
    assert matrix is not None
    by_kind = effects.by_month.drop(columns="month").sum() if effects.by_month is not None \
        else pd.Series(dtype=float)
    lines = [label("network_matrix", language, n=number(matrix.referrals, language),
                   persons=number(matrix.persons, language),
                   anonymous=number(matrix.anonymous, language),
                   **_largest_flow(matrix, effects.names, language))]
    if len(by_kind):
        lines.append(label("network_kinds", language,
                           between=number(int(by_kind.get("between_partners", 0)), language),
                           inbound=number(int(by_kind.get("inbound", 0)), language),
                           outbound=number(int(by_kind.get("outbound", 0)), language)))
    return "\n".join(lines)


def _by_month_sentences(effects: NetworkAssessment, language: Language) -> str:
    frame = effects.by_month
    assert frame is not None
    busiest = frame.loc[frame["total"].idxmax()]
    return label("network_by_month", language, first=month(str(frame["month"].iloc[0]),
                                                            language),
                 last=month(str(frame["month"].iloc[-1]), language),
                 busiest=month(str(busiest["month"]), language),
                 count=number(int(busiest["total"]), language))


def _inclusions_sentences(effects: NetworkAssessment, language: Language) -> str:
    result = effects.inclusions
    assert result is not None
    table = result.to_frame().set_index("group")
    referred, other = table.loc["referred"], table.loc["not_referred"]
    lines = [label("network_inclusions", language, share=percent(result.share, language),
                   low=percent(result.share_low, language),
                   high=percent(result.share_high, language)),
             label("network_conversion", language,
                   referred=percent(referred["conversion"], language),
                   other=percent(other["conversion"], language),
                   diff=number(result.difference * 100, language, 0),
                   dlow=number(result.difference_low * 100, language, 0),
                   dhigh=number(result.difference_high * 100, language, 0))]
    if not effects.public and referred["delay_persons"] and other["delay_persons"] \
            and pd.notna(referred["delay_median"]) and pd.notna(other["delay_median"]):
        # Medians of single persons' delays: for the internal audience only.
        lines.append(label("network_delay", language,
                           referred=number(referred["delay_median"], language),
                           other=number(other["delay_median"], language),
                           p=p_value(result.delay_p, language)))
    lines.append(label("network_conversion_caveat", language))
    return "\n".join(lines)


def _network_sentences(effects: NetworkAssessment, language: Language) -> str:
    result = effects.network
    assert result is not None and effects.network_period is not None
    row = result.to_frame().iloc[0]
    start, _, source, assumed = effects.network_period
    return "\n".join([
        label("network_ratio", language, start=month(start, language),
              before=number(row["before_rate"], language, 2),
              during=number(row["during_rate"], language, 2),
              ratio=number(row["rate_ratio"], language, 2),
              low=number(row["low"], language, 2), high=number(row["high"], language, 2)),
        label("network_ratio_caveat_assumed" if assumed else "network_ratio_caveat", language,
              source=source),
    ])


_SENTENCES = {"matrix": _matrix_sentences, "by_month": _by_month_sentences,
              "inclusions": _inclusions_sentences, "network": _network_sentences}


# --- the analysis ------------------------------------------------------------------------------


def assess_network(programme: Programme) -> NetworkAssessment:
    """Every partner-network analysis the programme's data allow (see
    :class:`NetworkAssessment` and the module notes for the public audience)."""
    config = programme.config
    public = config.audience == "public"
    names = {o.id: o.name for o in config.programme.organisations}
    missing: dict[str, str] = {}
    synthetic = bool(programme.synthetic)
    release = public_release(programme) if public else None
    if release is not None:
        if release.cutoff is None:
            return NetworkAssessment(None, None, None, None, None, names,
                                     dict.fromkeys(PARTS, "why_public_nothing"), synthetic,
                                     True, config.language)
        programme = as_released(programme, release)
    spec = config.programme
    first = pd.Period(spec.start, freq="M")
    last = pd.Period(min(programme.as_of or spec.end, spec.end), freq="M")
    referrals = programme.referrals
    if referrals is not None and release is None:
        referrals = referrals[referrals["date"] <= last.end_time]
    matrix = by_month = network = None
    if referrals is None or not len(referrals):
        for part in ("matrix", "by_month", "network"):
            missing[part] = "why_no_referrals"
    elif public:
        # Counts of referrals, not of persons; a person can be in several cells.
        for part in ("matrix", "by_month"):
            missing[part] = "why_public_referrals"
    else:
        matrix = referral_matrix(referrals)
        by_month = referrals_by_month(referrals, start=first, end=last,
                                      persons=programme.persons)
    network_period = None
    spec_network = config.analysis.network
    if spec_network is not None and referrals is not None and len(referrals):
        end = f"{spec_network.end:%Y-%m}" if spec_network.end is not None else None
        network_period = (f"{spec_network.start:%Y-%m}", end, spec_network.source,
                          spec_network.assumed)
        try:
            network = network_rate_ratio(
                referrals, network_start=spec_network.start, network_end=spec_network.end,
                start=first, end=last, kind=NETWORK_KIND, persons=programme.persons)
        except ValueError:
            missing["network"] = "why_model_failed"
        if network is not None and release is not None:
            # Shown only when its two counts are the ones the audit let through.
            row = network.to_frame().iloc[0]
            audited = (release.network.get("before"), release.network.get("during"))
            if audited != (row["before_referrals"], row["during_referrals"]):
                network, missing["network"] = None, "why_public_withheld"
    elif "network" not in missing:
        missing["network"] = "why_no_network"
    inclusions = None
    persons = programme.persons
    if persons is None or not len(persons):
        missing["inclusions"] = "why_no_persons"
    else:
        hidden: set[str] = set()
        if release is not None:
            shown = release.conversion.shown_rows() if release.conversion is not None \
                else set()
            hidden = set(persons["contact_channel"].astype(str)) - shown
            persons = persons[persons["contact_channel"].astype(str).isin(shown)]
        if hidden & set(REFERRAL_CHANNELS):
            # A referral channel's counts are withheld: the referred group would be short.
            missing["inclusions"] = "why_public_withheld"
        else:
            try:
                inclusions = referral_inclusions(persons, referral_channels=REFERRAL_CHANNELS)
            except ValueError:
                missing["inclusions"] = "why_no_referral_channel"
    return NetworkAssessment(matrix, by_month, inclusions, network, network_period, names,
                             missing, synthetic, public, config.language)


__all__ = ["NETWORK_KIND", "PARTS", "NetworkAssessment", "assess_network", "party_name"]

"""Figures of the partners' network: who refers whom (a heatmap and a flow diagram),
referrals month by month with the network's active period shaded, the rates before and
during the network, and the conversion of referred persons.

Words come from the catalogue (:mod:`exitanalysis.text`), in English and Danish.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from ..assess.network import party_name
from ..errors import ArgumentError
from ..models.referrals import KINDS
from ..text import Language, label, number
from .style import (
    GREY,
    colours,
    finish,
    new_axes,
    period_label,
    place_legend,
    set_alt_text,
    share_axis,
    shares_in_words,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.referrals import (
        MatrixKind,
        NetworkRateRatio,
        ReferralInclusions,
        ReferralMatrix,
    )

_CELL = "#0072B2"
_WITHHELD = "#d9d9d9"
_INTAKE = "#000000"


def kind_name(kind: str, language: Language = "en") -> str:
    """How a figure names a kind of referral (``between_partners``: between partners)."""
    return label(f"referral_{kind}", language)


def _withheld(mask: Any, table: pd.DataFrame) -> pd.DataFrame:
    """The withheld-cell mask aligned with ``table``: a frame by labels (missing: shown) or
    an array of the table's shape."""
    if mask is None:
        return pd.DataFrame(False, index=table.index, columns=table.columns)
    if isinstance(mask, pd.DataFrame):
        return mask.reindex(index=table.index, columns=table.columns).fillna(False).astype(bool)
    array = np.asarray(mask, dtype=bool)
    if array.shape != table.shape:
        raise ArgumentError("withheld", f"expected a boolean mask of shape {table.shape}")
    return pd.DataFrame(array, index=table.index, columns=table.columns)


def _largest(table: pd.DataFrame, hidden: pd.DataFrame, language: Language,
             names: Mapping[str, str] | None, k: int = 5) -> str:
    """The ``k`` largest shown flows, ``A → B 221; …``, for alt text."""
    long = table.where(~hidden).stack().dropna()
    long = long[long > 0].sort_values(ascending=False, kind="stable").head(k)
    return "; ".join(f"{party_name(a, language, names)} → {party_name(b, language, names)} "
                     f"{number(v, language)}" for (a, b), v in long.items())


def plot_referral_heatmap(matrix: ReferralMatrix, ax: Axes | None = None, *,
                          kind: MatrixKind = "referrals", withheld: Any = None,
                          names: Mapping[str, str] | None = None, language: Language = "en",
                          synthetic: bool = False) -> Axes:
    """Cells: the count from each party (rows) to each party (columns), annotated, darker for
    more; parties that neither refer nor receive are left out.

    Parameters
    ----------
    matrix
        The referral matrix.
    kind
        ``"referrals"``, ``"persons"`` or ``"anonymous"``.
    withheld
        Cells that must not be shown (a public report's small counts): a boolean frame with
        the parties as index and columns, or an array of the shape of ``matrix.table()``.
        They are grey and read ``..``.
    names
        Display names of the organisations (the config's).
    """
    full = matrix.table(kind)
    hidden_full = _withheld(withheld, full)
    rows = [p for p in full.index if full.loc[p].sum() > 0]
    columns = [p for p in full.columns if full[p].sum() > 0]
    table = full.loc[rows, columns] if rows and columns else full
    hidden = hidden_full.loc[table.index, table.columns]
    ax = new_axes(ax, size=(min(9.0, 2.5 + 0.9 * len(table.columns)),
                            1.6 + 0.5 * len(table.index)))
    values = table.to_numpy(dtype=float)
    shown = np.ma.masked_array(values, mask=hidden.to_numpy())
    top = float(shown.max()) if shown.count() and shown.max() > 0 else 1.0
    ax.imshow(shown, cmap=_sequential(), vmin=0, vmax=top, aspect="auto")
    symbol = label("suppressed_symbol", language)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if hidden.iat[i, j]:
                text, colour = symbol, "#636363"
            else:
                text = number(values[i, j], language)
                colour = "white" if values[i, j] > 0.6 * top else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(range(len(table.columns)),
                  [party_name(p, language, names) for p in table.columns], rotation=45,
                  ha="right")
    ax.set_yticks(range(len(table.index)), [party_name(p, language, names) for p in table.index])
    ax.grid(False)
    what = label(kind, language) if kind != "anonymous" else kind_name("anonymous", language)
    set_alt_text(ax.figure, label("alt_referral_heatmap", language, what=what,
                                  flows=_largest(table, hidden, language, names)))
    title = "title_referral_heatmap_persons" if kind == "persons" else "title_referral_heatmap"
    return finish(ax, title=label(title, language), xlabel=label("referral_to", language),
                  ylabel=label("referral_from", language), synthetic=synthetic,
                  language=language)


def _sequential() -> Any:
    import matplotlib

    return matplotlib.colormaps["Blues"].with_extremes(bad=_WITHHELD)


def plot_referral_flows(matrix: ReferralMatrix, ax: Axes | None = None, *,
                        kind: MatrixKind = "referrals", withheld: Any = None,
                        names: Mapping[str, str] | None = None, language: Language = "en",
                        synthetic: bool = False) -> Axes:
    """A flow diagram: the referring parties on the left, the receiving parties on the right,
    a curve from each to each with a width by count and the colour of the referring party.

    Parameters
    ----------
    matrix, kind, withheld, names
        As for :func:`plot_referral_heatmap`. Withheld flows are thin dashed grey curves, and
        the parties' totals are then not written (they would give the withheld counts away).
    """
    table = matrix.table(kind)
    hidden = _withheld(withheld, table)
    out_total, in_total = table.sum(axis=1), table.sum(axis=0)
    left = [p for p in table.index if out_total[p] > 0]
    right = [p for p in table.columns if in_total[p] > 0]
    ax = new_axes(ax, size=(8.0, 1.5 + 0.45 * max(len(left), len(right), 1)))
    height = max(len(left), len(right), 1)
    y_left = {p: height - 1 - i * (height - 1) / max(len(left) - 1, 1) for i, p in
              enumerate(left)}
    y_right = {p: height - 1 - i * (height - 1) / max(len(right) - 1, 1) for i, p in
               enumerate(right)}
    palette = colours(list(matrix.parties), list(matrix.parties))
    top = float(table.where(~hidden).max().max()) if len(left) else 1.0
    top = top if np.isfinite(top) and top > 0 else 1.0
    flows = [(a, b, float(table.loc[a, b])) for a in left for b in right
             if table.loc[a, b] > 0]
    for a, b, count in sorted(flows, key=lambda f: -f[2]):  # the thin on top of the thick
        y0, y1 = y_left[a], y_right[b]
        path = Path([(0.0, y0), (0.5, y0), (0.5, y1), (1.0, y1)],
                    [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
        if hidden.loc[a, b]:
            style: dict[str, Any] = {"lw": 0.8, "ls": "--", "edgecolor": GREY, "alpha": 0.8}
        else:
            style = {"lw": 0.6 + 13.0 * count / top, "edgecolor": palette[a], "alpha": 0.55}
        ax.add_patch(PathPatch(path, facecolor="none", capstyle="butt", **style))
    any_hidden = bool(hidden.to_numpy().any())
    for side, (positions, totals, x, align) in {
            "left": (y_left, out_total, -0.02, "right"),
            "right": (y_right, in_total, 1.02, "left")}.items():
        for party, y in positions.items():
            name = party_name(party, language, names)
            text = name if any_hidden else f"{name} ({number(totals[party], language)})"
            ax.text(x, y, text, ha=align, va="center", fontsize=9,
                    color=palette[party] if side == "left" else "black")
        ax.plot([0.0 if side == "left" else 1.0] * len(positions), list(positions.values()),
                "s", color="#404040", ms=5)
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(-0.7, height - 0.3)
    ax.set_axis_off()
    what = label(kind, language) if kind != "anonymous" else kind_name("anonymous", language)
    set_alt_text(ax.figure, label("alt_referral_flows", language, what=what,
                                  flows=_largest(table, hidden, language, names)))
    title = "title_referral_flows_persons" if kind == "persons" else "title_referral_flows"
    ax.text(-0.02, height - 0.3, label("referral_from", language), ha="right", va="bottom",
            fontsize=10, fontweight="bold")
    ax.text(1.02, height - 0.3, label("referral_to", language), ha="left", va="bottom",
            fontsize=10, fontweight="bold")
    return finish(ax, title=label(title, language), synthetic=synthetic, language=language)


def plot_referrals_by_month(frame: pd.DataFrame, ax: Axes | None = None, *,
                            network_start: object | None = None,
                            network_end: object | None = None, language: Language = "en",
                            synthetic: bool = False) -> Axes:
    """Stacked bars: referrals per month by kind (kinds with none are left out); a black
    line, when the frame has it, for the partner intake; the network's active period shaded.

    Parameters
    ----------
    frame
        What :func:`~exitanalysis.models.referrals.referrals_by_month` returns.
    network_start, network_end
        The first and last month of the network (``"YYYY-MM"``, Period or date);
        ``network_end=None``: to the last month shown.
    """
    ax = new_axes(ax)
    months = [str(m) for m in frame["month"]]
    x = np.arange(len(months))
    kinds = [k for k in KINDS if k in frame.columns and frame[k].sum() > 0]
    palette = colours(kinds, list(KINDS))
    if network_start is not None and months:
        first = _index(network_start, months, "network_start")
        last = len(months) - 1 if network_end is None else _index(network_end, months,
                                                                  "network_end")
        ax.axvspan(first - 0.5, last + 0.5, color=GREY, alpha=0.15, lw=0,
                   label=label("network_active", language))
    bottom = np.zeros(len(months))
    for kind in kinds:
        values = frame[kind].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, width=0.85, color=palette[kind],
               label=kind_name(kind, language))
        bottom += values
    if "partner_intake" in frame.columns:
        ax.step(x, frame["partner_intake"].to_numpy(dtype=float), where="mid", color=_INTAKE,
                lw=1.3, label=label("referral_partner_intake_part", language))
    ticks = [i for i, m in enumerate(months) if m.endswith(("-01", "-07"))] or list(
        range(len(months)))
    ax.set_xticks(ticks, [period_label(months[i], language) for i in ticks], rotation=45,
                  ha="right")
    ax.set_xlim(-0.6, len(months) - 0.4)
    ax.set_ylim(bottom=0)
    place_legend(ax, title=label("referral_kind", language))
    totals = ", ".join(f"{kind_name(k, language)} {number(frame[k].sum(), language)}"
                       for k in kinds)
    network = ("" if network_start is None or not months else
               label("alt_network_span", language,
                     first=period_label(months[_index(network_start, months,
                                                      "network_start")], language)))
    set_alt_text(ax.figure, label("alt_referrals_by_month", language,
                                  first=period_label(months[0], language) if months else "",
                                  last=period_label(months[-1], language) if months else "",
                                  totals=totals, network=network))
    return finish(ax, title=label("title_referrals_by_month", language),
                  xlabel=label("month", language),
                  ylabel=label("referrals_per_month", language), synthetic=synthetic,
                  language=language)


def _index(month: object, months: list[str], name: str) -> int:
    """The position of ``month`` among ``months`` (clipped to the ends)."""
    try:
        if isinstance(month, pd.Period):
            key = str(month.asfreq("M"))
        elif isinstance(month, str) and len(month) == 7:
            key = str(pd.Period(month, freq="M"))
        else:
            key = str(pd.Timestamp(month).to_period("M"))
    except (TypeError, ValueError):
        raise ArgumentError(name, "expected a month: 'YYYY-MM', a pandas Period or a "
                                  "date") from None
    if key < months[0]:
        return 0
    if key > months[-1]:
        return len(months) - 1
    return months.index(key)


def plot_network_rate_ratio(result: NetworkRateRatio, ax: Axes | None = None, *,
                            language: Language = "en", synthetic: bool = False) -> Axes:
    """Dots and bars: referrals a month before the network and while it was active, with
    their exact 95 % intervals; the title gives the rate ratio and its interval."""
    row = result.to_frame().iloc[0]
    ax = new_axes(ax, size=(8.0, 2.6))
    names = [label("network_before", language), label("network_during", language)]
    for position, period in zip((1, 0), ("before", "during"), strict=True):
        colour = GREY if period == "before" else _CELL
        ax.plot([row[f"{period}_low"], row[f"{period}_high"]], [position, position],
                color=colour, lw=2)
        ax.plot([row[f"{period}_rate"]], [position], "o", color=colour, ms=7)
    labels = [f"{name}\n{period_label(row[f'{p}_first'], language)}–"
              f"{period_label(row[f'{p}_last'], language)}"
              for name, p in zip(names, ("before", "during"), strict=True)]
    ax.set_yticks([1, 0], labels)
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlim(left=0)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    ratio, low, high = (_ratiolabel(row[c], language) for c in ("rate_ratio", "low", "high"))
    rates = "; ".join(f"{name} {number(row[f'{p}_rate'], language, 1)} "
                      f"({number(row[f'{p}_low'], language, 1)}–"
                      f"{number(row[f'{p}_high'], language, 1)})"
                      for name, p in zip(names, ("before", "during"), strict=True))
    set_alt_text(ax.figure, label("alt_network_rate_ratio", language, rates=rates, ratio=ratio,
                                  low=low, high=high))
    kind = kind_name(str(row["kind"]), language)
    title = label("title_network_rate_ratio", language, kind=kind[:1].upper() + kind[1:],
                  ratio=ratio, low=low, high=high)
    return finish(ax, title=textwrap.fill(title, 75),
                  xlabel=label("referrals_a_month", language), synthetic=synthetic,
                  language=language)


def _ratiolabel(value: float, language: Language) -> str:
    return "∞" if np.isinf(value) else number(value, language, 2)


def plot_referral_inclusions(result: ReferralInclusions, ax: Axes | None = None, *,
                             language: Language = "en", synthetic: bool = False) -> Axes:
    """Dots: the share of persons contacted who were included, referred or not; bars: the
    Wilson 95 % interval."""
    table = result.to_frame()
    ax = new_axes(ax, size=(8.0, 2.2))
    y = np.arange(len(table))[::-1]
    ax.set_ylim(-0.5, len(table) - 0.5)
    for position, row in zip(y, table.itertuples(index=False), strict=True):
        colour = _CELL if row.group == "referred" else GREY
        ax.plot([row.conversion_low, row.conversion_high], [position, position], color=colour,
                lw=2)
        ax.plot([row.conversion], [position], "o", color=colour, ms=7)
    shown = [label(str(g), language) for g in table["group"]]
    share_axis(ax, y, shown, language)
    set_alt_text(ax.figure, label("alt_referral_inclusions", language, shares=shares_in_words(
        shown, table["conversion"], table["conversion_low"], table["conversion_high"],
        language)))
    return finish(ax, title=label("title_referral_inclusions", language),
                  xlabel=label("share_included", language), synthetic=synthetic,
                  language=language)


__all__ = ["kind_name", "party_name", "plot_network_rate_ratio",
           "plot_referral_flows", "plot_referral_heatmap", "plot_referral_inclusions",
           "plot_referrals_by_month"]

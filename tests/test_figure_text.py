"""Figures read right in both languages: locale number and date formats, legends that cover
no data, stable category colours, the closure as an uncertain date, legible sizes."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")  # this test process only

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import exitanalysis as xa
from conftest import DEFAULT_CONFIG
from exitanalysis.figures.overview import plot_contacts_by_month, plot_table_coverage
from exitanalysis.figures.shortfall import plot_forecast_fan
from exitanalysis.figures.style import colours
from exitanalysis.text import label

#: Figures with dates on the x axis (the others show categories, rates or counts there).
DATED = ("fan", "replay", "case_replay", "contacts_organisation", "contacts_contact_channel")
ISO_MONTH = re.compile(r"\d{4}-\d{2}")
ISO_QUARTER = re.compile(r"\d{4}Q\d")
#: A decimal point (Danish) or comma (English) between digits; ``1.234`` and ``1,234`` are
#: thousands and do not match.
WRONG_DECIMAL = {"da": re.compile(r"\d\.\d(?!\d\d)"), "en": re.compile(r"\d,\d(?!\d\d)")}
SHORT_MONTH = {"da": re.compile(r"\b(jan|jul)\. \d{4}\b"), "en": re.compile(r"\b(Jan|Jul) \d{4}\b")}


def _figures(language: str) -> dict[str, Figure]:
    config = xa.load_config(DEFAULT_CONFIG).with_overrides(language=language)
    programme = xa.load_programme(config)
    shortfall = xa.assess_shortfall(programme)
    overview = xa.data_overview(programme)
    public = xa.data_overview(xa.load_programme(config.with_overrides(audience="public")))
    axes = {
        "fan": shortfall.plot(),
        "forecast": plot_forecast_fan(shortfall.forecast, language=language),
        "replay": shortfall.plot_replay(),
        "case_replay": shortfall.plot_case_replay(),
        "required": shortfall.plot_requirement(),
        "models": shortfall.plot_models(),
        "partners": shortfall.plot_partners(),
        **{f"contacts_{by}": overview.plot(by=by)
           for by in ("organisation", "contact_channel", "sales_channel")},
        "coverage": overview.plot_coverage(),
        "public_contacts": public.plot(),
        "public_coverage": public.plot_coverage(),
    }
    return {name: ax.figure for name, ax in axes.items()}


@pytest.fixture(scope="module", params=["da", "en"])
def figures(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, Figure]]]:
    built = _figures(request.param)
    yield request.param, built
    for fig in built.values():
        plt.close(fig)


def svg_texts(fig: Figure) -> list[str]:
    """Every text the saved SVG shows (kept as text, not paths)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    root = ET.fromstring(buffer.getvalue())
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_numbers_months_and_quarters_are_written_in_the_reader_s_locale(figures) -> None:
    language, built = figures
    for name, fig in built.items():
        texts = svg_texts(fig)
        for pattern in (WRONG_DECIMAL[language], ISO_MONTH, ISO_QUARTER):
            assert not [t for t in texts if pattern.search(t)], (name, pattern.pattern, texts)
        if name in DATED:
            assert any(SHORT_MONTH[language].search(t) for t in texts), (name, texts)
    coverage = " ".join(svg_texts(built["coverage"]))
    assert ("1. kvt. 2020" if language == "da" else "Q1 2020") in coverage


def test_legends_cover_no_data(figures) -> None:
    language, built = figures
    for name, fig in built.items():
        fig.canvas.draw()
        ax = fig.axes[0]
        legends = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]
        plot_area = ax.get_window_extent()
        for legend in legends:
            assert not legend.get_window_extent().overlaps(plot_area), name
    # The fan's target line runs across the top: no legend may sit on it.
    for name in ("fan", "forecast"):
        fig = built[name]
        ax = fig.axes[0]
        target = next(line for line in ax.get_lines()
                      if line.get_label().startswith(label("target_line", language)))
        y = ax.transData.transform((0.0, target.get_ydata()[0]))[1]
        for legend in [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]:
            box = legend.get_window_extent()
            assert not (box.y0 <= y <= box.y1), name


def test_a_category_keeps_its_colour_whatever_else_is_present(tmp_path) -> None:
    keys = ["reden_kbh", "reden_int", "liva"]
    alone = colours(["liva"], keys)
    assert alone == {"liva": colours(keys, keys)["liva"]}
    assert colours(["unknown", "other"], []) == colours(["other", "unknown"], keys)
    # Through a figure: leaving out the largest channel changes no other channel's colour.
    overview = xa.data_overview(xa.load_programme(xa.load_config(DEFAULT_CONFIG)))
    contacts = overview.contacts
    largest = contacts.groupby("contact_channel")["contacted"].sum().idxmax()

    def bar_colours(frame: pd.DataFrame) -> dict[str, str]:
        ax = plot_contacts_by_month(frame, by="contact_channel")
        shown = {c.get_label(): to_hex(c.patches[0].get_facecolor()) for c in ax.containers}
        plt.close(ax.figure)
        return shown

    every = bar_colours(contacts)
    fewer = bar_colours(contacts[contacts["contact_channel"] != largest])
    assert len(fewer) == len(every) - 1
    assert fewer == {k: v for k, v in every.items() if k in fewer}


def test_the_closure_is_an_uncertain_date_not_a_closed_year(figures) -> None:
    language, built = figures
    expected = {"da": "lukket på en ukendt dato i 2023 (jan.–dec.)",
                "en": "closed at an unknown date in 2023 (Jan–Dec)"}[language]
    for name in ("fan", "replay"):
        band = [p for p in built[name].axes[0].patches if p.get_label() == expected]
        assert len(band) == 1, name
        assert band[0].get_hatch() and band[0].get_facecolor()[3] == 0.0, name  # no fill


def test_sizes_and_text_are_legible(figures) -> None:
    _, built = figures
    for name, fig in built.items():
        assert fig.get_figwidth() <= 9.0, name
        small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
                 if t.get_visible() and t.get_text().strip() and t.get_fontsize() < 8]
        assert not small, (name, small)


def test_heat_map_cells_are_large_numbers_in_the_locale() -> None:
    frame = pd.DataFrame({"table": ["persons", "persons"], "quarter": ["2020Q1", "2020Q2"],
                          "rows": [1234, 5]})
    ax = plot_table_coverage(frame, language="da")
    cells = [t for t in ax.texts if t.get_text() in {"1.234", "5"}]
    assert len(cells) == 2 and min(t.get_fontsize() for t in cells) >= 9
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1. kvt. 2020", "2. kvt. 2020"]
    plt.close(ax.figure)

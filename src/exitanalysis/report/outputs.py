"""Show and write a report's figures and tables: captions, alt text, escaped labels, the
reader's language and number format, stable names, stable bytes.

Notebooks call :func:`show_figure` and :func:`show_table` with the folders the pipeline passes
as parameters; with a folder of ``None`` (a notebook opened in JupyterLab) nothing is written,
but the figure or table is still shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..text import Language, has_label, label, number, percent, probability
from ..text import date as date_text
from ..text import month as month_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _checked_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"output name {name!r}: use lower-case letters, digits, '_' and '-' (named by content)"
        )
    return name


# --- figures --------------------------------------------------------------------------------


def save_figure(
    fig: Figure,
    name: str,
    folder: str | Path | None,
    *,
    synthetic: bool,
    language: Language = "en",
    png: bytes | None = None,
) -> None:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` in ``folder``.

    Parameters
    ----------
    fig
        The figure (``ax.figure``).
    name
        Named by content, e.g. ``contacts_by_month_organisation``.
    folder
        Where to write; ``None`` writes nothing (interactive use).
    synthetic
        Whether the figure is built from synthetic data; if so, the mark is added when the
        plotting function did not add it already.
    png
        The figure already drawn as PNG (by :func:`show_figure`, with the mark): written as
        it is rather than drawn again.
    """
    import matplotlib as mpl

    from ..figures.style import mark_synthetic

    if synthetic:
        mark_synthetic(fig, language)
    if folder is None:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = _checked_name(name)
    # No dates, versions or random ids in the files: identical inputs give identical bytes.
    # Text stays text in SVG (searchable, and checkable for a report's language).
    if png is None:
        fig.savefig(folder / f"{stem}.png", metadata={"Software": None}, bbox_inches="tight")
    else:
        (folder / f"{stem}.png").write_bytes(png)
    with mpl.rc_context({"svg.hashsalt": "exitanalysis", "svg.fonttype": "none"}):
        fig.savefig(folder / f"{stem}.svg", metadata={"Date": None}, bbox_inches="tight")


#: Pixels per CSS pixel of a figure shown in a report (2: sharp on high-resolution screens).
PIXEL_DENSITY = 2
#: Screens at most this wide (CSS px) get the phone drawing of a figure.
PHONE_SCREEN = 600


def _png_size(png: bytes) -> tuple[int, int]:
    """The CSS size of a PNG drawn at :data:`PIXEL_DENSITY` (from its IHDR header)."""
    return (int.from_bytes(png[16:20], "big") // PIXEL_DENSITY,
            int.from_bytes(png[20:24], "big") // PIXEL_DENSITY)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class ShownFigure:
    """A figure as a report shows it: an embedded PNG with alt text and a caption."""

    name: str
    png: bytes
    alt: str
    caption: str
    #: The same figure drawn for a phone (:func:`exitanalysis.figures.style.fit_width`).
    phone_png: bytes | None = None

    def _repr_html_(self) -> str:
        # Drawn at twice the shown size: sharp on high-resolution screens, and it scales down;
        # a phone gets its own narrower drawing, whose text stays readable.
        phone = ""
        if self.phone_png is not None:
            w, h = _png_size(self.phone_png)
            phone = (f'<source media="(max-width: {PHONE_SCREEN}px)" width="{w}" height="{h}" '
                     f'srcset="data:image/png;base64,{_b64(self.phone_png)}">')
        width, height = _png_size(self.png)
        return (
            f'<figure class="xa-figure" id="figure-{html.escape(self.name)}"><picture>{phone}'
            f'<img src="data:image/png;base64,{_b64(self.png)}" width="{width}" '
            f'height="{height}" alt="{html.escape(self.alt)}"></picture>'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def __repr__(self) -> str:
        return f"<figure {self.name}: {self.caption}>"


def show_figure(
    fig: Figure,
    name: str,
    folder: str | Path | None,
    *,
    synthetic: bool,
    language: Language = "en",
) -> ShownFigure:
    """Save ``fig`` (see :func:`save_figure`) and return it for display with alt text and a
    caption; the matplotlib figure is closed, so it is not shown twice.

    The alt text is what the plotting function wrote for it
    (:func:`exitanalysis.figures.style.alt_text`), else its title and axis labels; the caption
    is what the figure's maker attached (:func:`exitanalysis.figures.style.set_caption`:
    source, bands, assumptions), else its title, led by the synthetic mark when synthetic.
    """
    import matplotlib.pyplot as plt

    from ..figures.style import alt_text, caption, figure_title, fit_width, mark_synthetic

    if synthetic:
        mark_synthetic(fig, language)
    # Drawn once for the page and the figures folder alike: the file is what the page shows.
    wide = _png(fig)
    save_figure(fig, name, folder, synthetic=synthetic, language=language, png=wide)
    # The title (in the image) states the finding; the caption says what it rests on.
    text = caption(fig) or figure_title(fig)
    if synthetic:
        text = f"{label('synthetic_mark', language)}. {text}"
    fit_width(fig)
    shown = ShownFigure(name=_checked_name(name), png=wide, alt=alt_text(fig, language),
                        caption=text, phone_png=_png(fig))
    plt.close(fig)
    return shown


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight",
                dpi=100 * PIXEL_DENSITY)
    return buffer.getvalue()


def json_safe(value: object) -> object:
    """``value`` with every non-finite float (NaN, ±inf) replaced by ``None``, recursively:
    what a JSON reader can parse (``NaN`` is not JSON) and never a ``nan`` in a report."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


# --- tables ---------------------------------------------------------------------------------


def save_table(frame: pd.DataFrame, name: str, folder: str | Path | None, *,
               index: bool = False) -> None:
    """Save ``frame`` as ``<name>.csv`` (UTF-8, ``,``-separated, LF) in ``folder``.

    ``None`` as folder writes nothing. Text cells that a spreadsheet would run as a formula
    (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with ``'``.
    """
    if folder is None:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_checked_name(name)}.csv"
    safe = frame.copy()
    if index:
        safe = safe.reset_index()
    safe.columns = [_defuse(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or isinstance(safe[column].dtype, pd.StringDtype):
            safe[column] = safe[column].map(lambda v: _defuse(v) if isinstance(v, str) else v)
    safe.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _defuse(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class ShownTable:
    """A table as a report shows it (escaped HTML), and the frame it came from."""

    name: str
    html: str
    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<table {self.name}: {len(self.frame)} rows>"


#: How a column is written, by kind. ``probability`` is a share shown in per cent that can be
#: astronomically small; ``hash`` shortens a SHA-256 (the CSV keeps it whole).
FORMAT_KINDS = ("int", "float1", "float2", "float3", "percent", "probability", "hash", "month",
                "date", "text")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def show_table(
    frame: pd.DataFrame,
    name: str,
    folder: str | Path | None,
    *,
    language: Language = "en",
    index: bool = False,
    formats: Mapping[str, str] | None = None,
) -> ShownTable:
    """Save ``frame`` as CSV (see :func:`save_table`) and return it for display.

    Column headers and category values are translated with the report vocabulary, numbers
    are written the reader's way (``1.234,5`` in Danish), every label is HTML-escaped (pandas'
    Styler does not escape by default), and the table id is fixed (``name``), so identical
    inputs give identical HTML.

    Parameters
    ----------
    formats
        Column → one of ``int``, ``float1``, ``float2``, ``float3``, ``percent``,
        ``probability``, ``hash``, ``month``, ``date``, ``text``; other columns are inferred
        from their type and name (``p_reach*`` is a probability, ``sha256`` a hash, ``share``
        a percentage, ``YYYY-MM`` a month and ``YYYY-MM-DD`` a date in words). Numbers follow
        the report's rules: whole numbers for counts, one decimal for rates.
    """
    save_table(frame, name, folder, index=index)
    shown = frame.reset_index() if index else frame.copy()
    kinds = {c: (formats or {}).get(str(c)) or _infer_kind(str(c), shown[c]) for c in shown}
    writers = {c: _writer(kind, language) for c, kind in kinds.items()}
    body = pd.DataFrame({c: [writers[c](v) for v in shown[c]] for c in shown.columns},
                        index=range(len(shown)))
    headers = [_header(str(c), language) for c in shown.columns]
    body.columns = headers
    styler = body.style.hide(axis="index")
    styler.set_uuid(_checked_name(name).replace("-", "_"))
    styler.format(escape="html")
    styler.set_table_attributes('class="xa-table"')
    numeric = [h for h, k in zip(headers, kinds.values(), strict=True)
               if k not in ("text", "hash")]
    text = [h for h in headers if h not in numeric]
    if numeric:
        styler.set_properties(subset=numeric, **{"text-align": "right"})
    if text:
        styler.set_properties(subset=text, **{"text-align": "left"})
    # In a box of its own that scrolls sideways, so a wide table never widens a phone's page.
    shown_html = f'<div class="xa-table-wrap">{styler.to_html(doctype_html=False)}</div>'
    return ShownTable(name=name, html=shown_html, frame=frame)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _header(column: str, language: Language) -> str:
    """A column header in the reader's words; a date as a header is a date in words."""
    if _ISO_DATE.match(column):
        return date_text(dt.date.fromisoformat(column), language)
    return _capitalised(label(column, language))


def _infer_kind(column: str, values: pd.Series) -> str:
    if column.startswith("p_reach"):
        return "probability"
    if column == "sha256":
        return "hash"
    if column in ("share",):
        return "percent"
    if pd.api.types.is_bool_dtype(values):
        return "text"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if len(whole) and (whole == whole.round()).all() and whole.abs().max() < 1e12:
            return "int"
        return "float1"
    text = values.dropna().astype(str)
    if len(text) and text.str.match(_ISO_MONTH).all():
        return "month"
    if len(text) and text.str.match(_ISO_DATE).all():
        return "date"
    return "text"


def _writer(kind: str, language: Language) -> Callable[[Any], str]:
    def missing(value: Any) -> bool:
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))

    def write(value: Any) -> str:
        if missing(value):
            return "–"
        if kind == "int":
            return number(float(value), language)
        if kind.startswith("float"):
            return number(float(value), language, int(kind[-1]))
        if kind == "percent":
            return percent(float(value), language)
        if kind == "probability":
            return probability(float(value), language)
        if kind == "hash":
            return str(value)[:12] + "…"
        if kind == "month":
            return month_text(str(value)[:7], language)
        if kind == "date":
            return date_text(dt.date.fromisoformat(str(value)[:10]), language)
        if isinstance(value, bool):
            return label("yes" if value else "no", language)
        text = str(value)
        return label(text, language) if has_label(text) else text

    return write


__all__ = ["ShownFigure", "ShownTable", "json_safe", "save_figure", "save_table",
           "show_figure", "show_table"]

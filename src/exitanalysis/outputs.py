"""Write a report's figures and tables: stable names, stable bytes, synthetic marks enforced.

Notebooks call these with the folders the pipeline passes as parameters; with a folder of
``None`` (a notebook opened in JupyterLab) nothing is written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .text import Language

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _checked_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"output name {name!r}: use lower-case letters, digits, '_' and '-' (named by content)"
        )
    return name


def save_figure(
    fig: Figure,
    name: str,
    folder: str | Path | None,
    *,
    synthetic: bool,
    language: Language = "en",
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
    """
    import matplotlib as mpl

    from .plotting import mark_synthetic

    if synthetic:
        mark_synthetic(fig, language)
    if folder is None:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = _checked_name(name)
    # No dates, versions or random ids in the files: identical inputs give identical bytes.
    with mpl.rc_context({"svg.hashsalt": "exitanalysis"}):
        for suffix, metadata in ((".png", {"Software": None}), (".svg", {"Date": None})):
            fig.savefig(folder / f"{stem}{suffix}", metadata=metadata, bbox_inches="tight")


def save_table(frame: pd.DataFrame, name: str, folder: str | Path | None, *,
               index: bool = False) -> None:
    """Save ``frame`` as ``<name>.csv`` (UTF-8, ``,``-separated, LF) in ``folder``.

    ``None`` as folder writes nothing. Text cells that a spreadsheet would run as a formula
    (starting with ``=``, ``+``, ``-``, ``@``) are prefixed with ``'``.
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

"""What a committee reads first: the key findings of a report and what they rest on, and the
notes that open a section or say what a public report hides.

Every report opens with a :class:`KeyFindings` box (three or four plain sentences, numbers
rounded to what they can bear) whose basis line names what it rests on; the renderer frames
sections built from synthetic data, and reads the box's ``data-xa-basis`` to tell a page that
rests on real figures from one that does not.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..text import Language, label

if TYPE_CHECKING:
    from ..data.programme import Programme


def about(value: float) -> int:
    """A count rounded to what a forecast can bear: two significant digits from 100 on
    (``131`` → ``130``), whole numbers below."""
    if value < 100:
        return round(value)
    step = 10 ** (len(str(round(value))) - 2)
    return round(value / step) * step


class Sentences(str):
    """Computed sentences that show as Markdown in a notebook (one paragraph a line) and are
    plain text everywhere else."""

    __slots__ = ()

    @property
    def text(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return "\n\n".join(self.splitlines())


@dataclass(frozen=True)
class KeyFindings:
    """The three or four sentences a committee reads first, and what they rest on.

    Attributes
    ----------
    sentences
        How far off, how sure, what it would take, since when: plain words, rounded numbers.
    basis
        What the findings rest on (a published figure with its source, or case data).
    synthetic
        Whether they rest on synthetic data (then the box says so, in red).
    language
        The sentences' language.
    """

    sentences: tuple[str, ...]
    basis: str
    synthetic: bool
    language: Language = "en"

    def summary(self) -> str:
        return "\n".join([*self.sentences, self.basis])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"finding": list(self.sentences)})

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        kind = "synthetic" if self.synthetic else "real"
        return (f'<section class="xa-findings xa-findings-{kind}" data-xa-basis="{kind}">'
                f'<p class="xa-findings-title">{html.escape(label("key_findings", self.language))}'
                f'</p><ul>{items}</ul><p class="xa-findings-basis">{html.escape(self.basis)}</p>'
                "</section>")

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class SectionNote:
    """A note that opens a section and says what it rests on (red when synthetic)."""

    text: str
    synthetic: bool

    def _repr_html_(self) -> str:
        if not self.text:
            return ""
        css = "xa-synthetic" if self.synthetic else "xa-case-basis"
        return f'<div class="{css}" role="note">{html.escape(self.text)}</div>'

    def __str__(self) -> str:
        return self.text


def note_on_hidden_counts(min_cell: int | None, language: Language = "en") -> SectionNote:
    """The standard note of a public report: what ``..`` means and why larger counts are
    hidden too; empty for an internal report (``min_cell`` ``None``)."""
    if min_cell is None:
        return SectionNote("", synthetic=False)
    return SectionNote(label("disclosure_note", language, k=min_cell,
                             symbol=label("suppressed_symbol", language)), synthetic=False)


def disclosure_note(programme: Programme) -> SectionNote:
    """:func:`note_on_hidden_counts` for a programme's report: shown in a public report,
    empty in an internal one.

    >>> import exitanalysis as xa
    >>> config = xa.load_config("configs/exitpakke.yaml").with_overrides(audience="public")
    >>> print(xa.disclosure_note(xa.load_programme(config)))  # doctest: +ELLIPSIS
    How persons are protected in this public report: counts of fewer than 5 persons ...
    """
    config = programme.config
    public = config.audience == "public"
    return note_on_hidden_counts(config.analysis.min_cell if public else None,
                                 "da" if config.language == "da" else "en")


def parts_frame(result: Any, parts: Sequence[str]) -> pd.DataFrame:
    """Which parts of a report's analysis ran, and why the others did not (the result's
    ``missing``: part → a ``why_*`` key)."""
    return pd.DataFrame({"part": list(parts),
                         "ran": [getattr(result, p) is not None for p in parts],
                         "why_not": [result.missing.get(p, "") for p in parts]})


def parts_summary(result: Any, parts: Sequence[str],
                  describe: Mapping[str, Callable[[Any], str]] | None = None) -> str:
    """Each part's own summary (or ``describe[part]`` of it), or why it did not run."""
    lines = []
    for part in parts:
        value = getattr(result, part)
        if value is None:
            lines.append(f"{part}: not run ({result.missing.get(part, 'no data')}).")
        elif describe and part in describe:
            lines.append(describe[part](value))
        else:
            lines.append(value.summary())
    return "\n\n".join(lines)


def parts_findings(sentences: Sequence[str], *, nothing: str, basis: str, synthetic: bool,
                   language: Language) -> KeyFindings:
    """The key findings of a report built from parts: one sentence per part that ran (or
    the ``nothing`` sentence), on the ``basis`` sentence, marked when synthetic."""
    said = tuple(sentences) or (label(nothing, language),)
    text = label(basis, language)
    if synthetic:
        text = label("synthetic_prefix", language) + text
    return KeyFindings(said, text, synthetic, language)


def part_missing(kind: str, part: str, why: str, language: Language) -> Sentences:
    """"<the part>: not available here (<why>)", in the reader's language."""
    return Sentences(label(f"{kind}_part_missing", language,
                           part=label(f"{kind}_part_{part}", language),
                           why=label(why, language)))


__all__ = ["KeyFindings", "SectionNote", "Sentences", "about", "disclosure_note",
           "note_on_hidden_counts", "part_missing", "parts_findings", "parts_frame",
           "parts_summary"]

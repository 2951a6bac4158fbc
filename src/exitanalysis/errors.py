"""Exceptions with messages that say what was expected and where.

Every error a user can cause (a bad config, a bad input table, bad arguments) is an
:class:`ExitanalysisError` carrying the exit code of CONTRACT §1. Messages never quote the
content of a data cell: they name the file, the column, the rule and the row numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: How many row numbers a message lists before it summarises the rest.
MAX_ROWS_SHOWN = 20


def format_rows(rows: Sequence[int], limit: int = MAX_ROWS_SHOWN) -> str:
    """Render row numbers compactly: ``rows 2, 5, 9`` or ``rows 2, 5, … (132 rows in all)``.

    Runs of consecutive numbers are written as ranges (``rows 2-40``).
    """
    ordered = sorted(set(int(r) for r in rows))
    if not ordered:
        return ""
    parts: list[str] = []
    start = prev = ordered[0]
    shown = 0
    for r in [*ordered[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        shown += 1
        if r is None:
            break
        start = prev = r
    word = "row" if len(ordered) == 1 else "rows"
    if shown > limit:
        return f"{word} {', '.join(parts[:limit])}, … ({len(ordered)} rows in all)"
    return f"{word} {', '.join(parts)}"


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place.

    Attributes
    ----------
    file
        The file (or config key) where the problem is, as the user wrote it.
    column
        The column or config key concerned, or ``None`` for a whole-file problem.
    rule
        What was expected, in words (never the offending value).
    rows
        Row numbers as a spreadsheet shows them: the header is row 1, the first data row is 2.
    """

    file: str
    column: str | None
    rule: str
    rows: tuple[int, ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, str, str, tuple[int, ...]]:
        """Problems are listed by file, then column (whole-file problems first), rule, rows."""
        return (self.file, self.column or "", self.rule, self.rows)

    def __str__(self) -> str:
        where = self.file if self.column is None else f"{self.file}: column '{self.column}'"
        rows = f": {format_rows(self.rows)}" if self.rows else ""
        return f"{where}: {self.rule}{rows}"


class ExitanalysisError(Exception):
    """Base class of errors a user can cause; ``exit_code`` follows CONTRACT §1."""

    exit_code = 2


class ConfigError(ExitanalysisError):
    """The config file is missing, unreadable or breaks a rule; lists every problem found."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid config {path} ({len(self.problems)} problem(s)):\n{lines}")


class InputError(ExitanalysisError):
    """One or more input tables break the data contract; lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.sort_key))
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid input ({len(self.problems)} problem(s)):\n{lines}")


class UsageError(ExitanalysisError):
    """Command-line arguments that cannot be used (wrong value, unknown notebook)."""


class ArgumentError(UsageError, ValueError):
    """An argument of a library function that cannot be used: it names the argument and says
    what was expected (a ``ValueError`` too, as Python callers expect; exit 2 on the command
    line, where the argument is named as its option)."""

    def __init__(self, argument: str, expected: str) -> None:
        self.argument = argument
        self.expected = expected
        super().__init__(f"{argument}: {expected}")


class NotPublishableError(ExitanalysisError):
    """A public report cannot show recruitment: every count the case data give is below
    ``min_cell`` or would reveal one, and the config has no published figure (exit 2)."""


class LockHeldError(ExitanalysisError):
    """Another run of the same report holds its lock."""

    exit_code = 3


class PublishError(ExitanalysisError):
    """The built report holds something that must not be published (exit 1)."""

    exit_code = 1


class NotebookFailedError(ExitanalysisError):
    """A notebook failed during execution; the partial notebook is kept privately."""

    exit_code = 1


def printable(text: str, lines: bool = False) -> str:
    """``text`` with control characters escaped: a file name with a line break or an escape
    sequence must not forge a line of the log (an "OK" after an error). With ``lines``, the
    line breaks of a multi-line message stay (the paths in it are escaped where they are
    named: :func:`exitanalysis.data.config.display_path`)."""
    return "".join(c if c.isprintable() or (lines and c == "\n") else repr(c)[1:-1]
                   for c in text)


def describe_failure(exc: Exception) -> tuple[int, str]:
    """The exit code of CONTRACT §1 and the log line (after ``exitanalysis: ``) for a run
    that raised ``exc``. A bug's message could quote data, so its line names only its type."""
    if isinstance(exc, ExitanalysisError):
        return exc.exit_code, f"error: {printable(str(exc), lines=True)}"
    if isinstance(exc, OSError):  # a folder that cannot be written, a full disk: which, why
        where = f" {printable(str(exc.filename))}" if exc.filename else ""
        return 2, (f"error: cannot use{where}: {exc.strerror or type(exc).__name__}; "
                   "nothing was published")
    return 1, (f"internal error ({type(exc).__name__}); nothing was published. Please report "
               "it; set EXITANALYSIS_DEBUG=1 to see the traceback (it may show data).")

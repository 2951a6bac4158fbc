"""Where the project's own folders are (notebooks, public data), wherever it is run from."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """The source tree this package was installed from (editable install), else the cwd.

    The project's notebooks and public data live beside ``src/``; an editable install (what
    ``make`` does) finds them from the package itself, so commands work from any folder.
    """
    for parent in _PACKAGE.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "exitanalysis").is_dir():
            return parent
    return Path.cwd()


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def public_data_dir() -> Path:
    return project_root() / "data" / "public"


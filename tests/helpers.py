"""Small hand-made programmes for tests: valid tables as text, written in any format."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

ORGANISATIONS = [
    {"id": "reden_kbh", "name": "Reden København"},
    {"id": "liva", "name": "Liva Rehab"},
]

# Danish letters in ids and dates in several rows, so that an encoding mistake would show.
PERSONS = pd.DataFrame(
    {
        "person_id": ["KBH-Ø01", "KBH-Ø02", "00123", "LIV-Å04", "LIV-Æ05", "KBH-Ø06"],
        "organisation": ["reden_kbh", "reden_kbh", "liva", "liva", "liva", "reden_kbh"],
        "first_contact": ["2020-02-03", "2020-06-15", "2021-01-20", "2021-03-02",
                          "2021-09-30", "2022-05-05"],
        "contact_channel": ["street_outreach", "online_outreach", "self_referral",
                            "partner_referral", "drop_in", "venue_outreach"],
        "sales_channel": ["street", "online", "unknown", "venue", "other", "venue"],
        "included": ["true", "false", "true", "true", "false", "true"],
        "inclusion_date": ["2020-02-20", "", "2021-02-01", "2021-03-02", "", "2022-06-01"],
        "age_band": ["25-34", "18-24", "55+", "unknown", "35-44", "45-54"],
        "origin": ["denmark", "eu", "non_eu", "unknown", "denmark", "eu"],
    }
)
ACTIVITIES = pd.DataFrame(
    {
        "person_id": ["KBH-Ø01", "KBH-Ø01", "00123", "LIV-Å04", "KBH-Ø06"],
        "date": ["2020-03-01", "2020-04-15", "2021-02-10", "2021-04-01", "2022-06-10"],
        "component": ["individual_conversation", "group_course", "bisidning", "home_visit",
                      "accompaniment"],
        "organisation": ["reden_kbh", "reden_kbh", "liva", "liva", "reden_kbh"],
    }
)
OUTCOMES = pd.DataFrame(
    {
        "person_id": ["KBH-Ø01", "00123", "LIV-Å04"],
        "assessed_on": ["2020-08-20", "2021-08-01", "2021-09-02"],
        "outcome": ["employment", "own_housing", "improved_wellbeing"],
        "achieved": ["true", "false", "true"],
    }
)
REFERRALS = pd.DataFrame(
    {
        "date": ["2020-02-20", "2021-03-02", "2021-05-01"],
        "from_party": ["reden_kbh", "reden_kbh", "municipality"],
        "to_party": ["jobcenter", "liva", "liva"],
        "person_id": ["KBH-Ø01", "LIV-Å04", ""],
    }
)
MONTHLY = pd.DataFrame(
    {
        "month": ["2020-01", "2020-01", "2020-02", "2020-02", "2020-03"],
        "organisation": ["reden_kbh", "liva", "reden_kbh", "liva", "reden_kbh"],
        "contact_channel": ["street_outreach", "drop_in", "street_outreach", "drop_in",
                            "online_outreach"],
        "contacted": ["4", "2", "3", "0", "1"],
        "included": ["2", "1", "3", "0", "0"],
    }
)
TABLES = {
    "persons": PERSONS,
    "activities": ACTIVITIES,
    "outcomes": OUTCOMES,
    "referrals": REFERRALS,
}

CONFIG: dict[str, Any] = {
    "programme": {
        "name": "Testprogram",
        "start": "2020-01-01",
        "end": "2023-12-31",
        "target": 100,
        "organisations": ORGANISATIONS,
    },
    "observed": [{"as_of": "2022-01-01", "contacted": 5, "source": "test fixture"}],
    "analysis": {"prior_weight": 0.5},
    "language": "en",
    "audience": "internal",
    "seed": 1,
}


def tables(**changes: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The valid tables as text, with some replaced (or dropped with ``None``)."""
    out = {name: frame.copy() for name, frame in TABLES.items()}
    for name, frame in changes.items():
        if frame is None:
            out.pop(name, None)
        else:
            out[name] = frame
    return out


def write_table(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8", sep: str = ",",
                newline: str = "\n") -> Path:
    """Write text cells exactly as given: CSV in any encoding/separator/line end, xlsx, parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        text = frame.to_csv(index=False, sep=sep, lineterminator=newline)
        path.write_bytes(text.encode(encoding))
    return path


def write_programme(
    folder: Path,
    frames: dict[str, pd.DataFrame] | None = None,
    config_changes: dict[str, Any] | None = None,
    *,
    suffix: str = ".csv",
    **csv_options: Any,
) -> Path:
    """Write tables and a config naming them; returns the config path."""
    frames = tables() if frames is None else frames
    data = {}
    for name, frame in frames.items():
        write_table(frame, folder / "data" / f"{name}{suffix}", **csv_options)
        data[name] = f"data/{name}{suffix}"
    config = copy.deepcopy(CONFIG)
    config["data"] = data
    for key, value in (config_changes or {}).items():
        _set(config, key, value)
    path = folder / "programme.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _set(config: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = config
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if value is _DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


_DELETE = object()
DELETE = _DELETE


def write_notebook(folder: Path, name: str, *sources: str) -> Path:
    """A minimal report notebook: the pipeline's parameters cell, then ``sources``."""
    import nbformat

    cells = [nbformat.v4.new_code_cell("config_path = None\nfigures_dir = None\n"
                                       "tables_dir = None\nlanguage = 'en'\naudience = 'x'\n"
                                       "seed = 0")]
    cells[0].metadata["tags"] = ["parameters"]
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path

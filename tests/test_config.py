"""Config loading (CONTRACT §2): valid files load; every error names the key and expectation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

import exitanalysis as xa
from conftest import DEFAULT_CONFIG
from helpers import DELETE, write_programme


def test_default_config_is_the_copenhagen_case() -> None:
    config = xa.load_config(DEFAULT_CONFIG)
    assert config.programme.target == 465
    assert (config.programme.start, config.programme.end) == (dt.date(2020, 1, 1),
                                                              dt.date(2023, 12, 31))
    assert config.programme.organisation_ids == ("reden_kbh", "reden_int", "liva")
    assert [(s.as_of, s.contacted) for s in config.observed] == [(dt.date(2022, 1, 1), 64)]
    assert config.run_name == "exitpakke"
    assert all(p.is_file() for p in config.data.given().values())
    assert config.analysis.warning_threshold == 0.10 and config.analysis.min_cell == 5
    assert config.programme.closed is not None
    assert (config.programme.closed.earliest, config.programme.closed.latest) == (
        dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert [p.weight for p in config.analysis.exposure] == [0.5, 0.5]
    started = config.programme.started  # the pool's application deadline: 15 June 2020
    assert started is not None and started.latest == dt.date(2020, 10, 1)
    assert config.programme.plan == [] and config.programme.ramp_up_months is None


def test_defaults_and_overrides(tmp_path: Path) -> None:
    path = write_programme(tmp_path, config_changes={"analysis": {}, "language": DELETE,
                                                      "audience": DELETE})
    config = xa.load_config(path)
    assert (config.language, config.audience) == ("en", "internal")
    assert config.analysis.prior_weight == 0.5 and config.analysis.as_of is None
    danish = config.with_overrides(language="da", audience=None)
    assert (danish.language, danish.audience) == ("da", "internal")
    assert danish.data == config.data


@pytest.mark.parametrize("weight, expected", [(0, 0.0), (1, 1.0), ("0.25", 0.25),
                                               ("accelerated", "accelerated"),
                                               ("Hedging", "hedging")])
def test_prior_weight_forms(tmp_path: Path, weight: object, expected: object) -> None:
    path = write_programme(tmp_path, config_changes={"analysis.prior_weight": weight})
    assert xa.load_config(path).analysis.prior_weight == expected


BAD_CONFIGS = [
    ({"programme.organisations": [{"id": "a", "name": "A", "planned_share": 0.5},
                                  {"id": "b", "name": "B"}]},
     "key 'programme': give every organisation a planned_share, and let them add up to 1"),
    ({"programme.organisations": [{"id": "a", "name": "A", "planned_share": 0.5},
                                  {"id": "b", "name": "B", "planned_share": 0.2}]},
     "key 'programme': give every organisation a planned_share, and let them add up to 1"),
    ({"programme.plan": [{"date": "2021-01-01", "count": 100}, {"date": "2020-06-01",
                                                               "count": 50}]},
     "key 'programme': plan dates must increase"),
    ({"programme.plan": [{"date": "2020-06-01", "count": 100}, {"date": "2021-01-01",
                                                               "count": 50}]},
     "key 'programme': planned counts must not decrease (they are cumulative)"),
    ({"programme.plan": [{"date": "2021-01-01", "count": 1000}]},
     "key 'programme': a planned count must not exceed the target"),
    ({"programme.plan": [{"date": "2021-01-01", "count": 10}], "programme.ramp_up_months": 6},
     "key 'programme': give 'plan' or 'ramp_up_months', not both"),
    ({"programme.ramp_up_months": 0}, "key 'programme.ramp_up_months': expected a number > 0"),
    ({"programme.ramp_up_months": 60},
     "key 'programme': ramp_up_months must be shorter than the period"),
    ({"programme.started": {"earliest": "2020-06-01", "latest": "2020-03-01", "source": "x"}},
     "key 'programme.started': earliest must not be after latest"),
    ({"programme.started": {"earliest": "2019-06-01", "latest": "2020-03-01", "source": "x"}},
     "key 'programme': started must lie within the period"),
    ({"programme.targt": 5}, "key 'programme.targt': unknown key"),
    ({"programme.target": 0}, "key 'programme.target': expected a number ≥ 1"),
    ({"programme.target": "many"}, "key 'programme.target': expected a whole number"),
    ({"programme.start": "2024-01-01"}, "key 'programme.end': must not be before start"),
    ({"programme.end": "31-12-2023"}, "key 'programme.end': expected a date written YYYY-MM-DD"),
    ({"programme.organisations": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]},
     "key 'programme': organisation ids must be unique; repeated: a"),
    ({"programme.organisations": [{"id": "police", "name": "P"}]},
     "organisation ids must differ from the external referral parties"),
    ({"programme.name": DELETE}, "key 'programme.name': required key is missing"),
    ({"data.persons": "data/nowhere.csv"}, "key 'data.persons': file not found: data/nowhere.csv"),
    ({"language": "de"}, "key 'language': expected one of 'en' or 'da'"),
    ({"audience": "everyone"}, "key 'audience': expected one of 'internal' or 'public'"),
    ({"analysis.prior_weight": 1.5},
     "key 'analysis.prior_weight': expected a number in [0, 1], 'accelerated' or 'hedging'"),
    ({"analysis.warning_threshold": 1.2},
     "key 'analysis.warning_threshold': expected a number < 1"),
    ({"analysis.min_cell": 0}, "key 'analysis.min_cell': expected a number ≥ 1"),
    ({"observed": [{"as_of": "2019-05-01", "contacted": 3, "source": "x"}]},
     "observed[0].as_of must lie within the programme period"),
    ({"observed": [{"as_of": "2021-05-01", "source": "x"}]},
     "key 'observed[0]': a snapshot needs 'contacted', 'included' or both"),
    ({"data.monthly": "data/persons.csv"},
     "key 'data': 'persons' and 'monthly' are alternatives; give one of them"),
    ({"data": {}, "observed": []}, "nothing to analyse"),
    ({"analysis.exposure": [{"start": "2020-03-01", "end": "2020-04-30", "weight": 2,
                             "reason": "lockdown"}]},
     "key 'analysis.exposure[0].weight': expected a number ≤ 1.0"),
    ({"analysis.exposure": [{"start": "2020-03-01", "end": "2020-04-30", "weight": 0.5}]},
     "key 'analysis.exposure[0].reason': required key is missing"),
    ({"programme.closed": {"earliest": "2023-12-31", "latest": "2023-01-01", "source": "x"}},
     "key 'programme.closed': earliest must not be after latest"),
    ({"analysis.recruitment_measure": "recruited"},
     "key 'analysis.recruitment_measure': expected one of 'included' or 'contacted'"),
    ({"analysis.network": {"start": "2022-01-01", "end": "2021-01-01", "source": "x"}},
     "key 'analysis.network': start must not be after end"),
    ({"analysis.network": {"start": "2022-01-01"}},
     "key 'analysis.network.source': required key is missing"),
]


@pytest.mark.parametrize("changes, message", BAD_CONFIGS, ids=[m for _, m in BAD_CONFIGS])
def test_bad_config_names_the_key(tmp_path: Path, changes: dict, message: str) -> None:
    path = write_programme(tmp_path, config_changes=changes)
    with pytest.raises(xa.ConfigError) as caught:
        xa.load_config(path)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = write_programme(tmp_path, config_changes={"programme.target": 0, "language": "de",
                                                      "colour": "red"})
    with pytest.raises(xa.ConfigError) as caught:
        xa.load_config(path)
    assert len(caught.value.problems) == 3
    text = str(caught.value)
    for key in ("programme.target", "language", "colour"):
        assert f"key '{key}'" in text


@pytest.mark.parametrize(
    "text, message",
    [
        ("programme: [unclosed", "not valid YAML at line 1"),
        ("programme:\n  name: A\n  name: B\n", "not valid YAML at line 3, column 3: key 'name' "
                                               "is given twice"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(xa.ConfigError, match=None) as caught:
        xa.load_config(path)
    assert message in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(xa.ConfigError) as caught:
        xa.load_config(tmp_path / "nope.yaml")
    assert "config file not found" in str(caught.value)


def test_manifest_view_has_relative_paths(tmp_path: Path) -> None:
    config = xa.load_config(write_programme(tmp_path))
    view = config.to_manifest(relative_to=tmp_path)
    assert view["data"]["persons"] == "data/persons.csv"
    assert view["programme"]["start"] == "2020-01-01"
    yaml.safe_dump(view)  # plain data only

"""What a red-team run found (issue 9): runs that must not break, destroy or leak.

Every test here failed on the main of 2026-12-01 before the fixes.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from helpers import DELETE, MONTHLY, tables, write_notebook, write_programme


def _run(cli, config: Path, out: Path, *extra: str):
    return cli("run", config, "--out", out, "--jobs", "2", *extra)


@pytest.mark.parametrize(("frames", "changes"), [
    (tables(), {"observed": DELETE}),
    ({"monthly": MONTHLY}, {"observed": DELETE}),
    ({}, {"data": {}}),
], ids=["case data only", "monthly counts only", "published figures only"])
@pytest.mark.parametrize("audience", ["internal", "public"])
def test_every_notebook_runs_on_every_kind_of_valid_config(tmp_path: Path, cli, frames,
                                                            changes, audience) -> None:
    # A config without `observed` (optional in CONTRACT §2) failed with AttributeError; one
    # with published figures only failed in the data overview.
    (tmp_path / "programme").mkdir()
    config = write_programme(tmp_path / "programme", frames, changes)
    # A handful of persons: public with a minimum cell of 2, so that something may be shown.
    extra = ("--audience", audience)
    if audience == "public":
        config = write_programme(tmp_path / "programme", frames,
                                 {**changes, "analysis.min_cell": 2})
    outcome = _run(cli, config, tmp_path / "reports", *extra)
    assert outcome.code == 0, outcome.err
    report = tmp_path / "reports" / "programme"
    assert (report / "recruitment_shortfall.html").is_file()
    assert (report / "data_overview.html").is_file()


@pytest.mark.parametrize("frames", [tables(), {"monthly": MONTHLY}], ids=["persons", "monthly"])
def test_a_public_report_that_could_show_no_count_is_refused(tmp_path: Path, cli,
                                                              frames) -> None:
    # Six persons (or ten, monthly) and a minimum cell of 5: every count is small or reveals
    # one. The old run published forecasts from the first month's small count.
    config = write_programme(tmp_path / "programme", frames,
                             {"observed": DELETE, "audience": "public"})
    assert cli("validate", config).code == 2  # validate and run agree
    outcome = _run(cli, config, tmp_path / "reports")
    assert outcome.code == 2, outcome.err
    assert "cannot show recruitment" in outcome.err and "--audience internal" in outcome.err
    assert "Traceback" not in outcome.err
    assert not (tmp_path / "reports" / "programme").exists()


@pytest.fixture
def quick(tmp_path: Path, cli):
    """A one-cell notebook and a small programme: runs that take seconds."""
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "good", "print('fine')")

    def run(config: Path, out: Path, *extra: str):
        return cli("run", config, "--out", out, "--notebooks", notebooks, "--jobs", "1", *extra)

    return run


def test_a_run_leaves_another_reports_staging_alone(tmp_path: Path, quick) -> None:
    # canary.yaml used to delete the staging of canary.v2.yaml (a glob on "canary.*").
    out = tmp_path / "reports"
    other = out / ".exitanalysis" / "staging" / "canary.v2.20261201T101010Z.0123abcd"
    other.mkdir(parents=True)
    stale = out / ".exitanalysis" / "staging" / "canary.20261130T101010Z.89abcdef"
    stale.mkdir()
    config = write_programme(tmp_path / "p", config_changes={})
    config = config.rename(config.with_name("canary.yaml"))
    assert quick(config, out).code == 0
    assert other.is_dir() and not stale.exists()


def test_failed_runs_are_kept_three_at_a_time(tmp_path: Path, quick) -> None:
    out = tmp_path / "reports"
    failed = out / ".exitanalysis" / "failed"
    for day in range(1, 6):
        (failed / f"programme.202611{day:02d}T101010Z").mkdir(parents=True)
    (failed / "programme.v2.20261101T101010Z").mkdir()  # another report's: kept
    assert quick(write_programme(tmp_path / "p"), out).code == 0
    assert sorted(p.name for p in failed.iterdir()) == [
        "programme.20261103T101010Z", "programme.20261104T101010Z",
        "programme.20261105T101010Z", "programme.v2.20261101T101010Z"]


def test_internal_reports_are_private_and_public_ones_readable(tmp_path: Path, quick) -> None:
    config = write_programme(tmp_path / "p")
    for audience, folder_mode, file_mode in (("internal", 0o700, 0o600),
                                             ("public", 0o755, 0o644)):
        out = tmp_path / audience
        assert quick(config, out, "--audience", audience).code == 0
        report = out / "programme"
        assert stat.S_IMODE(report.stat().st_mode) == folder_mode
        for path in report.rglob("*"):
            expected = folder_mode if path.is_dir() else file_mode
            assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_a_private_folder_in_the_config_path_is_not_published(tmp_path: Path, cli) -> None:
    folder = tmp_path / "Skrivebord" / "klienter_2023"
    folder.mkdir(parents=True)
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "good", "print(config_path)")
    config = write_programme(folder)
    outcome = cli("run", config, "--out", tmp_path / "reports", "--notebooks", notebooks)
    assert outcome.code == 0, outcome.err
    for path in (tmp_path / "reports" / "programme").rglob("*"):
        if path.is_file():
            assert b"Skrivebord" not in path.read_bytes(), path


def test_public_reports_name_no_input_file_and_no_digest(public_report: Path) -> None:
    manifest = json.loads((public_report / "manifest.json").read_text(encoding="utf-8"))
    assert all(set(entry) == {"name", "rows", "persons", "persons_hidden", "synthetic"}
               for entry in manifest["inputs"])
    assert set(manifest["config"]["data"].values()) == {"(not published)"}
    for path in public_report.rglob("*"):
        if path.suffix in (".html", ".csv", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "persons.csv" not in text and "sha256" not in text.lower(), path


def test_public_numbers_from_dates_are_whole_months(tmp_path: Path) -> None:
    # Real (not synthetic) case data: the headline rests on them, and the last person's
    # first contact (2022-06-10) must not be decodable from a published time.
    import exitanalysis as xa

    config = xa.load_config(write_programme(tmp_path, config_changes={
        "audience": "public", "analysis.min_cell": 1}))
    assessment = xa.assess_shortfall(xa.load_programme(config))
    assert assessment.source == "case data"
    assert float(assessment.headline()["elapsed_months"]).is_integer()
    frame = xa.headline_frame(assessment)
    assert float(frame["elapsed_months"].iloc[0]).is_integer()


@pytest.mark.parametrize(("args", "message"), [
    (("--timeout", "nan"), "--timeout: expected a number of seconds > 0"),
    (("--timeout", "-5"), "--timeout: expected a number of seconds > 0"),
])
def test_run_arguments_that_would_disable_a_guarantee(tmp_path: Path, quick, args,
                                                      message) -> None:
    outcome = quick(write_programme(tmp_path / "p"), tmp_path / "reports", *args)
    assert outcome.code == 2 and message in outcome.err


def test_output_folders_that_cannot_be_used(tmp_path: Path, quick) -> None:
    config = write_programme(tmp_path / "p")
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    outcome = quick(config, afile)
    assert outcome.code == 2 and "--out:" in outcome.err and "is a file" in outcome.err
    outcome = quick(config, afile / "below")
    assert outcome.code == 2 and "--out: cannot create the folder" in outcome.err
    hidden = config.rename(config.with_name(".exitanalysis.yaml"))
    outcome = quick(hidden, tmp_path / "reports")
    assert outcome.code == 2 and "makes the report's folder name" in outcome.err


def test_synth_refuses_a_negative_seed(tmp_path: Path, cli) -> None:
    outcome = cli("synth", "--out", tmp_path, "--seed", "-1")
    assert outcome.code == 2 and "--seed: expected a whole number ≥ 0" in outcome.err


def test_control_characters_in_a_path_cannot_forge_a_log_line(tmp_path: Path, cli) -> None:
    config = write_programme(tmp_path / "p")
    data = config.parent / "data"
    forged = data / "persons\nOK: 4 table(s), no problems\x1b[2K.csv"
    shutil.move(data / "persons.csv", forged)
    text = config.read_text(encoding="utf-8").replace(
        "data/persons.csv", json.dumps(str(forged.relative_to(config.parent))))
    config.write_text(text, encoding="utf-8")
    outcome = cli("validate", config)
    lines = outcome.out.splitlines()
    assert sum(line.startswith("OK:") for line in lines) == 1
    assert "\x1b" not in outcome.out and "\\x1b" in outcome.out


def test_a_full_disk_while_writing_the_report_changes_nothing(
        tmp_path: Path, quick, monkeypatch: pytest.MonkeyPatch) -> None:
    # The disk fills up after the notebooks ran, while the pages are written: exit 2 with
    # the path and the reason, the published report as it was, no staging left behind.
    import errno

    from exitanalysis.report import pipeline

    config = write_programme(tmp_path / "p")
    out = tmp_path / "reports"
    assert quick(config, out).code == 0
    published = out / "programme"
    before = {p: p.read_bytes() for p in sorted(published.rglob("*")) if p.is_file()}

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "page.html"))

    monkeypatch.setattr(pipeline, "render_report", no_space)
    outcome = quick(config, out)
    assert outcome.code == 2, outcome.err
    assert "No space left on device" in outcome.err and "page.html" in outcome.err
    assert "nothing was published" in outcome.err and "Traceback" not in outcome.err
    assert {p: p.read_bytes() for p in sorted(published.rglob("*")) if p.is_file()} == before
    assert list((out / ".exitanalysis" / "staging").iterdir()) == []


def test_a_read_only_output_folder_is_refused_before_anything_runs(
        tmp_path: Path, quick, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root here, for whom chmod does not take writing away: the check the run
    # makes (os.access) is made to answer as for a read-only folder.
    import os

    from exitanalysis.report import pipeline

    config = write_programme(tmp_path / "p")
    out = tmp_path / "reports"
    out.mkdir()
    real_access = os.access
    monkeypatch.setattr(pipeline.os, "access",
                        lambda path, mode: False if Path(path) == out else real_access(path, mode))
    outcome = quick(config, out)
    assert outcome.code == 2 and "is not writable" in outcome.err, outcome.err
    assert list(out.iterdir()) == []

"""The portfolio run (issue 14, item 3): several programmes, an index sorted by risk, the
local process pool and a Dask cluster, and the Airflow example's commands."""

from __future__ import annotations

import ast
import importlib.util
import json
import shlex
import stat
import sys
import types
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from exitanalysis.errors import UsageError
from exitanalysis.report.portfolio import (
    PortfolioResult,
    ProgrammeRun,
    expand_configs,
    run_portfolio,
)
from helpers import write_notebook, write_programme

ROOT = Path(__file__).resolve().parents[1]


def _programme_run(name: str, *, code: int = 0, status: str | None = "on track",
                   p: float | None = 0.9, report: bool = True) -> ProgrammeRun:
    return ProgrammeRun(run_name=name, title=None, config=f"{name}.yaml", exit_code=code,
                        seconds=1.0, problem=None if code == 0 else "x", status=status,
                        p_reach=p, first_warning=None, synthetic=False, audience="internal",
                        report_created_utc="2026-01-01T00:00:00Z" if report else None)


# --- which configs, what order, which exit code -------------------------------------------


def test_a_folder_gives_its_configs_in_name_order(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "notes.txt", ".hidden.yaml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in expand_configs([tmp_path])] == ["a.yml", "b.yaml"]
    # a file named again (here inside its folder) counts once
    assert [p.name for p in expand_configs([tmp_path / "b.yaml", tmp_path])] == ["b.yaml",
                                                                                 "a.yml"]


def test_configs_that_would_share_a_report_folder_are_refused(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.yaml").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="would both write the report folder 'same'"):
        expand_configs([tmp_path / "one", tmp_path / "two"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="holds no config"):
        expand_configs([tmp_path / "empty"])
    with pytest.raises(UsageError, match="neither a config file nor a folder"):
        expand_configs([tmp_path / "missing.yaml"])


def test_programmes_sort_by_risk_and_the_exit_code_is_the_most_urgent() -> None:
    runs = [_programme_run("calm", p=0.95), _programme_run("late", status="off track", p=0.02),
            _programme_run("later", status="off track", p=0.001),
            _programme_run("broken", code=2, status=None, p=None, report=False),
            _programme_run("wobbly", status="at risk", p=0.3),
            _programme_run("stale", code=1, status="on track", p=0.8),
            _programme_run("unknown", status=None, p=None)]
    ordered = [r.run_name for r in sorted(runs, key=lambda r: r.risk)]
    # a failed run that left its last good report is sorted by that report's status
    assert ordered == ["broken", "later", "late", "wobbly", "unknown", "stale", "calm"]
    result = PortfolioResult(tuple(runs), Path("index.html"))
    assert result.exit_code == 1
    assert PortfolioResult((runs[0], runs[3]), Path("i")).exit_code == 2
    assert PortfolioResult((runs[0],), Path("i")).exit_code == 0
    assert list(result.to_frame()["run_name"]) == [r.run_name for r in runs]
    assert "broken: no forecast; failed (exit 2: x)" in result.summary()


# --- a real portfolio on the local process pool ----------------------------------------------


@pytest.fixture
def portfolio(tmp_path: Path):
    """Three small programmes with different targets (so different statuses), a one-cell
    notebook, and an output folder."""
    configs = tmp_path / "configs"
    for name, target in (("steady", 6), ("behind", 5000), ("middling", 30)):
        config = write_programme(tmp_path / name, config_changes={"programme.target": target})
        (configs / f"{name}.yaml").parent.mkdir(exist_ok=True)
        (configs / f"{name}.yaml").write_text(
            config.read_text(encoding="utf-8").replace("data/", f"../{name}/data/"),
            encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "good", "print('fine')")
    return configs, notebooks, tmp_path / "reports"


def test_a_portfolio_publishes_every_report_and_an_index_sorted_by_risk(
        portfolio, cli, capfd) -> None:
    configs, notebooks, out = portfolio
    outcome = cli("run", configs, "--out", out, "--notebooks", notebooks, "--programmes", "2")
    assert outcome.code == 0, outcome.err
    assert outcome.out.strip() == str(out.resolve() / "index.html")
    workers_log = capfd.readouterr().err  # the programmes' own lines, from their processes
    for name in ("steady", "behind", "middling"):
        assert (out / name / "index.html").is_file()
        assert f"{name}: published" in outcome.err
        assert f"[{name}] published" in workers_log
    document = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    rows = document["programmes"]
    # each status and probability is the one its own report's manifest holds
    for row in rows:
        manifest = json.loads((out / row["run_name"] / "manifest.json").read_text("utf-8"))
        assert row["status"] == manifest["headline"]["status"]
        assert row["p_reach"] == manifest["headline"]["forecast"]["p_reach_target"]
        assert row["report"] == f"{row['run_name']}/index.html"
        assert row["config"] == f"{row['run_name']}.yaml"  # no folder of the user's
    assert [r["run_name"] for r in rows] == ["behind", "middling", "steady"]
    assert rows[0]["p_reach"] < rows[1]["p_reach"] < rows[2]["p_reach"]
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in page.select("tbody a")]
    assert links == ["behind/index.html", "middling/index.html", "steady/index.html"]
    # internal reports hold person-level data: so may their index, for all it shows
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o600


def test_a_failed_programme_keeps_its_last_report_and_does_not_stop_the_others(
        portfolio, cli, capfd) -> None:
    configs, notebooks, out = portfolio
    assert cli("run", configs, "--out", out, "--notebooks", notebooks).code == 0
    before = (out / "behind" / "index.html").read_bytes()
    (configs / "behind.yaml").write_text("programme: {name: broken\n", encoding="utf-8")
    (configs / "new.yaml").write_text("programme: [\n", encoding="utf-8")
    outcome = cli("run", configs, "--out", out, "--notebooks", notebooks)
    assert outcome.code == 2
    assert "behind: failed, exit 2 (invalid config or input)" in outcome.err
    assert "[behind] error: invalid config" in capfd.readouterr().err
    assert (out / "behind" / "index.html").read_bytes() == before
    rows = {r["run_name"]: r for r in
            json.loads((out / "portfolio.json").read_text("utf-8"))["programmes"]}
    assert rows["behind"]["exit_code"] == 2 and rows["behind"]["report"] == "behind/index.html"
    assert rows["behind"]["status"] is not None  # the last good report's
    assert rows["new"]["report"] is None and rows["new"]["status"] is None
    assert list(rows)[0] == "new"  # failed with no report at all: first
    assert rows["steady"]["exit_code"] == 0
    text = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser").get_text(" ")
    assert text.count("failed: invalid config or input") == 2


def test_a_public_portfolio_in_danish(portfolio, cli) -> None:
    configs, notebooks, out = portfolio
    outcome = cli("run", configs / "steady.yaml", configs / "middling.yaml", "--out", out,
                  "--notebooks", notebooks, "--audience", "public", "--language", "da")
    assert outcome.code == 0, outcome.err
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "da"
    text = page.get_text(" ")
    assert "Portefølje" in text and "offentliggjort" in text
    for english in ("the", "and", "published", "target", "probability", "status of"):
        assert f" {english} " not in f" {text.lower()} "


def test_portfolio_options_are_checked(portfolio, cli) -> None:
    configs, notebooks, out = portfolio
    outcome = cli("run", configs / "steady.yaml", "--programmes", "2", "--out", out)
    assert outcome.code == 2 and "--programmes: only for several configs" in outcome.err
    outcome = cli("run", configs, "--programmes", "0", "--out", out)
    assert outcome.code == 2 and "--programmes must be at least 1" in outcome.err
    assert not (out / "index.html").exists()


# --- the same run on a Dask cluster ---------------------------------------------------------


def test_a_portfolio_runs_on_a_dask_cluster(portfolio, cli) -> None:
    distributed = pytest.importorskip("distributed")
    configs, notebooks, out = portfolio
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            with distributed.get_task_stream(client) as stream:
                result = run_portfolio([configs], out_dir=out, notebooks_dir=notebooks,
                                       executor=client.get_executor())
            workers = set(client.scheduler_info()["workers"])
        # each programme ran as a task on the cluster's workers, not in this process
        built = [t for t in stream.data if "build_programme" in str(t["key"])]
        assert len(built) == 3
        assert {t["worker"] for t in built} <= workers
        assert result.exit_code == 0
        assert [r.run_name for r in result.programmes] == ["behind", "middling", "steady"]
        # and the command line reaches the same cluster by its scheduler's address
        outcome = cli("run", configs / "steady.yaml", "--dask", cluster.scheduler_address,
                      "--out", out, "--notebooks", notebooks)
    assert outcome.code == 0, outcome.err
    assert "Dask at once" in outcome.err
    assert json.loads((out / "portfolio.json").read_text("utf-8"))["programmes"][0][
        "run_name"] == "steady"


# --- the Airflow example ----------------------------------------------------------------------


def test_the_airflow_example_calls_the_cli_once_per_config(monkeypatch) -> None:
    """Airflow is not installed here: a stand-in records the DAG's tasks, and each task's
    command is parsed by the real argument parser and names a config that exists."""
    from exitanalysis.cli import build_parser

    tasks: list[dict[str, object]] = []
    airflow = types.ModuleType("airflow")
    operators = types.ModuleType("airflow.operators")
    bash = types.ModuleType("airflow.operators.bash")

    class DAG:
        def __init__(self, dag_id: str, **kwargs: object) -> None:
            self.dag_id = dag_id

        def __enter__(self) -> DAG:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    upstream: dict[str, list[str]] = {}

    class BashOperator:
        def __init__(self, **kwargs: object) -> None:
            tasks.append(kwargs)
            self.task_id = str(kwargs["task_id"])

        def __rrshift__(self, others: list[BashOperator]) -> BashOperator:
            upstream[self.task_id] = [o.task_id for o in others]
            return self

    airflow.DAG = DAG  # type: ignore[attr-defined]
    bash.BashOperator = BashOperator  # type: ignore[attr-defined]
    for name, module in (("airflow", airflow), ("airflow.operators", operators),
                         ("airflow.operators.bash", bash)):
        monkeypatch.setitem(sys.modules, name, module)
    example = ROOT / "examples" / "airflow" / "exitanalysis_portfolio.py"
    ast.parse(example.read_text(encoding="utf-8"))
    monkeypatch.setenv("EXITANALYSIS_HOME", str(ROOT))
    spec = importlib.util.spec_from_file_location("exitanalysis_portfolio_dag", example)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))

    reports = [t for t in tasks if str(t["task_id"]).startswith("report_")]
    assert {t["task_id"] for t in reports} == {f"report_{p.stem}"
                                                for p in (ROOT / "configs").glob("*.yaml")}
    commands = []
    for task in tasks:
        words = shlex.split(str(task["bash_command"]).split("&&")[-1])
        assert Path(words[0]).name == "exitanalysis"
        args = build_parser().parse_args(words[1:])
        commands.append(args.command)
        for config in args.config:
            assert (ROOT / config).exists()
        assert args.out == "reports"
        assert task["skip_on_exit_code"] == 3  # another run under way: skipped, not failed
    assert commands == ["run"] * len(reports) + ["index"]
    assert tasks[-1]["trigger_rule"] == "all_done"  # the index also lists failed programmes
    assert upstream == {"portfolio_index": [str(t["task_id"]) for t in reports]}

"""Airflow DAG: refresh every programme's report each night, then the portfolio index.

Airflow schedules, retries and alerts; exitanalysis only builds reports. One task per config
calls the command line exactly as a person would (``exitanalysis run CONFIG``), so a failed
programme fails its own task and the others go on; the last task writes the index from the
reports that are published (``exitanalysis index``), whatever the programme tasks returned.

Exit codes (README, "Scheduling"): 3 means another run of the same report was under way, so
the task is skipped rather than failed; 2 is bad input for the data owner; 1 a failed
notebook for a developer.

Put this file in Airflow's ``dags/`` folder and set ``EXITANALYSIS_HOME`` to the project's
checkout (with its ``.venv`` made by ``make setup``) on every Airflow worker. Tested in
``tests/test_portfolio.py`` with a stand-in for Airflow: each task's command is parsed by the
real ``exitanalysis`` argument parser.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator

HOME = Path(os.environ.get("EXITANALYSIS_HOME", "/srv/exitanalysis"))
CONFIGS = "configs"
REPORTS = "reports"
COMMAND = ".venv/bin/exitanalysis"


def command(*words: str) -> str:
    """A shell command run from the project's folder."""
    return f"cd {shlex.quote(str(HOME))} && {shlex.join([COMMAND, *words])}"


with DAG(
    dag_id="exitanalysis_portfolio",
    schedule="15 2 * * *",
    start_date=dt.datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["exitanalysis"],
) as dag:
    programmes = [
        BashOperator(
            task_id=f"report_{config.stem}",
            bash_command=command("run", f"{CONFIGS}/{config.name}", "--out", REPORTS,
                                 "--jobs", "1"),
            skip_on_exit_code=3,
            execution_timeout=dt.timedelta(hours=1),
            retries=0,
        )
        for config in sorted((HOME / CONFIGS).glob("*.yaml"))
    ]
    index = BashOperator(
        task_id="portfolio_index",
        bash_command=command("index", CONFIGS, "--out", REPORTS),
        trigger_rule="all_done",  # the index lists failed programmes too
        skip_on_exit_code=3,
    )
    programmes >> index

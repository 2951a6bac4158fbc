"""The reports in a real browser (headless Chromium via Playwright): no console errors, no
request leaving the file, every image loads, every link resolves. Screenshots are kept in
test-artifacts/ for a reviewer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("EXITANALYSIS_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is needed for the browser tests: `make browser` installs "
                    "Debian's chromium (or set EXITANALYSIS_CHROMIUM to a Chromium binary)")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("report_fixture", ["default_report", "danish_report",
                                            "public_report"])
@pytest.mark.parametrize("page_name", ["index.html", "recruitment_shortfall.html",
                                       "data_overview.html"])
def test_page_in_a_browser(browser, request, report_fixture: str, page_name: str) -> None:
    report: Path = request.getfixturevalue(report_fixture)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    url = (report / page_name).as_uri()
    page.goto(url, wait_until="load")
    assert problems == []
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert outside == [], outside
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.complete && e.naturalWidth > 0, e.alt])")
    assert images, "every report has figures"
    assert all(loaded and alt for loaded, alt in images), images
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in links:
        if href.startswith("#"):
            assert page.query_selector(f"[id='{href[1:]}']") is not None, href
        else:
            assert (report / href.split("#")[0]).is_file(), href
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{report_fixture}-{Path(page_name).stem}.png"),
                    full_page=page_name == "index.html")
    page.close()

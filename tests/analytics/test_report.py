"""The analysts' report (issue 10): build, HTML, CSV, the ``intake report`` command, Chromium.

Protected behaviour: the report's tables carry the generated data set's known counts for the
chosen city and period only; the CSV starts with a UTF-8 BOM, parses, and carries the same
numbers (Excel opens it); the HTML stands alone (no external resource), is ``lang="ja"``,
every chart has alt text and every table a caption and scoped headers; in headless Chromium
every chart decodes (naturalWidth > 0) and the page fits a phone's width; ``intake report``
writes the file from ``ANALYTICS_DATABASE_URL`` and explains a database without the tables.

The Chromium test saves ``var/results/report.png`` (desktop) and ``report_phone.png``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.analytics.report import Report, build_report
from bot.analytics.report_csv import render_csv
from bot.analytics.report_html import render_html
from bot.settings import PROJECT_ROOT
from tests.analytics.test_queries import SINCE, UNTIL, seed, specs

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = PROJECT_ROOT / "var" / "results"
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
SECTIONS = ["weekly", "combinations", "funnel", "rates", "crisis", "unmet", "fallback"]


@pytest.fixture(scope="module")
def url(tmp_path_factory: Any) -> str:
    path = tmp_path_factory.mktemp("report") / "analytics.sqlite3"
    seed(f"sqlite:///{path}")
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def ube(url: str) -> Report:
    return build_report(url, "ube", SINCE, UNTIL, now=NOW)


def section(report: Report, key: str) -> Any:
    return next(s for s in report.sections if s.key == key)


def test_report_tables_hold_the_known_counts_for_the_city(ube: Report) -> None:
    chosen = [s for s in specs() if s.city == "ube" and SINCE <= s.start.date() <= UNTIL]
    assert [s.key for s in ube.sections] == SECTIONS
    assert dict(ube.summary)["会話数"] == len(chosen) == 60
    funnel_rows = {row[0]: row[1] for row in section(ube, "funnel").rows}
    assert funnel_rows["会話開始"] == 60
    assert funnel_rows["受付票を作成"] == sum(s.ticket for s in chosen)
    weekly = section(ube, "weekly")
    assert {row[1] for row in weekly.rows} == {"宇部市"}
    mentions = sum(len(c) for s in chosen for c in s.all_categories)
    assert sum(int(row[-1]) for row in weekly.rows) == mentions
    crisis = section(ube, "crisis")
    assert sum(int(row[-1]) for row in crisis.rows) == sum(s.crisis for s in chosen) == 10
    assert all(s.chart is None or s.alt for s in ube.sections)


def test_all_cities_report_covers_the_four(url: str) -> None:
    report = build_report(url, None, SINCE, UNTIL, now=NOW)
    unmet_cities = {row[0] for row in section(report, "unmet").rows}
    assert unmet_cities == {"宇部市", "益田市", "久留米市", "富士市"}
    assert dict(report.summary)["会話数"] == 240


def test_csv_has_a_bom_and_parses_with_the_same_numbers(ube: Report) -> None:
    data = render_csv(ube)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["区分", "項目", "値"]
    funnel = {r[1]: r[2] for r in rows if r and r[0] == "相談の流れ（ファネル）"}
    assert funnel["会話開始"] == "60"
    titles = {r[0] for r in rows if r}
    assert {s.title for s in ube.sections} <= titles
    assert b"\r\n" in data  # Excel's line ends


class _Audit(HTMLParser):
    """Collects what the accessibility and stand-alone checks need."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.images: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "img":
            self.images.append(values)
        for name in ("src", "href"):
            link = values.get(name) or ""
            if link and not link.startswith("data:") and not link.startswith("#"):
                self.external.append(link)
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self.th_without_scope += tag == "th" and "scope" not in values


def test_html_stands_alone_and_is_accessible(ube: Report) -> None:
    html = render_html(ube)
    audit = _Audit()
    audit.feed(html)
    assert audit.lang == "ja"
    assert audit.external == []
    charts = [s for s in ube.sections if s.chart]
    assert len(audit.images) == len(charts) == 6
    assert all(str(i["src"]).startswith("data:image/png;base64,") for i in audit.images)
    assert all(i.get("alt") for i in audit.images)
    assert audit.tables == audit.captions == len(ube.sections)
    assert audit.th_without_scope == 0
    assert 'name="viewport"' in html


def test_html_escapes_labels(ube: Report) -> None:
    """A city file is edited by people: a label can never become markup."""
    hostile = Report(
        ube.city, ube.since, ube.until, ube.generated_at, [("<script>x</script>", 1)], []
    )
    assert "<script>x" not in render_html(hostile)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser`", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize(
    ("viewport", "shot"),
    [
        ({"width": 1280, "height": 900}, "report.png"),
        ({"width": 390, "height": 844}, "report_phone.png"),
    ],
)
def test_html_renders_its_charts_in_chromium(
    url: str, browser: Any, tmp_path: Path, viewport: dict[str, int], shot: str
) -> None:
    report = build_report(url, None, SINCE, UNTIL, now=NOW)
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(page_file.as_uri())
        widths = [
            page.evaluate("(img) => img.naturalWidth", img)
            for img in page.query_selector_all("img")
        ]
        assert len(widths) == 6 and all(w > 0 for w in widths), widths
        # Wide tables scroll inside their box; the page itself fits the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        RESULTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS / shot), full_page=True)
    finally:
        page.close()


def test_cli_writes_the_report(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", url)
    out = tmp_path / "ube.csv"
    argv = ["report", "--city", "ube", "--since", "2026-04-01", "--until", "2026-04-30"]
    assert cli.main([*argv, "--format", "csv", "--output", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "宇部市".encode() in data
    html = tmp_path / "ube.html"
    assert cli.main([*argv, "--format", "html", "--output", str(html)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_explains_missing_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    code = cli.main(["report", "--city", "ube", "--since", "2026-04-01", "--format", "csv"])
    assert code == 3
    assert "分析用テーブルがありません" in capsys.readouterr().err


def test_cli_refuses_a_reversed_period(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", "--since", "2026-05-01", "--until", "2026-04-01"]
    assert cli.main(argv) == 2
    assert "--until" in capsys.readouterr().err

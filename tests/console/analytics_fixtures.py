"""Shared set-up for the analytics console tests: a seeded analytic database and audits.

The analytic rows come from ``tests/analytics/test_queries.py``'s generator (240 conversations
over April 2026 in the four cities, through the real ingestion path), seeded once per module.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, Settings
from tests.analytics.test_queries import seed

APRIL = "since=2026-04-01&until=2026-04-30"


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated data set, ingested once per module."""
    path = tmp_path_factory.mktemp("analytics-seed") / "analytics.sqlite3"
    seed(f"sqlite:///{path}")
    return path


@pytest.fixture
def analytics_url(seeded_file: Path, tmp_path: Path) -> str:
    """A fresh copy per test: label writes of one test never reach another."""
    target = tmp_path / "analytics.sqlite3"
    shutil.copyfile(seeded_file, target)
    return f"sqlite:///{target}"


@pytest.fixture
def settings(tmp_path: Path, db_url: str, analytics_url: str) -> Settings:
    """The console's settings with the analytic database pointed at the seeded copy."""
    return Settings(
        var_dir=tmp_path,
        database_url=db_url,
        analytics_database_url=analytics_url,
        data_dir=PROJECT_ROOT / "data",
        cookie_secure=False,
    )


class A11yAudit(HTMLParser):
    """Collects what the accessibility basics need: labels, headings, table structure."""

    def __init__(self) -> None:
        super().__init__()
        self.label_for: set[str] = set()
        self.fields: list[tuple[str, str | None]] = []  # (tag, id) of visible form fields
        self.headings: list[str] = []
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self.images_without_alt = 0
        self.viewport = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("select", "textarea") or (
            tag == "input" and a.get("type") not in ("hidden", "submit")
        ):
            self.fields.append((tag, a.get("id")))
        if tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and not a.get("scope"):
            self.th_without_scope += 1
        if tag == "img" and not a.get("alt"):
            self.images_without_alt += 1
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = True

    def problems(self) -> list[str]:
        found = []
        unlabelled = [f for f in self.fields if not f[1] or f[1] not in self.label_for]
        if unlabelled:
            found.append(f"fields without a label: {unlabelled[:5]}")
        if self.headings[:1] != ["h1"]:
            found.append(f"first heading is not h1: {self.headings[:3]}")
        if self.captions < self.tables:
            found.append(f"{self.tables - self.captions} table(s) without a caption")
        if self.th_without_scope:
            found.append(f"{self.th_without_scope} th without scope")
        if self.images_without_alt:
            found.append(f"{self.images_without_alt} img without alt")
        if not self.viewport:
            found.append("no viewport meta")
        return found


def audit(html: str) -> list[str]:
    parser = A11yAudit()
    parser.feed(html)
    return parser.problems()

"""The analysts' pages themselves: the report, the inbox's labelling, accessibility basics.

Protected behaviour (issue 10, "what analysts see"):

* the report page shows every section of ``build_report`` with its chart (an authenticated
  PNG route) and its table, and links the same report as HTML and CSV (UTF-8 with BOM);
* the inbox shows clusters with top terms, size and examples; labelling a cluster or one
  message (existing category or new need) is a CSRF-protected POST that records who; the
  label is then shown; refused values write nothing;
* every form field has a label, tables have captions and scoped headers, pages start with
  an h1, nothing needs a pointer (no positive tabindex, no script handlers).
"""

from __future__ import annotations

import re
from datetime import date

from aiohttp.test_utils import TestClient
from analytics_fixtures import APRIL, analytics_url, audit, seeded_file, settings  # noqa: F401
from console_helpers import page_token
from sqlalchemy import create_engine, select

from bot.analytics.report import build_report
from bot.analytics.schema import LabelRow
from bot.tickets import Role

LABELS = LabelRow.__table__
CLUSTER_FORM = re.compile(r'action="/analytics/inbox/clusters/([0-9a-f]+)"')
MESSAGE_FORM = re.compile(r'action="/analytics/inbox/messages/([0-9]+)"')


def _labels(url: str) -> list[dict[str, object]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(select(LABELS)).mappings()]
    finally:
        engine.dispose()


async def test_report_page_has_every_section_with_chart_and_table(
    client: TestClient,
    login,
    make_user,
    analytics_url: str,  # noqa: F811
) -> None:
    """Each section: heading, chart from the authenticated route, table; downloads work."""
    make_user("ube-analyst", Role.ANALYST)
    await login("ube-analyst")
    html = await (await client.get(f"/analytics?{APRIL}")).text()
    report = build_report(analytics_url, "ube", date(2026, 4, 1), date(2026, 4, 30))
    for section in report.sections:
        assert f'id="h-{section.key}"' in html and section.title in html
        if section.chart:
            src = f"/analytics/charts/{section.key}.png?"
            assert src in html, section.key
            png = await client.get(f"/analytics/charts/{section.key}.png?{APRIL}")
            assert png.status == 200 and (await png.read())[:4] == b"\x89PNG"
    assert html.count("<table") == len(report.sections)
    assert (await client.get(f"/analytics/charts/nothing.png?{APRIL}")).status == 404

    csv_response = await client.get(f"/analytics/report.csv?{APRIL}")
    body = await csv_response.read()
    assert body.startswith("\ufeff".encode()) and "attachment" in csv_response.headers.get(
        "Content-Disposition", ""
    )
    standalone = await (await client.get(f"/analytics/report.html?{APRIL}")).text()
    assert "data:image/png;base64," in standalone and "宇部市" in standalone


async def test_labelling_a_cluster_and_a_message_records_who(
    client: TestClient,
    login,
    make_user,
    analytics_url: str,  # noqa: F811
) -> None:
    """Cluster and message labels are written with the analyst's name and shown afterwards."""
    make_user("ube-analyst", Role.ANALYST)
    await login("ube-analyst")
    inbox = await (await client.get(f"/analytics/inbox?{APRIL}")).text()
    assert "特徴的な言葉" in inbox and "件</span>" in inbox and "例</h3>" in inbox
    keys = CLUSTER_FORM.findall(inbox)
    message_ids = MESSAGE_FORM.findall(inbox)
    assert keys and message_ids
    token = await page_token(client, f"/analytics/inbox?{APRIL}")
    scope = {"since": "2026-04-01", "until": "2026-04-30", "csrf_token": token}

    done = await client.post(
        f"/analytics/inbox/clusters/{keys[0]}",
        data={**scope, "category": "housing", "anchor": f"c-{keys[0]}"},
        allow_redirects=False,
    )
    assert done.status == 303 and done.headers["Location"].endswith(f"#c-{keys[0]}")
    rows = _labels(analytics_url)
    assert rows and {r["labelled_by"] for r in rows} == {"ube-analyst"}
    assert {r["label"] for r in rows} == {"housing"} and {r["cluster_key"] for r in rows} == {
        keys[0]
    }

    single = await client.post(
        f"/analytics/inbox/messages/{message_ids[0]}",
        data={**scope, "new_need": "ペットの世話"},
    )
    assert single.status == 200
    page = await single.text()
    assert "「新しいニーズ「ペットの世話」」のラベルを付けました" in page
    assert "ube-analyst" in page  # who, shown beside the message's label
    latest = [r for r in _labels(analytics_url) if r["message_id"] == int(message_ids[0])][-1]
    assert latest["label"] == "new:ペットの世話" and latest["cluster_key"] is None


async def test_refused_labels_write_nothing(
    client: TestClient,
    login,
    make_user,
    analytics_url: str,  # noqa: F811
) -> None:
    """Both or neither field, a bad name, a stale cluster key, or no CSRF token: no row."""
    make_user("ube-analyst", Role.ANALYST)
    await login("ube-analyst")
    inbox = await (await client.get(f"/analytics/inbox?{APRIL}")).text()
    message_id = MESSAGE_FORM.findall(inbox)[0]
    token = await page_token(client, f"/analytics/inbox?{APRIL}")
    scope = {"since": "2026-04-01", "until": "2026-04-30", "csrf_token": token}
    for form in (
        {"category": "housing", "new_need": "草刈り"},
        {},
        {"new_need": "電話は090-1234-5678"},
        {"category": "not_a_category"},
    ):
        response = await client.post(
            f"/analytics/inbox/messages/{message_id}", data={**scope, **form}
        )
        assert response.status == 200 and "ラベルを付けられませんでした" in await response.text()
    stale = await client.post(
        "/analytics/inbox/clusters/0123456789abcdef", data={**scope, "category": "housing"}
    )
    assert "見つかりません" in await stale.text()
    no_csrf = await client.post(
        f"/analytics/inbox/messages/{message_id}", data={"category": "housing"}
    )
    assert no_csrf.status == 403
    assert _labels(analytics_url) == []


async def test_pages_meet_accessibility_basics(client: TestClient, login, make_user) -> None:
    """Labels, headings, captions, th scope, alt text; keyboard only (no tabindex > 0, no JS)."""
    make_user("admin", Role.ADMIN)
    make_user("ube-analyst", Role.ANALYST)
    await login("admin")
    pages = {"/users": await (await client.get("/users")).text()}
    await client.post("/logout", data={"csrf_token": await page_token(client, "/users")})
    await login("ube-analyst")
    for path in (f"/analytics?{APRIL}", f"/analytics/inbox?{APRIL}", "/analytics"):
        response = await client.get(path)
        assert response.status == 200
        pages[path] = await response.text()
    for path, html in pages.items():
        assert audit(html) == [], path
        assert not re.search(r'tabindex="[1-9]', html), path
        assert "<script" not in html and " onclick=" not in html, path
    assert "分析用のデータがまだありません" not in pages["/analytics"]

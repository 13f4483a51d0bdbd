"""Role scoping of the analytics pages (issue 10, "role scoping").

Protected behaviour:

* an analyst lands on the analytics page and gets 403 (or the redirect to analytics) on every
  ticket route and on the API; no page an analyst can reach shows a ticket's contact fields;
* an analyst of one city sees only that city: asking for another city is refused (403), the
  report and the inbox hold that city's numbers and messages only, and labelling another
  city's message is refused (404) without writing anything;
* an analyst of every city chooses the city;
* staff and coordinators get 403 on every analytics route until an admin grants them the
  pages, and then see their own city's analytics only.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from analytics_fixtures import APRIL, analytics_url, seeded_file, settings  # noqa: F401
from console_helpers import SEIKATSU, page_token
from sqlalchemy import create_engine, func, select

from bot.analytics.schema import LabelRow, MessageRow
from bot.tickets import Role, TicketStore, UserError

MESSAGES = MessageRow.__table__
LABELS = LabelRow.__table__
CONTACT = "090-1234-5678"
NAME = "山田"


def _message_ids(url: str, city: str) -> list[int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    select(MESSAGES.c.id).where(
                        MESSAGES.c.city == city,
                        MESSAGES.c.fallback.is_not(None),
                        MESSAGES.c.is_payload.is_(False),
                    )
                ).scalars()
            )
    finally:
        engine.dispose()


def _label_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(LABELS)).scalar_one())
    finally:
        engine.dispose()


async def test_analyst_lands_on_analytics_and_never_on_tickets(
    client: TestClient, login, make_user, make_ticket, store: TicketStore
) -> None:
    """Every ticket page, form and API answers an analyst with 403 (``/`` redirects)."""
    ticket = make_ticket(contact_value=CONTACT)
    make_user("ube-analyst", Role.ANALYST)
    response = await login("ube-analyst")
    assert response.status == 303
    landing = await client.get("/", allow_redirects=False)
    assert landing.status == 303 and landing.headers["Location"] == "/analytics"

    token = await page_token(client, "/analytics")
    ref = ticket.reference
    for path in (f"/tickets/{ref}", "/users"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    queue = await client.get("/?status=all", allow_redirects=False)
    assert queue.status == 303 and queue.headers["Location"] == "/analytics"
    for path in (
        f"/tickets/{ref}/assign",
        f"/tickets/{ref}/status",
        f"/tickets/{ref}/notes",
        f"/tickets/{ref}/refer",
        f"/tickets/{ref}/line",
        f"/tickets/{ref}/review",
        "/users",
        "/users/ube-analyst/disable",
        "/users/ube-analyst/analytics",
    ):
        response = await client.post(
            path, data={"csrf_token": token, "status": "closed", "text": "x"}
        )
        assert response.status == 403, path

    api_token = store.create_api_token("ube-analyst").token
    auth = {"Authorization": f"Bearer {api_token}"}
    assert (await client.get("/api/tickets", headers=auth)).status == 403
    assert (await client.get(f"/api/tickets/{ref}", headers=auth)).status == 403
    assert store.get(ref, store.get_user("ube-analyst")) is None  # the store agrees


async def test_no_page_an_analyst_reaches_shows_contact_fields(
    client: TestClient, login, make_user, make_ticket
) -> None:
    """Name, phone, summary and reference of a ticket appear on no analyst page or download."""
    ticket = make_ticket(contact_value=CONTACT)
    make_user("ube-analyst", Role.ANALYST)
    await login("ube-analyst")
    pages = [
        f"/analytics?{APRIL}",
        f"/analytics/inbox?{APRIL}",
        f"/analytics/report.html?{APRIL}",
        f"/analytics/report.csv?{APRIL}",
        "/account/password",
    ]
    for path in pages:
        response = await client.get(path)
        assert response.status == 200, path
        body = (await response.read()).decode("utf-8-sig")
        for secret in (CONTACT, NAME, ticket.reference, "家賃が払えず困っている"):
            assert secret not in body, (path, secret)


async def test_one_city_analyst_sees_only_that_city(
    client: TestClient,
    login,
    make_user,
    analytics_url: str,  # noqa: F811
) -> None:
    """Another city's numbers are refused, never shown, and its messages cannot be labelled."""
    make_user("ube-analyst", Role.ANALYST)
    await login("ube-analyst")

    page = await client.get(f"/analytics?{APRIL}")
    html = await page.text()
    assert page.status == 200 and "宇部市" in html
    for other in ("久留米市", "益田市", "富士市"):
        assert other not in html
    assert 'name="city"' not in html  # no city selector for a one-city analyst

    for path in (
        f"/analytics?{APRIL}&city=kurume",
        f"/analytics?{APRIL}&city=all",
        f"/analytics/inbox?{APRIL}&city=kurume",
        f"/analytics/charts/weekly.png?{APRIL}&city=kurume",
        f"/analytics/report.csv?{APRIL}&city=kurume",
    ):
        assert (await client.get(path)).status == 403, path
    # Naming one's own city is fine.
    assert (await client.get(f"/analytics?{APRIL}&city=ube")).status == 200

    table = (await (await client.get(f"/analytics/report.csv?{APRIL}")).read()).decode("utf-8-sig")
    cities = {
        row[2]
        for row in csv.reader(io.StringIO(table))
        if row and row[0] == "分野別・週別の相談件数"
    }
    assert cities == {"宇部市"}

    chart = await client.get(f"/analytics/charts/weekly.png?{APRIL}")
    assert chart.status == 200 and chart.content_type == "image/png"
    assert (await chart.read()).startswith(b"\x89PNG")

    inbox = await (await client.get(f"/analytics/inbox?{APRIL}")).text()
    kurume_ids = _message_ids(analytics_url, "kurume")
    ube_ids = _message_ids(analytics_url, "ube")
    assert kurume_ids and ube_ids
    assert any(f'/analytics/inbox/messages/{i}"' in inbox for i in ube_ids)
    assert not any(f'/analytics/inbox/messages/{i}"' in inbox for i in kurume_ids)

    token = await page_token(client, f"/analytics/inbox?{APRIL}")
    before = _label_count(analytics_url)
    refused = await client.post(
        f"/analytics/inbox/messages/{kurume_ids[0]}",
        data={"csrf_token": token, "category": "housing", "since": "2026-04-01"},
        allow_redirects=False,
    )
    assert refused.status == 404
    forged_city = await client.post(
        f"/analytics/inbox/messages/{kurume_ids[0]}",
        data={"csrf_token": token, "category": "housing", "city": "kurume"},
        allow_redirects=False,
    )
    assert forged_city.status == 403
    assert _label_count(analytics_url) == before


async def test_all_city_analyst_chooses_the_city(client: TestClient, login, store) -> None:
    """``city=all`` analysts get a selector and any one city, or every city together."""
    store.create_user("all-analyst", "correct horse battery", role="analyst", city="all")
    await login("all-analyst")
    everything = await (await client.get(f"/analytics?{APRIL}")).text()
    assert 'name="city"' in everything
    assert all(name in everything for name in ("宇部市", "久留米市", "益田市", "富士市"))
    kurume = await (await client.get(f"/analytics?{APRIL}&city=kurume")).text()
    assert "分析レポート（久留米市）" in kurume
    assert "宇部市" not in kurume.split('id="summary-h"', 1)[1]  # past the city selector
    assert (await client.get(f"/analytics?{APRIL}&city=nowhere")).status == 400


@pytest.mark.parametrize("role", [Role.STAFF, Role.COORDINATOR, Role.ADMIN])
async def test_ticket_roles_see_no_analytics_until_granted(
    client: TestClient, login, make_user, make_ticket, store: TicketStore, role: Role
) -> None:
    """Without the grant every analytics route is 403; with it, the own city's pages open."""
    make_user("worker", role)
    await login("worker")
    token = await page_token(client, "/")
    assert "/analytics" not in await (await client.get("/")).text()  # no menu entry
    routes: list[tuple[str, dict[str, Any] | None]] = [
        (f"/analytics?{APRIL}", None),
        (f"/analytics/inbox?{APRIL}", None),
        (f"/analytics/charts/weekly.png?{APRIL}", None),
        (f"/analytics/report.html?{APRIL}", None),
        (f"/analytics/report.csv?{APRIL}", None),
        ("/analytics/inbox/messages/1", {"csrf_token": token, "category": "housing"}),
        ("/analytics/inbox/clusters/abc", {"csrf_token": token, "category": "housing"}),
    ]
    for path, form in routes:
        if form is None:
            response = await client.get(path)
        else:
            response = await client.post(path, data=form, allow_redirects=False)
        assert response.status == 403, path

    store.set_analytics_access("worker", True)  # takes effect on the next request
    page = await client.get(f"/analytics?{APRIL}")
    html = await page.text()
    assert page.status == 200 and "宇部市" in html and "久留米市" not in html
    assert (await client.get(f"/analytics?{APRIL}&city=kurume")).status == 403
    assert (await client.get("/")).status == 200  # still their tickets too
    assert 'href="/analytics"' in await (await client.get("/")).text()

    store.set_analytics_access("worker", False)
    assert (await client.get(f"/analytics?{APRIL}")).status == 403


async def test_admin_grants_analytics_in_the_console(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    """The user page's button grants and withdraws; another city's account is a 404."""
    make_user("admin", Role.ADMIN)
    make_user("coord", Role.COORDINATOR)
    make_user("kurume-coord", Role.COORDINATOR, city="kurume")
    await login("admin")
    token = await page_token(client, "/users")
    granted = await client.post(
        "/users/coord/analytics", data={"csrf_token": token, "access": "grant"}
    )
    assert granted.status == 200 and store.get_user("coord").can_view_analytics
    assert "分析画面を使えるようにしました" in await granted.text()
    await client.post("/users/coord/analytics", data={"csrf_token": token, "access": "revoke"})
    assert not store.get_user("coord").can_view_analytics
    other = await client.post(
        "/users/kurume-coord/analytics", data={"csrf_token": token, "access": "grant"}
    )
    assert other.status == 404 and not store.get_user("kurume-coord").can_view_analytics
    missing_csrf = await client.post("/users/coord/analytics", data={"access": "grant"})
    assert missing_csrf.status == 403 and not store.get_user("coord").can_view_analytics


def test_only_analysts_may_have_every_city(store: TicketStore) -> None:
    """``city="all"`` is an analyst's; a ticket role with it, or an analyst's window, is refused."""
    analyst = store.create_user("everywhere", "correct horse battery", role="analyst", city="all")
    assert analyst.sees_analytics and not analyst.sees_tickets
    assert analyst.analytics_city is None
    with pytest.raises(UserError):
        store.create_user("coord-all", "correct horse battery", role="coordinator", city="all")
    with pytest.raises(UserError):
        store.create_user(
            "analyst-window",
            "correct horse battery",
            role="analyst",
            city="ube",
            window_id=SEIKATSU,
        )
    with pytest.raises(UserError):
        store.set_analytics_access("everywhere", False)  # an analyst's access is the role

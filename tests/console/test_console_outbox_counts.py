"""Coordinators see how many intakes have not reached the ticket database yet.

An intake queued at night while the database was down, or refused by it, is invisible in the
ticket list; the queue page says how many wait and how many failed, for the viewer's city.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import KURUME, SEIKATSU

from bot.settings import Settings
from bot.tickets import (
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    IntakeSummary,
    Outbox,
    Role,
    Submission,
)


def _submission(key: str, city: str = "ube", window: str = SEIKATSU) -> Submission:
    at = datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc)
    return Submission(
        idempotency_key=key,
        city=city,
        window_ids=(window,),
        channel=Channel.LINE,
        conversation_id="U-resident",
        summary=IntakeSummary(
            worry_text_summary="夜中の相談",
            about_whom=AboutWhom.SELF,
            contact_method=ContactMethod.PHONE,
            contact_value="090-5555-0001",
            display_name="夜田",
        ),
        consent=Consent(("summary",), (window,), at, False),
    )


@pytest.fixture
def outbox(settings: Settings) -> Outbox:
    box = Outbox(Path(settings.var_dir) / "outbox")
    box.put(_submission("intake:a"))
    box.put(_submission("intake:b"))
    box.put_failed(_submission("intake:c"))
    box.put(_submission("intake:k", city="kurume", window=KURUME))
    return box


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
async def test_coordinators_see_waiting_and_failed_intakes_of_their_city(
    client: TestClient, login, make_user, outbox: Outbox, role: Role
) -> None:
    make_user("ube-lead", role)
    await login("ube-lead")
    html = await (await client.get("/")).text()
    assert "送信待ちの受付 <strong>2</strong>件" in html  # Kurume's waiting one is not counted
    assert "届けられなかった受付 <strong>1</strong>件" in html
    assert "090-5555-0001" not in html and "夜田" not in html  # counts, never contents
    # The outbox is a folder on each bot host: with several hosts, each console counts its own.
    assert "この画面を動かしているサーバーの" in html


async def test_window_staff_do_not_see_the_outbox(
    client: TestClient, login, make_user, outbox: Outbox
) -> None:
    make_user("ube-staff", Role.STAFF)
    await login("ube-staff")
    html = await (await client.get("/")).text()
    assert "送信待ちの受付" not in html


async def test_an_empty_outbox_says_nothing_is_waiting(
    client: TestClient, login, make_user
) -> None:
    make_user("ube-coord", Role.COORDINATOR)
    await login("ube-coord")
    html = await (await client.get("/")).text()
    assert "送信待ちの受付 <strong>0</strong>件" in html

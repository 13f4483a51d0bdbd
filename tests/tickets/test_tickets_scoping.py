"""No one sees another city's tickets; window staff see only their window's tickets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.tickets import InvalidAssignee, Role, Status, TicketNotFound, TicketStore

SEIKATSU = "ube.seikatsu_support"
KOSODATE = "ube.kosodate"
KURUME = "kurume.fukushi_soudan"


@pytest.fixture
def tickets(store: TicketStore, make_submission) -> dict[str, str]:
    """One ticket per window: two in Ube, one in Kurume."""
    return {
        SEIKATSU: store.create_ticket(make_submission(windows=(SEIKATSU,))).reference,
        KOSODATE: store.create_ticket(make_submission(windows=(KOSODATE,))).reference,
        KURUME: store.create_ticket(make_submission(city="kurume", windows=(KURUME,))).reference,
    }


def _visible(store: TicketStore, viewer, tickets: dict[str, str]) -> set[str]:
    got = {window for window, ref in tickets.items() if store.get(ref, viewer) is not None}
    listed = {t.reference for t in store.list(viewer)}
    assert listed == {tickets[w] for w in got}, "get() and list() must agree"
    assert store.count(viewer) == len(listed)
    return got


def test_staff_see_only_their_window(store: TicketStore, tickets, make_user) -> None:
    assert _visible(store, make_user("s1", window=SEIKATSU), tickets) == {SEIKATSU}
    assert _visible(store, make_user("s2", window=KOSODATE), tickets) == {KOSODATE}


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_city_wide_roles_stay_in_their_city(
    store: TicketStore, tickets, make_user, role: Role
) -> None:
    assert _visible(store, make_user("ube-boss", role), tickets) == {SEIKATSU, KOSODATE}
    assert _visible(store, make_user("kurume-boss", role, city="kurume"), tickets) == {KURUME}


def test_disabled_viewer_sees_nothing(store: TicketStore, tickets, make_user) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    assert _visible(store, replace(coordinator, disabled=True), tickets) == set()


def test_out_of_scope_actions_look_like_missing_tickets(
    store: TicketStore, tickets, make_user
) -> None:
    ube_admin = make_user("ube-admin", Role.ADMIN)
    staff = make_user("s2", window=KOSODATE)
    for actor, ref in ((ube_admin, tickets[KURUME]), (staff, tickets[SEIKATSU])):
        with pytest.raises(TicketNotFound):
            store.add_note(ref, "見えないはず", by=actor)
        with pytest.raises(TicketNotFound):
            store.change_status(ref, "closed", by=actor)
        assert store.events(ref, viewer=actor) == []
    with pytest.raises(TicketNotFound):
        store.add_note("UBE-2026-999999", "存在しない", by=ube_admin)


def test_assignee_must_be_able_to_see_the_ticket(store: TicketStore, tickets, make_user) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    make_user("kosodate-staff", window=KOSODATE)
    make_user("kurume-staff", city="kurume", window=KURUME)
    for assignee in ("kosodate-staff", "kurume-staff", "nobody"):
        with pytest.raises(InvalidAssignee):
            store.assign(tickets[SEIKATSU], assignee, by=coordinator)
    store.disable_user(make_user("gone", window=SEIKATSU).username)
    with pytest.raises(InvalidAssignee):
        store.assign(tickets[SEIKATSU], "gone", by=coordinator)
    assert store.assign(tickets[SEIKATSU], coordinator, by=coordinator).assigned_to == "coord"


def test_list_puts_urgent_first_then_oldest_and_filters(
    store: TicketStore, make_submission, make_user
) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    normal_old = store.create_ticket(make_submission()).reference
    high = store.create_ticket(make_submission(urgency="今週中")).reference
    urgent_crisis = store.create_ticket(
        make_submission(crisis=True, categories=("DV",), windows=(KOSODATE,))
    ).reference
    normal_new = store.create_ticket(make_submission()).reference
    urgent_today = store.create_ticket(make_submission(urgency="今日中")).reference

    listed = [t.reference for t in store.list(coordinator)]
    assert listed == [urgent_crisis, urgent_today, high, normal_old, normal_new]

    assert [t.reference for t in store.list(coordinator, priority="urgent")] == [
        urgent_crisis,
        urgent_today,
    ]
    assert [t.reference for t in store.list(coordinator, category="DV")] == [urgent_crisis]
    assert [t.reference for t in store.list(coordinator, window=KOSODATE)] == [urgent_crisis]
    assert [t.reference for t in store.list(coordinator, limit=2, offset=1)] == [
        urgent_today,
        high,
    ]
    store.change_status(normal_old, "closed", by=coordinator)
    open_statuses = [s for s in Status if s is not Status.CLOSED]
    assert normal_old not in {t.reference for t in store.list(coordinator, status=open_statuses)}
    assert [t.reference for t in store.list(coordinator, status="closed")] == [normal_old]


def test_category_filter_matches_japanese_values_exactly(
    store: TicketStore, make_submission, make_user
) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    store.create_ticket(make_submission(categories=("生活困窮", "住まい")))
    assert store.count(coordinator, category="住まい") == 1
    assert store.count(coordinator, category="住") == 0

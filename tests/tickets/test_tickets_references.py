"""References read like UBE-2026-000123 and count per city and per (Tokyo) year."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from bot.tickets import TicketStore
from bot.tickets.references import format_reference, is_reference


def test_format_is_upper_city_year_and_six_digits() -> None:
    assert format_reference("ube", 2026, 123) == "UBE-2026-000123"
    assert is_reference("ube-2026-000123 ")
    assert not is_reference("UBE-26-123")


def test_sequence_is_per_city(store: TicketStore, make_submission) -> None:
    refs = [
        store.create_ticket(make_submission()).reference,
        store.create_ticket(make_submission()).reference,
        store.create_ticket(
            make_submission(city="kurume", windows=("kurume.fukushi_soudan",))
        ).reference,
        store.create_ticket(make_submission()).reference,
    ]
    assert refs == ["UBE-2026-000001", "UBE-2026-000002", "KURUME-2026-000001", "UBE-2026-000003"]


def test_year_is_the_city_local_year_and_restarts_numbering(
    store: TicketStore, make_submission, clock
) -> None:
    clock.set(datetime(2025, 12, 31, 14, 0, tzinfo=timezone.utc))  # 23:00 JST, still 2025
    assert store.create_ticket(make_submission()).reference == "UBE-2025-000001"
    clock.set(datetime(2025, 12, 31, 15, 30, tzinfo=timezone.utc))  # 00:30 JST, 2026
    ticket = store.create_ticket(make_submission())
    assert ticket.reference == "UBE-2026-000001"
    assert ticket.created_at == datetime(2025, 12, 31, 15, 30, 1, tzinfo=timezone.utc)
    assert ticket.created_at.tzinfo is not None


@pytest.mark.parametrize("workers", [8])
def test_concurrent_creations_get_distinct_gapless_numbers(
    store: TicketStore, make_submission, workers: int
) -> None:
    barrier = threading.Barrier(workers)
    refs: list[str] = []
    errors: list[BaseException] = []

    def create(n: int) -> None:
        try:
            barrier.wait()
            refs.append(store.create_ticket(make_submission()).reference)
        except BaseException as error:  # surfaced below; threads swallow exceptions
            errors.append(error)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(refs) == [f"UBE-2026-{n:06d}" for n in range(1, workers + 1)]

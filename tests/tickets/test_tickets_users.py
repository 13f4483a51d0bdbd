"""Staff accounts: argon2 passwords, disabled accounts refused, API tokens stored hashed."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text, update

from bot.tickets import Role, TicketStore, UserError, WeakPassword
from bot.tickets.schema import UserRow

PASSWORD = "correct horse battery"


def test_authenticate_good_bad_unknown_and_disabled(store: TicketStore, make_user) -> None:
    make_user("tanaka")
    user = store.authenticate("Tanaka ", PASSWORD)  # usernames are case-insensitive
    assert user is not None and user.username == "tanaka" and user.role is Role.STAFF
    assert store.authenticate("tanaka", PASSWORD + "x") is None
    assert store.authenticate("nobody", PASSWORD) is None
    store.disable_user("tanaka")
    assert store.authenticate("tanaka", PASSWORD) is None


def test_password_is_hashed_with_argon2_and_outdated_hashes_are_upgraded(
    store: TicketStore, make_user
) -> None:
    make_user("tanaka")
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with store.engine.begin() as conn:
        stored = conn.execute(select(UserRow.password_hash)).scalar_one()
        conn.execute(update(UserRow).values(password_hash=weak_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored

    assert store.authenticate("tanaka", PASSWORD) is not None
    with store.engine.connect() as conn:
        upgraded = conn.execute(select(UserRow.password_hash)).scalar_one()
    assert upgraded != weak_hash and not PasswordHasher().check_needs_rehash(upgraded)


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_short_passwords_are_refused(store: TicketStore, password: str) -> None:
    with pytest.raises(WeakPassword, match="12"):
        store.create_user("tanaka", password, role="staff", city="ube", window_id="ube.x")
    assert store.get_user("tanaka") is None


@pytest.mark.parametrize(
    ("username", "role", "city", "window"),
    [
        ("bot", "staff", "ube", "ube.x"),  # reserved: it is the bot's actor name in the log
        ("tanaka", "staff", "ube", None),  # staff need a window
        ("tanaka", "coordinator", "ube", "ube.x"),  # city-wide roles take no window
        ("tanaka", "staff", "ube", "kurume.x"),  # window of another city
        ("tanaka", "superuser", "ube", None),
    ],
)
def test_inconsistent_accounts_are_refused(
    store: TicketStore, username: str, role: str, city: str, window: str | None
) -> None:
    with pytest.raises(UserError):
        store.create_user(username, PASSWORD, role=role, city=city, window_id=window)


def test_duplicate_username_is_refused(store: TicketStore, make_user) -> None:
    make_user("tanaka")
    with pytest.raises(UserError, match="already exists"):
        make_user("TANAKA")


def test_api_token_lookup_and_revocation(store: TicketStore, make_user) -> None:
    make_user("tanaka")
    new = store.create_api_token("tanaka", label="console")
    other = store.create_api_token("tanaka")
    assert new.token.startswith("itk_") and len(new.token) > 40
    owner = store.user_by_api_token(new.token)
    assert owner is not None and owner.username == "tanaka"
    assert store.user_by_api_token(new.token + "x") is None
    assert store.user_by_api_token("not-a-token") is None

    store.revoke_api_token(new.info.id)
    assert store.user_by_api_token(new.token) is None
    assert store.user_by_api_token(other.token) is not None
    assert [t.revoked_at is not None for t in store.list_api_tokens("tanaka")] == [True, False]

    store.disable_user("tanaka")
    assert store.user_by_api_token(other.token) is None, "disabled users' tokens stop working"


def test_token_is_not_stored_in_plain_text(store: TicketStore, make_user) -> None:
    make_user("tanaka")
    token = store.create_api_token("tanaka").token
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM api_tokens")).mappings().one()
    assert all(token not in str(value) for value in row.values())
    assert store.list_api_tokens("tanaka")[0].prefix == token[:10]


def test_revoke_all_tokens_of_a_user(store: TicketStore, make_user) -> None:
    make_user("tanaka")
    tokens = [store.create_api_token("tanaka").token for _ in range(3)]
    assert store.revoke_all_api_tokens("tanaka") == 3
    assert all(store.user_by_api_token(t) is None for t in tokens)

"""Staff accounts: argon2 passwords, disabled accounts refused, API tokens stored hashed."""

from __future__ import annotations

from datetime import timedelta

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


def test_one_password_length_limit_for_every_path(store: TicketStore, make_user) -> None:
    """12..128 characters at creation and change; the longest allowed one logs in whole."""
    from bot.tickets.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (12, 128)
    longest = "あ" * MAX_PASSWORD_LENGTH
    store.create_user("longest", longest, role=Role.COORDINATOR, city="ube")
    assert store.authenticate("longest", longest) is not None
    assert store.authenticate("longest", longest + "x") is None
    with pytest.raises(WeakPassword, match="128"):
        store.create_user("toolong", "x" * 129, role=Role.COORDINATOR, city="ube")
    make_user("tanaka")
    with pytest.raises(WeakPassword, match="128"):
        store.set_password("tanaka", "x" * 129)


def test_password_change_and_disable_bump_the_session_epoch(store: TicketStore, make_user) -> None:
    """Every session records the epoch at login; a bump ends them all on every backend."""
    first = make_user("tanaka").session_epoch
    store.set_password("tanaka", "another long password")
    second = store.get_user("tanaka").session_epoch
    store.disable_user("tanaka")
    third = store.get_user("tanaka").session_epoch
    assert first < second < third


def test_api_tokens_expire_and_record_last_use(store: TicketStore, make_user, clock) -> None:
    make_user("tanaka")
    default = store.create_api_token("tanaka")
    short = store.create_api_token("tanaka", days=1)
    assert default.info.expires_at - default.info.created_at >= timedelta(days=89)
    assert short.info.last_used_at is None

    assert store.user_by_api_token(short.token) is not None
    used = {t.id: t for t in store.list_api_tokens("tanaka")}[short.info.id]
    assert used.last_used_at is not None

    clock.set(clock.current + timedelta(days=2))
    assert store.user_by_api_token(short.token) is None, "expired tokens are refused"
    assert store.user_by_api_token(default.token) is not None
    with pytest.raises(UserError):
        store.create_api_token("tanaka", days=0)

"""Staff accounts and API tokens.

Kept apart from the ticket operations because the console's login and the CLI need only this,
and because every rule about who may exist (role, city, window) lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.tickets import credentials
from bot.tickets.domain import (
    ALL_CITIES,
    RESERVED_ACTORS,
    ApiTokenInfo,
    NewApiToken,
    Role,
    User,
    validate_city,
    validate_window,
)
from bot.tickets.engine import Database
from bot.tickets.errors import UserError
from bot.tickets.schema import ApiTokenRow, UserRow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def user_from_row(row: UserRow) -> User:
    return User(
        username=row.username,
        role=Role(row.role),
        city=row.city,
        window_id=row.window_id,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        display_name=row.display_name,
        session_epoch=int(row.session_epoch or 0),
        can_view_analytics=bool(row.can_view_analytics),
    )


def _token_from_row(row: ApiTokenRow, username: str) -> ApiTokenInfo:
    return ApiTokenInfo(
        id=row.id,
        username=username,
        prefix=row.prefix,
        label=row.label,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


class UserStore(Database):
    """Create, authenticate and disable staff; issue and revoke API tokens."""

    def create_user(
        self,
        username: str,
        password: str,
        role: Role | str,
        city: str,
        window_id: str | None = None,
        display_name: str | None = None,
        can_view_analytics: bool = False,
    ) -> User:
        """Add a staff account; staff need a window of their city, other roles must not have one.

        Analysts read analytics only: one city, or every city with ``city="all"`` (no other
        role may have it: a ticket is always one city's). ``can_view_analytics`` grants the
        analytics pages to a staff, coordinator or admin account (analysts have them anyway).
        Raises ``WeakPassword`` outside ``credentials.PASSWORD_RULE`` and ``UserError`` otherwise.
        """
        username = normalize_username(username)
        if not USERNAME_RE.match(username) or username in RESERVED_ACTORS:
            raise UserError(f"使えないユーザー名です / invalid or reserved username: {username!r}")
        try:
            role = Role(role)
            if not (role is Role.ANALYST and city == ALL_CITIES):
                validate_city(city)
            if city == ALL_CITIES and role is not Role.ANALYST:
                raise ValueError(
                    "全市町村（all）を担当できるのは分析担当だけです"
                    " / only analysts may have the city 'all'"
                )
            if window_id is not None:
                validate_window(window_id, city)
        except ValueError as error:
            raise UserError(str(error)) from None
        if role is Role.STAFF and not window_id:
            raise UserError("窓口職員には --window が必要です / staff users need a window")
        if role is not Role.STAFF and window_id:
            raise UserError(
                f"{role.value} は市全体を担当するため窓口は指定できません"
                f" / {role.value} users are city-wide and take no window"
            )
        row = UserRow(
            username=username,
            display_name=display_name,
            password_hash=credentials.hash_password(password),
            role=role.value,
            city=city,
            window_id=window_id,
            disabled=False,
            created_at=self.now(),
            session_epoch=0,
            can_view_analytics=bool(can_view_analytics) and role is not Role.ANALYST,
        )
        try:
            with self.session() as session, session.begin():
                session.add(row)
        except IntegrityError:
            raise UserError(
                f"ユーザー {username} は既に存在します / user {username!r} already exists"
            ) from None
        return user_from_row(row)

    def get_user(self, username: str) -> User | None:
        with self.session() as session:
            row = self._user_row(session, username)
            return user_from_row(row) if row else None

    def list_users(self, city: str | None = None) -> Sequence[User]:
        stmt = select(UserRow).order_by(UserRow.city, UserRow.username)
        if city:
            stmt = stmt.where(UserRow.city == city)
        with self.session() as session:
            return [user_from_row(row) for row in session.execute(stmt).scalars()]

    def disable_user(self, username: str) -> User:
        """Refuse further logins and token use; the account stays for the event log's sake.

        Also ends every console session of the user (the epoch bump, see ``set_password``).
        """
        with self.session() as session, session.begin():
            row = self._require_user(session, username)
            if not row.disabled:
                row.disabled, row.disabled_at = True, self.now()
                row.session_epoch = int(row.session_epoch or 0) + 1
            return user_from_row(row)

    def set_analytics_access(self, username: str, allowed: bool) -> User:
        """Grant or withdraw the analytics pages (checked on every console request)."""
        with self.session() as session, session.begin():
            row = self._require_user(session, username)
            if row.role == Role.ANALYST.value:
                raise UserError("分析担当は常に分析画面を使えます / analysts always see analytics")
            row.can_view_analytics = bool(allowed)
            return user_from_row(row)

    def set_password(self, username: str, password: str) -> None:
        """Change the password and end every console session of the user at once.

        Sessions remember the user's ``session_epoch`` at login and die when it moves on, so
        this works for every session backend (database or Redis) and from every caller (the
        console, the CLI), without this store having to reach into the session backend.
        """
        password_hash = credentials.hash_password(password)
        with self.session() as session, session.begin():
            row = self._require_user(session, username)
            row.password_hash = password_hash
            row.session_epoch = int(row.session_epoch or 0) + 1

    def authenticate(self, username: str, password: str) -> User | None:
        """Return the active user whose password matches, else None.

        Unknown, disabled and wrong-password cases all cost one argon2 verification, so
        response time does not reveal which usernames exist. Outdated hashes are upgraded.
        """
        with self.session() as session, session.begin():
            row = self._user_row(session, username)
            ok = credentials.verify_password(row.password_hash if row else None, password)
            if not ok or row is None or row.disabled:
                return None
            if credentials.needs_rehash(row.password_hash):
                row.password_hash = credentials.hash_password(password)
            return user_from_row(row)

    def create_api_token(
        self, username: str, label: str | None = None, days: int = credentials.DEFAULT_TOKEN_DAYS
    ) -> NewApiToken:
        """Issue a token for an active user, valid for ``days``; only its SHA-256 is stored."""
        if not 1 <= days <= credentials.MAX_TOKEN_DAYS:
            raise UserError(
                f"有効日数は1〜{credentials.MAX_TOKEN_DAYS}日です"
                f" / days must be 1 to {credentials.MAX_TOKEN_DAYS}"
            )
        token = credentials.new_api_token()
        with self.session() as session, session.begin():
            user = self._require_user(session, username)
            if user.disabled:
                raise UserError(f"ユーザー {user.username} は無効です / user is disabled")
            row = ApiTokenRow(
                user_id=user.id,
                token_hash=credentials.hash_api_token(token),
                prefix=credentials.token_prefix(token),
                label=label,
                created_at=self.now(),
                expires_at=self.now() + timedelta(days=days),
            )
            session.add(row)
            session.flush()
            return NewApiToken(token=token, info=_token_from_row(row, user.username))

    def list_city_api_tokens(self, city: str) -> Sequence[ApiTokenInfo]:
        """Every token of the city's users, for the admin page (expiry and last use)."""
        stmt = (
            select(ApiTokenRow, UserRow.username)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(UserRow.city == city)
            .order_by(UserRow.username, ApiTokenRow.id)
        )
        with self.session() as session:
            return [_token_from_row(row, name) for row, name in session.execute(stmt).all()]

    def list_api_tokens(self, username: str) -> Sequence[ApiTokenInfo]:
        with self.session() as session:
            user = self._require_user(session, username)
            stmt = select(ApiTokenRow).where(ApiTokenRow.user_id == user.id)
            rows = session.execute(stmt.order_by(ApiTokenRow.id)).scalars()
            return [_token_from_row(row, user.username) for row in rows]

    def revoke_api_token(self, token_id: int) -> ApiTokenInfo:
        with self.session() as session, session.begin():
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                raise UserError(f"トークン {token_id} はありません / no token with id {token_id}")
            if row.revoked_at is None:
                row.revoked_at = self.now()
            owner = session.get(UserRow, row.user_id)
            return _token_from_row(row, owner.username)

    def revoke_all_api_tokens(self, username: str) -> int:
        """Revoke every active token of a user (e.g. when a laptop is lost); returns how many."""
        with self.session() as session, session.begin():
            user = self._require_user(session, username)
            stmt = select(ApiTokenRow).where(
                ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None)
            )
            rows = list(session.execute(stmt).scalars())
            for row in rows:
                row.revoked_at = self.now()
            return len(rows)

    def user_by_api_token(self, token: str) -> User | None:
        """The active user owning a non-revoked, unexpired token, else None; records the use.

        ``last_used_at`` is written at most once a minute per token, so a busy integration
        does not turn every API read into a write.
        """
        if not token.startswith(credentials.TOKEN_PREFIX):
            return None
        now = self.now()
        stmt = (
            select(UserRow, ApiTokenRow)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(
                ApiTokenRow.token_hash == credentials.hash_api_token(token),
                ApiTokenRow.revoked_at.is_(None),
                ApiTokenRow.expires_at > now,
                UserRow.disabled.is_(False),
            )
        )
        with self.session() as session, session.begin():
            found = session.execute(stmt).first()
            if found is None:
                return None
            user, token_row = found
            if token_row.last_used_at is None or now - token_row.last_used_at > timedelta(
                minutes=1
            ):
                token_row.last_used_at = now
            return user_from_row(user)

    @staticmethod
    def _user_row(session: Session, username: str) -> UserRow | None:
        stmt = select(UserRow).where(UserRow.username == normalize_username(username))
        return session.execute(stmt).scalars().first()

    def _require_user(self, session: Session, username: str) -> UserRow:
        row = self._user_row(session, username)
        if row is None:
            raise UserError(f"ユーザー {username} はいません / no such user: {username!r}")
        return row

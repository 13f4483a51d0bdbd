"""Server-side, revocable console sessions.

The cookie carries only a random 256-bit session id; everything else (who is logged in, the
CSRF token, flash messages) stays on the server, in the ticket database by default or in Redis
when ``settings.redis_url`` is set (several console processes share it). Only the SHA-256 of
the id is used as the key, so a copy of the table or of Redis does not hand out live sessions.

Why server-side: a cookie that *is* the session cannot be taken back. Here logout deletes the
record, and disabling a user or changing a password ends every session of that user at once:
the user's ``session_epoch`` moves on (checked on every request by ``auth.current_user``, so it
works whatever changed the password, the console or the CLI) and the backend's records of the
user are deleted right away.

Sessions end after ``idle`` seconds without a request and, however busy, ``absolute`` seconds
after login (a shift on a shared PC). An id the server does not know is never adopted: the
client gets a new random one (no session fixation).

Ended means ended: a request that loaded the session before logout and saves it afterwards
(moving the idle deadline on, adding a flash message or a CSRF token) only *updates* a record
that still exists (``UPDATE … WHERE`` / ``SET … XX``); only new sessions are inserted. Writing
it back would log the old cookie in again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from aiohttp import web
from aiohttp_session import AbstractStorage, Session
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session as OrmSession

from bot.tickets.engine import Database
from bot.tickets.schema import ConsoleSessionRow

USERNAME_KEY = "username"
EPOCH_KEY = "epoch"
# Last-seen is written at most this often, so reading pages does not mean a write each time.
TOUCH_INTERVAL = 60.0
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_RECORD = "console.session_record"


@dataclass
class SessionRecord:
    data: dict[str, Any]
    username: str | None
    created_at: float  # unix seconds
    last_seen_at: float
    expires_at: float  # min(created + absolute, last seen + idle)


class SessionBackend(Protocol):
    """Where records live; the database and Redis implement the same operations.

    ``create`` and ``update`` are separate on purpose: a request still running when its
    session ended (logout, password change, disable) must not write the record back, so an
    update touches only a record that still exists and says whether it did.
    """

    async def load(self, key: str) -> SessionRecord | None: ...

    async def create(self, key: str, record: SessionRecord) -> None: ...

    async def update(self, key: str, record: SessionRecord) -> bool: ...

    async def delete(self, key: str) -> None: ...

    async def delete_user(self, username: str) -> int: ...

    async def close(self) -> None: ...


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _dt(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, timezone.utc)


class DatabaseSessionBackend:
    """The default: a ``console_sessions`` table next to the tickets (no extra service)."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._last_prune = 0.0

    def _load(self, key: str) -> SessionRecord | None:
        with self._db.session() as session:
            row = session.get(ConsoleSessionRow, key)
            if row is None:
                return None
            return SessionRecord(
                data=dict(row.data),
                username=row.username,
                created_at=row.created_at.timestamp(),
                last_seen_at=row.last_seen_at.timestamp(),
                expires_at=row.expires_at.timestamp(),
            )

    @staticmethod
    def _columns(record: SessionRecord) -> dict[str, Any]:
        return {
            "username": record.username,
            "data": record.data,
            "created_at": _dt(record.created_at),
            "last_seen_at": _dt(record.last_seen_at),
            "expires_at": _dt(record.expires_at),
        }

    def _prune(self, session: OrmSession, now: float) -> None:
        """Anonymous sessions (the login page's CSRF token) are created by anyone: drop the
        dead ones regularly so that the table stays small."""
        if now - self._last_prune > TOUCH_INTERVAL:
            self._last_prune = now
            session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at < _dt(now))
            )

    def _create(self, key: str, record: SessionRecord) -> None:
        with self._db.session() as session, session.begin():
            session.add(ConsoleSessionRow(id_hash=key, **self._columns(record)))
            self._prune(session, record.last_seen_at)

    def _update(self, key: str, record: SessionRecord) -> bool:
        # One UPDATE … WHERE: a row deleted by a concurrent logout stays deleted (rowcount 0).
        with self._db.session() as session, session.begin():
            result = session.execute(
                update(ConsoleSessionRow)
                .where(ConsoleSessionRow.id_hash == key)
                .values(**self._columns(record))
                .execution_options(synchronize_session=False)
            )
            self._prune(session, record.last_seen_at)
            return bool(result.rowcount == 1)

    def _delete_where(self, *conditions: Any) -> int:
        with self._db.session() as session, session.begin():
            keys = session.execute(select(ConsoleSessionRow.id_hash).where(*conditions)).all()
            session.execute(delete(ConsoleSessionRow).where(*conditions))
            return len(keys)

    async def load(self, key: str) -> SessionRecord | None:
        return await asyncio.to_thread(self._load, key)

    async def create(self, key: str, record: SessionRecord) -> None:
        await asyncio.to_thread(self._create, key, record)

    async def update(self, key: str, record: SessionRecord) -> bool:
        return await asyncio.to_thread(self._update, key, record)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete_where, ConsoleSessionRow.id_hash == key)

    async def delete_user(self, username: str) -> int:
        return await asyncio.to_thread(self._delete_where, ConsoleSessionRow.username == username)

    async def close(self) -> None:
        """The database belongs to the store; nothing to close here."""


class RedisSessionBackend:
    """Production with several console processes: records expire in Redis by themselves.

    Timeouts are short: if Redis is down the console refuses logins (fails closed) rather
    than hanging; staff see an error page, residents are not affected.
    """

    PREFIX = "intake:console:"

    def __init__(
        self, url: str, *, clock: Callable[[], float] = time.time, prefix: str = PREFIX
    ) -> None:
        import redis.asyncio as redis_asyncio

        self._redis = redis_asyncio.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._clock = clock
        self.prefix = prefix  # tests use their own, so runs never see each other's keys

    def _session_key(self, key: str) -> str:
        return f"{self.prefix}session:{key}"

    def _user_key(self, username: str) -> str:
        return f"{self.prefix}user:{username}"

    async def load(self, key: str) -> SessionRecord | None:
        raw = await self._redis.get(self._session_key(key))
        return SessionRecord(**json.loads(raw)) if raw else None

    def _ttl(self, record: SessionRecord) -> int:
        return max(1, int(record.expires_at - self._clock()) + 1)

    async def _index(self, record: SessionRecord, key: str, ttl: int) -> None:
        """Remember the key under its user, for ``delete_user``."""
        if record.username:
            pipe = self._redis.pipeline()
            pipe.sadd(self._user_key(record.username), key)
            pipe.expire(self._user_key(record.username), max(ttl, 86_400))
            await pipe.execute()

    async def create(self, key: str, record: SessionRecord) -> None:
        ttl = self._ttl(record)
        await self._redis.set(self._session_key(key), json.dumps(asdict(record)), ex=ttl)
        await self._index(record, key, ttl)

    async def update(self, key: str, record: SessionRecord) -> bool:
        # SET … XX writes only over an existing key: a session deleted meanwhile stays gone.
        ttl = self._ttl(record)
        written = await self._redis.set(
            self._session_key(key), json.dumps(asdict(record)), ex=ttl, xx=True
        )
        if not written:
            return False
        await self._index(record, key, ttl)
        return True

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._session_key(key))

    async def delete_user(self, username: str) -> int:
        keys = await self._redis.smembers(self._user_key(username))
        names = [self._session_key(k.decode() if isinstance(k, bytes) else k) for k in keys]
        if names:
            await self._redis.delete(*names)
        await self._redis.delete(self._user_key(username))
        return len(names)

    async def close(self) -> None:
        await self._redis.close()


class ServerSideStorage(AbstractStorage):
    """aiohttp-session storage: ``get_session``/``new_session`` work as before, server-side."""

    def __init__(
        self,
        backend: SessionBackend,
        *,
        cookie_name: str,
        idle: float,
        absolute: float,
        secure: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            cookie_name=cookie_name,
            max_age=int(absolute),
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
        self.backend = backend
        self.idle = idle
        self.absolute = absolute
        self._clock = clock

    async def load_session(self, request: web.Request) -> Session:
        session_id = self.load_cookie(request)
        if not session_id or not _ID_RE.match(session_id):
            return Session(None, data=None, new=True)
        record = await self.backend.load(_hash(session_id))
        now = self._clock()
        if record is None or record.expires_at <= now:
            if record is not None:
                await self.backend.delete(_hash(session_id))
            return Session(None, data=None, new=True)
        request[_RECORD] = record
        session = Session(
            session_id, data={"created": int(record.created_at), "session": record.data}, new=False
        )
        if now - record.last_seen_at >= TOUCH_INTERVAL:
            session.changed()  # saving moves the idle deadline on
        return session

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        now = self._clock()
        previous = self.load_cookie(request)
        if session.empty:
            if previous and _ID_RE.match(previous):
                await self.backend.delete(_hash(previous))
            self.save_cookie(response, "")
            return
        record: SessionRecord | None = request.get(_RECORD)
        if session.identity is None or record is None:
            new = True
            # A new session (first visit, login, after logout): new random id, and the
            # previous one named by the cookie is gone for good.
            session_id = secrets.token_urlsafe(32)
            created = now
            if previous and _ID_RE.match(previous):
                await self.backend.delete(_hash(previous))
        else:
            new = False
            session_id, created = str(session.identity), record.created_at
        username = session.get(USERNAME_KEY)
        expires = min(created + self.absolute, now + self.idle)
        updated = SessionRecord(
            data=dict(session),
            username=username if isinstance(username, str) else None,
            created_at=created,
            last_seen_at=now,
            expires_at=expires,
        )
        if new:
            await self.backend.create(_hash(session_id), updated)
        elif not await self.backend.update(_hash(session_id), updated):
            # Ended while this request ran (logout, password change, disable, expiry): it
            # stays ended. The cookie is left alone: the browser may already hold the new
            # anonymous one that logout sent.
            return
        self.save_cookie(response, session_id, max_age=max(1, int(created + self.absolute - now)))

    async def end_user_sessions(self, username: str) -> int:
        """Delete every stored session of a user (after disable or password change)."""
        return await self.backend.delete_user(username)

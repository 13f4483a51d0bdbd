"""Password and API-token hashing.

Passwords are chosen by people, so they get argon2id (slow, salted). API tokens are 256 bits
from ``secrets`` and cannot be guessed, so a plain SHA-256 is enough and lets the store look a
token up by its hash with an index instead of verifying every stored hash.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.tickets.errors import WeakPassword

# The one password length rule: user creation, password change (console and CLI) and the
# login form all use it. The maximum is generous for passphrases and keeps argon2 input
# bounded; the login form never truncates (a longer input simply cannot match).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
PASSWORD_RULE = f"{MIN_PASSWORD_LENGTH}文字以上、{MAX_PASSWORD_LENGTH}文字以下"
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366 * 2
TOKEN_PREFIX = "itk_"  # makes leaked tokens easy to grep for in logs and repositories

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("dummy password for timing equalisation")


def check_password_strength(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"パスワードは{PASSWORD_RULE}にしてください"
            f" / password must be at least {MIN_PASSWORD_LENGTH} characters"
            f" and at most {MAX_PASSWORD_LENGTH}"
        )


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; always does one argon2 verification (timing).

    An over-long input cannot be anyone's password: it is checked (cut) against the dummy hash
    so that it costs the same and never matches.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        password_hash, password = None, password[:MAX_PASSWORD_LENGTH]
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + 6]

"""Secrets come from the environment through bot.settings, never from credentials.yml."""

from __future__ import annotations

import pytest
from line_testkit import make_event, webhook_body

from bot.channels.line import LineInput
from bot.line.signature import compute_signature


def test_from_credentials_ignores_yaml_values_and_uses_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "from-env")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "token-from-env")
    monkeypatch.setenv("LINE_API_BASE", "http://127.0.0.1:9")

    channel = LineInput.from_credentials({"channel_secret": "from-yaml"})
    body = webhook_body(make_event(text="x"))

    assert channel.accept(body, compute_signature("from-yaml", body), _unused)[0] == 401
    assert channel.api._api_base == "http://127.0.0.1:9"
    assert channel.api._access_token == "token-from-env"


def test_from_credentials_accepts_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    channel = LineInput.from_credentials(None)
    assert channel.accept(b"{}", "x", _unused)[0] == 503
    assert LineInput.name() == "line"


async def _unused(_message: object) -> None:
    raise AssertionError("not called")


def test_redis_url_makes_instances_share_redelivery_claims(monkeypatch):
    """With REDIS_URL set, several Rasa instances de-duplicate LINE redeliveries together."""
    from bot.channels.line import LineInput
    from bot.channels.line_dedup import InMemoryClaimStore, RedisClaimStore

    monkeypatch.setenv("LINE_CHANNEL_SECRET", "s")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "t")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert isinstance(LineInput.from_credentials(None)._event_store, RedisClaimStore)
    monkeypatch.delenv("REDIS_URL")
    assert isinstance(LineInput.from_credentials(None)._event_store, InMemoryClaimStore)

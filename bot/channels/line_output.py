"""Rasa output channels for LINE: one turn collected for a single reply, or pushed at once.

The webhook answers a resident's message with its reply token, which works only once, so a
turn's answers are collected (``LineOutput``) and sent together by ``bot.channels.line_delivery``.
Messages the bot starts itself (reminders) have no reply token and are pushed
(``LinePushOutput``).
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel

from bot.line.client import LineApiClient
from bot.line.messages import batches, build_messages


class LineOutput(CollectingOutputChannel):
    """Collects one turn's answers so they can be sent in a single reply call.

    Unlike Rasa's collector it keeps a response's paragraphs together: a response is one
    speech bubble, and ``build_messages`` merges or splits only when LINE's limits require.
    """

    @classmethod
    def name(cls) -> str:
        # Domain responses may define ``channel: line`` variants; Rasa matches on this name.
        return "line"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class LinePushOutput(OutputChannel):
    """Pushes answers straight away; used by Rasa for bot-initiated messages (reminders)."""

    def __init__(self, api: LineApiClient) -> None:
        self._api = api

    @classmethod
    def name(cls) -> str:
        return "line"

    async def _push(self, recipient_id: str, output: dict[str, Any]) -> None:
        for group in batches(build_messages([output])):
            await self._api.push(recipient_id, group)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._push(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._push(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._push(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._push(recipient_id, {"attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._push(recipient_id, {"custom": json_message})

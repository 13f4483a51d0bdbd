"""The residents' website chat: a page that talks to the bot through a same-origin proxy.

Routes (added by ``setup_web_chat(app, settings)``):

- ``GET /chat?city=ube``  the chat; ``city`` (ube, masuda, kurume, fuji) preselects the city,
  any other value is ignored and the bot asks;
- ``GET /chat/crisis``  the crisis lines from ``data/crisis_lines.yml`` (verified ones only);
- ``POST /chat/api/message``  JSON ``{"message", "payload"?}`` forwarded to Rasa's REST channel
  (``{settings.rasa_url}/webhooks/rest/webhook``) as the sender named by the server's signed
  cookie (``bot.web.sender_cookie``); answers Rasa's list of ``{text, buttons}`` or
  ``{"error", "message"}`` with a polite Japanese message (400/413/415/429/502/503/504);
- ``POST /chat/api/new``  「最初から」 (and the page's start): a fresh server-issued sender id in
  the cookie, at most ``RATE_LIMIT_WEB_NEW_CONVERSATIONS`` per client address an hour (as for a
  message without a cookie; ``bot.web.new_conversations``);
- ``GET /chat/static/...``  ``chat.js`` and ``chat.css`` (no build step, no CDN).

In the console: ``create_app(settings, plugins=[bot.web.setup])`` (or ``"bot.web:setup"`` in
``bot.console.__main__.PLUGINS``). Alone: ``python -m bot.web``.
"""

from bot.web.setup import create_web_app, setup, setup_web_chat

__all__ = ["create_web_app", "setup", "setup_web_chat"]

"""LINE webhook router for the scaled layout: one Rasa instance owns each LINE user.

LINE sends one webhook for many users' events, to one URL. Behind a load balancer that
delivery would land on any Rasa instance, which would then run every user's turn in it; a
user's next delivery may land elsewhere, and Rasa open source's Redis lock store does not keep
two instances from working on one conversation at once (RasaHQ/rasa#9213). The router sits
where LINE's webhooks land: it checks the signature, splits the delivery per user (order kept),
signs each part again with the channel secret, and posts it to the Rasa instances through
HAProxy with the user's routing key in ``X-Sender-Id``, which HAProxy hashes (consistent
hashing, ``deploy/haproxy.cfg``). The Rasa side (``bot.channels.line.LineInput``) is unchanged:
a part is an ordinary, validly signed LINE delivery.

- ``bot.line_router.split``: a delivery split into signed per-user parts (no I/O);
- ``bot.line_router.app``: the aiohttp app that receives and forwards;
- ``python -m bot.line_router --port 8090 --upstream http://127.0.0.1:8001``.
"""

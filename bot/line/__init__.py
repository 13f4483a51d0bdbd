"""The LINE Messaging API without Rasa: HTTP client, message building, webhook signatures.

Both the Rasa input channel (``bot.channels.line``) and the staff console
(``bot.console.line_contact``, staff writing to a resident) talk to LINE. Keeping these pieces
here, free of Rasa, lets each adapter depend on them instead of one adapter importing another
(the console would otherwise pull in Rasa through ``bot.channels``).

- ``bot.line.client``: reply and push with retries, retry keys and LINE's error statuses;
- ``bot.line.messages``: a turn's output fitted to LINE's limits (5 messages, 5000 characters);
- ``bot.line.signature``: ``X-Line-Signature`` computed and checked on the raw body.
"""

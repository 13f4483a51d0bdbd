"""Generate tests/fixtures/line/signatures.json with the official LINE SDK's validator.

Regenerate (from the project root; the SDK cannot be installed in Rasa's .venv, so it gets
its own small virtualenv under var/, which is not committed):

    python3.10 -m venv var/line-sdk-venv
    var/line-sdk-venv/bin/pip install line-bot-sdk
    var/line-sdk-venv/bin/python scripts/line_sdk_fixtures.py

Every case records what ``linebot.v3.SignatureValidator.validate`` and
``linebot.v3.WebhookParser.parse`` say about a (secret, body, signature) triple, so
``tests/line/test_line_signature.py`` can check that our own verifier agrees with the SDK
on valid signatures and on the ones it rejects. The signatures are made here with hmac only
as *candidates*; the verdict stored is the SDK's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from importlib.metadata import version
from pathlib import Path

from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import SignatureValidator

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "line" / "signatures.json"
COMMAND = (
    "python3.10 -m venv var/line-sdk-venv && var/line-sdk-venv/bin/pip install line-bot-sdk"
    " && var/line-sdk-venv/bin/python scripts/line_sdk_fixtures.py"
)
SECRET = "8c3a1f0e2b7d4c6a9e5f1d2c3b4a5e6f"  # a made-up secret: fixtures only
OTHER_SECRET = "0123456789abcdef0123456789abcdef"

USER = "U4af4980629e1f7a2b3c4d5e6f7a8b9c0"


def _event(event_type: str, **extra: object) -> dict[str, object]:
    return {
        "type": event_type,
        "mode": "active",
        "timestamp": 1718000000000,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": f"01HZX{event_type.upper()}0000000000000000",
        "deliveryContext": {"isRedelivery": False},
        **extra,
    }


def _body(events: list[dict[str, object]], ensure_ascii: bool = False, indent=None) -> str:
    payload = {"destination": "Uffffffffffffffffffffffffffffffff", "events": events}
    return json.dumps(payload, ensure_ascii=ensure_ascii, indent=indent)


def _text(text: str) -> dict[str, object]:
    return _event(
        "message",
        replyToken="nHuyWiB7yP5Zw52FIkcQobQuGDXCTA",
        message={"id": "444573844083572737", "type": "text", "quoteToken": "q", "text": text},
    )


def bodies() -> dict[str, str]:
    """Named webhook bodies: ASCII, Japanese, emoji, escapes, verify call, odd whitespace."""
    return {
        "verify_empty_events": _body([]),
        "ascii_text": _body([_text("hello")]),
        "japanese_text": _body([_text("家賃が払えなくて困っています。宇部市に住んでいます。")]),
        "japanese_escaped": _body([_text("生活が苦しいです")], ensure_ascii=True),
        "emoji_text": _body([_text("助けてください😢🙏 お金がありません💴")]),
        "phone_numbers": _body([_text("0836-43-7440 と 0120-279-338、#9110 に電話しました")]),
        "postback_payload": _body(
            [_event("postback", replyToken="r", postback={"data": '/inform_city{"city": "ube"}'})]
        ),
        "follow": _body([_event("follow", replyToken="r", follow={"isUnblocked": False})]),
        "pretty_printed_crlf": _body([_text("改行\r\nあり")], indent=2).replace("\n", "\r\n"),
        "sticker": _body(
            [
                _event(
                    "message",
                    replyToken="r",
                    message={"id": "1", "type": "sticker", "packageId": "446", "stickerId": "1988"},
                )
            ]
        ),
    }


def sign(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), body.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def candidates(name: str, body: str) -> list[tuple[str, str, str, str]]:
    """(case, secret, body, signature) triples: the right one and several wrong ones."""
    good = sign(SECRET, body)
    flipped = ("A" if good[0] != "A" else "B") + good[1:]
    cases = [
        (f"{name}/valid", SECRET, body, good),
        (f"{name}/other_secret", SECRET, body, sign(OTHER_SECRET, body)),
        (f"{name}/body_tampered", SECRET, body + " ", good),
        (f"{name}/first_char_changed", SECRET, body, flipped),
        (f"{name}/truncated", SECRET, body, good[:-2]),
        (f"{name}/lowercased", SECRET, body, good.lower()),
    ]
    if name == "japanese_text":
        cases += [
            (f"{name}/empty_signature", SECRET, body, ""),
            (f"{name}/trailing_space", SECRET, body, good + " "),
            (
                f"{name}/hex_digest",
                SECRET,
                body,
                hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest(),
            ),
            (f"{name}/urlsafe_b64", SECRET, body, good.replace("+", "-").replace("/", "_")),
        ]
    return cases


def sdk_verdicts(secret: str, body: str, signature: str) -> tuple[bool, bool]:
    validator_ok = bool(SignatureValidator(secret).validate(body, signature))
    try:
        WebhookParser(secret).parse(body, signature)
        parser_ok = True
    except InvalidSignatureError:
        parser_ok = False
    return validator_ok, parser_ok


def main() -> int:
    cases = []
    for name, body in bodies().items():
        for case, secret, case_body, signature in candidates(name, body):
            validator_ok, parser_ok = sdk_verdicts(secret, case_body, signature)
            if validator_ok != parser_ok:
                print(f"SDK validator and parser disagree on {case}", file=sys.stderr)
                return 1
            cases.append(
                {
                    "case": case,
                    "channel_secret": secret,
                    "body": case_body,
                    "signature": signature,
                    "sdk_valid": validator_ok,
                }
            )
    fixture = {
        "generated_by": f"scripts/line_sdk_fixtures.py with line-bot-sdk {version('line-bot-sdk')}",
        "regenerate": COMMAND,
        "note": "Secrets and user ids here are made up. 'body' is the exact text LINE would "
        "send (encode as UTF-8 for the raw bytes); 'sdk_valid' is the SDK's verdict.",
        "cases": cases,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    valid = sum(case["sdk_valid"] for case in cases)
    print(f"wrote {OUTPUT} ({len(cases)} cases, {valid} valid per the SDK)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

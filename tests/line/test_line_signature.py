"""Our X-Line-Signature check agrees with the official line-bot-sdk on every fixture.

The fixtures are the SDK's verdicts (see their "regenerate" field); if the venv with the SDK
exists locally, random bodies are also cross-checked against the SDK live.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from bot.line.signature import compute_signature, verify_signature

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "line" / "signatures.json"
SDK_PYTHON = ROOT / "var" / "line-sdk-venv" / "bin" / "python"

CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


def test_fixture_covers_valid_and_rejected_signatures_with_japanese_and_emoji() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert "line-bot-sdk" in data["generated_by"] and "line_sdk_fixtures.py" in data["regenerate"]
    assert sum(case["sdk_valid"] for case in CASES) >= 5
    assert sum(not case["sdk_valid"] for case in CASES) >= 5
    bodies = "".join(case["body"] for case in CASES if case["sdk_valid"])
    assert "困っています" in bodies and "😢" in bodies


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_verifier_agrees_with_the_sdk(case: dict) -> None:
    body = case["body"].encode("utf-8")
    assert verify_signature(case["channel_secret"], body, case["signature"]) is case["sdk_valid"]


def test_valid_fixture_signatures_are_what_we_compute() -> None:
    for case in CASES:
        if case["sdk_valid"]:
            body = case["body"].encode("utf-8")
            assert compute_signature(case["channel_secret"], body) == case["signature"]


def test_missing_secret_or_signature_is_never_valid() -> None:
    body = b'{"events": []}'
    assert not verify_signature("", body, compute_signature("", body))
    assert not verify_signature("secret", body, None)
    assert not verify_signature("secret", body, "")
    assert not verify_signature("secret", body, "署名")  # non-ASCII header value


@pytest.mark.skipif(not SDK_PYTHON.exists(), reason="var/line-sdk-venv not created")
def test_live_cross_check_with_the_sdk_on_random_bodies() -> None:
    rng = random.Random(20240610)
    alphabet = 'abcXYZ012 あいう漢字。！？😢🙏\n"{}\\'
    cases = []
    for index in range(40):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        secret = f"secret-{index}"
        signature = compute_signature(secret, body.encode("utf-8"))
        if index % 3 == 0:  # a third get a signature made with the wrong secret
            signature = compute_signature(secret + "x", body.encode("utf-8"))
        cases.append({"secret": secret, "body": body, "signature": signature})
    script = (
        "import json, sys\n"
        "from linebot.v3.webhook import SignatureValidator\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([SignatureValidator(c['secret']).validate(c['body'], c['signature'])"
        " for c in cases]))\n"
    )
    result = subprocess.run(
        [str(SDK_PYTHON), "-c", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    sdk = json.loads(result.stdout)
    ours = [verify_signature(c["secret"], c["body"].encode("utf-8"), c["signature"]) for c in cases]
    assert ours == sdk
    assert True in sdk and False in sdk

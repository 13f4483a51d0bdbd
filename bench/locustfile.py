"""Locust users for `make bench`: residents talking to the bot through Rasa's REST channel.

Run by bench/load.py in Locust's own venv (bench/.venv-locust), headless. Everything is set
through environment variables, because the same file serves every phase:

* ``BENCH_TURNS``: turns per conversation (10; 120 for the conversation-length phase). A user
  talks as one resident (one sender id) for that many turns, then starts a new conversation.
* ``BENCH_CONVERSATIONS``: stop the whole run once this many conversations are finished
  (0: run until ``-t``). Used for the sequential phases, with one user.
* ``BENCH_PACING``: mean seconds from the start of one turn to the start of the user's next:
  a resident's think time. 0 means no think time (closed loop, used for saturation). Each
  gap is drawn from an exponential distribution (``poisson_pacing``), and each user's first
  turn comes at a random moment within the first gap, so that the turns of all users arrive
  as a Poisson stream of ``users / pacing`` msg/s: the textbook model of many independent
  residents. Locust's own ``constant_pacing`` would keep the users in lockstep: Locust starts
  users in batches (``-r 10`` starts ten at once every second), and a fixed pacing then sends
  each batch's turns together, ten at once, for the whole run (seen with tcpdump; it made
  p50 at 10 msg/s read 150–530 ms where evenly spread turns got 25–65 ms). A slower answer
  delays that user's next turn, which the report shows as achieved rate below offered.
* ``BENCH_RAW``: file that receives one JSON line per request (turn index, milliseconds,
  error), so percentiles are computed exactly from every request rather than from Locust's
  rounded histogram.
* ``BENCH_SEED``: makes the conversations the same on every run.

Texts are plain Japanese turns as residents write them (tests/test_stories.yml,
scripts/measure_broker_cost.py, data/nlu/): a greeting, a worry, the city, questions about the
window shown, yes/no answers, thanks.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from typing import IO, Any

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

WORRIES = [
    "家賃が払えなくて困っています",
    "カードの借金が返せなくて督促の電話が毎日きます",
    "仕事をクビになって来月から収入がありません",
    "母の物忘れがひどくなって、介護のことが心配です",
    "子育てがつらくて誰かに相談したいです",
    "息子が部屋から出てこなくなって5年になります",
    "一人暮らしで話す相手が誰もいなくてさみしいです",
    "親の介護で仕事を辞めることになり、収入がなくなって借金も返せません",
    "家賃やばい、来月払えんかも",
    "発達障害の診断を受けた娘の福祉サービスについて知りたい",
]
CITIES = ["宇部です", "久留米市です", "益田市に住んでいます", "富士市です", "宇部市に住んでます"]
WINDOW_QUESTIONS = [
    "土曜日もやってる？",
    "何時まで受け付けてくれますか",
    "そこはどこにあるんですか",
    "そこの電話番号を教えてください",
    "夜でも相談できるところ？",
]
DENY = ["いいえ", "いいえ、大丈夫です", "けっこうです"]
THANKS = ["ありがとうございました", "ありがとう"]
GREETINGS = ["こんにちは", "すみません、相談したいです"]


def conversation(rng: random.Random, turns: int) -> list[str]:
    """One resident's turns: greeting, worry, city, window questions, no, thanks, then a
    second worry and its questions; repeated (other worries) when more turns are asked."""
    texts: list[str] = []
    while len(texts) < turns:
        texts += [
            rng.choice(GREETINGS),
            rng.choice(WORRIES),
            rng.choice(CITIES),
            rng.choice(WINDOW_QUESTIONS),
            rng.choice(WINDOW_QUESTIONS),
            rng.choice(DENY),
            rng.choice(WORRIES),
            rng.choice(WINDOW_QUESTIONS),
            rng.choice(DENY),
            rng.choice(THANKS),
        ]
    return texts[:turns]


TURNS = int(os.environ.get("BENCH_TURNS", "10"))
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "0"))
PACING = float(os.environ.get("BENCH_PACING", "0"))
SEED = int(os.environ.get("BENCH_SEED", "11"))

_lock = threading.Lock()
_finished = 0
_started = 0
_users = 0
_raw: IO[str] | None = None
_quitting = False


@events.test_start.add_listener
def _open_raw(**_: Any) -> None:
    global _raw
    path = os.environ.get("BENCH_RAW")
    if path:
        _raw = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed at test_stop


@events.test_stop.add_listener
def _close_raw(**_: Any) -> None:
    if _raw is not None:
        _raw.close()


@events.request.add_listener
def _record(
    response_time: float, exception: BaseException | None, context: dict[str, Any], **_: Any
) -> None:
    """One line per request: the percentiles are computed from these, exactly."""
    if _raw is not None:
        line = {
            "turn": context.get("turn"),
            "ms": response_time,
            "end": time.time(),
            "error": None if exception is None else repr(exception),
        }
        _raw.write(json.dumps(line) + "\n")


def poisson_pacing(user: Resident) -> float:
    """Seconds to wait after a turn so that the user's next turn starts an exponentially
    distributed gap (mean ``PACING``) after this one started; at once if the answer took longer
    than the gap. The sum of many such users is a Poisson stream of turns."""
    gap = user.rng.expovariate(1 / PACING)
    return max(0.0, gap - (time.monotonic() - user.turn_started))


class Resident(FastHttpUser):
    """A resident: one conversation after another, one REST message per task run.

    ``FastHttpUser`` (geventhttpclient), not ``HttpUser`` (requests): Locust's docs put its CPU
    per request at a fraction of requests', and the load shares this machine's two cores with
    the servers it measures (bench/cpu.py: ``HttpUser`` cost 1.2–2.3 ms of CPU a turn, a tenth
    of the scaled layout's whole budget)."""

    network_timeout = 60.0
    connection_timeout = 60.0
    wait_time = poisson_pacing if PACING > 0 else constant(0)

    def on_start(self) -> None:
        global _users
        with _lock:
            _users += 1
            number = _users
        self.rng = random.Random(SEED * 7_919 + number)
        self.turn_started = time.monotonic()
        self._texts: list[str] = []
        self._turn = 0
        self._sender = ""
        self._new_conversation()
        if PACING > 0:
            # Users are started in batches; a random first moment spreads them out.
            gevent.sleep(self.rng.uniform(0, PACING))

    def _new_conversation(self) -> None:
        global _started
        with _lock:
            _started += 1
            number = _started
        self._texts = conversation(random.Random(SEED * 100_003 + number), TURNS)
        self._turn = 0
        self._sender = f"bench-{number}-{uuid.uuid4().hex[:8]}"

    def _stop_run(self) -> None:
        """All conversations asked for are done: end the whole run. The runner is stopped from
        a greenlet of its own (a user's greenlet stopping the runner is killed halfway)."""
        global _quitting
        with _lock:
            first, _quitting = not _quitting, True
        if first and self.environment.runner is not None:
            gevent.spawn(self.environment.runner.quit)
        raise StopUser()

    @task
    def say(self) -> None:
        global _finished
        self.turn_started = time.monotonic()
        text = self._texts[self._turn]
        self._turn += 1
        with self.client.post(
            "/webhooks/rest/webhook",
            json={"sender": self._sender, "message": text},
            name="rest turn",
            context={"turn": self._turn},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                error = getattr(response, "error", None) or ""
                response.failure(f"HTTP {response.status_code} {error}".strip())
            else:
                try:
                    json.loads(response.text or "")
                except ValueError:
                    response.failure("answer is not JSON")
        if self._turn >= len(self._texts):
            with _lock:
                _finished += 1
                done = _finished
            if CONVERSATIONS and done >= CONVERSATIONS:
                self._stop_run()
            if CONVERSATIONS and _started >= CONVERSATIONS:
                raise StopUser()  # the others are finishing the last conversations
            self._new_conversation()

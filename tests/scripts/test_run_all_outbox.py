"""``make run`` starts the outbox drainer: queued intakes reach staff without a manual flush."""

from __future__ import annotations

import shlex

from bot.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "run_all.sh"


def test_make_run_starts_the_outbox_drainer_in_the_background() -> None:
    lines = SCRIPT.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    commands = [shlex.split(line, comments=True) for line in lines if line.strip()]
    drainers = [c for c in commands if c[:3] == ["$BIN/intake", "outbox", "drain"]]
    assert drainers, "run_all.sh must start `intake outbox drain`"
    assert drainers[0][-1] == "&", "as a background process, next to the servers"

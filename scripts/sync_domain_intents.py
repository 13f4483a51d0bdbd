#!/usr/bin/env python3
"""Rewrite the list of multi-worry intents in domain.yml from data/nlu/*.yml.

Rasa only predicts (and accepts) intents the domain lists; the combinations grow as training
data grows, so they are listed by this script rather than by hand.
Run: .venv/bin/python scripts/sync_domain_intents.py
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MARKER = "  # COMBINATIONS (kept in sync with data/nlu/compound.yml by tests/test_domain.py)\n"


def combined_intents() -> list[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "+" in str(item.get("intent", "")):
                names.add(item["intent"])
    return sorted(names)


def main() -> None:
    domain_path = ROOT / "domain.yml"
    text = domain_path.read_text(encoding="utf-8")
    head, _, tail = text.partition(MARKER)
    tail = re.sub(r"\A(  - [a-z_+]+\n)*", "", tail)
    listed = "".join(f"  - {name}\n" for name in combined_intents())
    domain_path.write_text(head + MARKER + listed + tail, encoding="utf-8")


if __name__ == "__main__":
    main()

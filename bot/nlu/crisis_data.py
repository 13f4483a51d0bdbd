"""Labelled messages for the crisis classifier: its own files, plus the bot's NLU data.

Two sources, kept apart on purpose:

* ``data/crisis/*.yml``: the classifier's own training data, written for it (kinds of danger
  and hard negatives such as 死ぬほど忙しい), in the form
  ``{text, kind, about, victim}``;
* ``data/nlu/*.yml``: every ordinary worry and conversation line the bot is trained on, read as
  examples of ``none``, except worries labelled ``abuse_dv``, which are violence or abuse in
  plain words and therefore ``abuse``. ``data/nlu/crisis.yml`` is left out: its lines mix kinds.

The held-out dev set (``tests/nlu/crisis_dev/``) has the same form as the first source and is
read with the same loader, but is never passed to training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.nlu.categories import INTENT_SPLIT_SYMBOL
from bot.nlu.crisis_model import KINDS, VICTIMS

ABUSE_CATEGORY = "abuse_dv"
#: Files in data/nlu whose intents are not worries or conversation (their kinds are mixed).
SKIPPED_NLU_FILES = frozenset({"crisis.yml"})


@dataclass(frozen=True)
class CrisisCase:
    text: str
    kind: str
    about: str | None = None
    victim: str | None = None
    form: str | None = None
    situation: str | None = None  # the dev set's "class": which kind of situation

    @property
    def is_danger(self) -> bool:
        return self.kind != "none"


def load_crisis_cases(paths: Iterable[Path]) -> list[CrisisCase]:
    """Cases from YAML files or folders of them; bad labels fail loudly with the file name."""
    cases: list[CrisisCase] = []
    for file in _yaml_files(paths):
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for index, raw in enumerate(document.get("cases") or []):
            kind = str(raw.get("kind"))
            victim = raw.get("victim")
            if kind not in KINDS:
                raise ValueError(f"{file}: cases[{index}]: unknown kind {kind!r}")
            if victim is not None and victim not in VICTIMS:
                raise ValueError(f"{file}: cases[{index}]: unknown victim {victim!r}")
            cases.append(
                CrisisCase(
                    text=str(raw["text"]),
                    kind=kind,
                    about=raw.get("about"),
                    victim=victim,
                    form=raw.get("form"),
                    situation=raw.get("class"),
                )
            )
    return cases


def nlu_cases(nlu_dir: Path) -> list[CrisisCase]:
    """The bot's NLU examples as crisis labels: abuse_dv worries are abuse, the rest none."""
    cases: list[CrisisCase] = []
    for file in sorted(nlu_dir.glob("*.yml")):
        if file.name in SKIPPED_NLU_FILES:
            continue
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            kind = "abuse" if ABUSE_CATEGORY in intent.split(INTENT_SPLIT_SYMBOL) else "none"
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip()
                if text.startswith("- "):
                    cases.append(CrisisCase(text=_strip_annotations(text[2:]), kind=kind))
    return cases


def training_cases(crisis_dir: Path, nlu_dir: Path) -> list[CrisisCase]:
    """Everything the classifier trains on, duplicates removed (the crisis files win)."""
    seen: set[str] = set()
    unique: list[CrisisCase] = []
    for case in [*load_crisis_cases([crisis_dir]), *nlu_cases(nlu_dir)]:
        if case.text not in seen:
            seen.add(case.text)
            unique.append(case)
    return unique


def fingerprint(paths: Sequence[Path]) -> str:
    """A hash of the training files, so Rasa retrains the classifier when they change."""
    digest = hashlib.sha256()
    for file in _yaml_files(paths):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _yaml_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(sorted(path.glob("*.yml")) if path.is_dir() else [path])
    return files


def _strip_annotations(text: str) -> str:
    """Rasa entity annotations ([宇部市](city)) become their plain words."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "[":
            close = text.find("](", i)
            end = text.find(")", close) if close >= 0 else -1
            if close >= 0 and end >= 0:
                out.append(text[i + 1 : close])
                i = end + 1
                continue
        out.append(text[i])
        i += 1
    return "".join(out)

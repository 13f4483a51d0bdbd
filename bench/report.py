"""bench/results.md: every figure next to its target from issue 11, with pass or fail."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.common import Plan
from bench.cpu import CpuUsage
from bench.load import LoadResult, percentile
from bench.memory import ProcessMemory

RASA_RSS_TARGET_MB = 1.2 * 1024  # 1.2 GiB
#: The CPU table's name for one instance of the scaled layout, alone on its production stores.
PRODUCTION_ONE = "one instance, production stores"


@dataclass
class Results:
    """Everything one bench run found; a phase that failed leaves its error instead."""

    plan: Plan
    machine: dict[str, str]
    nlu: dict[str, Any] | None = None
    training_seconds: float | None = None
    start_seconds: float | None = None
    sequential: LoadResult | None = None
    long: LoadResult | None = None
    open_loop: dict[int, LoadResult] = field(default_factory=dict)
    saturation: LoadResult | None = None
    scaled: LoadResult | None = None
    #: One instance of the scaled layout alone, on its production stores, without HAProxy.
    production_one: LoadResult | None = None
    memory: dict[str, list[ProcessMemory]] = field(default_factory=dict)
    #: CPU per process during each saturation run ("one instance", "scaled").
    cpu: dict[str, CpuUsage] = field(default_factory=dict)
    #: Warm-up runs (not figures; their errors are worth knowing).
    warmups: dict[str, LoadResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**pass**" if ok else "**FAIL**")


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f} ms"


def _median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def long_ratio(result: LoadResult) -> tuple[float, float, int]:
    """Median of the first 20 turns, of the last 20, and the number of turns."""
    turns = max(result.by_turn) if result.by_turn else 0
    early = [ms for t in range(1, 21) for ms in result.by_turn.get(t, [])]
    late = [ms for t in range(max(1, turns - 19), turns + 1) for ms in result.by_turn.get(t, [])]
    return _median(early), _median(late), turns


def _targets(r: Results) -> list[tuple[str, str, str, bool | None]]:
    rows: list[tuple[str, str, str, bool | None]] = []
    if r.sequential:
        p95 = r.sequential.p(95)
        rows.append(("Sequential p95", _ms(p95), "≤ 40 ms", p95 <= 40))
    if 25 in r.open_loop:
        run = r.open_loop[25]
        ok = run.p(95) <= 150 and run.errors == 0
        rows.append(
            ("25 msg/s offered: p95, errors", f"{_ms(run.p(95))}, {run.errors}", "≤ 150 ms, 0", ok)
        )
    if r.saturation:
        rate = r.saturation.ok_rate
        rows.append(("One instance saturates at", f"{rate:.1f} msg/s", "≥ 50 msg/s", rate >= 50))
    if r.long:
        early, late, _ = long_ratio(r.long)
        ratio = late / early if early else math.nan
        rows.append(("Late turn / early turn", f"{ratio:.2f}×", "≤ 1.2×", ratio <= 1.2))
    if r.scaled and r.saturation:
        gain = r.scaled.ok_rate / r.saturation.ok_rate if r.saturation.ok_rate else math.nan
        measured = f"{gain:.2f}×"
        usage = r.cpu.get("scaled")
        if usage is not None and usage.counted_seconds and r.saturation.ok_rate:
            ceiling = usage.cores / (usage.counted_seconds / r.scaled.requests)
            measured += (
                f" (this machine's CPU allows at most {ceiling / r.saturation.ok_rate:.2f}×: "
                "CPU per turn below)"
            )
        rows.append(("Scaled / one instance", measured, "≥ 1.5×", gain >= 1.5))
    if r.scaled and r.production_one and r.production_one.ok_rate:
        like = r.scaled.ok_rate / r.production_one.ok_rate
        rows.append(
            (
                "Scaled / one instance on the same production stores (like with like)",
                f"{like:.2f}× ({r.production_one.ok_rate:.1f} msg/s alone)",
                "≥ 1.5×",
                like >= 1.5,
            )
        )
    if r.training_seconds is not None:
        rows.append(
            (
                "Training (cold: no Rasa cache)",
                f"{r.training_seconds:.0f} s",
                "≤ 120 s",
                r.training_seconds <= 120,
            )
        )
    else:
        rows.append(
            ("Training (cold: no Rasa cache)", "not measured (quick mode)", "≤ 120 s", None)
        )
    if r.start_seconds is not None:
        rows.append(
            (
                "Start (rasa run → /status)",
                f"{r.start_seconds:.1f} s",
                "≤ 25 s",
                r.start_seconds <= 25,
            )
        )
    rasa = [p.peak_mb for ps in r.memory.values() for p in ps if p.role.startswith("Rasa")]
    if rasa:
        peak = max(rasa)
        rows.append(
            (
                "Rasa peak RSS (largest)",
                f"{peak:.0f} MiB",
                "≤ 1.2 GiB (1229 MiB)",
                peak <= RASA_RSS_TARGET_MB,
            )
        )
    return rows


def _nlu_section(nlu: dict[str, Any], quick: bool) -> list[str]:
    char = nlu["char_model"]
    lines = [
        "## NLU on the held-out dev sets",
        "",
        "`intake eval`'s own code (bot.nlu.evaluation) on tests/nlu/dev_cases.yml and "
        "tests/nlu/dev_classes.yml. Crisis recall = crisis cases detected / crisis cases.",
        "",
        "| dev set | pipeline | cases | micro-F1 | exact | crisis recall | false crisis |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in nlu["sudachi"]:
        for label, key in (("Sudachi (config.yml)", "sudachi"), ("char n-gram", "char")):
            f = nlu[key][name]
            recall = (
                f"{f['crisis_detected'] / f['crisis_total']:.3f}" if f["crisis_total"] else "n/a"
            )
            lines.append(
                f"| {name} | {label} | {f['cases']} | {f['micro_f1']:.3f} | "
                f"{f['exact_match']:.3f} | {recall} ({f['crisis_detected']}/"
                f"{f['crisis_total']}) | {f['false_crisis']} |"
            )
    trained = (
        f"trained NLU-only in {char.train_seconds:.0f} s"
        if char.train_seconds is not None
        else "reused from an earlier bench run with the same config and data"
    )
    featurizer = next(c for c in char.config["pipeline"] if c.get("analyzer") == "char_wb")
    lines += [
        "",
        f"The char-n-gram pipeline is config.yml with its Sudachi-based featurizers (word "
        f"CountVectorsFeaturizer on lemmas, ReadingCountVectorsFeaturizer) replaced by one "
        f"`CountVectorsFeaturizer` (analyzer char_wb, n-grams {featurizer['min_ngram']}–"
        f"{featurizer['max_ngram']}, use_lemma false), everything else identical ({trained}). "
        "Rasa requires a tokenizer and none of its own handles Japanese, so the Sudachi "
        "tokenizer stays in the char pipeline: its token boundaries decide where char_wb pads "
        "n-grams. What changes with the featurizers: DIET and the worry classifier (it reads "
        "their sparse features). The crisis classifier builds its own Sudachi features in both "
        "pipelines (bot/nlu/crisis_model.py), so crisis recall moves only through what it "
        "takes from the worry categories (abuse).",
    ]
    if quick:
        lines += ["", "**Quick mode: the char pipeline's DIET ran a few epochs only.**"]
    tok = nlu["tokenizer"]
    lines += [
        "",
        "## Tokenizer",
        "",
        f"{tok['messages']:,} messages ({tok['characters']:,} characters): the "
        f"{tok['distinct_examples']} example texts of data/nlu/*.yml (annotations removed) in "
        "file order, cycled. Split mode C, one process, after 50 warm-up messages.",
        "",
        f"- bot.nlu.tokenizer.SudachiTokenizer: {tok['characters'] / tok['component_seconds']:,.0f}"
        f" chars/s ({tok['messages'] / tok['component_seconds']:,.0f} messages/s, "
        f"{tok['tokens']:,} tokens)",
        f"- bot.nlu.sudachi.SudachiAnalyzer (what it wraps): "
        f"{tok['characters'] / tok['analyzer_seconds']:,.0f} chars/s",
    ]
    return lines


def _latency_row(label: str, run: LoadResult, offered: str = "") -> str:
    return (
        f"| {label} | {offered} | {run.users} | {run.requests} | {run.rate:.1f} | "
        f"{_ms(run.p(50))} | {_ms(run.p(95))} | {_ms(run.p(99))} | {run.errors} |"
    )


def _latency_section(r: Results) -> list[str]:
    p = r.plan
    lines = [
        "## Latency through the REST channel (one instance, as `make run`)",
        "",
        "Action server + one Rasa with endpoints.yml (SQLite tracker store, SQL event broker) + "
        "the SQL analytics consumer, on free loopback ports. Load: Locust (bench/locustfile.py) "
        "on the same machine, so it shares the cores with the servers. Percentiles are "
        "nearest-rank over every successful request.",
        "",
        "| run | offered msg/s | users | requests | achieved msg/s | p50 | p95 | p99 | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if r.sequential:
        lines.append(
            _latency_row(
                f"sequential ({p.sequential_conversations} conversations × {p.turns} turns)",
                r.sequential,
                "—",
            )
        )
    for rate, run in sorted(r.open_loop.items()):
        lines.append(_latency_row(f"open loop {rate} msg/s", run, str(rate)))
    if r.saturation:
        lines.append(_latency_row("saturation, one instance", r.saturation, "closed loop"))
    if r.production_one:
        lines.append(
            _latency_row(
                "saturation, one instance on the production stores (no HAProxy)",
                r.production_one,
                "closed loop",
            )
        )
    if r.scaled:
        lines.append(_latency_row("saturation, scaled (2 Rasa + HAProxy)", r.scaled, "closed loop"))
    lines += [
        "",
        f"Open loop: residents with a mean think time of {p.think_seconds:.0f} s, "
        f"users = rate × {p.think_seconds:.0f}, each starting its first turn at a random "
        "moment and the next ones after exponentially distributed gaps, so that turns arrive "
        "as a Poisson stream of the offered rate (many independent residents; "
        f"bench/locustfile.py `poisson_pacing`), {p.load_seconds} s per rate. A slower answer "
        "delays that resident's next turn, so achieved < offered shows the server falling "
        "behind. Saturation: "
        f"{p.saturation_users} residents per Rasa instance with no think time (closed loop), "
        f"{p.load_seconds} s; its achieved msg/s is the throughput.",
    ]
    for name, warm in r.warmups.items():
        lines += [
            "",
            f"Warm-up before the {name} figures (not counted): {warm.requests} turns, "
            f"{warm.errors} errors, p50 {_ms(warm.p(50))}, slowest {_ms(warm.p(100))}.",
        ]
    if r.long:
        early, late, turns = long_ratio(r.long)
        lines += [
            "",
            f"Conversation length: {r.plan.long_conversations} conversation(s) of {turns} "
            f"turns, one message at a time: median of turns 1–20 {_ms(early)}, of turns "
            f"{max(1, turns - 19)}–{turns} {_ms(late)} (over every conversation), ratio "
            f"{late / early if early else math.nan:.2f}×.",
        ]
    return lines


def _cpu_section(r: Results) -> list[str]:
    runs = [
        (layout, usage, run)
        for layout, usage, run in (
            ("one instance", r.cpu.get("one instance"), r.saturation),
            (PRODUCTION_ONE, r.cpu.get(PRODUCTION_ONE), r.production_one),
            ("scaled", r.cpu.get("scaled"), r.scaled),
        )
        if usage is not None and run is not None and run.requests
    ]
    if not runs:
        return []
    lines = [
        "## CPU per turn at saturation",
        "",
        "CPU seconds (user + system, from /proc) of every process over each saturation "
        "run, divided by the turns it sent (Locust's own start and stop included). One "
        "Rasa instance is one Python thread: it saturates when that thread fills one "
        "core, however idle the rest of the machine is. The scaled layout saturates when "
        "the machine is full, so on this machine its ceiling is the cores divided by the "
        "CPU all processes spend per turn (the load generator, PostgreSQL, Redis and "
        "RabbitMQ share the same cores here).",
        "",
        "| layout | process | CPU s | share of one core | CPU per turn |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    ceilings = []
    for layout, usage, run in runs:
        turns, wall = run.requests, usage.wall_seconds
        for role, seconds in usage.by_role:
            lines.append(
                f"| {layout} | {role} | {seconds:.1f} | {seconds / wall:.0%} | "
                f"{seconds / turns * 1000:.1f} ms |"
            )
        per_turn = usage.counted_seconds / turns
        lines.append(
            f"| {layout} | **all** (machine busy {usage.busy_share:.0%} of "
            f"{usage.cores} cores) | {usage.counted_seconds:.1f} | "
            f"{usage.counted_seconds / wall:.0%} | **{per_turn * 1000:.1f} ms** |"
        )
        ceilings.append(
            f"- {layout}: {run.ok_rate:.1f} msg/s achieved; {usage.cores} cores ÷ "
            f"{per_turn * 1000:.1f} ms per turn = at most {usage.cores / per_turn:.0f} msg/s "
            "on this machine with everything on it."
        )
    return lines + ["", *ceilings]


def _memory_section(r: Results) -> list[str]:
    lines = [
        "## Peak memory (VmHWM) of every process",
        "",
        "| layout | process | pid | peak RSS |",
        "| --- | --- | ---: | ---: |",
    ]
    for layout, processes in r.memory.items():
        for proc in processes:
            lines.append(f"| {layout} | {proc.role} | {proc.pid} | {proc.peak_mb:.0f} MiB |")
    return lines


def render(r: Results) -> str:
    """The whole results file."""
    m = r.machine
    title = "Benchmark results" + (" (QUICK MODE: noise, not figures)" if r.plan.quick else "")
    lines = [
        f"# {title}",
        "",
        "Made by `make bench` (bench/run.py; bench/README.md says what each figure means).",
        "",
        f"- Commit: `{m['commit']}`, uncommitted changes: {m['dirty']}",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['ram']} RAM, Linux {m['kernel']}, "
        f"Python {m['python']}",
        f"- Date: {m['date']}; load average when the bench began: {m['loadavg']} "
        "(anything else running skews the latencies)",
        "",
        "## Targets (issue 11)",
        "",
        "| figure | measured | target | verdict |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {_verdict(ok)} |" for a, b, c, ok in _targets(r)]
    lines += [
        "",
        "Training: `rasa train` of config.yml and the data as `make train` runs it, with "
        "an empty Rasa cache (its cache directory and HOME temporary; after an edit Rasa "
        "reuses unchanged components, which is not the figure a fresh clone or a data "
        "change meets), "
        "from launch to exit. Start: seconds from launching `rasa run` until /status "
        "answers (polled every 0.5 s), action server already up.",
        "",
    ]
    if r.nlu:
        lines += _nlu_section(r.nlu, r.plan.quick) + [""]
    lines += _latency_section(r) + [""]
    lines += _cpu_section(r) + [""]
    lines += _memory_section(r) + [""]
    if r.errors:
        lines += ["## Phases that failed", ""] + [f"- {e}" for e in r.errors] + [""]
    return "\n".join(lines)

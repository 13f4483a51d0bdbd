"""`make bench`: measure the bot and write bench/results.md (quick mode: results-quick.md).

Phases, in order (each prints timestamped progress on stderr; one that fails is reported in
the results and the others still run):

1. NLU: the Sudachi model (models/intake.tar.gz) and a char-n-gram model derived from
   config.yml, on the dev sets; Sudachi tokenizer speed.
2. One instance as `make run` runs it: start time, sequential latency, latency against
   conversation length, open-loop latency at several offered rates, saturation throughput,
   peak memory.
3. The scaled layout (two Rasa instances behind HAProxy): saturation throughput of one of its
   instances alone (same stores, no HAProxy) and of both, peak memory.

Run from the project root with the project's venv: ``.venv/bin/python -m bench.run``.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import context, cpu, nlu, training
from bench.common import LOCUST_VENV, MODEL, WORK_ROOT, Plan, plan_from_env, progress
from bench.load import LoadResult, run_locust
from bench.memory import peak_rss
from bench.report import PRODUCTION_ONE, Results, render
from bench.stacks import scaled_stack, single_stack

LOAD_GENERATOR = "Locust (the load, same machine)"


def _guarded(results: Results, phase: str, action: Callable[[], None]) -> None:
    """Run one phase; its failure is written into the results instead of ending the bench."""
    try:
        action()
    except (KeyboardInterrupt, SystemExit):
        raise
    # BaseException: tests/services.py reports an unreachable service with pytest.fail, whose
    # exception is not an Exception.
    except BaseException as error:  # noqa: BLE001 - any failure is a finding to report
        progress(f"{phase} FAILED: {error}")
        traceback.print_exc()
        results.errors.append(f"{phase}: {type(error).__name__}: {str(error)[:500]}")


def _saturate(
    results: Results, layout: str, label: str, url: str, users: int, plan: Plan
) -> LoadResult:
    """A closed-loop saturation run against ``url``, with every process's CPU over it
    recorded under ``layout`` (the report's CPU table)."""
    out = WORK_ROOT / ("locust-quick" if plan.quick else "locust")
    before = cpu.snapshot()
    run = run_locust(label, url, out, users=users, seconds=plan.load_seconds, turns=plan.turns)
    results.cpu[layout] = cpu.usage(before, cpu.snapshot(), LOAD_GENERATOR)
    return run


def _single(results: Results, plan: Plan, work: Path) -> None:
    out = WORK_ROOT / ("locust-quick" if plan.quick else "locust")
    with single_stack(work / "single") as stack:
        results.start_seconds = stack.start_seconds
        results.warmups["one instance"] = run_locust(
            "warmup", stack.url, out, users=1, seconds=120, conversations=1
        )
        results.sequential = run_locust(
            "sequential",
            stack.url,
            out,
            users=1,
            seconds=900,
            conversations=plan.sequential_conversations,
            turns=plan.turns,
        )
        results.long = run_locust(
            "long",
            stack.url,
            out,
            users=1,
            seconds=900,
            conversations=plan.long_conversations,
            turns=plan.long_turns,
        )
        for rate in plan.rates:
            users = int(rate * plan.think_seconds)
            results.open_loop[rate] = run_locust(
                f"open-{rate}",
                stack.url,
                out,
                users=users,
                seconds=plan.load_seconds,
                turns=plan.turns,
                pacing=plan.think_seconds,
            )
        results.saturation = _saturate(
            results, "one instance", "saturation-single", stack.url, plan.saturation_users, plan
        )
        results.memory["one instance"] = peak_rss()


def _scaled(results: Results, plan: Plan, work: Path) -> None:
    out = WORK_ROOT / ("locust-quick" if plan.quick else "locust")
    with scaled_stack(work / "scaled") as stack:
        # Through HAProxy: a first turn can hold a Rasa event loop past HAProxy's health check,
        # which then takes the instance out (503): the results say how many.
        results.warmups["scaled"] = run_locust(
            "warmup-scaled", stack.url, out, users=4, seconds=120, conversations=4
        )
        # One of the two instances alone, on the same production stores, without HAProxy (the
        # other idles): what the second instance adds, like with like.
        results.production_one = _saturate(
            results,
            PRODUCTION_ONE,
            "saturation-production-one",
            stack.instances[0],
            plan.saturation_users,
            plan,
        )
        results.scaled = _saturate(
            results, "scaled", "saturation-scaled", stack.url, 2 * plan.saturation_users, plan
        )
        results.memory["scaled"] = peak_rss()


def _nlu(results: Results, plan: Plan) -> None:
    results.nlu = nlu.nlu_figures(plan)


def _training(results: Results, plan: Plan) -> None:
    results.training_seconds = training.cold_training_seconds(plan.quick)


def main() -> int:
    """Every phase, then the results file; exit 1 when a phase could not run."""
    plan = plan_from_env()
    if not MODEL.exists():
        raise SystemExit(f"{MODEL} is missing: `make bench` trains it first")
    if not (LOCUST_VENV / "bin" / "locust").exists():
        raise SystemExit("Locust is missing: `make bench` installs it (bench/.venv-locust)")
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    progress(f"bench {'QUICK' if plan.quick else 'full'} → {plan.results_file.name}")
    results = Results(plan, context.machine())
    _guarded(results, "NLU", lambda: _nlu(results, plan))
    _guarded(results, "training", lambda: _training(results, plan))
    with tempfile.TemporaryDirectory(dir=WORK_ROOT, prefix="run-") as tmp:
        work = Path(tmp)
        _guarded(results, "one instance", lambda: _single(results, plan, work))
        _guarded(results, "scaled layout", lambda: _scaled(results, plan, work))
    plan.results_file.write_text(render(results), encoding="utf-8")
    progress(f"wrote {plan.results_file}")
    print(render(results))
    return 1 if results.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

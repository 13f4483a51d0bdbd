"""The benchmark compares what it says it compares and computes the percentiles it reports:
the char n-gram pipeline is config.yml with only the Sudachi featurizers swapped, and p95 is
a nearest-rank percentile of the measured requests."""

from __future__ import annotations

import time

import yaml

from bench.load import percentile
from bench.nlu import char_ngram_config
from bot.settings import PROJECT_ROOT


def _config() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))


def test_the_char_pipeline_differs_from_config_yml_only_in_its_featurizers() -> None:
    """Every other component (tokenizer, classifiers, crisis, policies) stays as configured."""
    config = _config()
    derived = char_ngram_config(config)
    names = [c["name"] for c in config["pipeline"]]
    derived_names = [c["name"] for c in derived["pipeline"]]
    assert "bot.nlu.reading_featurizer.ReadingCountVectorsFeaturizer" in names
    assert "bot.nlu.reading_featurizer.ReadingCountVectorsFeaturizer" not in derived_names
    char = [c for c in derived["pipeline"] if c.get("analyzer") == "char_wb"]
    assert len(char) == 1 and char[0]["use_lemma"] is False
    kept = [c for c in config["pipeline"] if "Featurizer" not in c["name"]]
    assert [c for c in derived["pipeline"] if "Featurizer" not in c["name"]] == kept
    assert derived["policies"] == config["policies"]


def test_quick_mode_shortens_only_diet() -> None:
    """BENCH_QUICK's shorter DIET changes that one setting and nothing else."""
    config = _config()
    quick = char_ngram_config(config, epochs=5)
    full = char_ngram_config(config)
    diet = [c for c in quick["pipeline"] if c["name"] == "DIETClassifier"]
    assert diet and diet[0]["epochs"] == 5
    for a, b in zip(quick["pipeline"], full["pipeline"], strict=True):
        if a["name"] != "DIETClassifier":
            assert a == b


def test_percentiles_are_nearest_rank() -> None:
    """p50/p95/p99 of 1..100 ms are 50, 95 and 99 ms; one slow request is the p99 of 100."""
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([10.0] * 99 + [900.0], 99) == 10.0
    assert percentile([10.0] * 98 + [900.0] * 2, 99) == 900.0


def test_cpu_usage_counts_live_servers_and_the_finished_load_generator() -> None:
    """The CPU table must see both kinds of process a saturation run makes work: a server that
    lives on (read from /proc) and the load generator, which exits before the second reading
    (counted from the bench's waited-for children)."""
    import subprocess
    import sys

    from bench import cpu

    burn = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.readline()\n" + burn + "\nsys.stdin.read()"],
        stdin=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    try:
        before = cpu.snapshot()
        server.stdin.write("go\n")
        server.stdin.flush()
        subprocess.run([sys.executable, "-c", burn], check=True)
        time.sleep(1.0)  # the server finishes its 0.5 s of work (it has its own core or ours)
        after = cpu.snapshot()
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    usage = dict(cpu.usage(before, after, "load").by_role)
    assert usage["load"] >= 0.45
    server_rows = [
        s for role, s in usage.items() if role.startswith("-c import sys; sys.stdin.readline()")
    ]
    assert server_rows and sum(server_rows) >= 0.3, usage


def test_the_scaled_layout_is_also_compared_with_one_of_its_own_instances() -> None:
    """Besides the issue's comparison (two instances on the production stores against one as
    `make run` runs it, on embedded SQLite), the targets show the like-with-like one: the same
    two instances against one of them alone on the same stores, what a second instance adds."""
    from bench.common import plan_from_env
    from bench.context import machine
    from bench.load import LoadResult
    from bench.report import Results, render

    def run(label: str, rate: float) -> LoadResult:
        return LoadResult(label, 10.0, [20.0] * int(rate * 10), 0)

    results = Results(plan_from_env(), machine())
    results.saturation = run("one", 60.0)
    results.production_one = run("production-one", 48.0)
    results.scaled = run("scaled", 78.0)
    report = render(results)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines()}
    assert "1.30×" in rows["Scaled / one instance"] and "**FAIL**" in rows["Scaled / one instance"]
    like = rows["Scaled / one instance on the same production stores (like with like)"]
    assert "1.62× (48.0 msg/s alone)" in like and "**pass**" in like
    assert "one instance on the production stores (no HAProxy)" in report

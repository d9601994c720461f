"""`python -m bench`: every measurement in one bounded run, written to docs/benchmarks.md.

python -m bench                          # everything, Prism included: ~25 min, plus ~30 min per
                                         # variants profile (--catch-profiles quick halves it)
python -m bench --sections suite,catch   # rerun some sections, keep the others from docs/benchmarks.json
python -m bench --render                 # rewrite the page from docs/benchmarks.json
python -m bench --smoke                  # under a minute; no Prism, no suite, nothing asserted on speed
python -m bench --sections proxy      # the latency proxy mode adds, beside Prism's proxy (~2 min)
python -m bench --sections soak,verdicts --jobs 2
                                         # trust in the verdict: false alarms over 100 quick and 20
                                         # thorough random seeds (~60 min with 2 jobs), and the quick
                                         # profile's verdict time on every faulty variant (~20 min)
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import chart, cpu, load, machine, prism, procs, report, scale, startup, suite, throughput, trust
from . import proxy as proxying
from .targets import ALL, BY_KEY, FLOOR, MOCK, MOCK_WAITRESS, PRISM, ROOT, write_seed

SECTIONS = ("load", "cpu", "startup", "scale", "proxy", "suite", "catch", "soak", "verdicts")
SMOKE = "load,cpu,startup,scale"  # the suite needs a minute even on one example: not for a smoke run
DOCS = ROOT / "docs"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="a seconds-long run of every section, Prism left out")
    p.add_argument("--render", action="store_true", help="measure nothing: rewrite the page from benchmarks.json")
    p.add_argument("--sections", help=f"comma-separated subset of {','.join(SECTIONS)} (default: all; smoke: {SMOKE})")
    p.add_argument("--out", type=Path, help="directory for benchmarks.md/.json/.png (default: docs/)")
    p.add_argument("--targets", default=",".join(t.key for t in ALL), help="servers under load (%(default)s)")
    p.add_argument("--no-prism", action="store_true", help="leave Prism out (no node/npm needed)")
    p.add_argument("--seconds", type=float, default=5.0, help="seconds per load cell and round (%(default)s)")
    p.add_argument("--rounds", type=int, default=2, help="rounds per load cell (%(default)s)")
    p.add_argument("--connections", default="1,16,64", help="concurrency levels (%(default)s)")
    p.add_argument("--profiles", default=",".join(load.PROFILES), help="request profiles (%(default)s)")
    p.add_argument("--sizes", default="10,10000,100000", help="stored workflows for the scale section")
    p.add_argument("--startup-repeats", type=int, default=5, help="fresh starts per server (%(default)s)")
    p.add_argument("--suite-profiles", default="quick,thorough", help="suite profiles to time (%(default)s)")
    p.add_argument("--catch-profiles", default="quick,thorough", help="profiles for the variants (%(default)s)")
    p.add_argument("--variants", help="comma-separated variant names (default: every one in tests/faults)")
    p.add_argument("--proxy-seconds", type=float, default=3.0, help="seconds per proxy cell and round (%(default)s)")
    p.add_argument("--cpu-requests", type=int, default=2000, help="requests per app and round, cpu section")
    p.add_argument("--cpu-rounds", type=int, default=5, help="rounds of the cpu section (%(default)s)")
    p.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    p.add_argument(
        "--soak", default=trust.SOAK_PLAN, help="suite runs per profile on the correct mock, random seeds (%(default)s)"
    )
    p.add_argument("--jobs", type=int, default=1, help="suite runs at a time in soak and verdicts (%(default)s)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    sections = [s for s in (args.sections or (SMOKE if args.smoke else ",".join(SECTIONS))).split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser().error(f"unknown sections: {sorted(unknown)}")
    if args.smoke:
        _smoke_settings(args)
    out_dir: Path = args.out or DOCS
    runs_dir = ROOT / "bench" / ".runs" / ("smoke" if args.smoke else "full")
    targets = [BY_KEY[k] for k in args.targets.split(",") if k]
    if args.no_prism:
        targets = [t for t in targets if t.family != "prism"]
    if not args.no_prism and ({"load", "startup", "proxy"} & set(sections)):
        prism.ensure()

    def progress(line: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)

    results_file = out_dir / "benchmarks.json"
    if args.render:
        _write_page(json.loads(results_file.read_text(encoding="utf-8")), out_dir, progress)
        return 0
    results: dict[str, Any] = {}
    if results_file.exists() and set(sections) != set(SECTIONS):
        results = json.loads(results_file.read_text(encoding="utf-8"))  # keep the sections not rerun
    for name in set(SECTIONS) - set(sections):
        results.setdefault(name, {"not_measured": "section not run"})
    results["machine"] = machine.describe()
    force_python = args.python_load
    connections = [int(n) for n in args.connections.split(",")]
    profiles = args.profiles.split(",")

    with procs.cleanup():
        if "load" in sections:
            seed_file = write_seed(runs_dir / "seed-100.json", 100)
            results["load"] = throughput.measure(
                targets, profiles, connections, args.seconds, args.rounds, seed_file, runs_dir, progress, force_python
            )
        if "cpu" in sections:
            seed_file = write_seed(runs_dir / "seed-100.json", 100)
            results["cpu"] = cpu.measure(seed_file, args.cpu_requests, args.cpu_rounds, progress)
        if "startup" in sections:
            starters = [MOCK, MOCK_WAITRESS, FLOOR] if args.no_prism else [MOCK, MOCK_WAITRESS, FLOOR, PRISM]
            results["startup"] = startup.measure(
                starters, args.startup_repeats, args.seconds, runs_dir, progress, force_python
            )
        if "scale" in sections:
            sizes = [int(n) for n in args.sizes.split(",")]
            results["scale"] = scale.measure(
                sizes, args.seconds, args.rounds, runs_dir, progress, force_python=force_python
            )
        if "proxy" in sections:
            results["proxy"] = proxying.measure(
                args.proxy_seconds,
                args.rounds,
                runs_dir,
                progress,
                with_prism=not args.no_prism,
                force_python=force_python,
            )
        if "suite" in sections:
            results["suite"] = _suite_timing(args, runs_dir, progress)
        if "catch" in sections:
            results["catch"] = _catching(args, runs_dir, progress)
        if "soak" in sections or "verdicts" in sections:
            missing = suite.suite_missing() or suite.variants_missing()
            cap = 1 if args.smoke else None
            for name in ("soak", "verdicts"):
                if name not in sections:
                    continue
                if missing:
                    results[name] = {"not_measured": missing}
                elif name == "soak":
                    results[name] = trust.soak(trust.parse_plan(args.soak), args.jobs, runs_dir, progress, cap=cap)
                else:
                    names = args.variants.split(",") if args.variants else None
                    results[name] = trust.verdicts(names, args.jobs, runs_dir, progress, cap=cap)

    results["machine"]["load_average_end"] = machine.load_average()
    out_dir.mkdir(parents=True, exist_ok=True)
    command = ("python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])).strip()
    for name in sections:  # which run measured which section, when merged with older results
        results[name]["measured"] = {
            "command": command,
            "date": results["machine"]["date"],
            "load_average": f"{results['machine']['load_average']}; {results['machine']['load_average_end']}",
        }
    results_file.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    _write_page(results, out_dir, progress)
    return 0


def _write_page(results: dict[str, Any], out_dir: Path, progress: Callable[[str], None]) -> None:
    load_results = report.section(results, "load")
    chart_name = chart.throughput(load_results, out_dir / "benchmarks.png").name if load_results else None
    (out_dir / "benchmarks.md").write_text(report.render(results, chart_name), encoding="utf-8")
    progress(f"wrote {out_dir / 'benchmarks.md'}")
    for v in report.verdicts(results):
        progress(f"{v.mark:>12}  {v.target}: {v.measured}")


def _smoke_settings(args: argparse.Namespace) -> None:
    """Every code path once, quickly: tiny cells, no Prism, a capped read-only suite on one operation."""
    args.no_prism = True
    args.targets = "mock,unvalidated,floor"
    args.seconds, args.rounds, args.proxy_seconds = 0.5, 1, 0.5
    args.connections, args.profiles = "4", ",".join(load.PROFILES)
    args.sizes, args.startup_repeats = "10,500", 1
    args.cpu_requests, args.cpu_rounds = 50, 1
    args.suite_profiles = args.catch_profiles = "quick"
    args.out = args.out or ROOT / "bench" / ".runs" / "smoke" / "report"


def _suite_timing(args: argparse.Namespace, runs_dir: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    missing = suite.suite_missing()
    if missing:
        progress(f"suite: not measured: {missing}")
        return {"not_measured": missing}
    budgets = [_budget(args, p) for p in args.suite_profiles.split(",") if p]
    return suite.timing(budgets, runs_dir, progress)


def _catching(args: argparse.Namespace, runs_dir: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    missing = suite.suite_missing() or suite.variants_missing()
    if missing:
        progress(f"variants: not measured: {missing}")
        return {"not_measured": missing}
    budgets = [_budget(args, p) for p in args.catch_profiles.split(",") if p]
    names = args.variants.split(",") if args.variants else None
    if args.smoke and names is None:
        names = list(__import__("tests.faults", fromlist=["VARIANTS"]).VARIANTS)[:1]
    return suite.catching(budgets, names, runs_dir, progress)


def _budget(args: argparse.Namespace, profile: str) -> suite.Budget:
    if args.smoke:  # one example of one operation, reads only: proves the plumbing, measures nothing
        return suite.budget(profile, cap=1, operations=["getWorkflow"], read_only=True)
    return suite.budget(profile)

"""Prints how the contract suite fares: its time against the correct mock, and which faulty
variants each profile catches (and by which check).

    python -m tests.faults.scorecard                     # quick and thorough, every variant
    python -m tests.faults.scorecard --profile quick --jobs 2 --json scorecard.json
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .harness import DEFAULT_TOKEN, serve, serve_variant
from .runner import SuiteRun, run_suite
from .variants import VARIANTS

SUITE_ARGS = ("--other-workspace", "sandbox")


def correct_run(profile: str, seed: int) -> SuiteRun:
    with serve(token=DEFAULT_TOKEN) as url:
        return run_suite(url, *SUITE_ARGS, "--profile", profile, "--seed", str(seed), token=DEFAULT_TOKEN)


def variant_run(name: str, profile: str, seed: int, fail_fast: bool = True) -> SuiteRun:
    extra = ("--fail-fast", "--no-shrink") if fail_fast else ()
    with serve_variant(name, token=DEFAULT_TOKEN) as url:
        return run_suite(url, *SUITE_ARGS, *extra, "--profile", profile, "--seed", str(seed), token=DEFAULT_TOKEN)


def scorecard(profile: str, seed: int, jobs: int, names: list[str]) -> dict[str, Any]:
    baseline = correct_run(profile, seed)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = dict(zip(names, pool.map(lambda n: variant_run(n, profile, seed), names), strict=True))
    return {
        "profile": profile,
        "seed": seed,
        "correct_mock": {
            "passed": baseline.code == 0,
            "seconds": round(baseline.seconds, 1),
            "cases": baseline.report.get("cases"),
        },
        "variants": {
            name: {
                "caught": run.code == 1,
                "by": run.caught,
                "expected": list(VARIANTS[name].checks),
                "seconds": round(run.seconds, 1),
            }
            for name, run in runs.items()
        },
    }


def render(card: dict[str, Any]) -> str:
    variants = card["variants"]
    caught = sum(v["caught"] for v in variants.values())
    base = card["correct_mock"]
    lines = [
        f"profile {card['profile']} (seed {card['seed']}): correct mock "
        f"{'passes' if base['passed'] else 'FAILS'} in {base['seconds']} s ({base['cases']} cases); "
        f"catches {caught}/{len(variants)} faulty variants",
        "",
        "| variant | caught | by | seconds |",
        "| --- | --- | --- | --- |",
    ]
    for name, v in sorted(variants.items()):
        lines.append(f"| {name} | {'yes' if v['caught'] else 'NO'} | {', '.join(v['by']) or '-'} | {v['seconds']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", action="append", choices=["quick", "thorough"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="suite runs at once (default: %(default)s)")
    parser.add_argument("--variant", action="append", help="only these variants")
    parser.add_argument("--json", help="also write the scorecard as JSON here")
    args = parser.parse_args()
    names = args.variant or sorted(VARIANTS)
    cards = [scorecard(p, args.seed, args.jobs, names) for p in args.profile or ["quick", "thorough"]]
    print("\n\n".join(render(c) for c in cards))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(cards, fh, indent=2)


if __name__ == "__main__":
    main()

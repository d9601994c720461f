"""The benchmark's proxy section runs end to end in seconds (Prism left out) and renders its table.
Nothing here asserts a speed; the numbers live in docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

from bench import proxy, report


def test_the_proxy_section_measures_both_routes_and_renders(tmp_path: Path) -> None:
    quiet = lambda line: None  # noqa: E731
    results = proxy.measure(0.3, 1, tmp_path, quiet, with_prism=False, connections=(1, 2), force_python=True)
    assert results["violations_header_on_a_conforming_answer"] == "0"
    cells = results["cells"]
    assert {(c["target"], c["profile"], c["connections"]) for c in cells} == {
        (target, profile, n) for target in ("direct", "mock-proxy") for profile in proxy.PROFILES for n in (1, 2)
    }
    assert all(c["errors"] == 0 and c["rps"] > 0 for c in cells), cells
    page = "\n".join(report._proxy_section(results))
    assert "| mock --proxy (as shipped: access log on) | " in page and " | +" in page

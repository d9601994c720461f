"""The throughput chart: requests/s by concurrency, one panel per request profile, one line per server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

STYLE = {
    "mock": ("tab:blue", "-", "o"),
    "mock-quiet": ("tab:cyan", "--", "o"),
    "mock-waitress": ("tab:purple", ":", "o"),
    "unvalidated": ("tab:green", ":", "s"),
    "floor": ("tab:gray", "-", "^"),
    "prism": ("tab:red", "-", "D"),
    "prism-silent": ("tab:orange", "--", "D"),
}


def throughput(load: dict[str, Any], path: Path) -> Path:
    profiles, connections = load["profiles"], load["connections"]
    fig, axes = plt.subplots(1, len(profiles), figsize=(4 * len(profiles), 4), sharey=False, squeeze=False)
    for ax, profile in zip(axes[0], profiles, strict=True):
        for key, label in load["targets"].items():
            cells = {c["connections"]: c for c in load["cells"] if c["target"] == key and c["profile"] == profile}
            xs = [n for n in connections if n in cells]
            ys = [cells[n]["rps"] for n in xs]
            spread = [
                [y - cells[n]["rps_min"] for n, y in zip(xs, ys, strict=True)],
                [cells[n]["rps_max"] - y for n, y in zip(xs, ys, strict=True)],
            ]
            color, line, marker = STYLE.get(key, ("black", "-", "x"))
            positions = [connections.index(n) for n in xs]
            ax.errorbar(positions, ys, yerr=spread, label=label, color=color, linestyle=line, marker=marker, capsize=3)
        ax.set_title(profile)
        ax.set_xticks(range(len(connections)), [str(n) for n in connections])
        ax.set_xlabel("concurrent connections")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("requests/s (bars: min-max of the rounds)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), frameon=False)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path

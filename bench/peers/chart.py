"""The peers bench's grouped bar chart: GB/s per system, one bar per phase (matplotlib, no display)."""
from __future__ import annotations

from typing import Dict, List, Sequence


def write_png(path: str, labels: Sequence[str], gbps: Dict[str, List[float]], title: str) -> None:
    """gbps: phase name -> one GB/s per label (same order); NaN for a phase a system did not run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    phases = list(gbps)
    width = 0.8 / len(phases)
    fig, ax = plt.subplots(figsize=(max(8.0, 1.25 * len(labels)), 4.8), dpi=120)
    for j, phase in enumerate(phases):
        xs = [i + (j - (len(phases) - 1) / 2) * width for i in range(len(labels))]
        bars = ax.bar(xs, gbps[phase], width, label=phase)
        ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("GB/s (1e9 bytes of array data per second)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

"""Figures the benchmarks print: percentiles, the machine's load, and ``TARGET`` lines.

The machine is shared, so every figure is printed beside ``os.getloadavg()``. A figure that
answers a row of the issue's Targets table is also printed as one machine-readable line::

    TARGET rest_p95_single=123.4 ms load=1.20/0.90/0.70

which ``bench/run_all.py`` collects into the table (``name`` is the row's key there).
"""

from __future__ import annotations

import math
import os

TARGET_PREFIX = "TARGET "


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def load() -> str:
    """The 1, 5 and 15 minute load averages, as ``1.20/0.90/0.70``."""
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def target_line(name: str, value: float, unit: str) -> str:
    """The line ``run_all`` reads: one measured figure of a Targets row, with the load."""
    return f"{TARGET_PREFIX}{name}={value:.4g} {unit} load={load()}"

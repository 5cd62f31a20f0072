"""Seeded random draws the demo recipe needs: weighted choices, lognormals, counts.

Everything takes an explicit ``random.Random`` so one seed gives one dataset; nothing here
iterates over unordered collections.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed categorical distribution; weights need not sum to 1.

    Precomputes cumulative weights once, since the generator draws from the same tables
    hundreds of thousands of times.
    """

    __slots__ = ("_cumulative", "_total", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        if not pairs:
            raise ValueError("a weighted choice needs at least one value")
        self.values: tuple[T, ...] = tuple(value for value, _ in pairs)
        running = 0.0
        cumulative = []
        for _, weight in pairs:
            if weight < 0:
                raise ValueError(f"negative weight {weight}")
            running += weight
            cumulative.append(running)
        if running <= 0:
            raise ValueError("weights must not all be zero")
        self._cumulative = tuple(cumulative)
        self._total = running

    def pick(self, rng: random.Random) -> T:
        """One value, drawn with probability proportional to its weight."""
        index = bisect_right(self._cumulative, rng.random() * self._total)
        return self.values[min(index, len(self.values) - 1)]

    def share(self, value: T) -> float:
        """The probability of ``value`` (for tests and calibration)."""
        index = self.values.index(value)
        low = self._cumulative[index - 1] if index else 0.0
        return (self._cumulative[index] - low) / self._total


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A lognormal draw given its median (the recipe states medians, not means)."""
    return math.exp(rng.normalvariate(math.log(median), sigma))


def clipped(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def chance(rng: random.Random, probability: float) -> bool:
    """True with ``probability``."""
    return rng.random() < probability


def count_around(rng: random.Random, mean: float) -> int:
    """A non-negative count with the given mean and a moderate spread (±60 % uniform).

    Poisson would do, but this is cheap and its mean is exact, which keeps volumes stable.
    """
    if mean <= 0:
        return 0
    value = mean * (0.4 + 1.2 * rng.random())
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)

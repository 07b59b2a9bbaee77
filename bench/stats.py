"""Medians, spreads and percentiles for repeated runs."""

import statistics


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (fraction in 0..1) of unsorted values."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


class Figure:
    """One figure measured in several runs: its median and its spread (min to max)."""

    def __init__(self, values: list[float]):
        self.values = [v for v in values if v is not None]

    @property
    def available(self) -> bool:
        return bool(self.values)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def low(self) -> float | None:
        return min(self.values) if self.values else None

    @property
    def high(self) -> float | None:
        return max(self.values) if self.values else None

    def text(self, fmt: str = "{:.1f}", unit: str = "") -> str:
        if not self.values:
            return "n/a"
        median = fmt.format(self.median) + unit
        if len(self.values) == 1:
            return f"{median} (1 run)"
        return f"{median} [{fmt.format(self.low)}–{fmt.format(self.high)}]"

    def as_dict(self) -> dict:
        return {"median": self.median, "min": self.low, "max": self.high, "runs": self.values}


def ratios(numerators: list[float], denominators: list[float]) -> Figure:
    """Per-run ratios of paired runs (each product run with the baseline run beside it)."""
    return Figure([n / d for n, d in zip(numerators, denominators, strict=False) if d])

"""The benchmark's table: one row per figure, what it is measured against, and what limited it."""

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field

from .cpu import CORES, CpuUsage

CPU_COLUMNS = (
    "web (granian)",
    "celery worker",
    "celery beat",
    "postgres",
    "redis (shared)",
    "smtp sink",
    "load generator",
    "export + psql",
    "import",
)


@dataclass
class Row:
    scenario: str
    figure: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    verdict: str = "—"
    limited_by: str = "—"
    cpu: dict = field(default_factory=dict)
    cost: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)


def unavailable(scenario: str, why: str, target: str = "—") -> Row:
    return Row(scenario=scenario, figure=f"not available: {why}", target=target, verdict="not run")


def verdict(met: bool | None, shortfall: str = "") -> str:
    if met is None:
        return "—"
    return "met" if met else f"MISSED{': ' + shortfall if shortfall else ''}"


def cpu_summary(usage: CpuUsage | None) -> dict:
    if usage is None or usage.seconds <= 0:
        return {}
    shares = usage.percent_of_core()
    return {
        "seconds": round(usage.seconds, 1),
        "machine_percent_of_all_cores": round(usage.machine_percent(), 1),
        "percent_of_one_core": {name: round(value, 1) for name, value in shares.items()},
        "other_percent_of_one_core": round(usage.other_percent_of_core(), 1),
    }


SERVER_GROUPS = ("web (granian)", "postgres")


def cost_summary(usage: CpuUsage, runs: list, baseline_usage: CpuUsage, baseline_runs: list) -> dict:
    """Server CPU milliseconds per completed operation, product and baseline.

    Unlike throughput this hardly moves when other work shares the machine,
    so baseline/product cost is the ratio a dedicated server would show.
    """

    def per_op(cpu: CpuUsage, completed: int) -> float | None:
        if not completed:
            return None
        return 1000.0 * sum(cpu.core_seconds.get(name, 0.0) for name in SERVER_GROUPS) / completed

    product = per_op(usage, sum(r.completed for r in runs))
    baseline = per_op(baseline_usage, sum(r.completed for r in baseline_runs))
    return {
        "product_ms_per_op": None if product is None else round(product, 2),
        "baseline_ms_per_op": None if baseline is None else round(baseline, 2),
        "cost_ratio": round(baseline / product, 3) if product and baseline else None,
    }


def machine_description() -> dict:
    memory_kib = 0
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    memory_kib = int(line.split()[1])
    except OSError:
        pass
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": CORES,
        "cpu": model,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        # Which build: an optimised one (a distribution's) and one compiled from source without optimisation
        # differ by up to a third in CPU per operation.
        "python_executable": os.path.realpath(sys.executable),
        "kernel": platform.release(),
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
    }


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| scenario | figure (median [min–max] of runs) | baseline in the same run | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.scenario} | {row.figure} | {row.baseline} | {row.ratio} | {row.target} | {row.verdict} |"
        )
    return "\n".join(lines)


def cpu_table(rows: list[Row]) -> str:
    lines = [
        "| scenario | machine (all cores) | "
        + " | ".join(CPU_COLUMNS)
        + " | other | server CPU per op (web + postgres), bare | cost ratio | limited by |",
        "|---|---|" + "---|" * len(CPU_COLUMNS) + "---|---|---|---|",
    ]
    for row in rows:
        if not row.cpu:
            continue
        shares = row.cpu["percent_of_one_core"]
        cells = " | ".join(f"{shares.get(name, 0.0):.0f}%" for name in CPU_COLUMNS)
        cost, ratio = "—", "—"
        if row.cost.get("product_ms_per_op") is not None:
            cost = f"{row.cost['product_ms_per_op']:.1f} ms"
            if row.cost.get("baseline_ms_per_op") is not None:
                cost += f", bare {row.cost['baseline_ms_per_op']:.1f} ms"
        if row.cost.get("cost_ratio") is not None:
            ratio = f"{row.cost['cost_ratio']:.2f}x"
        lines.append(
            f"| {row.scenario} | {row.cpu['machine_percent_of_all_cores']:.0f}% | {cells} | "
            f"{row.cpu['other_percent_of_one_core']:.0f}% | {cost} | {ratio} | {row.limited_by} |"
        )
    return "\n".join(lines)


def render(rows: list[Row], config_text: str, machine: dict, notes: list[str]) -> str:
    parts = [
        "## Results",
        "",
        f"Machine: {machine['cores']} cores ({machine['cpu'] or 'unknown CPU'}), {machine['memory_gib']} GiB memory; "
        f"load average at the end {machine['load_average_at_end']}; Python {machine['python']} ({machine['python_executable']}).",
        f"Run: {config_text}.",
        "",
        markdown_table(rows),
        "",
        "### CPU during the measured runs (percent of one core; the machine column is of all cores)",
        "",
        cpu_table(rows),
    ]
    if notes:
        parts += ["", "### Notes", "", *[f"- {note}" for note in notes]]
    return "\n".join(parts) + "\n"


def write_json(path, rows: list[Row], config, machine: dict, notes: list[str]) -> None:
    with open(path, "w") as out:
        json.dump(
            {"config": asdict(config), "machine": machine, "rows": [asdict(row) for row in rows], "notes": notes},
            out,
            indent=2,
            default=str,
        )

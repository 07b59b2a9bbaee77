"""Who used the CPU during a measured window, read from /proc like ps and pidstat do.

Each group is a callable returning the pids it holds right now (a process
group the harness started, the database's backends, the load generator).
CPU is reported as percent of one core; the machine line as percent of all.
"""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (so fields[0] is the state), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            raw = stat.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    return raw[raw.rfind(")") + 2 :].split()


def process_ticks(pid: int) -> int | None:
    """utime + stime of one process, or None when it is gone."""
    fields = stat_fields(pid)
    return None if fields is None else int(fields[11]) + int(fields[12])


def reaped_children_ticks(pid: int) -> int | None:
    """cutime + cstime: what the children this process has waited for used, or None when it is gone."""
    fields = stat_fields(pid)
    return None if fields is None else int(fields[13]) + int(fields[14])


def parent_pid(pid: int) -> int | None:
    fields = stat_fields(pid)
    return None if fields is None else int(fields[1])


def process_group_pids(pgid: int) -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                raw = stat.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        if int(fields[2]) == pgid:
            pids.add(int(entry))
    return pids


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return total - idle, total


@dataclass
class Snapshot:
    ticks: dict[str, dict[int, int]]
    machine: tuple[int, int]
    wall: float
    # Per group with a reaper: what the reaper's exited children used, so far.
    reaped: dict[str, int] = field(default_factory=dict)


@dataclass
class CpuUsage:
    """Percent of one core per group, and of the whole machine, over some seconds."""

    seconds: float = 0.0
    core_seconds: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    machine_total: float = 0.0

    def add(self, other: "CpuUsage") -> None:
        self.seconds += other.seconds
        for name, value in other.core_seconds.items():
            self.core_seconds[name] = self.core_seconds.get(name, 0.0) + value
        self.machine_busy += other.machine_busy
        self.machine_total += other.machine_total

    def percent_of_core(self) -> dict[str, float]:
        if self.seconds <= 0:
            return {name: 0.0 for name in self.core_seconds}
        return {name: 100.0 * value / self.seconds for name, value in self.core_seconds.items()}

    def machine_percent(self) -> float:
        return 100.0 * self.machine_busy / self.machine_total if self.machine_total else 0.0

    def other_percent_of_core(self) -> float:
        """Busy time on the machine not in any group (other users, postgres housekeeping)."""
        if self.seconds <= 0 or self.machine_total <= 0:
            return 0.0
        machine_core_seconds = self.machine_busy / self.machine_total * CORES * self.seconds
        return max(0.0, 100.0 * (machine_core_seconds - sum(self.core_seconds.values())) / self.seconds)

    def limiter(self) -> str:
        """What held the figure back, in words, from the measured shares."""
        shares = self.percent_of_core()
        if not shares:
            return "not measured"
        machine = self.machine_percent()
        top = sorted(shares.items(), key=lambda item: item[1], reverse=True)
        top_text = ", ".join(f"{name} {value:.0f}%" for name, value in top[:2])
        loadgen = shares.get("load generator", 0.0)
        if loadgen >= 90.0:
            return f"load generator (one core at {loadgen:.0f}%); machine {machine:.0f}%"
        if machine >= 85.0:
            other = self.other_percent_of_core()
            shared = f", {other:.0f}% of a core of it other work on the machine" if other >= 25.0 else ""
            return f"CPU: machine {machine:.0f}% busy{shared}; top {top_text}"
        return f"not CPU (machine {machine:.0f}%): latency/concurrency; top {top_text}"


class CpuSampler:
    """CPU per group between two snapshots.

    A group's processes are read at each snapshot, so one that starts and
    exits between them (a PostgreSQL backend of a client that connects for
    one task) is missed, unless the group names a reaper: the parent whose
    children's CPU the kernel adds up as they exit (the postmaster). Then
    what the reaper's children used in the window counts too, less what the
    processes that exited had used before the window began.
    """

    def __init__(self, groups: dict[str, Callable[[], set[int]]], reapers: dict[str, Callable[[], int | None]] | None = None):
        self.groups = groups
        self.reapers = reapers or {}

    def snapshot(self) -> Snapshot:
        ticks = {}
        for name, pids_of in self.groups.items():
            group_ticks = {}
            for pid in pids_of():
                value = process_ticks(pid)
                if value is not None:
                    group_ticks[pid] = value
            ticks[name] = group_ticks
        reaped = {}
        for name, reaper_of in self.reapers.items():
            reaper = reaper_of()
            value = reaped_children_ticks(reaper) if reaper else None
            if value is not None:
                reaped[name] = value
        return Snapshot(ticks=ticks, machine=machine_ticks(), wall=time.monotonic(), reaped=reaped)

    def usage(self, start: Snapshot, end: Snapshot) -> CpuUsage:
        usage = CpuUsage(seconds=end.wall - start.wall)
        for name, after in end.ticks.items():
            before = start.ticks.get(name, {})
            # A process that appeared during the window counts from zero.
            used = sum(value - before.get(pid, 0) for pid, value in after.items())
            if name in start.reaped and name in end.reaped:
                exited_before_window = sum(value for pid, value in before.items() if pid not in after)
                used += end.reaped[name] - start.reaped[name] - exited_before_window
            usage.core_seconds[name] = max(0, used) / CLOCK_TICKS
        usage.machine_busy = end.machine[0] - start.machine[0]
        usage.machine_total = end.machine[1] - start.machine[1]
        return usage

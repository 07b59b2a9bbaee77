"""Instructions per request of bench.inprocess's requests, counted by valgrind's callgrind: the same figure run after run.

    DATABASE_URL=postgres://…_bench REDIS_URL=redis://…/N python -m bench.instructions [--requests 100]

On a shared machine the CPU time of identical runs moves by 10-30 %
(docs/BENCHMARKS.md), so a change that saves 2 % of a request cannot be seen
in it. The number of instructions the interpreter executes for the same
request does not depend on the neighbours: two runs of the same code agreed
within about 1 % per request, except the confirm step (3 %), whose kept
pages and count are renewed as time passes, and under valgrind the same
requests take some fifty times longer. It is not time (a cache miss or a system call costs no
more instructions than an addition), and it counts this process only, not
PostgreSQL or Redis: use it to compare two versions of the code on the same
requests, and make bench for what the whole stack spends.

It starts itself again under `valgrind --tool=callgrind` with instrumentation
off, so Django's setup and the migrations run at valgrind's uninstrumented
speed. A small C library, compiled here from valgrind's own header, lets the
measured process switch counting on for each request's loop and write the
count under the request's name (CALLGRIND_DUMP_STATS_AT); this module reads
those dumps. Needs valgrind (with its headers, in Debian's package) and gcc.
"""

import argparse
import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import inprocess

HELPER_SOURCE = """
#include <valgrind/callgrind.h>
void count_from_here(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void write_count(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""
HELPER_ENV = "BENCH_CALLGRIND_HELPER"
DUMP_LABEL = re.compile(r"^desc: Trigger: Client Request: (?P<label>\S+) x(?P<count>\d+)$", re.M)
DUMP_TOTAL = re.compile(r"^summary: (?P<total>\d+)$", re.M)
# (product, bare baseline) pairs whose ratio make bench also reports.
RATIOS = (("sign POST", "sign", "bare-sign"), ("confirm", "confirm", "bare-link"), ("count API", "count", "cached"))


HEADER = Path("/usr/include/valgrind/callgrind.h")


def compile_helper(directory: Path) -> Path:
    if shutil.which("valgrind") is None or shutil.which("gcc") is None or not HEADER.exists():
        raise SystemExit(f"bench.instructions needs valgrind, its {HEADER} and gcc: apt-get install -y valgrind gcc")
    source, library = directory / "callgrind_switch.c", directory / "callgrind_switch.so"
    source.write_text(HELPER_SOURCE)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True, timeout=60)
    return library


def read_dumps(directory: Path) -> dict[str, float]:
    """Instructions per request (per email for the drain) from each dump named by a label."""
    per_request = {}
    # callgrind.out.<pid>.<n>: the n-th dump, in the order the labels were measured.
    for dump in sorted(directory.glob("callgrind.out.*"), key=lambda path: [int(part) for part in path.name.split(".")[2:]]):
        text = dump.read_text(errors="replace")
        label, total = DUMP_LABEL.search(text), DUMP_TOTAL.search(text)
        if label and total:
            per_request[label["label"]] = int(total["total"]) / int(label["count"])
    return per_request


def report(per_request: dict[str, float]) -> str:
    lines = [
        f"{label}: {count / 1e6:.3f} M instructions per {'email' if label == 'drain' else 'request'}"
        for label, count in per_request.items()
    ]
    lines += [
        f"{name}: bare / product {per_request[bare] / per_request[product]:.3f}x"
        for name, product, bare in RATIOS
        if product in per_request and bare in per_request
    ]
    return "\n".join(lines)


def count_under_valgrind(requests: int, library: Path) -> None:
    """Inside valgrind: count each request's loop after its warm-up, and the drain."""
    switch = ctypes.CDLL(str(library))

    def measure_request(label: str, request: Callable[[int], None], count: int) -> None:
        for number in range(inprocess.WARM_UP):
            request(number)
        switch.count_from_here()
        for number in range(inprocess.WARM_UP, inprocess.WARM_UP + count):
            request(number)
        switch.write_count(f"{label} x{count}".encode())

    def measure_emails(drain: Callable[..., int], owed: int, sink_file: Path) -> None:
        switch.count_from_here()
        sent = drain(seconds=3600)
        switch.write_count(f"drain x{max(sent, 1)}".encode())
        if sent != owed:
            raise SystemExit(f"drain sent {sent} of {owed} owed emails")

    inprocess.run(requests, measure_request, measure_emails)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    options = parser.parse_args()
    if os.environ.get(HELPER_ENV):
        count_under_valgrind(options.requests, Path(os.environ[HELPER_ENV]))
        return
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as scratch:
        directory = Path(scratch)
        library = compile_helper(directory)
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={directory}/callgrind.out.%p",
            sys.executable,
            "-m",
            "bench.instructions",
            "--requests",
            str(options.requests),
        ]
        # A fixed hash seed: sets and dicts iterate alike from run to run, and so count alike.
        environment = {**os.environ, HELPER_ENV: str(library), "PYTHONHASHSEED": "0"}
        completed = subprocess.run(command, env=environment, timeout=3600)
        if completed.returncode != 0:
            raise SystemExit(f"the counted run failed (exit status {completed.returncode})")
        per_request = read_dumps(directory)
    if not per_request:
        raise SystemExit("callgrind wrote no counts")
    print(report(per_request))


if __name__ == "__main__":
    main()

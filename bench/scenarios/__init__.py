"""The benchmark's scenarios: one module each, every one a `run(bench)` that appends rows to `bench.rows`.

`common.Bench` holds what they share (the prepared campaign, the measured run
loop, paths, settling, growing to the large scale); `targets` holds what each
figure must reach. A new scenario is a module here with a `run(bench)`, an
entry below and its name in `bench.config.ALL_SCENARIOS`.
"""

from . import admin, confirm, csv_import, e2e, export, growth, reads, sign, updates
from .common import Bench

# In the order they run, by their BENCH_SCENARIOS names. Growth reuses the
# small-scale figures of sign and reads when those ran before it, and grows
# the campaign to the large scale that admin then reads.
SCENARIOS = {
    "sign": sign.run,
    "reads": reads.run,
    "confirm": confirm.run,
    "e2e": e2e.run,
    "growth": growth.run,
    "admin": admin.run,
    "export": export.run,
    "updates": updates.run,
    "csv_import": csv_import.run,
}

__all__ = ["SCENARIOS", "Bench"]

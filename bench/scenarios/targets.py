"""What each figure must reach, in one place, and how a miss is worded in the table."""

# Issue 15's: the first round asked 0.6x of the bare views for sign and confirm
# and a million an hour end to end; issue 15 set these after measuring what a
# signature costs, against bare views that granian has since made cheaper.
SIGN_TARGET = 0.35
CONFIRM_TARGET = 0.3
READ_TARGET = 0.8
E2E_TARGET_PER_HOUR = 500_000
# CPU of the whole stack (web, worker, beat, PostgreSQL, Redis, the SMTP sink)
# per signed and confirmed signature.
E2E_CPU_TARGET_MS = 10.0
# What issue 15's bare sign flow and bare link cost (1.7 + 0.8 ms of server
# CPU) when it set those 10 ms: the whole stack may spend four times what the
# bare flows spend beside it, whatever the machine's speed that hour.
E2E_REFERENCE_BARE_MS = 2.5
E2E_BARE_RATIO_TARGET = E2E_REFERENCE_BARE_MS / E2E_CPU_TARGET_MS
# What the platform is sized for: the table says how many cores this many an hour needs.
SIZING_PER_HOUR = 1_000_000
FRESHNESS_TARGET_S = 5.0
EXPORT_TIME_TARGET = 2.0
EXPORT_RSS_TARGET_MB = 150.0
IMPORT_TIME_TARGET_S = 300.0
IMPORT_RSS_TARGET_MB = 200.0
ADMIN_TARGET_MS = 300.0
UPDATES_PER_SECOND_TARGET = 1_000_000 / 3600  # a million updates within the hour
# Server CPU per operation may grow this much from the small to the large scale
# and still count as flat: contention from other work on a shared 2-core
# machine moved it by up to 17% between the two scales of one run (and by a
# third between runs) for sub-millisecond requests, while a cost that really
# grows with the table shows up as several times.
GROWTH_LIMIT = 1.25
FOLD_GROWTH_LIMIT = 1.5


def shortfall(value: float, target: float, unit: str = "x") -> str:
    number = "{:,.0f}" if target >= 100 else "{:.2f}"
    return (
        f"{number.format(value)}{unit} is {100 * (target - value) / target:.0f}% under {number.format(target)}{unit}"
    )

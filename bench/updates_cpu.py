"""CPU per message of one worker sending an update, in one process, against a local SMTP sink.

    DATABASE_URL=postgres://… REDIS_URL=redis://… DEBUG=0 SECRET_KEY=… … \
        python -m bench.updates_cpu [--recipients 5000] [--profile 30]

Seeds the updates benchmark's campaign (bench.updates_bench.seed: N confirmed
signers who consented to the lead organisation), writes the recipients, then
runs signatures.updates.sending.run (what the send_update task runs) in this
process. It reports the CPU time per message of this process
(time.process_time), of its PostgreSQL backend and of the SMTP sink, read from
/proc: unlike a rate, these hardly move when other work shares the machine.
--profile N prints the top N functions of a cProfile of the send.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time

from bench import updates_bench
from bench.cpu import CLOCK_TICKS, process_ticks


def seconds_of(pid: int) -> float:
    return (process_ticks(pid) or 0) / CLOCK_TICKS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N functions of a cProfile")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database (it gets a campaign 'updates-bench')")
    # The cap is part of the path measured, set far above the rate so that it counts without holding back.
    os.environ.setdefault("UPDATE_SEND_PER_MINUTE", "10000000")
    with tempfile.TemporaryDirectory(prefix="updates-cpu-") as scratch:
        port = updates_bench.free_port()
        out = os.path.join(scratch, "sink.json")
        sink = updates_bench.start_sink(port, out)
        os.environ.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)})
        try:
            updates_bench.setup_django()
            result = measure(updates_bench.seed(args.recipients), sink.pid, args.profile)
        finally:
            received = updates_bench.stop_sink(sink, out)
    result["sink_received"] = received
    print(json.dumps(result, indent=2))
    return 0


def measure(update_id: int, sink_pid: int, profile_top: int) -> dict:
    from django.db import connection

    from campaigns.models import Update
    from signatures.updates import sending
    from signatures.updates.starting import begin_sending

    Update.objects.filter(pk=update_id).update(status=Update.Status.SCHEDULED, send_at=updates_bench.time_now())
    begin_sending(update_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    profiler = cProfile.Profile() if profile_top else None
    before = (time.process_time(), seconds_of(backend), seconds_of(sink_pid), time.perf_counter())
    if profiler:
        profiler.enable()
    sent = sending.run(update_id)
    if profiler:
        profiler.disable()
    after = (time.process_time(), seconds_of(backend), seconds_of(sink_pid), time.perf_counter())
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(profile_top)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(profile_top)
    worker, database, sink, wall = (b - a for a, b in zip(before, after, strict=True))
    per_message = 1000 / max(sent, 1)
    return {
        "sent": sent,
        "wall_seconds": round(wall, 2),
        "cpu_ms_per_message": {
            "worker": round(worker * per_message, 3),
            "postgresql_backend": round(database * per_message, 3),
            "smtp_sink": round(sink * per_message, 3),
        },
        "profiled": bool(profile_top),
    }


if __name__ == "__main__":
    sys.exit(main())

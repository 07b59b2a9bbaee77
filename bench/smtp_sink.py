"""A local SMTP sink for the benchmark: accepts every message and records it.

Run as `python -m bench.smtp_sink --port P --out FILE`. Each message appends one
line to FILE: the arrival time and the confirmation link's path (or "-" for a
message without one), so the load generator can click the links as signers
would and count deliveries. Nothing but loopback is listened on.
"""

import argparse
import email
import email.policy
import re
import signal
import threading
import time

from aiosmtpd.controller import Controller

CONFIRM_PATH = re.compile(r"https?://[^/\s]+(/[^\s\"'<>]*?s/confirm/\d+/[A-Za-z0-9_\-]+/)")
CONFIRM_PATH_BYTES = re.compile(CONFIRM_PATH.pattern.encode())


def confirm_path(raw: bytes) -> str:
    """The confirmation link's path in a message, or "-".

    The sink stands in for a mail provider on another machine, so it should
    cost this one as little as it can: the link is looked for in the raw
    bytes first (an 8bit or short-lined body carries it as it is), and only a
    message where it is not found there (a quoted-printable or base64 body)
    is parsed as MIME.
    """
    found = CONFIRM_PATH_BYTES.search(raw)
    if found:
        return found.group(1).decode("ascii")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else raw.decode("utf-8", "replace")
    match = CONFIRM_PATH.search(text)
    return match.group(1) if match else "-"


class RecordingHandler:
    def __init__(self, out_path: str):
        self.out = open(out_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - closed on shutdown
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        try:
            path = confirm_path(envelope.original_content or envelope.content)
        except Exception:  # a malformed message is still a delivery
            path = "-"
        with self.lock:
            self.out.write(f"{time.time():.3f}\t{path}\n")
        return "250 Message accepted"

    def close(self):
        self.out.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    handler = RecordingHandler(args.out)
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print(f"smtp sink listening on 127.0.0.1:{args.port}", flush=True)
    try:
        # Bounded: the harness always stops the sink, and a day is the outer limit.
        stop.wait(timeout=24 * 3600)
    finally:
        controller.stop()
        handler.close()


if __name__ == "__main__":
    main()

"""Real services the fault tests start, stop and break: Redis, SMTP, a Redis that never answers."""

import asyncio
import socket
import subprocess
import threading
from contextlib import contextmanager

import redis

from tests.realstack import free_port, smtp_server, wait_for


class RedisServer:
    """A redis-server of the test's own on a spare port, which the test may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, interval=0.05, message=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def queued_and_unacked(self) -> tuple[int, int]:
        """Task messages waiting in Celery's queue, and delivered but not yet acknowledged."""
        client = self.client()
        return client.llen("celery"), client.hlen("unacked")


class BlackholeServer:
    """Accepts TCP connections and never answers: a hung Redis."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


class RecordingHandler:
    """An SMTP server's handler that can refuse, or hold a message until released.

    Only messages the server accepted are recorded: a client that dies while its
    message is held cancels the handler, and nothing is delivered.
    """

    def __init__(self):
        self.messages = []
        self.attempts = 0
        self.refuse_next = 0
        self.release = threading.Event()
        self.release.set()
        self.data_started = threading.Event()
        # Hold from this attempt on (1 = the first message) until release is set.
        self.hold_from = 1
        # Addresses answered at RCPT with this reply (e.g. "550 5.1.1 No such user").
        self.rcpt_replies = {}
        # Messages to these addresses answered at DATA with this reply (e.g. "554 5.7.1 Spam").
        self.data_replies = {}
        # Drop the connection at DATA on these attempt numbers.
        self.disconnect_on = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        attempt = self.attempts
        if attempt in self.disconnect_on:
            server.transport.close()
            return "421 4.3.0 Closing connection"
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Try again later"
        for address in envelope.rcpt_tos:
            if address in self.data_replies:
                return self.data_replies[address]
        if attempt >= self.hold_from:
            self.data_started.set()
        while attempt >= self.hold_from and not self.release.is_set():
            await asyncio.sleep(0.05)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [rcpt for envelope in self.messages for rcpt in envelope.rcpt_tos]


@contextmanager
def recording_smtp_server():
    handler = RecordingHandler()
    with smtp_server(handler) as (controller, handler):
        try:
            yield controller, handler
        finally:
            handler.release.set()

"""A server a test stops takes every process it started with it, even those its main process forgot."""

import os
import subprocess
import sys

import pytest

from tests.realstack import kill_what_is_left

pytestmark = pytest.mark.unit

# A main process that starts a worker and, told to stop, exits without it: what
# granian does with workers still starting when SIGTERM arrives.
FORGETFUL_SERVER = """
import signal, subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
print(worker.pid, flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_a_stopped_main_process_left_behind_is_killed_too():
    server = subprocess.Popen([sys.executable, "-c", FORGETFUL_SERVER], stdout=subprocess.PIPE, text=True, start_new_session=True)
    worker = int(server.stdout.readline())
    server.terminate()
    server.wait(timeout=10)
    assert alive(worker), "the main process exited without its worker"

    kill_what_is_left(server)

    assert not alive(worker)
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)

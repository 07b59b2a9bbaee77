"""The benchmark's CPU sampler counts a process that exits between two snapshots when its group names the parent that reaps it."""

import subprocess
import sys
import textwrap

import pytest

from bench.cpu import CpuSampler

pytestmark = pytest.mark.unit

BURN = "import time\nstarted = time.process_time()\nwhile time.process_time() - started < {seconds}: pass\n"

# A parent that starts a child burning CPU when told, waits for it, and says so.
PARENT = textwrap.dedent(
    """
    import subprocess, sys
    burn = sys.argv[1]
    child = subprocess.Popen([sys.executable, "-c", burn + "import sys\\nprint('burnt', flush=True)\\nsys.stdin.readline()\\n" + burn],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "burnt"
    print(child.pid, flush=True)
    sys.stdin.readline()
    child.stdin.write("go\\n")
    child.stdin.flush()
    child.wait()
    print("reaped", flush=True)
    sys.stdin.readline()
    """
)


@pytest.fixture
def family():
    """(parent, child pid): the child has burnt 0.3 s of CPU and burns 0.3 s more, then exits, once the parent is told."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, BURN.format(seconds=0.3)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    child = int(parent.stdout.readline())
    yield parent, child
    parent.kill()
    parent.wait()


def window(sampler: CpuSampler, parent) -> float:
    start = sampler.snapshot()
    parent.stdin.write("go\n")
    parent.stdin.flush()
    assert parent.stdout.readline().strip() == "reaped"
    return sampler.usage(start, sampler.snapshot()).core_seconds["family"]


def test_a_child_that_exits_in_the_window_is_counted_for_its_time_in_the_window_only(family):
    parent, child = family
    sampler = CpuSampler({"family": lambda: {parent.pid, child}}, reapers={"family": lambda: parent.pid})

    used = window(sampler, parent)

    # 0.3 s burnt in the window; the 0.3 s before it is not counted again.
    assert 0.2 <= used < 0.5, used


def test_without_its_reaper_the_child_that_exited_goes_unseen(family):
    parent, child = family
    sampler = CpuSampler({"family": lambda: {parent.pid, child}})

    assert window(sampler, parent) < 0.1

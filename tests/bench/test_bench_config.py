"""The benchmark serves with the web workers the image runs, under an offered load that does not follow them."""

import json
import os
import re

import pytest

from bench.config import Config
from tests.embedded import ROOT

pytestmark = pytest.mark.unit

BENCH_VARIABLES = ("BENCH_WORKERS", "BENCH_CONCURRENCY", "BENCH_QUICK")


def web_workers_in(command: list[str]) -> int:
    return int(command[command.index("--workers") + 1])


def image_web_workers() -> set[int]:
    """The --workers of the web command in the Dockerfile and in docker-compose.yml."""
    dockerfile_command = json.loads(re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1))
    compose_command = json.loads(
        re.search(r'^    command: (\["granian".*\])$', (ROOT / "docker-compose.yml").read_text(), re.M).group(1)
    )
    return {web_workers_in(dockerfile_command), web_workers_in(compose_command)}


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for name in BENCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_on_two_cores_the_benchmark_runs_as_many_web_workers_as_the_image(two_cores):
    assert image_web_workers() == {Config.from_env().workers}


def test_ten_visitors_on_two_cores_whatever_the_worker_count(two_cores):
    assert Config.from_env().concurrency == 10
    two_cores.setenv("BENCH_WORKERS", "2")
    config = Config.from_env()
    assert (config.workers, config.concurrency) == (2, 10)

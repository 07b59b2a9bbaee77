"""Which interpreter `make venv` builds .venv on: the distribution's optimised CPython when it can make a virtualenv."""

import os
import subprocess
import sys

import pytest

from bench.report import machine_description, render

from .environment import ROOT

pytestmark = pytest.mark.unit


def chosen_python(*assignments: str) -> str:
    completed = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "--eval", "show-python: ; @echo $(PYTHON)", "show-python", *assignments],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env={key: value for key, value in os.environ.items() if key != "PYTHON"},
    )
    return completed.stdout.strip()


def interpreter(tmp_path, name: str, exit_status: int) -> str:
    """A stand-in for /usr/bin/python3.11 that answers the Makefile's check with exit_status."""
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\nexit {exit_status}\n")
    path.chmod(0o755)
    return str(path)


def test_the_system_python_is_chosen_when_it_can_make_a_virtualenv(tmp_path):
    able = interpreter(tmp_path, "python3.11", 0)

    assert chosen_python(f"SYSTEM_PYTHON={able}") == able


def test_python3_from_path_when_the_system_python_lacks_venv_or_is_missing(tmp_path):
    # Debian without python3.11-venv: `import ensurepip` fails.
    without_venv = interpreter(tmp_path, "python3.11", 1)

    assert chosen_python(f"SYSTEM_PYTHON={without_venv}") == "python3"
    assert chosen_python(f"SYSTEM_PYTHON={tmp_path / 'absent'}") == "python3"


def test_python_given_on_the_command_line_wins(tmp_path):
    able = interpreter(tmp_path, "python3.11", 0)

    assert chosen_python(f"SYSTEM_PYTHON={able}", "PYTHON=/opt/python/bin/python3") == "/opt/python/bin/python3"


def test_the_benchmark_table_names_the_interpreter_it_ran_on():
    machine = machine_description()

    text = render([], "a run", machine, [])

    assert machine["python_executable"] == os.path.realpath(sys.executable)
    assert f"({os.path.realpath(sys.executable)})" in text.splitlines()[2]

"""Every name BENCH_SCENARIOS accepts runs a scenario, and every scenario can be chosen by name."""

from bench.config import ALL_SCENARIOS
from bench.scenarios import SCENARIOS


def test_the_scenario_names_accepted_are_exactly_those_registered():
    assert sorted(SCENARIOS) == sorted(ALL_SCENARIOS)


def test_each_registered_scenario_is_the_run_function_of_its_own_module():
    for name, run_scenario in SCENARIOS.items():
        assert run_scenario.__module__ == f"bench.scenarios.{name}"
        assert run_scenario.__name__ == "run"

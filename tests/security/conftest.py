import os

from hypothesis import HealthCheck, settings

# Modest example counts: the suite runs on small shared machines. Override
# with HYPOTHESIS_PROFILE=thorough for a longer hunt.
settings.register_profile(
    "petition",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("petition"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "petition"))

"""The product's settings plus the benchmark's baseline URLs.

The servers under test run with these settings so that every baseline is
measured on exactly the same configuration (middleware, database, cache,
granian) as the product; the baselines never reach petition.urls.
"""

from petition.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

"""Load and scale benchmarks of the production configuration, run by `make bench`."""

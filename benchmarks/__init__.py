"""asv suite (bench_*.py) over the audiobench registry; see asv.conf.json. The pytest-benchmark
suite lives in benchmarks/pytest_suite/ (not a package, so asv does not import it)."""

"""Benchmarks: ``python -m tests.bench.run --out DIR [--scale small|full]`` (``make bench``)."""

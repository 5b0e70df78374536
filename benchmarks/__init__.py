"""Benchmarks for the fidelity project (run with ``python -m benchmarks.<name>``).

They may read the public development data in ``../shared/data``; the package never does.
"""

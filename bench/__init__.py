"""Benchmarks of Shtab on this machine: run all with ``python -m bench``."""

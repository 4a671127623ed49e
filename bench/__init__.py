"""Benchmarks (run as scripts) and the synthetic-data generator they share (``bench.synth``)."""

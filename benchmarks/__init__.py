"""Reproducible benchmark scripts; their printed results live in ``benchmarks/results``."""

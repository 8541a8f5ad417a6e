"""Benchmarks: a synthetic catalog generator and the scripts that measure the directory (`make bench`)."""

"""Benchmarks of the watch capability (ingest and detection)."""

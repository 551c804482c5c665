"""Detections over the event lake: Sigma rules (and their correlations) run by DuckDB."""

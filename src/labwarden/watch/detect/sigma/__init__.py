"""Sigma on DuckDB: a pySigma backend, the processing pipeline onto lake columns, and
correlation rules (event_count, value_count, temporal) with their timespan."""

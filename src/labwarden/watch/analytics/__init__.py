"""Behaviour analytics: daily features, baselines, peers and risk scores that explain themselves.

Everything heavy is SQL over Parquet (DuckDB here; the same statements are plain enough for Spark
SQL): :mod:`features` turns one day of lake events into per-principal aggregates and first-seen
facts, stored incrementally; :mod:`scoring` compares a day with the principal's own sliding window
and with its peers (:mod:`peers`) and combines the anomalies into a 0-100 risk.
"""

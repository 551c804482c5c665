"""Query engines over the event lake: DuckDB (embedded, the default)."""

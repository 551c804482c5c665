"""Storage: the SQLite catalog and (later) the Parquet event lake."""

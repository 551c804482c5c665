"""Storage: the SQLite catalog and its typed stores, the Parquet event lake and its ledger, the
analytics aggregates, migrations, and the one atomic write. The only package that opens SQLite or
writes the lake."""

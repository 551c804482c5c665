"""Canaries (decoys nobody should touch), per-recipient marked copies of tables and leak
attribution (which asset, version and copy a leaked sample comes from)."""

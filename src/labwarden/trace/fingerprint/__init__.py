"""Per-recipient fingerprints of tables: keyed marks, canary rows, and attribution of a leak."""

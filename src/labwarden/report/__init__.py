"""Output formats: table, JSON, CSV, CycloneDX (and SARIF for findings)."""

"""What the API returns and the pages show, assembled once from the catalog (no HTTP here)."""

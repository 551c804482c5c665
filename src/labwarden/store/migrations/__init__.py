"""Numbered SQL migrations of the catalog schema."""

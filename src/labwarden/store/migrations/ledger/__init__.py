"""Migrations of the lake's ledger (``lake/_ledger.sqlite``)."""

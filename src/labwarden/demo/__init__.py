"""The synthetic, deterministic research lab behind ``labwarden demo``."""

"""Bucket posture: what a bucket holding assets exposes and how well it keeps them."""

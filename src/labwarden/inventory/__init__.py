"""Inventory: sources that list files, detectors that say what they are, grouping into assets."""

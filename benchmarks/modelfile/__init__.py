"""Model-file scanner benchmarks: corpus detection, bypass cases and speed, side by side."""

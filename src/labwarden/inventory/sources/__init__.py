"""Sources yield raw items with their metadata; they know nothing about classification."""

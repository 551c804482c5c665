"""Domain values shared by every part of labwarden: assets, findings, severities, errors."""

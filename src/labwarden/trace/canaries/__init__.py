"""Canaries: decoy keys, files, datasets and beacons registered in the catalog, and the alerts
raised when the lake shows one touched."""

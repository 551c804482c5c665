"""One module per access-log format; :mod:`.registry` detects which one a file is."""

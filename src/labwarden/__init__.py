"""labwarden: protect the crown jewels of AI research.

The package is importable as a library; the ``labwarden`` command is a thin layer over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

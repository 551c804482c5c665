"""Binary login records as glibc writes them, built with struct (the demo server's builders)."""

from labwarden.demo.server import lastlog_record, utmp_record

__all__ = ["lastlog_record", "utmp_record"]

"""Binary login records as glibc writes them, built with struct (the sample host's builders)."""

from labwarden.respond.triage.sample_host import lastlog_record, utmp_record

__all__ = ["lastlog_record", "utmp_record"]

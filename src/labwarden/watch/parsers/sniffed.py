"""What the code-host parsers share: JSON records recognized by two patterns in the sample."""

from __future__ import annotations

import re

from labwarden.watch.parsers.base import JsonRecordParser


class SniffedJsonParser(JsonRecordParser):
    """A JSON record parser whose format shows in the first 16 KiB by a name pattern
    (``sniff_first``) next to one of its own field names (``sniff_second``)."""

    sniff_first: re.Pattern[str]
    sniff_second: re.Pattern[str]

    def sniff(self, sample: str) -> bool:
        """Both patterns occur near the start of the file."""
        head = sample[:16384]
        return bool(self.sniff_first.search(head) and self.sniff_second.search(head))

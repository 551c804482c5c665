"""Login rate limiting: failed attempts per address and per user name in a sliding window."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginLimiter:
    """Refuses logins after ``per_user`` failures for one name from one address, or
    ``per_address`` failures from one address, within ``window`` seconds."""

    def __init__(
        self,
        per_user: int = 5,
        per_address: int = 20,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window = window
        self._clock = clock
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, address: str, name: str) -> int:
        """Seconds until a login for ``name`` from ``address`` is allowed (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [
                self._wait(("user", f"{address}\0{name.lower()}"), self.per_user, now),
                self._wait(("addr", address), self.per_address, now),
            ]
        return max(waits)

    def failed(self, address: str, name: str) -> None:
        """Count one failed attempt."""
        now = self._clock()
        with self._lock:
            self._failures["user", f"{address}\0{name.lower()}"].append(now)
            self._failures["addr", address].append(now)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the failures of ``name`` from ``address`` (not those of the address)."""
        with self._lock:
            self._failures.pop(("user", f"{address}\0{name.lower()}"), None)

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < limit:
            return 0
        return max(1, int(times[0] + self.window - now) + 1)

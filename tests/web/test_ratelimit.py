"""Login rate limiting with a fake clock (no sleeping, no timing)."""

from __future__ import annotations

from labwarden.web.ratelimit import LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_per_user_and_address_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_user=3, per_address=5, window=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1", "alice") == 0
        limiter.failed("10.0.0.1", "alice")
    assert limiter.retry_after("10.0.0.1", "alice") == 61
    assert limiter.retry_after("10.0.0.1", "ALICE") > 0  # names are not case games
    assert limiter.retry_after("10.0.0.2", "alice") == 0  # another address is not blocked
    clock.now += 30
    assert 0 < limiter.retry_after("10.0.0.1", "alice") <= 31
    clock.now += 31
    assert limiter.retry_after("10.0.0.1", "alice") == 0


def test_address_limit_covers_name_spraying() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_user=3, per_address=5, window=60, clock=clock)
    for i in range(5):
        limiter.failed("10.0.0.9", f"user{i}")
    assert limiter.retry_after("10.0.0.9", "someone-else") > 0
    assert limiter.retry_after("10.0.0.8", "someone-else") == 0


def test_success_clears_the_name_not_the_address() -> None:
    limiter = LoginLimiter(per_user=2, per_address=3, window=60, clock=Clock())
    limiter.failed("a", "bob")
    limiter.failed("a", "bob")
    limiter.succeeded("a", "bob")
    assert limiter.retry_after("a", "bob") == 0
    limiter.failed("a", "bob")
    assert limiter.retry_after("a", "bob") > 0  # 3 failures from "a": the address limit

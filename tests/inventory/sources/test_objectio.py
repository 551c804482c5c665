import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.inventory.sources.objectio import BudgetExceeded, open_ranged

operations = st.lists(
    st.tuples(st.sampled_from(["read", "seek0", "seek1", "seek2"]), st.integers(-50, 3000)),
    max_size=12,
)


@given(st.binary(max_size=2500), operations)
def test_a_ranged_reader_reads_like_a_file(data: bytes, ops: list[tuple[str, int]]) -> None:
    fetched: list[tuple[int, int]] = []

    def fetch(start: int, end: int) -> bytes:
        assert 0 <= start <= end < len(data)
        fetched.append((start, end))
        return data[start : end + 1]

    ranged = open_ranged("s3://b/k", len(data), fetch)
    plain = io.BytesIO(data)
    for op, n in ops:
        if op == "read":
            assert ranged.read(n if n >= 0 else -1) == plain.read(n if n >= 0 else -1)
        else:
            whence = int(op[-1])
            offset = abs(n) if whence == 0 else n
            if whence == 2:
                offset = -min(abs(n), len(data))
            if whence == 1 and plain.tell() + offset < 0:
                continue
            assert ranged.seek(offset, whence) == plain.seek(offset, whence)
        assert ranged.tell() == plain.tell()


def test_the_budget_stops_whole_downloads() -> None:
    data = bytes(3 * 1024 * 1024)
    ranged = open_ranged("s3://b/big", len(data), lambda s, e: data[s : e + 1], budget=1024 * 1024)
    assert len(ranged.read(10)) == 10
    with pytest.raises(BudgetExceeded, match="s3://b/big"):
        ranged.read()

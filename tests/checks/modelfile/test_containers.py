"""Containers: PyTorch zips, zip tricks (bad CRC, lying headers, broken entries, traversal,
symlinks, bombs), tar, 7z and compressed joblib; each bypass family built by hand."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib

import py7zr
import pytest

from labwarden.checks.modelfile.samples import torch_zip
from labwarden.core.values import Severity

from .builders import rules, scan, stack_global_call, worst, zip_bytes

EVIL = stack_global_call("os", "system", "id")


def dangerous(found: list) -> list:  # type: ignore[type-arg]
    return [f for f in found if f.rule == "dangerous-import"]


def test_benign_pytorch_zip_is_clean_and_tensor_blobs_are_not_read() -> None:
    data = torch_zip([("w", (8, 8)), ("b", (8,))], b"\x01\x02\x03\x04")
    assert scan(data, "model.pt") == []
    # A pickle hidden in a tensor blob is never unpickled by torch.load, so it is not read.
    hidden = zip_bytes({"archive/data.pkl": b"\x80\x02}q\x00.", "archive/data/0": EVIL})
    assert scan(hidden, "model.pt") == []


def test_malicious_data_pkl_reports_the_member() -> None:
    data = zip_bytes({"archive/data.pkl": EVIL, "archive/version": b"3\n"})
    (finding,) = dangerous(scan(data, "model.bin"))
    assert finding.location.member == "archive/data.pkl"
    assert finding.severity is Severity.CRITICAL


def test_pickle_with_a_non_standard_member_name_is_found() -> None:
    data = zip_bytes({"archive/weights.bin.tmp": EVIL, "archive/version": b"3\n"})
    assert dangerous(scan(data, "model.pt"))


def test_torchscript_constants_pickle() -> None:
    data = zip_bytes(
        {"m/data.pkl": b"\x80\x02}q\x00.", "m/constants.pkl": EVIL, "m/code/x.py": b"x"}
    )
    (finding,) = dangerous(scan(data, "scripted.pt"))
    assert finding.location.member == "m/constants.pkl"


def test_bad_crc_is_flagged_and_still_scanned() -> None:
    data = bytearray(zip_bytes({"archive/data.pkl": EVIL}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    # Corrupt the stored CRC in both headers, as the picklescan CRC advisory did.
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, 14, info.CRC ^ 0xFFFF)
    struct.pack_into("<I", data, central + 16, info.CRC ^ 0xFFFF)
    found = scan(bytes(data), "model.pt")
    assert "bad-crc" in rules(found)
    assert dangerous(found)


def test_broken_member_before_data_pkl_does_not_hide_it() -> None:
    # modelscan#354: one unreadable entry aborted iteration; the loader still reads data.pkl.
    data = bytearray(zip_bytes({"archive/broken": b"x" * 100, "archive/data.pkl": EVIL}))
    data[0:4] = b"PK\x00\x00"  # the first local header is gone
    found = scan(bytes(data), "model.pt")
    assert "bad-archive" in rules(found)
    assert dangerous(found)


def test_local_header_name_that_lies() -> None:
    data = bytearray(zip_bytes({"archive/data.pkl": EVIL}))
    at = data.index(b"archive/data.pkl")  # first occurrence: the local header
    data[at : at + 16] = b"archive/safe.txt"
    found = scan(bytes(data), "model.pt")
    assert "header-mismatch" in rules(found)
    assert dangerous(found)


def test_flag_bits_mismatch_is_reported() -> None:
    data = bytearray(zip_bytes({"archive/data.pkl": EVIL}))
    struct.pack_into("<H", data, 6, 0x0008)  # data-descriptor flag in the local header only
    assert dangerous(scan(bytes(data), "model.pt"))


def test_path_traversal_and_symlink_in_zip() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../../etc/cron.d/evil", b"* * * * * root id\n")
        link = zipfile.ZipInfo("model/link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    found = scan(buffer.getvalue(), "bundle.zip")
    assert {"path-traversal", "symlink-member"} <= rules(found)
    assert worst(found) is Severity.HIGH


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_member_names() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("archive/data.pkl", EVIL)
    found = scan(buffer.getvalue(), "model.pt")
    assert "duplicate-members" in rules(found)
    assert dangerous(found)


def test_zip_bomb_member() -> None:
    data = zip_bytes({"payload.bin": b"\x00" * (30 << 20)}, zipfile.ZIP_DEFLATED)
    assert "archive-bomb" in rules(scan(data, "bundle.zip"))


def test_nested_archives() -> None:
    inner = zip_bytes({"archive/data.pkl": EVIL})
    outer = zip_bytes({"models/inner.pt": inner})
    (finding,) = dangerous(scan(outer, "outer.zip"))
    assert finding.location.member == "models/inner.pt!archive/data.pkl"


def test_tar_with_traversal_symlink_and_pickle() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in (("model/model.pkl", EVIL), ("../escape.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("model/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    found = scan(buffer.getvalue(), "bundle.tar")
    assert {"path-traversal", "symlink-member", "dangerous-import"} <= rules(found)
    gz = scan(gzip.compress(buffer.getvalue()), "bundle.tar.gz")
    assert "dangerous-import" in rules(gz)


def test_7z_compressed_pytorch_file() -> None:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(zip_bytes({"archive/data.pkl": EVIL}), "model.pt")
    (finding,) = dangerous(scan(buffer.getvalue(), "model.7z"))
    assert finding.location.member == "model.pt!archive/data.pkl"


def test_compressed_joblib_and_pickles() -> None:
    for data, name in (
        (zlib.compress(EVIL), "model.joblib"),
        (gzip.compress(EVIL), "model.pkl.gz"),
        (bz2.compress(EVIL), "model.pkl.bz2"),
        (lzma.compress(EVIL), "model.joblib.xz"),
    ):
        assert dangerous(scan(data, name)), name


def test_decompression_bomb_is_bounded() -> None:
    from labwarden.checks.modelfile.check import ModelFileCheck
    from labwarden.checks.modelfile.interface import Limits

    bomb = gzip.compress(b"\x00" * (8 << 20))
    check = ModelFileCheck(limits=Limits(max_member_bytes=1 << 20))
    found = check.scan_bytes(bomb, "weights.pkl.gz")
    assert "archive-bomb" in rules(found)


def test_encrypted_member_is_not_silently_skipped() -> None:
    data = bytearray(zip_bytes({"archive/data.pkl": EVIL}))
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, 6, 1)
    struct.pack_into("<H", data, central + 8, 1)
    # The flag over plain data is a trick: the member is scanned all the same.
    found = scan(bytes(data), "model.pt")
    assert {"encryption-flag-trick", "dangerous-import"} <= rules(found)
    # Real ciphertext (the CRC no longer matches) cannot be vouched for.
    start = data.index(b"archive/data.pkl") + len("archive/data.pkl")
    data[start : start + len(EVIL)] = bytes(b ^ 0x5A for b in EVIL)
    found = scan(bytes(data), "model.pt")
    assert rules(found) == {"encrypted-member"} and worst(found) is Severity.HIGH


def test_unreadable_central_directory_falls_back_to_local_headers() -> None:
    data = zip_bytes({"archive/data.pkl": EVIL})
    truncated = data[: data.rfind(b"PK\x01\x02")]
    found = scan(truncated, "model.pt")
    assert "bad-archive" in rules(found)
    assert dangerous(found)


def test_large_legitimate_archive_is_a_scan_note_not_a_bomb() -> None:
    import random

    from labwarden.checks.modelfile.check import ModelFileCheck
    from labwarden.checks.modelfile.interface import Limits

    data = gzip.compress(random.Random(7).randbytes(3 << 20))
    check = ModelFileCheck(limits=Limits(max_member_bytes=1 << 20))
    found = check.scan_bytes(data, "dataset.bin.gz")
    assert rules(found) == {"scan-limit"}
    assert worst(found) is Severity.INFO

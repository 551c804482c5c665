"""Sigstore bundle parsing: real bundles round-trip; anything else is a clear format error."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.seal import bundle
from labwarden.seal.errors import SealFormatError


def _bundle() -> bytes:
    return bundle.build("application/vnd.in-toto+json", b'{"a": 1}', b"\x30\x01sig", "ab" * 32)


def test_round_trip_and_pae() -> None:
    parsed = bundle.parse(_bundle(), "b.json")
    assert parsed.payload == b'{"a": 1}'
    assert parsed.key_hint == "ab" * 32
    assert parsed.signatures == (("", b"\x30\x01sig"),)
    # DSSE v1 PAE, as in the DSSE protocol document.
    assert parsed.signed_bytes() == b"DSSEv1 28 application/vnd.in-toto+json 8 " + b'{"a": 1}'


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.__setitem__("mediaType", "application/json"), "mediaType"),
        (lambda d: d.pop("dsseEnvelope"), "dsseEnvelope is missing"),
        (lambda d: d["dsseEnvelope"].__setitem__("payload", "!!!"), "not valid base64"),
        (lambda d: d["dsseEnvelope"].__setitem__("signatures", []), "signatures is empty"),
        (
            lambda d: d["verificationMaterial"].__setitem__("publicKey", "x"),
            "publicKey must be an object",
        ),
    ],
)
def test_malformed_bundles(mutate: object, message: str) -> None:
    document = json.loads(_bundle())
    mutate(document)  # type: ignore[operator]
    with pytest.raises(SealFormatError, match=message):
        bundle.parse(json.dumps(document).encode(), "bad.json")


def test_truncated_bundle_names_the_file() -> None:
    data = _bundle()
    with pytest.raises(SealFormatError, match=r"^cut\.json: not valid JSON"):
        bundle.parse(data[: len(data) // 2], "cut.json")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_format_errors(data: bytes) -> None:
    with contextlib.suppress(SealFormatError):
        bundle.parse(data, "fuzz")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["mediaType", "verificationMaterial", "dsseEnvelope", "x"]),
        st.none()
        | st.text(max_size=10)
        | st.dictionaries(
            st.sampled_from(["payload", "payloadType", "signatures", "publicKey", "hint"]),
            st.none()
            | st.text(max_size=10)
            | st.lists(st.dictionaries(st.sampled_from(["sig", "keyid"]), st.text(max_size=8))),
        ),
    )
)
def test_arbitrary_bundle_shapes_raise_only_format_errors(document: dict[str, object]) -> None:
    document.setdefault("mediaType", bundle.BUNDLE_MEDIA_TYPE)
    try:
        parsed = bundle.parse(json.dumps(document).encode(), "fuzz")
    except SealFormatError:
        return
    assert parsed.signatures
    assert base64.b64encode(parsed.payload)

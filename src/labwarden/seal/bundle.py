"""DSSE envelopes inside Sigstore bundles (v0.3 JSON), key-based: no certificate, no log entry.

A key-based bundle names its key only by ``verificationMaterial.publicKey.hint`` (the SHA-256 of
the public PEM, as model-signing writes it); the signature is over DSSE's pre-authentication
encoding (PAE) of the payload type and payload.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from labwarden.core import safejson
from labwarden.seal.errors import SealFormatError

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
_ACCEPTED_MEDIA_TYPES = {BUNDLE_MEDIA_TYPE, "application/vnd.dev.sigstore.bundle+json;version=0.3"}
MAX_BUNDLE_BYTES = 512 * 1024 * 1024


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True, slots=True)
class Bundle:
    """A parsed bundle: the DSSE payload and its signatures, not yet verified."""

    payload_type: str
    payload: bytes
    signatures: tuple[tuple[str, bytes], ...]
    """``(keyid, signature)`` pairs."""
    key_hint: str | None

    def signed_bytes(self) -> bytes:
        """The PAE bytes every signature must cover."""
        return pae(self.payload_type, self.payload)


def build(payload_type: str, payload: bytes, signature: bytes, key_hint: str) -> bytes:
    """A Sigstore bundle v0.3 (JSON bytes) holding one DSSE signature."""
    document = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": key_hint}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": base64.b64encode(payload).decode("ascii"),
            "payloadType": payload_type,
            "signatures": [{"sig": base64.b64encode(signature).decode("ascii"), "keyid": ""}],
        },
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _b64(value: Any, where: str, source: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise SealFormatError(f"{source}: {where} must be a non-empty base64 string")
    text = value.strip()
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SealFormatError(f"{source}: {where} is not valid base64") from None


def parse(data: bytes, source: str) -> Bundle:
    """Parse bundle JSON bytes; anything malformed is a :class:`SealFormatError`."""
    document = _document(data, source)
    media = document.get("mediaType")
    if not isinstance(media, str) or media not in _ACCEPTED_MEDIA_TYPES:
        raise SealFormatError(
            f"{source}: mediaType {media!r} is not a Sigstore bundle v0.3 ({BUNDLE_MEDIA_TYPE})"
        )
    hint = _key_hint(document.get("verificationMaterial"), source)
    envelope = document.get("dsseEnvelope")
    if not isinstance(envelope, dict):
        raise SealFormatError(f"{source}: dsseEnvelope is missing (not a DSSE seal)")
    payload_type = envelope.get("payloadType")
    if not isinstance(payload_type, str):
        raise SealFormatError(f"{source}: dsseEnvelope.payloadType is missing")
    payload = _b64(envelope.get("payload"), "dsseEnvelope.payload", source)
    signatures = _signatures(envelope.get("signatures"), source)
    return Bundle(payload_type, payload, signatures, hint)


def _document(data: bytes, source: str) -> dict[str, Any]:
    """The bundle's JSON object."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise SealFormatError(f"{source}: larger than {MAX_BUNDLE_BYTES} bytes; not a seal")
    try:
        document = safejson.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SealFormatError(f"{source}: not UTF-8 text; not a seal bundle") from None
    except json.JSONDecodeError as exc:
        raise SealFormatError(
            f"{source}: not valid JSON (truncated or edited?): {exc.msg} at line {exc.lineno}"
        ) from None
    if not isinstance(document, dict):
        raise SealFormatError(f"{source}: a seal bundle must be a JSON object")
    return document


def _key_hint(material: Any, source: str) -> str | None:
    """``verificationMaterial.publicKey.hint``: which key signed (certificates are refused)."""
    if not isinstance(material, dict):
        raise SealFormatError(f"{source}: verificationMaterial is missing")
    public_key = material.get("publicKey")
    if public_key is None:
        if "certificate" in material or "x509CertificateChain" in material:
            raise SealFormatError(
                f"{source}: a certificate-based (Sigstore keyless) bundle; labwarden verifies "
                "key-based seals only"
            )
        return None
    if not isinstance(public_key, dict):
        raise SealFormatError(f"{source}: verificationMaterial.publicKey must be an object")
    raw_hint = public_key.get("hint")
    if raw_hint is not None and not isinstance(raw_hint, str):
        raise SealFormatError(f"{source}: verificationMaterial.publicKey.hint is not text")
    return raw_hint or None


def _signatures(raw: Any, source: str) -> tuple[tuple[str, bytes], ...]:
    """``dsseEnvelope.signatures`` as ``(keyid, signature)`` pairs."""
    if not isinstance(raw, list) or not raw:
        raise SealFormatError(f"{source}: dsseEnvelope.signatures is empty")
    signatures: list[tuple[str, bytes]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise SealFormatError(f"{source}: dsseEnvelope.signatures[{i}] must be an object")
        keyid = item.get("keyid", "")
        if not isinstance(keyid, str):
            raise SealFormatError(f"{source}: dsseEnvelope.signatures[{i}].keyid is not text")
        signatures.append((keyid, _b64(item.get("sig"), f"signatures[{i}].sig", source)))
    return tuple(signatures)

"""Seals: signed manifests of exactly which bytes make up an asset version.

A seal is an in-toto Statement v1 (predicate ``https://model_signing/signature/v1.0``) in a DSSE
envelope in a Sigstore bundle v0.3, signed with a local key: the OpenSSF model-signing format, so
that ``model_signing verify key`` accepts our seals and we accept its signatures.
"""

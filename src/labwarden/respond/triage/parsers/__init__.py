"""Pure readers of what triage collects: bytes or lines in, plain records out.

They never touch the host; every one is fed untrusted bytes and must never raise on them
(property tests hold them to it).
"""

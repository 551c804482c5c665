"""/proc/net/{tcp,tcp6,udp,udp6,unix,packet}: the kernel's socket tables, as ``ss`` reads them.

Addresses are hex in the kernel's byte order: an IPv4 address is one little-endian 32-bit word
on x86 (four bytes reversed), an IPv6 address four such words. Ports are big-endian hex.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
    "0C": "NEW_SYN_RECV",
}


@dataclass(frozen=True, slots=True)
class NetLine:
    """One socket of an inet table."""

    line: int
    local: str
    local_port: int
    remote: str
    remote_port: int
    state: str
    uid: int
    inode: int


def decode_address(text: str, order: str = sys.byteorder) -> tuple[str, int]:
    """``0100007F:0016`` as (``127.0.0.1``, 22); ``order`` is the kernel's byte order."""
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    fmt = "<" if order == "little" else ">"
    words = struct.unpack(f"{fmt}{len(raw) // 4}I", raw)
    packed = b"".join(struct.pack(">I", w) for w in words)
    family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
    address = ipaddress.ip_address(socket.inet_ntop(family, packed))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped), int(port, 16)
    return str(address), int(port, 16)


def parse_inet(lines: Iterable[tuple[int, str]], udp: bool) -> Iterator[NetLine]:
    """The sockets of a tcp/udp table (the header line and bad lines are skipped)."""
    for number, text in lines:
        fields = text.split()
        if len(fields) < 10 or not fields[0].endswith(":") or not fields[9].isdigit():
            continue
        try:
            local, local_port = decode_address(fields[1])
            remote, remote_port = decode_address(fields[2])
        except (ValueError, struct.error):
            continue
        state = TCP_STATES.get(fields[3].upper(), fields[3])
        if udp:
            state = "UNCONN" if remote_port == 0 else "ESTABLISHED"
        uid = int(fields[7]) if fields[7].isdigit() else -1
        yield NetLine(number, local, local_port, remote, remote_port, state, uid, int(fields[9]))


@dataclass(frozen=True, slots=True)
class UnixLine:
    """One unix-domain socket."""

    line: int
    inode: int
    listening: bool
    path: str


def parse_unix(lines: Iterable[tuple[int, str]]) -> Iterator[UnixLine]:
    """``Num RefCount Protocol Flags Type St Inode Path``; flag 0x10000 is ``__SO_ACCEPTCON``."""
    for number, text in lines:
        fields = text.split(None, 7)
        if len(fields) < 7 or not fields[6].isdigit():
            continue
        try:
            flags = int(fields[3], 16)
        except ValueError:
            continue
        path = fields[7] if len(fields) > 7 else ""
        yield UnixLine(number, int(fields[6]), bool(flags & 0x10000), path)


@dataclass(frozen=True, slots=True)
class PacketLine:
    """One packet socket (``AF_PACKET``: raw frames, what a sniffer opens)."""

    line: int
    interface_index: int
    uid: int
    inode: int


def parse_packet(lines: Iterable[tuple[int, str]]) -> Iterator[PacketLine]:
    """``sk RefCnt Type Proto Iface R Rmem User Inode``."""
    for number, text in lines:
        fields = text.split()
        if len(fields) < 9 or not fields[8].isdigit() or not fields[4].lstrip("-").isdigit():
            continue
        uid = int(fields[7]) if fields[7].isdigit() else -1
        yield PacketLine(number, int(fields[4]), uid, int(fields[8]))

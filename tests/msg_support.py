"""Build small Outlook .msg files for tests, written from Microsoft's documentation.

The compound file layout follows "[MS-CFB]: Compound File Binary File Format"
(https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-cfb/): version 3,
512-byte sectors, streams under 4096 bytes in the mini stream. The storages and
property streams inside follow "[MS-OXMSG]: Outlook Item (.msg) File Format"
(https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxmsg/):
``__substg1.0_PPPPTTTT`` streams for variable-length properties, 16-byte entries in
``__properties_version1.0`` for fixed ones, ``__recip_version1.0_#N`` and
``__attach_version1.0_#N`` storages.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

PT_LONG, PT_BOOLEAN, PT_SYSTIME = 0x0003, 0x000B, 0x0040


def _key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


class _Node:
    def __init__(self, name: str, data: bytes | None) -> None:
        self.name = name
        self.data = data  # None: a storage
        self.kids: dict[str, _Node] = {}
        self.sid = 0
        self.start = END
        self.left = self.right = self.child = NOSTREAM


def _tree(streams: dict[str, bytes]) -> _Node:
    root = _Node("Root Entry", None)
    for path, data in streams.items():
        node = root
        parts = path.split("/")
        for part in parts[:-1]:
            node = node.kids.setdefault(part, _Node(part, None))
        node.kids[parts[-1]] = _Node(parts[-1], data)
    return root


def _flatten(root: _Node) -> list[_Node]:
    order = [root]

    def walk(node: _Node) -> None:
        for kid in node.kids.values():
            kid.sid = len(order)
            order.append(kid)
            walk(kid)

    walk(root)

    def balance(kids: list[_Node]) -> int:
        if not kids:
            return NOSTREAM
        mid = len(kids) // 2
        kids[mid].left = balance(kids[:mid])
        kids[mid].right = balance(kids[mid + 1 :])
        return kids[mid].sid

    for node in order:
        node.child = balance(sorted(node.kids.values(), key=lambda n: _key(n.name)))
    return order


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else END


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` (paths with ``/`` between storages)."""
    nodes = _flatten(_tree(streams))
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Node] = []
    for node in nodes[1:]:
        if node.data is None:
            node.start = 0
            continue
        if len(node.data) >= CUTOFF:
            big.append(node)
            continue
        if not node.data:
            node.start = END
            continue
        count = -(-len(node.data) // MINI)
        node.start = len(minifat)
        minifat.extend(range(node.start + 1, node.start + count))
        minifat.append(END)
        mini += node.data.ljust(count * MINI, b"\0")
    dir_sectors = -(-len(nodes) * 128 // SECTOR)
    minifat_sectors = -(-len(minifat) * 4 // SECTOR)
    mini_sectors = -(-len(mini) // SECTOR)
    big_sectors = sum(-(-len(n.data or b"") // SECTOR) for n in big)
    rest = dir_sectors + minifat_sectors + mini_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + rest:
        fat_sectors += 1
    assert fat_sectors <= 109
    total = fat_sectors + rest
    fat = [FREE] * (fat_sectors * SECTOR // 4)
    for i in range(fat_sectors):
        fat[i] = FATSECT
    at = fat_sectors
    first_dir = at
    _chain(fat, at, dir_sectors)
    at += dir_sectors
    first_minifat = at if minifat_sectors else END
    _chain(fat, at, minifat_sectors)
    at += minifat_sectors
    nodes[0].start = at if mini_sectors else END
    _chain(fat, at, mini_sectors)
    at += mini_sectors
    body = bytearray()
    for node in big:
        count = -(-len(node.data or b"") // SECTOR)
        node.start = at
        _chain(fat, at, count)
        at += count
        body += (node.data or b"").ljust(count * SECTOR, b"\0")
    assert at == total
    directory = bytearray()
    for node in nodes:
        name = node.name.encode("utf-16-le") + b"\0\0"
        kind = 5 if node is nodes[0] else (1 if node.data is None else 2)
        size = len(mini) if node is nodes[0] else len(node.data or b"")
        start = node.start if node.data is not None or node is nodes[0] else 0
        directory += (
            name.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(name), kind, 1, node.left, node.right, node.child)
            + b"\0" * 16
            + struct.pack("<I8x8xIQ", 0, start, size)
        )
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH6xII", 0x3E, 3, 0xFFFE, 9, 6, 0, fat_sectors)
        + struct.pack("<IIIIIII", first_dir, 0, CUTOFF, first_minifat, minifat_sectors, END, 0)
        + struct.pack("<109I", *(list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)))
    )
    assert len(header) == SECTOR
    unused = b"\0" * 64 + struct.pack("<HBB3I", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
    unused += b"\0" * 16 + struct.pack("<I8x8xIQ", 0, 0, 0)
    directory += unused * (dir_sectors * SECTOR // 128 - len(nodes))
    return (
        header
        + struct.pack(f"<{len(fat)}I", *fat)
        + bytes(directory)
        + struct.pack(f"<{len(minifat)}I", *minifat).ljust(minifat_sectors * SECTOR, b"\xff")
        + bytes(mini).ljust(mini_sectors * SECTOR, b"\0")
        + bytes(body)
    )


def filetime(when: datetime) -> int:
    """A FILETIME: 100 ns steps since 1601-01-01 UTC."""
    return int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


def properties(fixed: dict[int, tuple[int, int]], header: int) -> bytes:
    """A ``__properties_version1.0`` stream: ``{property id: (type, value)}``."""
    out = bytearray(header)
    for pid, (ptype, value) in fixed.items():
        out += struct.pack("<HHIQ", ptype, pid, 6, value & 0xFFFFFFFFFFFFFFFF)
    return bytes(out)


def text(pid: int, value: str) -> tuple[str, bytes]:
    """A Unicode string property's stream name and bytes."""
    return f"__substg1.0_{pid:04X}001F", value.encode("utf-16-le")


def build_msg(
    *,
    message_class: str = "IPM.Note",
    headers: str | None = None,
    subject: str = "Invoice 42",
    sender: tuple[str, str] = ("Ann Example", "ann@example.com"),
    recipients: tuple[tuple[str, str, int], ...] = (("Bob", "bob@example.org", 1),),
    attachments: tuple[tuple[str, bytes], ...] = (),
    message_id: str | None = "<m1@example.com>",
    submitted: datetime | None = datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
    unsent: bool = False,
) -> bytes:
    """An Outlook .msg with the given properties (strings in Unicode)."""
    streams: dict[str, bytes] = {}

    def put(prefix: str, pid: int, value: str) -> None:
        name, data = text(pid, value)
        streams[prefix + name] = data

    put("", 0x001A, message_class)
    put("", 0x0037, subject)
    put("", 0x0C1A, sender[0])
    put("", 0x0C1F, sender[1])
    put("", 0x0C1E, "SMTP")
    put("", 0x1000, "body text")
    if headers is not None:
        put("", 0x007D, headers)
    if message_id is not None:
        put("", 0x1035, message_id)
    fixed: dict[int, tuple[int, int]] = {0x0E07: (PT_LONG, 0x08 if unsent else 0x01)}
    if submitted is not None:
        fixed[0x0039] = (PT_SYSTIME, filetime(submitted))
    streams["__properties_version1.0"] = properties(fixed, 32)
    for i, (name, addr, kind) in enumerate(recipients):
        prefix = f"__recip_version1.0_#{i:08X}/"
        put(prefix, 0x3001, name)
        put(prefix, 0x3003, addr)
        put(prefix, 0x39FE, addr)
        streams[prefix + "__properties_version1.0"] = properties({0x0C15: (PT_LONG, kind)}, 8)
    for i, (name, data) in enumerate(attachments):
        prefix = f"__attach_version1.0_#{i:08X}/"
        put(prefix, 0x3707, name)
        streams[prefix + "__substg1.0_37010102"] = data
        fixed_att = {0x3705: (PT_LONG, 1), 0x0E20: (PT_LONG, len(data))}
        streams[prefix + "__properties_version1.0"] = properties(fixed_att, 8)
    return build_cfb(streams)

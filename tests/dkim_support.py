"""Helpers for the DKIM/ARC tests: zone text from key records, and RSA test keys.

Keys are made here in pure Python (no ``cryptography`` package is installed);
they are for tests only.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def _quote(text: str) -> str:
    data = text.encode("utf-8")
    chunks = [data[i : i + 250] for i in range(0, len(data), 250)] or [b""]
    out = []
    for chunk in chunks:
        body = "".join(
            f"\\{b:03d}" if b < 0x20 or b > 0x7E or b in (0x22, 0x5C) else chr(b) for b in chunk
        )
        out.append(f'"{body}"')
    return " ".join(out)


def zone_texts(records: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Zone texts (origin -> text) serving each name's TXT strings.

    Args:
        records: Owner name -> TXT record values (each one record; long values are
            split into 250-byte strings). The origin of each name is what follows
            ``._domainkey.`` (or the name itself).
    """
    origins = {n.lower().rstrip(".").partition("._domainkey.")[2] or n for n in records}
    zones = {
        o: [f"@ 300 IN SOA ns.{o}. hostmaster.{o}. 1 3600 600 86400 60", f"@ 300 IN NS ns.{o}."]
        for o in origins
    }
    for name, values in records.items():
        lname = name.lower().rstrip(".")
        origin = max((o for o in origins if lname == o or lname.endswith("." + o)), key=len)
        for value in values:
            zones[origin].append(f"{lname}. 300 IN TXT {_quote(value)}")
    return {o: "\n".join(lines) + "\n" for o, lines in zones.items()}


def _is_probable_prime(n: int, rng: random.Random) -> bool:
    if n < 4:
        return n in (2, 3)
    for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(24):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if _is_probable_prime(n, rng):
            return n


def _der_int(n: int) -> bytes:
    body = n.to_bytes(n.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_len(len(body)) + body


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _seq(*parts: bytes) -> bytes:
    body = b"".join(parts)
    return b"\x30" + _der_len(len(body)) + body


def rsa_keypair(bits: int, seed: int) -> tuple[bytes, str]:
    """A deterministic RSA key pair for tests.

    Returns:
        ``(private key PEM for dkimpy, public key base64 for a p= tag)``.
    """
    rng = random.Random(seed)
    e = 65537
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits - bits // 2, rng)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e and (p * q).bit_length() == bits:
            break
    n, d = p * q, pow(e, -1, phi)
    private = _seq(*map(_der_int, (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))))
    pem = b"-----BEGIN RSA PRIVATE KEY-----\n" + base64.encodebytes(private)
    pem += b"-----END RSA PRIVATE KEY-----\n"
    algo = _seq(b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", b"\x05\x00")
    pub = _seq(_der_int(n), _der_int(e))
    spki = _seq(algo, b"\x03" + _der_len(len(pub) + 1) + b"\x00" + pub)
    return pem, base64.b64encode(spki).decode()

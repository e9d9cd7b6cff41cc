"""verify_dkim on messages signed in the test, keys served by a real ZoneServer.

Every case signs with dkimpy using keys made here, then tampers with the message
or the key record and checks the result and the reason category. Key lookups go
through our Resolver (and so show in its query log).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import dkim
import pytest
from mailtriage.checks.auth.dkim import REASONS, DkimInputError, verify_dkim
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

from tests.dkim_support import rsa_keypair, zone_texts

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
MESSAGE = (
    b"From: Ann <ann@signer.example>\r\n"
    b"To: bob@receiver.example\r\n"
    b"Subject: Invoice 42\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <42@signer.example>\r\n"
    b"\r\n"
    b"Please pay USD 100.\r\n"
)
KEYS = {bits: rsa_keypair(bits, seed=bits) for bits in (768, 1024)}
OTHER = rsa_keypair(1024, seed=99)


def _records() -> dict[str, list[str]]:
    good = KEYS[1024][1]
    return {
        "good._domainkey.signer.example": [f"v=DKIM1; k=rsa; p={good}"],
        "short._domainkey.signer.example": [f"v=DKIM1; k=rsa; p={KEYS[768][1]}"],
        "revoked._domainkey.signer.example": ["v=DKIM1; k=rsa; p="],
        "testing._domainkey.signer.example": [f"v=DKIM1; t=y; p={good}"],
        "sha1only._domainkey.signer.example": [f"v=DKIM1; h=sha1; p={good}"],
        "edkey._domainkey.signer.example": [f"v=DKIM1; k=ed25519; p={good}"],
        "wrongkey._domainkey.signer.example": [f"v=DKIM1; p={OTHER[1]}"],
        "spf._domainkey.signer.example": ["v=spf1 -all"],
        "second._domainkey.other.example": [f"p={OTHER[1]}"],
    }


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    zones = zone_texts(_records())
    zones["signer.example"] += "nodata._domainkey 300 IN A 192.0.2.1\n"
    with ZoneServer(
        zones=zones,
        servfail=lambda name, rdtype: name.startswith("broken."),
        hang=lambda name, rdtype: name.startswith("slow."),
    ) as srv:
        yield srv


@pytest.fixture
def resolver(server: ZoneServer) -> Resolver:
    return Resolver(["127.0.0.1"], port=server.port, timeout=0.5, deadline=5.0)


def sign(selector: str = "good", bits: int = 1024, message: bytes = MESSAGE, **kw: object) -> bytes:
    private = OTHER[0] if selector == "second" else KEYS[bits][0]
    domain = b"other.example" if selector == "second" else b"signer.example"
    return dkim.sign(message, selector.encode(), domain, private, **kw) + message  # type: ignore[arg-type]


async def test_good_signature_passes_and_describes_itself(resolver: Resolver) -> None:
    (r,) = await verify_dkim(sign(), resolver)
    assert (r.result, r.reason) == ("pass", "verified")
    assert (r.domain, r.selector, r.algorithm) == ("signer.example", "good", "rsa-sha256")
    assert (r.header_canon, r.body_canon) == ("relaxed", "simple")
    assert r.covers_from and "subject" in r.signed_headers
    assert (r.key_type, r.key_bits, r.key_testing) == ("rsa", 1024, False)
    assert r.key_name == "good._domainkey.signer.example"
    assert [e.name for e in resolver.log] == [r.key_name]


async def test_lf_line_ends_verify_too(resolver: Resolver) -> None:
    (r,) = await verify_dkim(sign().replace(b"\r\n", b"\n"), resolver)
    assert r.result == "pass"


async def test_unsigned_message_has_no_results(resolver: Resolver) -> None:
    assert await verify_dkim(MESSAGE, resolver) == ()
    assert resolver.log == ()


async def test_body_change_is_a_body_hash_mismatch(resolver: Resolver) -> None:
    (r,) = await verify_dkim(sign().replace(b"USD 100", b"USD 900"), resolver)
    assert (r.result, r.reason) == ("fail", "body_hash_mismatch")
    assert r.dkimpy_message and "body hash" in r.dkimpy_message


async def test_header_change_is_a_signature_mismatch(resolver: Resolver) -> None:
    (r,) = await verify_dkim(sign().replace(b"Invoice 42", b"Invoice 43"), resolver)
    assert (r.result, r.reason) == ("fail", "signature_mismatch")


async def test_key_of_someone_else_is_a_signature_mismatch(resolver: Resolver) -> None:
    signed = sign().replace(b"s=good", b"s=wrongkey")
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason) == ("fail", "signature_mismatch")


@pytest.mark.parametrize(
    ("selector", "result", "reason"),
    [
        ("missing", "permerror", "key_not_found"),  # NXDOMAIN
        ("nodata", "permerror", "key_not_found"),  # the name exists, no TXT
        ("spf", "permerror", "key_not_found"),  # TXT, but not a key
        ("revoked", "permerror", "key_revoked"),
        ("edkey", "permerror", "key_invalid"),  # RSA signature, ed25519 key record
        ("sha1only", "permerror", "key_invalid"),  # key h= does not allow sha256
    ],
)
async def test_key_problems(resolver: Resolver, selector: str, result: str, reason: str) -> None:
    signed = sign().replace(b"s=good", f"s={selector}".encode())
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason) == (result, reason), r.message
    assert REASONS[r.reason] == r.result


@pytest.mark.parametrize("prefix", ["broken", "slow"])
async def test_failed_lookup_is_a_temperror(resolver: Resolver, prefix: str) -> None:
    signed = sign().replace(b"s=good", f"s={prefix}.sel".encode())
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason) == ("temperror", "key_lookup_failed")
    assert resolver.log[0].rcode in ("SERVFAIL", "TIMEOUT")


async def test_short_rsa_key_is_weak_by_rfc_8301(resolver: Resolver) -> None:
    signed = sign("short", bits=768)
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason, r.key_bits) == ("fail", "weak", 768)
    assert r.weak and "768-bit" in r.weak
    (loose,) = await verify_dkim(signed, resolver, min_key_bits=512)
    assert loose.result == "pass"


async def test_rsa_sha1_is_weak_by_rfc_8301(resolver: Resolver) -> None:
    signed = sign(signature_algorithm=b"rsa-sha1")
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason, r.algorithm) == ("fail", "weak", "rsa-sha1")
    (loose,) = await verify_dkim(signed, resolver, allow_sha1=True)
    assert loose.result == "pass"


async def test_weak_and_broken_reports_the_breakage(resolver: Resolver) -> None:
    signed = sign(signature_algorithm=b"rsa-sha1").replace(b"USD 100", b"USD 1")
    (r,) = await verify_dkim(signed, resolver)
    assert (r.reason, r.weak is not None) == ("body_hash_mismatch", True)


async def test_expired_signature(resolver: Resolver) -> None:
    signed = sign().replace(b"v=1;", b"v=1; x=1000000000;", 1)
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason, r.expires) == ("permerror", "expired", 1000000000)
    assert resolver.log == ()  # nothing to look up for a signature that cannot count


@pytest.mark.parametrize(
    ("edit", "what"),
    [
        ((rb"d=signer\.example;", b""), "missing d="),
        ((rb"a=rsa-sha256", b"a=rsa-md5"), "unknown algorithm"),
        ((rb"s=good;", b"s=good; s=again;"), "duplicate tag"),
        ((rb"v=1", b"v=2"), "wrong version"),
    ],
)
async def test_malformed_signatures(
    resolver: Resolver, edit: tuple[bytes, bytes], what: str
) -> None:
    signed = re.sub(edit[0], edit[1], sign(), count=1)
    (r,) = await verify_dkim(signed, resolver)
    assert (r.result, r.reason) == ("permerror", "malformed"), what


async def test_whitespace_inside_s_names_no_key(resolver: Resolver) -> None:
    """RFC 6376 section 3.5: no FWS inside s= (or d=), so ``s=go od`` names no key.

    The reader used to drop the space, fetch good._domainkey.signer.example and
    report key_invalid when dkimpy (which keeps the space) then found no key at
    "go od._domainkey...". The signature is malformed, and nothing is looked up,
    as in the live key plan, which reads d=/s= with the same reader.
    """
    (r,) = await verify_dkim(sign().replace(b"s=good;", b"s=go od;", 1), resolver)
    assert (r.result, r.reason, r.selector, r.key_name) == ("permerror", "malformed", "go od", "")
    assert r.message == "d='signer.example' s='go od' is no DNS name"
    assert resolver.log == ()


async def test_h_without_from_is_reported(resolver: Resolver) -> None:
    signed = re.sub(rb"h=[^;]*;", b"h=subject : to;", sign(), count=1)
    (r,) = await verify_dkim(signed, resolver)
    assert not r.covers_from
    assert r.signed_headers == ("subject", "to")
    assert r.result == "fail"


async def test_testing_mode_is_reported(resolver: Resolver) -> None:
    (r,) = await verify_dkim(sign("testing"), resolver)
    assert (r.result, r.key_testing) == ("pass", True)


async def test_several_signatures_each_get_a_result(resolver: Resolver) -> None:
    once = sign()
    twice = dkim.sign(once, b"second", b"other.example", OTHER[0]) + once
    results = await verify_dkim(twice.replace(b"s=good", b"s=revoked"), resolver)
    assert [(r.index, r.selector, r.result) for r in results] == [
        (0, "second", "pass"),
        (1, "revoked", "permerror"),
    ]
    assert sorted(e.name for e in resolver.log) == [
        "revoked._domainkey.signer.example",
        "second._domainkey.other.example",
    ]


async def test_ed25519_signature(server: ZoneServer) -> None:
    nacl_signing = pytest.importorskip("nacl.signing", reason="PyNaCl (dkimpy's ed25519 extra)")
    import base64

    key = nacl_signing.SigningKey(bytes(range(32)))
    public = base64.b64encode(bytes(key.verify_key)).decode()
    private = base64.b64encode(bytes(key))
    zones = zone_texts({"ed._domainkey.ed.example": [f"v=DKIM1; k=ed25519; p={public}"]})
    signed = (
        dkim.sign(MESSAGE, b"ed", b"ed.example", private, signature_algorithm=b"ed25519-sha256")
        + MESSAGE
    )
    with ZoneServer(zones=zones) as srv:
        res = Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        (r,) = await verify_dkim(signed, res)
        (bad,) = await verify_dkim(signed.replace(b"USD", b"EUR"), res)
    assert (r.result, r.key_type, r.key_bits) == ("pass", "ed25519", 256)
    assert bad.reason == "body_hash_mismatch"


async def test_broken_header_block_raises(resolver: Resolver) -> None:
    with pytest.raises(DkimInputError):
        await verify_dkim(b"From: a@b.example\r\n\x00garbage line\r\n\r\nbody\r\n", resolver)


@pytest.mark.parametrize("name", ["blocked", "delivered"])
async def test_demo_samples_verify_through_our_resolver(name: str) -> None:
    raw = (DEMO / f"{name}.eml").read_bytes()
    with ZoneServer(zone_dir=DEMO / "zones") as srv:
        res = Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)
        results = await verify_dkim(raw, res)
    assert results and all(r.result == "pass" for r in results), [r.message for r in results]
    assert {e.name for e in res.log} == {r.key_name for r in results}
    assert all(r.covers_from and r.key_bits == 2048 for r in results)

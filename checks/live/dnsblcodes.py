"""What blocklist return codes mean, for the lists whose codes are documented.

Unknown lists and codes read "listed (<code>)". Codes that signal a query
problem (not a listing) start with "not a listing", which :mod:`mailtriage.checks.live.dnsbl`
uses to tell a refusal from a listing.
"""

from __future__ import annotations

from mailtriage.checks.vendors import blocklist

_SPAMHAUS = {
    "127.0.0.2": "Spamhaus SBL: known spam source or spam operation",
    "127.0.0.3": "Spamhaus CSS: low-reputation or snowshoe sending IP",
    "127.0.0.4": "Spamhaus XBL: hijacked or malware-infected host",
    "127.0.0.5": "Spamhaus XBL: hijacked or malware-infected host",
    "127.0.0.6": "Spamhaus XBL: hijacked or malware-infected host",
    "127.0.0.7": "Spamhaus XBL: hijacked or malware-infected host",
    "127.0.0.9": "Spamhaus DROP: network controlled by criminals",
    "127.0.0.10": "Spamhaus PBL (ISP): end-user range that should not send mail directly",
    "127.0.0.11": "Spamhaus PBL: end-user range that should not send mail directly",
    "127.255.255.252": "not a listing: Spamhaus says the list name was mistyped",
    "127.255.255.254": (
        "not a listing: Spamhaus refuses queries from public or open resolvers; "
        "use your own resolver or a Spamhaus DQS key"
    ),
    "127.255.255.255": "not a listing: Spamhaus rate limit exceeded for this resolver",
}
_BARRACUDA = {"127.0.0.2": "Barracuda BRBL: poor sending reputation"}
_SPAMCOP = {"127.0.0.2": "SpamCop: reported as a spam source by SpamCop users"}

# (zone suffix, codes) pairs; the first suffix matching the zone wins. The zones are the
# blocklist table's (checks/vendors.py), Spamhaus's DQS zones among them.
_LISTS: tuple[tuple[str, dict[str, str]], ...] = tuple(
    (zone, codes)
    for key, codes in (
        ("spamhaus", _SPAMHAUS),
        ("barracuda", _BARRACUDA),
        ("spamcop", _SPAMCOP),
    )
    for zone in blocklist(key).zones
)


def meaning(zone: str, code: str) -> str:
    """Describe return ``code`` of blocklist ``zone``.

    Args:
        zone: The list zone, e.g. ``"zen.spamhaus.org"``.
        code: An A record value, e.g. ``"127.0.0.4"``.

    Returns:
        The documented meaning, or ``"listed (<code>)"`` when unknown.
    """
    z = zone.strip().strip(".").lower()
    for suffix, codes in _LISTS:
        if z == suffix or z.endswith("." + suffix):
            return codes.get(code, f"listed ({code})")
    return f"listed ({code})"

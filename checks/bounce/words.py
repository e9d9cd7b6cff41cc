"""Wording rules: which words in a diagnostic point to which bounce category.

Tried in order, first match wins, so the order encodes which wording is more
specific: "mailbox is full: retry timeout exceeded" is a full mailbox, not an
expiry; "Blacklisted URL in message" is content, not the sending IP; "Recipient
address rejected: Access denied" (Microsoft's edge block) is an unknown recipient,
not a policy; Google's "Daily sending quota exceeded" is a sending limit, not a full
mailbox. Each pattern is a plain alternation without nested repeats, run on
lower-cased text of bounded length.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str], ...] = (
    (
        "rate limited",
        r"sending (?:quota|limits?) (?:exceeded|reached)|daily (?:sending |user |message )?quota",
    ),
    (
        "reputation block",
        r"not authori[sz]ed to send (?:e-?mail )?directly",
    ),
    (
        "recipient unknown",
        r"(?:account|mailbox|user) (?:has )?expired",
    ),
    (
        "virus",
        r"virus|malware|infected|trojan|malicious (?:attachment|content|payload)",
    ),
    (
        "TLS required",
        r"starttls|tls (?:is )?required|requires? (?:encryption|tls)|encryption required|"
        r"tls version|secure connection required|high-strength ciphers|must use tls",
    ),
    (
        "spam/content rejection",
        r"blacklisted (?:url|link|domain in)|uribl|surbl|url (?:is )?(?:blacklisted|blocklisted)|"
        r"dbl\.spamhaus|spamhaus dbl",
    ),
    (
        "authentication failure",
        r"\bspf\b|\bdkim\b|\bdmarc\b|sender policy framework|"
        r"unauthenticated (?:email|mail|sender)|sender is unauthenticated|"
        r"authentication (?:check )?fail|failed (?:sender )?authentication|"
        r"did not pass (?:dmarc|spf|dkim)|domain's (?:dmarc )?policy|"
        r"fails? to pass authentication|does not have authentication information",
    ),
    (
        "relay denied",
        r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)|"
        r"not (?:configured|allowed|permitted|authori[sz]ed) to relay|unable to relay|"
        r"we do not relay|no relaying|open relay (?:is )?not allowed|relay access|"
        r"not in my list of allowed rcpthosts|invalid credentials for relay",
    ),
    (
        "deferral",
        r"gr[ae]y-?list",
    ),
    (
        "reputation block",
        r"blocked using|block ?list|black ?list|\brbl\b|dnsbl|spamhaus|spamcop|barracuda|sorbs|"
        r"listed (?:at|in|on) |reputation|banned sending ip|"
        r"ip (?:address )?(?:is )?(?:blocked|banned|blacklisted|listed)|"
        r"client host (?:\S+ )?(?:rejected|blocked)|reverse dns|reverse lookup|ptr record|"
        r"\bno ptr\b|\brdns\b|open relay|dynamic ip|dial-?up|residential|part of their network|"
        r"user complaints|not accepted from this ip|poor sender",
    ),
    (
        "mailbox full",
        r"mailbox (?:is )?full|over ?quota|quota (?:exceeded|exceed|full)|"
        r"exceeded (?:storage|its quota|the quota)|storage (?:allocation|quota|space)|"
        r"insufficient (?:storage|disk)|mailbox size limit|disk quota|mailbox has exceeded|"
        r"out of storage|full mailbox|mail ?folder is full|mailbox full|"
        r"over (?:the|its|his|her) (?:allowed |storage )?quota|exceeds? (?:the |its )?quota",
    ),
    (
        "message too large",
        r"too (?:large|big)|size (?:limit|exceeds|exceeded)|"
        r"exceeds (?:the )?(?:maximum|fixed maximum|size)|message size|"
        r"maximum (?:email |message )?size|recipsizelimit|message length exceeds",
    ),
    (
        "spam/content rejection",
        r"spam|unsolicited|\bjunk\b|content (?:filter|policy|rejected)|message content|bulk mail|"
        r"phish|message filtered|\bfiltered\b|addresses in from|rfc ?(?:5322|2822|822)|"
        r"bare (?:lf|line ?feed)|malformed|suspicious",
    ),
    (
        "expired",
        r"expired|could not be delivered for|too long in (?:the )?queue|in the queue too long|"
        r"retry time(?:out)? (?:exceeded|expired)|delivery time expired|retry timeout exceeded|"
        r"gave up|giving up|maximum time|retry time not reached|"
        r"(?:have|has) been failing for a long time|cannot send message for|message timed out|"
        r"unable to deliver (?:message )?after multiple retries|within the allowed queue period",
    ),
    (
        "routing/DNS failure",
        r"host unknown|unknown host|"
        r"domain (?:not found|does not exist|is not reachable|not reachable)|"
        r"domain name not found|name service error|dns (?:error|failure|lookup)|no mx|null mx|"
        r"mx (?:record|lookup)|nxdomain|host not found|unrout(?:e)?able domain|"
        r"connection (?:refused|timed out|reset)|could not connect|unable to connect|"
        r"network (?:is )?unreachable|no route to host|mail loop|loops back|hop count|"
        r"routing loop|too many hops|doesn't receive email|does not accept mail|no such domain|"
        r"could not be resolved|domain .{1,80} couldn't be found|requests to connect|"
        r"non-existent hosts?|forwarding loop",
    ),
    (
        "recipient unknown",
        r"user unknown|unknown user|no such (?:user|mailbox|recipient|address|account)|"
        r"unknown (?:recipient|mailbox|address|local part|or illegal alias)|"
        r"recipient (?:not found|unknown)|"
        r"recipient address rejected: (?:user unknown|access denied|undeliverable|no such)|"
        r"all recipient addresses rejected|recipient name is not recognized|"
        r"address (?:not found|does not exist|unknown)|does not exist|doesn't exist|"
        r"invalid (?:recipient|mailbox|address|final delivery userid|user|e-?mail address)|"
        r"recip(?:ient)?notfound|addressee unknown|not a known user|no such (?:e-?mail|person)|"
        r"(?:account|mailbox) is unavailable|not a valid (?:e-?mail )?address|"
        r"not listed in (?:the )?(?:domino )?directory|wasn't found at|"
        r"address you entered (?:couldn't|could not|can't|cannot) be found|"
        r"mailbox (?:unavailable|not found|does not exist|disabled|inactive|not available)|"
        r"account (?:is |has been )?(?:disabled|inactive|suspended|closed|deactivated)|"
        r"is inactive|not our customer|no mailbox|"
        r"user (?:not found|doesn't have|does not have|not listed)|bad destination mailbox|"
        r"unrouteable address|no longer (?:valid|available|with|accepts mail)|has moved|"
        r"undeliverable address|"
        r"not a valid (?:recipient|user|mailbox)",
    ),
    (
        "rate limited",
        r"rate limit|too many (?:connections|messages|recipients|concurrent|sessions)|"
        r"sending rate|throttl|receiving mail at a rate|unusual rate|connection rate|too fast|"
        r"too quickly|"
        r"limit (?:exceeded|reached)|"
        r"exceeded (?:the )?(?:maximum )?(?:number|sending limit|rate)|"
        r"daily (?:sending |user |message )?(?:limit|quota)|unexpected volume",
    ),
    (
        "policy block",
        r"polic(?:y|ies)|not authori[sz]ed|access denied|\bdenied\b|prohibit|not allowed|"
        r"not permitted|refused|\bblocked\b|restricted|permission|not accepted|"
        r"sender (?:address )?(?:rejected|blocked|denied)|administrative",
    ),
)

#: (category, compiled pattern) in priority order.
TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern)) for category, pattern in _RULES
)

"""Odd Received forms real MTAs write, TLS details, lenient dates, hostile input."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from mailtriage.checks.route.hops import Hop, parse_received
from mailtriage.checks.route.received_date import parse_received_date


def hop(value: str) -> Hop:
    return parse_received(" ".join(value.split()))


def messages(h: Hop) -> list[str]:
    return [p.message for p in h.problems]


def test_qmail_invoked_from_network_and_by_uid():
    net = hop("(qmail 1234 invoked from network); 24 Aug 2014 16:13:38 -0000")
    assert net.by_host is None and net.from_host is None
    assert net.date == datetime(2014, 8, 24, 16, 13, 38, tzinfo=UTC)
    assert net.notes == ("qmail 1234 invoked from network",)
    uid = hop("(qmail 1234 invoked by uid 89); 1 Jan 2020 10:00:00 -0000")
    assert uid.notes == ("qmail 1234 invoked by uid 89",) and uid.date is not None


def test_qmail_helo_argument_is_not_the_connecting_ip():
    h = hop(
        "from unknown (HELO 10.0.0.1) (203.0.113.5) by mx.example with SMTP; 1 Jan 2020 10:00:00 "
        "-0000"
    )
    assert h.from_ip == "203.0.113.5"
    yahoo = hop(
        "from 127.0.0.1 (EHLO e22-22.smtp-out.amazonses.com) (198.51.100.225) by "
        "mta2022.biz.mail.example.com with SMTPS; Thu, 29 Apr 2017 23:34:45 +0000"
    )
    assert yahoo.from_ip == "198.51.100.225" and yahoo.tls is True


def test_exchange_online_with_version_and_cipher():
    h = hop(
        "from BN8NAM12FT041.eop-nam12.prod.protection.outlook.com (10.13.182.150) by "
        "BY5PR11MB4321.namprd11.prod.outlook.com (2603:10b6:a03:1d0::19) with Microsoft SMTP "
        "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7362.19;"
        " Tue, 5 Mar 2024 14:02:10 +0000"
    )
    assert (h.with_proto, h.id, h.from_ip) == (
        "Microsoft SMTP Server",
        "15.20.7362.19",
        "10.13.182.150",
    )
    assert (h.tls, h.tls_version, h.tls_cipher) == (
        True,
        "TLSv1.2",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    )


def test_google_internal_and_google_tls_comment():
    internal = hop(
        "by 2002:a05:6a10:9e8c:b0:4d3:f0f7:c8d4 with SMTP id m12csp1pxb; Mon, 1 Jan 2024 10:00:00 "
        "-0800 (PST)"
    )
    assert internal.by_host == "2002:a05:6a10:9e8c:b0:4d3:f0f7:c8d4" and internal.tls is False
    mx = hop(
        "from mta.example.org (mta.example.org. [192.0.2.44]) by mx.google.com with ESMTPS id "
        "i7-20020a05si3210775ilj.159.2023.01.27.00.11.25 for <u@gmail.example> "
        "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Fri, 27 Jan 2023 00:11:26 "
        "-0800 (PST)"
    )
    assert (mx.from_ip, mx.from_rdns, mx.for_addr) == (
        "192.0.2.44",
        "mta.example.org",
        "u@gmail.example",
    )
    assert (mx.tls_version, mx.tls_cipher) == ("TLSv1.3", "TLS_AES_256_GCM_SHA384")
    sor = hop(
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com "
        "with SMTPS id e21sor2892698lfq.1 for <u@gmail.example> (Google Transport Security); "
        "Mon, 02 Nov 2020 01:57:24 -0800 (PST)"
    )
    assert sor.tls is True and sor.tls_version is None


def test_postfix_tls_comment_and_envelope_from_after_date():
    h = hop(
        "from out.sender.example (out.sender.example [198.51.100.7]) (using TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 "
        "bits)) (No client certificate requested) by mx.corp.example (Postfix) with ESMTPS id "
        "ABC12 "
        "for <x@corp.example>; Mon, 1 Jan 2024 10:00:00 +0100 (CET) (envelope-from "
        "<b@sender.example>)"
    )
    assert (h.by_host, h.with_proto, h.id, h.for_addr) == (
        "mx.corp.example",
        "ESMTPS",
        "ABC12",
        "x@corp.example",
    )
    assert (h.tls_version, h.tls_cipher) == ("TLSv1.3", "TLS_AES_256_GCM_SHA384")
    assert h.date == datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    assert "Postfix" in h.notes and h.problems == ()


def test_exim_forms():
    h = hop(
        "from [192.0.2.1] (helo=foo.example) by host.example with esmtps (TLS1.2:ECDHE-RSA-AES256-"
        "GCM-SHA384:256) (Exim 4.96) (envelope-from <a@b.example>) id 1abc-000 for c@d.example; "
        "Mon, 01 Jan 2024 10:00:00 +0100"
    )
    assert (h.from_host, h.from_ip, h.with_proto, h.id) == (
        "[192.0.2.1]",
        "192.0.2.1",
        "esmtps",
        "1abc-000",
    )
    assert (h.tls_version, h.tls_cipher) == ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384")
    new = hop(
        "from mail.example ([203.0.113.8]:51234 helo=mail.example) by mx.example with esmtpsa "
        "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@b.example>) id 1q-0; "
        "Mon, 01 Jan 2024 10:00:00 +0100"
    )
    assert (new.from_ip, new.tls_version, new.tls_cipher) == (
        "203.0.113.8",
        "TLSv1.3",
        "TLS_AES_256_GCM_SHA384",
    )


def test_sendmail_proofpoint_mimecast_forms():
    sm = hop(
        "from mx.sender.example (mx.sender.example [192.0.2.127]) by mx.corp.example "
        "(8.15.2/8.15.2) "
        "with ESMTP id 41A0abc (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=NO) "
        "for <s@corp.example>; Thu, 9 Apr 2014 23:34:45 +0900"
    )
    assert (sm.id, sm.tls, sm.tls_version, sm.tls_cipher) == (
        "41A0abc",
        True,
        "TLSv1",
        "DHE-RSA-AES256-SHA",
    )
    pps = hop(
        "from mail.sender.example (mail.sender.example [203.0.113.9]) by mx0a-001234.pphosted.com "
        "(PPS) with ESMTPS id 3abc-1 for <u@corp.example>; Mon, 1 Jan 2024 10:00:03 +0000"
    )
    assert (pps.by_host, pps.id, pps.tls, pps.notes[-1]) == (
        "mx0a-001234.pphosted.com",
        "3abc-1",
        True,
        "PPS",
    )
    mc = hop(
        "from mail.sender.example (mail.sender.example [203.0.113.9]) by relay.mimecast.com with "
        "ESMTP id us-mta-12-AbCdEf; Mon, 01 Jan 2024 10:00:03 -0500"
    )
    assert (mc.by_host, mc.id, mc.tls) == ("relay.mimecast.com", "us-mta-12-AbCdEf", False)


def test_other_odd_forms():
    hotmail = hop(
        "from BLU004-OMC3S20.o.hotmail.example ([65.55.116.95]) by COL004-MC4F26.o.hotmail.example "
        "over TLS secured channel with Microsoft SMTPSVC(7.5.7601.22751); Fri, 21 Nov 2014 "
        "14:24:52 -0800"
    )
    assert (hotmail.tls, hotmail.with_proto, hotmail.from_ip) == (
        True,
        "Microsoft SMTPSVC",
        "65.55.116.95",
    )
    zone = hop(
        "from foo [127.0.0.1] by srs3.example with ESMTP id 1.001; Mon, 02 Nov 2020 09:56:57 +0000"
    )
    assert zone.from_ip == "127.0.0.1"
    indimail = hop(
        "indimail-mta queue 76885 by host email.example.jp (invoked by alias); Wed, 26 Jun 2024 "
        "15:28:59 +0900"
    )
    assert indimail.by_host == "email.example.jp"
    dupes = hop("by me by you with this with that; Mon, 26 Mar 2018 13:35:36 +0000")
    assert (dupes.by_host, dupes.with_proto) == ("me", "this")
    v6 = hop(
        "from x (x [IPv6:2001:db8::1]) by [IPv6:::1] with LMTP; Mon, 26 Mar 2018 13:35:36 +0000"
    )
    assert (v6.from_ip, v6.by_host) == ("2001:db8::1", "[IPv6:::1]")


def test_host_names_are_not_tls():
    for value in (
        "from tls.example.com (tls.example.com [192.0.2.1]) by mx.example with ESMTP; 1 Jan 2024 "
        "10:00:00 +0000",
        "from ssl0.ovh.example (ssl0.ovh.example [192.0.2.1]) by mx.example with ESMTP; 1 Jan "
        "2024 10:00:00 +0000",
        "from a (a [192.0.2.1]) by mx.example with ESMTP id 1 (envelope-from <tls@x.example>); 1 "
        "Jan 2024 10:00:00 +0000",
    ):
        assert hop(value).tls is False, value


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [
        (
            "Mon, 26 Mar 2018 13:35:10.102 +0000",
            datetime(2018, 3, 26, 13, 35, 10, 102000, tzinfo=UTC),
            None,
        ),
        (
            "2018-04-22 02:54:17.028704749 +0000 UTC",
            datetime(2018, 4, 22, 2, 54, 17, 28704, tzinfo=UTC),
            None,
        ),
        ("Saturday, 21 Apr 2018 03:01:02 +0000", datetime(2018, 4, 21, 3, 1, 2, tzinfo=UTC), None),
        ("Apr 21 2018 3:01:05 +0000", datetime(2018, 4, 21, 3, 1, 5, tzinfo=UTC), None),
        ("4/20/2018 11:01:16 PM -0400", datetime(2018, 4, 21, 3, 1, 16, tzinfo=UTC), None),
        ("Mon Apr 21 03:01:04 2018", datetime(2018, 4, 21, 3, 1, 4, tzinfo=UTC), "no time zone"),
        ("Mon, 1 Jan 2024 10:00:00 CEST", datetime(2024, 1, 1, 8, 0, tzinfo=UTC), None),
        ("Mon, 1 Jan 2024 10:00:00 GMT+0200", datetime(2024, 1, 1, 8, 0, tzinfo=UTC), None),
        ("Mon, 1 Jan 2024 10:00:00 +0530", datetime(2024, 1, 1, 4, 30, tzinfo=UTC), None),
        (
            "Mon, 1 Jan 2024 10:00:00 +9900",
            datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
            "impossible time zone +9900",
        ),
        (
            "Mon, 1 Jan 2024 10:00:00 XYZ",
            datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
            "unknown time zone 'XYZ'",
        ),
        ("Mon, 1 Jan 2024 10:00:00", datetime(2024, 1, 1, 10, 0, tzinfo=UTC), "no time zone"),
        ("1 Jan 24 10:00 -0000", datetime(2024, 1, 1, 10, 0, tzinfo=UTC), "no time zone"),
        ("22 Apr 2018", datetime(2018, 4, 22, tzinfo=UTC), "no time of day"),
        ("Mon, 1 Jan 2024 25:00:00 +0000", None, "could not be parsed"),
        ("31 Feb 2024 10:00:00 +0000", None, "could not be parsed"),
        ("", None, "could not be parsed"),
    ],
)
def test_lenient_dates(text: str, expected: datetime | None, problem: str | None):
    got, problems = parse_received_date(text)
    assert got == expected
    assert (problem is None and problems == []) or any(problem in p for p in problems if problem)


def test_dates_without_semicolon_and_bad_zones_on_the_hop():
    sg = hop(
        "by filter0001p1las1.sendgrid.example with SMTP id filter0001p1las1-1-5ADB-25 2019-05-02 "
        "10:20:30.123456789 +0000 UTC"
    )
    assert sg.id == "filter0001p1las1-1-5ADB-25"
    assert sg.date == datetime(2019, 5, 2, 10, 20, 30, 123456, tzinfo=UTC)
    bad = hop("from a by b; Mon, 1 Jan 2024 10:00:00 +2500")
    assert bad.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert messages(bad) == ["Received date has an impossible time zone +2500; UTC assumed"]
    pst = hop("from a by b; Mon, 1 Jan 2024 10:00:00 PST")
    assert pst.date is not None and pst.date.utcoffset() == timedelta(hours=-8)
    assert pst.date.tzinfo == timezone(timedelta(hours=-8))


def test_hostile_input_is_bounded_and_never_raises():
    rng = random.Random(7)
    alphabet = (
        "from by with id for via ([]);:.,-+=\t 0123456789 Mon Jan PM UTC TLSv1.3 cipher=x @<>"
        "\x00\u202e"
    )
    for _ in range(3000):
        parse_received("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 160))), 0)
    started = time.perf_counter()
    for value in (
        "(" * 8000,
        "(a" * 4000 + ")" * 100,
        "1 Jan 2024 " * 700,
        "from " + "[" * 8000,
        "by x with " + "cipher " * 1500,
        "from x " + "(HELO " * 1500,
        "; " + "4/4/2024 " * 900,
        "x" * 100_000,
    ):
        h = parse_received(value, 3)
        assert h.index == 3 and len(h.notes) <= 12
    assert time.perf_counter() - started < 2.0
    long = parse_received("from a by b" + " x" * 5000 + "; Mon, 1 Jan 2024 10:00:00 +0000")
    assert "only the start parsed" in messages(long)[0]

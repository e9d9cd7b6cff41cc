"""System naming per hop (checks.route.systems) and the gateway table (checks.route.gateways)."""

from __future__ import annotations

import pytest
from mailtriage.checks.route.gateways import find_gateway, gateway_product
from mailtriage.checks.route.hops import parse_received
from mailtriage.checks.route.systems import EXCHANGE_ONPREM, hop_system, hop_systems

DATE = "; Mon, 1 Jan 2024 10:00:00 +0000"
FROM = "from mail.sender.example (mail.sender.example [203.0.113.9]) "


@pytest.mark.parametrize(
    ("clauses", "system"),
    [
        ("by mx0a-00123401.pphosted.com (8.17.1.19/8.17.1.19) with ESMTPS id 3a-1", "Proofpoint"),
        ("by mx.corp.example (PPS) with ESMTPS id 3abc-1", "Proofpoint"),
        ("by mx1-us1.ppe-hosted.com with ESMTPS id 1", "Proofpoint Essentials"),
        (
            "by mail.corp.example (Proofpoint Essentials ESMTP Server) with ESMTPS id 1",
            "Proofpoint Essentials",
        ),
        ("by relay.mimecast.com with ESMTP id us-mta-12-AbC", "Mimecast"),
        ("by eu-smtp-inbound-1.mimecast.com with ESMTP id x", "Mimecast"),
        ("by uk-smtp-1.mimecast-offshore.com with ESMTP id x", "Mimecast"),
        (
            "by BN8NAM12FT041.mail.protection.outlook.com (10.13.182.150) with Microsoft SMTP "
            "Server id 15.20.7362.20 via Frontend Transport",
            "Microsoft EOP",
        ),
        (
            "by BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com (10.152.93.134) with "
            "Microsoft SMTP Server (version=TLS1_2, cipher=X) id 15.20.696.11",
            "Microsoft EOP",
        ),
        (
            "by SN1PR16MB0494.namprd16.prod.outlook.com with HTTPS via "
            "SN1PR15CA0024.NAMPRD15.PROD.OUTLOOK.COM",
            "Exchange Online",
        ),
        (
            "by EXCH01.corp.example (10.0.0.5) with Microsoft SMTP Server (version=TLS1_2, "
            "cipher=X) id 15.1.2507.6",
            EXCHANGE_ONPREM,
        ),
        ("by exch.corp.example with Microsoft Exchange Server HUB id 8.3.83.0", EXCHANGE_ONPREM),
        (
            "by EXCH02.corp.example (10.0.0.6) with Microsoft SMTP Server id 15.2.1 via Frontend "
            "Transport",
            EXCHANGE_ONPREM,
        ),
        ("by mx.google.com with ESMTPS id i7-20020a05si3210775ilj.159", "Google"),
        ("by 2002:a05:6a10:9e8c:b0:4d3:f0f7:c8d4 with SMTP id m12csp123456pxb", "Google"),
        ("by 10.237.47.35 with SMTP id l32csp1142834qtd", "Google"),
        ("by mail-pf2-f222.google.com with SMTP id 5akNnvW3080309.2", "Google"),
        ("by d1234.o.ess.barracudanetworks.com with ESMTP id abc", "Barracuda"),
        ("by spam.corp.example (Barracuda Email Security Gateway) with ESMTP id abc", "Barracuda"),
        ("by esa1.corp.iphmx.com with ESMTP id x", "Cisco Secure Email"),
        ("by esa.corp.example (IronPort) with ESMTP id x", "Cisco Secure Email"),
        ("by mx-01-us-west-2.prod.hydra.sophos.com (Postfix) with ESMTPS id 4X", "Sophos"),
        ("by gw.corp.example (Sophos Email Appliance) with ESMTP id x", "Sophos"),
        ("by mx1.hes.trendmicro.com with ESMTPS id x", "Trend Micro"),
        ("by in.tmes.trendmicro.eu (Postfix) with ESMTPS id x", "Trend Micro"),
        ("by a8-30.smtp-out.amazonses.com with SMTP id 0100018abc", "Amazon SES"),
        (
            "by email-smtp.us-east-1.amazonaws.com with SMTP (SimpleEmailService-d-ABC) id x",
            "Amazon SES",
        ),
        ("by ismtpd0021p1iad2.sendgrid.net (SG) with ESMTP id 1dCt", "SendGrid"),
        ("by mx.example (Postfix) with ESMTPS id ABC", "Postfix"),
        ("by mx.example (Postfix, from userid 1000) id ABC", "Postfix"),
        ("by mx.example with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1q", "Exim"),
        ("by mx.example (8.15.2/8.15.2) with ESMTP id 4AB", "Sendmail"),
        ("by mx.example (8.15.2/8.15.2/Submit) id 4AB", "Sendmail"),
        ("by vmta6.sender.example (PowerMTA(TM) v3.5r17) id hrakoo0lrlgv", "PowerMTA"),
        ("by mx.example with ESMTP id 1", None),
    ],
)
def test_system_per_hop(clauses: str, system: str | None):
    h = parse_received(FROM + clauses + DATE)
    assert hop_system(h) == system


def test_qmail_and_vendor_words_in_addresses_do_not_count():
    assert hop_system(parse_received("(qmail 1234 invoked from network)" + DATE)) == "qmail"
    exim = parse_received(
        "from a by mx.example with esmtp (envelope-from <x@mimecast.com>) id 1" + DATE
    )
    assert hop_system(exim) is None
    outbound = parse_received(
        "from us-smtp-1.mimecast.com (us-smtp-1.mimecast.com [205.139.110.1]) by mx.example "
        "with ESMTP id 1" + DATE
    )
    assert hop_system(outbound) is None  # Mimecast sent it; mx.example received it
    assert hop_systems([exim, outbound]) == (None, None)


def test_gateway_table_knows_sophos_trend_and_proofpoint_essentials():
    assert gateway_product("mx-01-us-west-2.prod.hydra.sophos.com") == "Sophos"
    assert gateway_product("in.tmes.trendmicro.eu") == "Trend Micro"
    assert gateway_product("in.tmes-anz.trendmicro.com") == "Trend Micro"
    assert gateway_product("MX1-US1.PPE-HOSTED.COM.") == "Proofpoint Essentials"
    assert gateway_product("x.mail.protection.outlook.com") == "Microsoft EOP"
    assert gateway_product("pphosted.com.example") is None and gateway_product(None) is None
    hops = (
        parse_received(FROM + "by mail.sender.example (Postfix) with ESMTP id 1" + DATE, 0),
        parse_received(
            FROM + "by mx-01-eu-west-1.prod.hydra.sophos.com with ESMTPS id 2" + DATE, 1
        ),
    )
    assert find_gateway(hops) == ("Sophos", "mx-01-eu-west-1.prod.hydra.sophos.com")

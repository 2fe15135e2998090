"""mtarep.precheck(): the demo's report from the offline demo zone, the
bounce summary from a sample log, unknown (never ok) when DNS is dead, and
bad input raising InvalidInput."""
import os
import socket

import pytest

import mtarep

SRC = os.environ.get("MTAREP_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEMO = os.path.join(SRC, "examples", "demo.zone")
LOG = os.path.join(SRC, "tests", "data", "logs", "postfix-sample.log")


def test_demo_report():
    r = mtarep.precheck("77.245.64.44", "example.com", "mail.example.com",
                        selectors=["mail", "s2048"], zone_files=DEMO)
    assert r["verdict"] == "problem"
    names = [c["name"] for c in r["checks"]]
    assert names == ["dnsbl", "spf", "helo", "dmarc", "rdns", "dkim", "dbl", "mx"]
    by = {c["name"]: c for c in r["checks"]}
    assert by["dnsbl"]["status"] == "problem" and "zen.spamhaus.org" in by["dnsbl"]["evidence"][0]
    assert by["spf"]["status"] == "problem" and "ip4:77.245.64.44" in by["spf"]["advice"]
    assert by["dkim"]["status"] == "warning" and "2048-bit" in by["dkim"]["advice"]
    assert by["dmarc"]["status"] == "problem"
    assert by["helo"]["status"] == "problem"
    assert by["dnsbl"]["subject"] == "77.245.64.44"
    assert by["dkim"]["subject"] == "example.com"
    assert by["mx"]["advice"] is None
    for c in r["checks"]:
        assert set(c) == {"name", "subject", "status", "evidence", "advice"}
        assert all(isinstance(e, str) for e in c["evidence"])
    # the Pythonic view of the same report
    assert isinstance(r, mtarep.PrecheckReport)
    assert r.verdict is mtarep.CheckStatus.PROBLEM
    assert [c.name for c in r.problems] == ["dnsbl", "spf", "helo", "dmarc"]
    assert r.to_dict()["checks"][0]["status"] == "problem"


def test_bounces_from_log():
    with mtarep.Context(zone_files=DEMO) as ctx:
        r = ctx.precheck(["77.245.64.44"], log_files=LOG)
    b = [c for c in r["checks"] if c["name"] == "bounces"]
    assert len(b) == 1, r
    assert b[0]["subject"] == LOG
    assert "sent" in b[0]["evidence"][0] and "bounced" in b[0]["evidence"][0]
    assert b[0]["status"] in ("ok", "warning", "problem")


def test_unreadable_log_is_unknown():
    with mtarep.Context(zone_files=DEMO) as ctx:
        r = ctx.precheck(["77.245.64.44"], log_files=["/nonexistent/mail.log"])
    b = [c for c in r["checks"] if c["name"] == "bounces"][0]
    assert b["status"] == "unknown"


def test_dead_dns_is_unknown_never_ok():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    try:
        r = mtarep.precheck(["192.0.2.1"], "example.com", "mail.example.com",
                            nameservers="127.0.0.1:%d" % s.getsockname()[1],
                            timeout_ms=200, retries=0)
    finally:
        s.close()
    assert r["verdict"] == "unknown"
    assert r["checks"] and all(c["status"] == "unknown" for c in r["checks"])


def test_bad_input():
    with mtarep.Context(zone_files=DEMO) as ctx:
        with pytest.raises(mtarep.InvalidInput):
            ctx.precheck(["not-an-ip"])
        with pytest.raises(mtarep.InvalidInput):
            ctx.precheck([])
        with pytest.raises(mtarep.InvalidInput):
            ctx.precheck("192.0.2.1", domain="bad domain")
        with pytest.raises(mtarep.InvalidInput):
            ctx.precheck("192.0.2.1", probe_mx="host:0")


HTTPS = os.environ.get("MTAREP_TEST_HTTPS")
CA = os.path.join(os.environ.get("MTAREP_TEST_STATE", ""), "https", "ca.pem")
SNDS_KEY = "0a1b2c3d-1111-2222-3333-444455556666"
MG_KEY = "key-test-0123456789abcdef"


@pytest.mark.skipif(not HTTPS, reason="MTAREP_TEST_HTTPS not set (run through ctest)")
def test_providers_pass_through():
    """Provider credentials reach mtarep_precheck(): the loopback HTTPS
    server's SNDS data (RED, blocked) and a Mailgun 401, keys nowhere."""
    r = mtarep.precheck("198.51.100.7", "example.com", zone_files=DEMO, zones=["zen.spamhaus.org"],
                        snds_key=SNDS_KEY, mailgun_key=MG_KEY, mailgun_region="eu",
                        provider_base_url="https://%s/e401" % HTTPS, provider_ca_file=CA,
                        provider_timeout_ms=5000)
    by = {c["name"]: c for c in r["checks"]}
    assert by["mailgun"]["status"] == "unknown"
    assert "wrong region" in by["mailgun"]["advice"]
    assert by["snds"]["status"] == "unknown" and by["snds"]["subject"] == "198.51.100.7"
    with mtarep.Context(zone_files=DEMO) as ctx:
        r = ctx.precheck("198.51.100.7", zones=["zen.spamhaus.org"], snds_key=SNDS_KEY,
                         provider_base_url="https://%s/ok" % HTTPS, provider_ca_file=CA)
        snds = [c for c in r["checks"] if c["name"] == "snds"][0]
        assert snds["status"] == "problem" and r["checks"][0]["name"] == "snds"
        assert any("RED" in e for e in snds["evidence"])
        with pytest.raises(mtarep.InvalidInput) as ei:  # Mailgun needs the domain
            ctx.precheck("198.51.100.7", mailgun_key=MG_KEY)
        assert MG_KEY not in str(ei.value)
    assert SNDS_KEY not in repr(r.to_dict()) and MG_KEY not in repr(r.to_dict())

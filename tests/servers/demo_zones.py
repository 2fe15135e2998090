#!/usr/bin/env python3
"""Split examples/demo.zone into one zone file per apex for Knot.

Usage: demo_zones.py DEMO_ZONE OUTDIR -> writes OUTDIR/<apex>.zone and prints
the apexes, one a line. The offline demo is one file answering many zones
(reverse zone, example.com, 12 blocklists, ...); Knot serves each apex from
its own file. Apexes: each DNSBL zone named in the file, the /24 reverse
zone, otherwise the last two labels; plus "com", so the DMARC tree walk's
_dmarc.com gets NXDOMAIN as in the static zone.
"""
import os
import re
import sys

DNSBL = ["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "bl.mailspike.net",
         "psbl.surriel.com", "dnsbl-1.uceprotect.net", "dnsbl-2.uceprotect.net",
         "dnsbl-3.uceprotect.net", "bl.score.senderscore.com", "dbl.spamhaus.org",
         "multi.surbl.org", "multi.uribl.com"]


def apex_of(name):
    for z in DNSBL:
        if name == z or name.endswith("." + z):
            return z
    labels = name.split(".")
    if name.endswith(".in-addr.arpa"):
        return ".".join(labels[-5:])
    return ".".join(labels[-2:])


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    zones = {z: [] for z in DNSBL}
    zones["com"] = []
    ttl = "$TTL 3600"
    text = open(src).read()
    # join parenthesised continuation lines (none today, kept simple)
    for line in text.splitlines():
        if line.lstrip().startswith(";"):
            continue
        s = line.split(";", 1)[0] if '"' not in line else line
        if not s.strip():
            continue
        if s.startswith("$TTL"):
            ttl = s.strip()
            continue
        m = re.match(r"^(\S+)\s+(.*)$", s)
        if not m or s[0].isspace():
            continue
        name = m.group(1).rstrip(".").lower()
        zones.setdefault(apex_of(name), []).append(line)
    for apex, lines in sorted(zones.items()):
        with open(os.path.join(out, apex + ".zone"), "w") as f:
            f.write("; generated from %s by demo_zones.py\n%s\n" % (os.path.basename(src), ttl))
            f.write("%s. SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n" % (apex, apex, apex))
            f.write("%s. NS ns.%s.\n" % (apex, apex))
            f.write("\n".join(lines) + "\n")
        print(apex)


if __name__ == "__main__":
    main()

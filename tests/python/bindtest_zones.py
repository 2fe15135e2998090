"""Zone text shared by the Python binding tests (answered in memory)."""

# zen.dnsbl.test: unknown to the built-in table, so read generically (any
# 127/8 answer except 127.0.0.1 is a listing); 127.0.0.2 is its health point.
# broken.dnsbl.test has no health point: its results must be "error".
DNSBL_ZONE = """\
$ORIGIN dnsbl.test.
$TTL 300
2.0.0.127.zen       A    127.0.0.2
2.0.0.127.zen       TXT  "health point"
10.2.0.192.zen      A    127.0.0.3
10.2.0.192.zen      TXT  "192.0.2.10 is listed for the binding tests"
10.2.0.192.broken   A    127.0.0.3
"""

# 192.0.2.10: forward-confirmed as mail.example.test.
# 192.0.2.20: PTR points to a dynamic-looking name that resolves elsewhere.
# 192.0.2.30: no PTR at all.
RDNS_ZONE = """\
$TTL 300
10.2.0.192.in-addr.arpa.            PTR  mail.example.test.
20.2.0.192.in-addr.arpa.            PTR  host-192-0-2-20.dyn.example.test.
mail.example.test.                  A    192.0.2.10
mail.example.test.                  TXT  "v=spf1 -all"
other.example.test.                 A    192.0.2.77
host-192-0-2-20.dyn.example.test.   A    192.0.2.99
"""

# Result keys in order: identical in to_dict(), the raw layer and PHP arrays.
DNSBL_KEYS = ["query", "zone", "list_name", "status", "codes", "meanings",
              "description", "txt", "error", "error_code"]
RDNS_KEYS = ["ip", "ptr", "has_ptr", "fcrdns", "confirmed_name", "helo_match",
             "helo_resolves", "generic", "warnings", "error"]

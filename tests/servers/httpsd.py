#!/usr/bin/env python3
"""HTTPS test server for the provider module (Python standard library only).

Serves the provider fixtures (--data, normally tests/data/providers) over TLS
with the certificate start.sh makes, on --addr/--port; writes --pidfile once
listening. The first path segment picks the behaviour, the rest is the
provider's own path, so a test selects a case through the base URL
(https://127.0.0.1:PORT/<case>):

  ok          the fixture for the endpoint (Mailgun stats/metrics, SNDS
              data/ipStatus, Postmaster trafficStats with two pages); the
              credentials must be the test ones below, else 401 "Forbidden"
              (Mailgun, SNDS) or the Google 401 envelope; a Mailgun request
              without the documented shape gets 400; Mailgun domain
              unknown.example.com gives 404, Postmaster domain
              denied.example.com gives the 403 PERMISSION_DENIED envelope; the
              v2 domainStats:query request must have the documented shape
  e400        400, Mailgun's {"message": ...} for a bad parameter
  e401        401, body "Forbidden" (text, no newline)
  e404        404 {"message": "Domain not found"}
  e429        429 Retry-After: 7
  e429once-X  429 Retry-After: 1 on the first request for this X, then "ok"
  e500        500 {"message": "internal error"}
  slow        "ok" after 3 s
  delay-MS    "good" after MS milliseconds (at most 5000; the precheck's
              concurrency test)
  trunc       the fixture cut in half (complete HTTP message)
  partial     Content-Length larger than the body, then the connection closes
  malformed   a JSON or CSV body that does not parse
  huge        200 with Content-Length 64 MiB (nothing sent)
  hugestream  4 MiB without Content-Length (connection close ends it)
  empty       200 with no data: an empty CSV body, "{}" for JSON
  redirect    302 to the same path under "ok"
  echo        401 with the credentials received quoted back in the body
  good, bad   as "ok", but serving <fixture>-good / <fixture>-bad (e.g.
              postmaster-trafficstats-list-bad.json) where that file exists
              (the precheck's provider checks)
Other tests rely on these names: keep them stable.
"""
import argparse
import base64
import http.server
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse

MAILGUN_KEY = "key-test-0123456789abcdef"
SNDS_KEY = "0a1b2c3d-1111-2222-3333-444455556666"
GOOGLE_TOKEN = "ya29.test-token-0123456789"

ONCE = set()
ONCE_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "mtarep-httpsd"
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs: connections get reused
    data_dir = "."

    def log_message(self, fmt, *args):  # quiet; the log would hold the keys
        pass

    def fixture(self, name):
        with open(os.path.join(self.data_dir, name), "rb") as f:
            return f.read()

    def send(self, status, body, ctype="application/json", headers=None, length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def creds(self):
        """(basic password, query key, bearer token) as received."""
        auth = self.headers.get("Authorization", "")
        basic = bearer = ""
        if auth.startswith("Basic "):
            try:
                basic = base64.b64decode(auth[6:]).decode().split(":", 1)[1]
            except Exception:
                basic = "?"
        elif auth.startswith("Bearer "):
            bearer = auth[7:]
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        return basic, q.get("key", [""])[0], bearer

    def endpoint(self, path):
        """(kind, fixture name, content type) for a provider path."""
        if path.startswith("/v3/") and path.endswith("/stats/total"):
            return "mailgun", "mailgun-stats-total.json", "application/json"
        if path == "/v1/analytics/metrics":
            return "mailgun", "mailgun-analytics-metrics.json", "application/json"
        if path.endswith("/data.aspx"):
            return "snds", "snds-data.csv", "text/csv"
        if path.endswith("/ipStatus.aspx"):
            return "snds", "snds-ipstatus.csv", "text/csv"
        if path.startswith("/v1/domains/") and "/trafficStats" in path:
            return "postmaster", "postmaster-trafficstats-list.json", "application/json"
        if path.startswith("/v2/domains/") and path.endswith("/domainStats:query"):
            return "postmaster", "postmaster-v2-domainstats-query.json", "application/json"
        return None, None, None

    def ok(self, path, query, variant=None):
        kind, name, ctype = self.endpoint(path)
        if variant and name:
            alt = name.replace(".", "-%s." % variant, 1)
            if os.path.exists(os.path.join(self.data_dir, alt)):
                name = alt
        basic, key, bearer = self.creds()
        if kind is None:
            return self.send(404, b'{"message": "no such route"}')
        if kind == "mailgun":
            if basic != MAILGUN_KEY:
                return self.send(401, self.fixture("mailgun-error-401.json"), "text/plain")
            if "/unknown.example.com/" in path:
                return self.send(404, self.fixture("mailgun-error-404.json"))
            bad = self.fixture("mailgun-error-400.json")
            if self.command == "POST":
                n = int(self.headers.get("Content-Length", "0"))
                req = json.loads(self.rfile.read(n) or b"null")
                vals = req["filter"]["AND"][0]["values"]
                if vals[0]["value"] == "unknown.example.com":
                    return self.send(404, self.fixture("mailgun-error-404.json"))
                # the request shape the fixture answers (PROVIDERS.md 1.4)
                if req.get("dimensions") != ["time"] or "accepted_count" not in req["metrics"] \
                        or not (req.get("duration") or req.get("start")) \
                        or req["resolution"] not in ("hour", "day", "month") \
                        or req["pagination"]["limit"] > 1500:
                    return self.send(400, bad)
            elif not {"accepted", "failed"} <= set(query.get("event", [])) \
                    or query.get("resolution", ["day"])[0] not in ("hour", "day", "month") \
                    or not (query.get("duration") or query.get("start")):
                return self.send(400, bad)
        elif kind == "snds":
            if key != SNDS_KEY:
                return self.send(401, b"Unauthorized", "text/plain")
        else:
            if bearer != GOOGLE_TOKEN:
                return self.send(401, json.dumps({"error": {
                    "code": 401, "message": "Request had invalid authentication credentials.",
                    "status": "UNAUTHENTICATED"}}).encode())
            if "/denied.example.com/" in path:
                return self.send(403, self.fixture("postmaster-error-403.json"))
            if self.command == "POST":  # v2: the documented request shape
                n = int(self.headers.get("Content-Length", "0"))
                req = json.loads(self.rfile.read(n) or b"null")
                rng = req["timeQuery"]["dateRanges"]["dateRanges"][0]
                day = lambda d: (d["year"], d["month"], d["day"])  # noqa: E731
                names = [m["name"] for m in req["metricDefinitions"]]
                if "spam_rate" not in names or day(rng["start"]) > day(rng["end"]) \
                        or req.get("aggregationGranularity") != "DAILY" \
                        or not 1 <= req.get("pageSize", 10) <= 200:
                    return self.send(400, json.dumps({"error": {
                        "code": 400, "message": "bad query", "status": "INVALID_ARGUMENT"}}).encode())
                return self.send(200, self.fixture(name), ctype)
            if "pageToken" in query:  # the second page: one more day
                one = json.loads(self.fixture("postmaster-trafficstats.json"))
                one["name"] = one["name"].replace("20250902", "20250903")
                return self.send(200, json.dumps({"trafficStats": [one]}).encode())
        return self.send(200, self.fixture(name), ctype)

    def handle_any(self):
        u = urllib.parse.urlsplit(self.path)
        parts = u.path.split("/", 2)
        case = parts[1] if len(parts) > 1 else ""
        rest = "/" + (parts[2] if len(parts) > 2 else "")
        query = urllib.parse.parse_qs(u.query)
        if self.command == "POST" and case not in ("ok", "good", "bad", "blank") \
                and not case.startswith(("delay-", "e429once-")):  # ok() reads it itself
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if os.environ.get("MTAREP_HTTPSD_TRACE"):
            sys.stderr.write("%s %s %s\n" % (self.client_address[1], self.command, u.path))
        if case == "health":
            return self.send(200, b"ok", "text/plain")
        if case == "ok":
            return self.ok(rest, query)
        if case in ("good", "bad", "blank"):
            return self.ok(rest, query, variant=case)
        if case == "e400":
            return self.send(400, self.fixture("mailgun-error-400.json"))
        if case == "e401":
            return self.send(401, self.fixture("mailgun-error-401.json"), "text/plain")
        if case == "e404":
            return self.send(404, self.fixture("mailgun-error-404.json"))
        if case == "e429":
            return self.send(429, b'{"message": "Too many requests"}', headers={"Retry-After": "7"})
        if case.startswith("e429once-"):
            with ONCE_LOCK:
                first = case not in ONCE
                ONCE.add(case)
            if first:
                if self.command == "POST":
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                return self.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
            return self.ok(rest, query)
        if case == "e500":
            return self.send(500, b'{"message": "internal error"}')
        if case.startswith("delay-") and case[6:].isdigit():
            time.sleep(min(int(case[6:]), 5000) / 1000.0)
            return self.ok(rest, query, variant="good")
        if case == "slow":
            time.sleep(3)
            return self.ok(rest, query)
        kind, name, ctype = self.endpoint(rest)
        if name is None:
            return self.send(404, b'{"message": "no such route"}')
        body = self.fixture(name)
        if case == "trunc":
            return self.send(200, body[: len(body) // 2], ctype)
        if case == "partial":
            self.send(200, body[: len(body) // 2], ctype, length=len(body))
            self.close_connection = True
            return None
        if case == "malformed":
            bad = b'{"stats": [1, 2,, ]' if ctype == "application/json" \
                else b"<html><body>Service unavailable</body></html>\r\n"
            return self.send(200, bad, ctype)
        if case == "huge":
            self.send(200, b"", ctype, length=64 << 20)
            self.close_connection = True
            return None
        if case == "hugestream":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(64):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return None
        if case == "empty":
            return self.send(200, b"{}" if ctype == "application/json" else b"", ctype)
        if case == "redirect":
            loc = "https://%s:%d/ok%s" % (self.server.server_address[0],
                                          self.server.server_address[1], rest)
            return self.send(302, b"", "text/plain", {"Location": loc})
        if case == "echo":
            basic, key, bearer = self.creds()
            msg = "invalid credentials: basic=%s key=%s bearer=%s url=%s" % (
                basic, key, bearer, self.path)
            return self.send(401, json.dumps({"message": msg}).encode())
        return self.send(404, b'{"message": "unknown case"}')

    do_GET = handle_any
    do_POST = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--pidfile", required=True)
    a = ap.parse_args()
    Handler.data_dir = a.data
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv = http.server.ThreadingHTTPServer((a.addr, a.port), Handler)
    srv.daemon_threads = True
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(a.pidfile + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(a.pidfile + ".tmp", a.pidfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

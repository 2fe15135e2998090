#!/usr/bin/env python3
"""Fault-injecting DNS server for the tests (Python standard library only).

Listens on --addr/--port over UDP and TCP and writes --pidfile once both are
bound. The behaviour is chosen by the first label of the query name, scanning
left to right, that is one of:

  servfail   rcode SERVFAIL
  refused    rcode REFUSED
  timeout    never replies
  wrongid    a correct answer, but with a different message ID (only that)
  wrongq     a correct-looking answer for a different question (same ID)
  garbage    the right ID followed by bytes that do not parse
  truncated  UDP: TC set, empty answer; TCP: the full answer (A 127.0.0.2 and
             a TXT RRset of about 2 KB)
  slow       a normal answer after 300 ms (other queries are not held up)
  nxdomain   rcode NXDOMAIN with an SOA in the authority section
otherwise: A 127.0.0.2, TXT "fault-ok", NODATA (with SOA) for other types.
Any zone is served: x.servfail.fault.test and 2.0.0.127.servfail.example both
get SERVFAIL. Other test suites rely on these labels: keep them stable.
"""
import argparse
import asyncio
import os
import struct
import sys

BEHAVIOURS = ("servfail", "refused", "timeout", "wrongid", "wrongq", "garbage",
              "truncated", "slow", "nxdomain")
T_A, T_TXT, T_SOA, T_OPT = 1, 16, 6, 41
BIG_TXT_STRINGS = [bytes([ord("a") + i % 26]) * 200 for i in range(10)]


def parse_query(msg):
    """(id, flags, labels, qtype, qclass, question_end) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1 or flags & 0x8000:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0 or pos + 1 + n > len(msg):
            return None
        labels.append(msg[pos + 1:pos + 1 + n])
        pos += 1 + n
    if pos + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[pos:pos + 4])
    return qid, flags, labels, qtype, qclass, pos + 4


def encode_name(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def rr(rtype, ttl, rdata, owner=b"\xc0\x0c"):
    """An RR owned by the question name (compression pointer) by default."""
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def txt_rdata(strings):
    return b"".join(bytes([len(s)]) + s for s in strings)


def soa_rr(labels):
    zone = labels[-2:] if len(labels) >= 2 else labels
    mname = encode_name([b"ns"] + zone)
    rname = encode_name([b"hostmaster"] + zone)
    rdata = mname + rname + struct.pack("!IIIII", 1, 3600, 600, 86400, 60)
    return rr(T_SOA, 60, rdata, owner=encode_name(zone))


def behaviour_of(labels):
    for l in labels:
        name = l.decode("ascii", "replace").lower()
        if name in BEHAVIOURS:
            return name
    return None


def build(q, tcp):
    """The reply bytes for query q, or None for no reply."""
    qid, qflags, labels, qtype, qclass, _ = q
    kind = behaviour_of(labels)
    rd = qflags & 0x0100
    rcode, tc = 0, 0
    answers, authority, additional = [], [], []
    qlabels = labels

    if kind == "timeout":
        return None
    if kind == "garbage":
        # right ID, header promising records that are not there
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 3, 0, 0) + b"\xff\xfe\xfd"
    if kind == "servfail":
        rcode = 2
    elif kind == "refused":
        rcode = 5
    elif kind == "nxdomain":
        rcode = 3
        authority.append(soa_rr(labels))
    elif kind == "truncated" and not tcp:
        tc = 1
    else:
        if kind == "wrongq":
            qlabels = [b"other-question"] + labels
        if qtype == T_A:
            answers.append(rr(T_A, 60, bytes([127, 0, 0, 2])))
            if kind == "truncated":
                additional.append(rr(T_TXT, 60, txt_rdata(BIG_TXT_STRINGS)))
        elif qtype == T_TXT:
            if kind == "truncated":
                answers.append(rr(T_TXT, 60, txt_rdata(BIG_TXT_STRINGS)))
            else:
                answers.append(rr(T_TXT, 60, txt_rdata([b"fault-ok"])))
        else:
            authority.append(soa_rr(labels))
    rid = qid ^ 0x5A5A if kind == "wrongid" else qid
    flags = 0x8000 | 0x0400 | rd | (0x0200 if tc else 0) | rcode
    head = struct.pack("!HHHHHH", rid, flags, 1, len(answers), len(authority),
                       len(additional))
    question = encode_name(qlabels) + struct.pack("!HH", qtype, qclass)
    return head + question + b"".join(answers + authority + additional)


def delay_of(q):
    return 0.3 if behaviour_of(q[2]) == "slow" else 0.0


class Udp(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        q = parse_query(data)
        if q is None:
            return
        reply = build(q, tcp=False)
        if reply is None:
            return
        d = delay_of(q)
        if d:
            asyncio.get_running_loop().call_later(d, self.transport.sendto, reply, addr)
        else:
            self.transport.sendto(reply, addr)


async def tcp_client(reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(2)
            (n,) = struct.unpack("!H", hdr)
            data = await reader.readexactly(n)
            q = parse_query(data)
            if q is None:
                break
            reply = build(q, tcp=True)
            if reply is None:
                continue
            d = delay_of(q)
            if d:
                await asyncio.sleep(d)
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(Udp, local_addr=(a.addr, a.port))
    server = await asyncio.start_server(tcp_client, a.addr, a.port)
    if a.pidfile:
        tmp = a.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(tmp, a.pidfile)  # appears complete or not at all
    print("faultdns listening on %s:%d" % (a.addr, a.port), file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass

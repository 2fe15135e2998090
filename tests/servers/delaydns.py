#!/usr/bin/env python3
"""Delaying DNS forwarder for tests and benchmarks (Python standard library).

Every query received on --addr/--port (UDP and TCP) is held for --delay-ms,
then forwarded to --upstream ADDR:PORT (the loopback Knot) over the same
transport, and the upstream's answer is returned unchanged. Queries are
independent: many can wait at once, so a client that asks concurrently
pays the delay once per round of dependent questions, a client that asks
one at a time pays it per question. Writes --pidfile once both sockets are
bound. --drop REGEX makes matching questions time out (the precheck's unknown
paths). Used by the precheck concurrency test and bench/precheck.

  delaydns.py --addr 127.0.0.1 --port 5422 --upstream 127.0.0.1:5420 \
              --delay-ms 50 --pidfile /tmp/delaydns.pid
"""
import argparse
import asyncio
import os
import re
import signal
import struct
import sys


class Upstream(asyncio.DatagramProtocol):
    """One socket to the upstream for every UDP query: each is sent with an
    ID of its own and the client's ID is put back on the answer (creating a
    socket per query costs more than the delay being measured)."""

    def __init__(self, front):
        self.front = front
        self.transport = None
        self.pending = {}  # our id -> (client id bytes, client addr, timer)
        self.next_id = 0

    def connection_made(self, transport):
        self.transport = transport

    def send(self, data, addr, timeout):
        for _ in range(65536):
            self.next_id = (self.next_id + 1) & 0xFFFF
            if self.next_id not in self.pending:
                break
        else:
            return  # 65536 in flight: drop, the client retries
        qid = self.next_id
        timer = self.front.loop.call_later(timeout, self.pending.pop, qid, None)
        self.pending[qid] = (data[:2], addr, timer)
        self.transport.sendto(struct.pack("!H", qid) + data[2:])

    def datagram_received(self, data, addr):
        if len(data) < 12:
            return
        entry = self.pending.pop(struct.unpack("!H", data[:2])[0], None)
        if entry:
            entry[2].cancel()
            self.front.transport.sendto(entry[0] + data[2:], entry[1])


def question(msg):
    """'qname qtype' of a query ("example.com 15"), or None."""
    pos, labels = 12, []
    while pos < len(msg):
        n = msg[pos]
        if n == 0 or n & 0xC0:
            break
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace").lower())
        pos += 1 + n
    if pos + 3 > len(msg):
        return None
    return "%s %d" % (".".join(labels), struct.unpack("!H", msg[pos + 1:pos + 3])[0])


def dropped(args, msg):
    """--drop: questions matching the regex are never answered (a timeout)."""
    if not args.drop:
        return False
    q = question(msg)
    return q is not None and args.drop.search(q) is not None


class Front(asyncio.DatagramProtocol):
    def __init__(self, args, loop):
        self.args, self.loop = args, loop
        self.transport = None
        self.up = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if len(data) >= 12 and not dropped(self.args, data):
            self.loop.call_later(self.args.delay_ms / 1000.0, self.up.send, data, addr,
                                 self.args.timeout)


async def tcp_client(args, reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(2)
            msg = await reader.readexactly(struct.unpack("!H", hdr)[0])
            if dropped(args, msg):
                continue
            await asyncio.sleep(args.delay_ms / 1000.0)
            ur, uw = await asyncio.wait_for(asyncio.open_connection(*args.up), args.timeout)
            uw.write(hdr + msg)
            await uw.drain()
            ahdr = await asyncio.wait_for(ur.readexactly(2), args.timeout)
            ans = await asyncio.wait_for(ur.readexactly(struct.unpack("!H", ahdr)[0]),
                                         args.timeout)
            uw.close()
            writer.write(ahdr + ans)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError, asyncio.TimeoutError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True, help="ADDR:PORT of the real server")
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--timeout", type=float, default=5.0, help="upstream timeout (s)")
    ap.add_argument("--drop", type=re.compile, default=None,
                    help="never answer questions whose 'qname qtype' (e.g. "
                         "'_dmarc.example.com 16') matches this regex")
    ap.add_argument("--pidfile")
    args = ap.parse_args()
    host, _, port = args.upstream.rpartition(":")
    if not host or not port.isdigit():
        ap.error("--upstream must be ADDR:PORT")
    args.up = (host.strip("[]"), int(port))
    loop = asyncio.get_running_loop()
    _, front = await loop.create_datagram_endpoint(lambda: Front(args, loop),
                                                   local_addr=(args.addr, args.port))
    _, front.up = await loop.create_datagram_endpoint(lambda: Upstream(front),
                                                      remote_addr=args.up)
    server = await asyncio.start_server(lambda r, w: tcp_client(args, r, w), args.addr,
                                        args.port)
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(None))
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.pidfile + ".tmp", args.pidfile)
    print("delaydns on %s:%d -> %s, %g ms" % (args.addr, args.port, args.upstream,
                                            args.delay_ms), file=sys.stderr, flush=True)
    async with server:
        await stop
    if args.pidfile:
        try:
            os.unlink(args.pidfile)
        except OSError:
            pass


if __name__ == "__main__":
    asyncio.run(main())

#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) that refuses senders at RCPT TO with a 554
poor-reputation reply, for the precheck's --probe-mx test. Writes --pidfile
once listening; --accept makes it accept instead; DATA is refused either
way (the probe must never get there: the log says "DATA" if it did)."""
import argparse
import asyncio
import os
import signal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, accept, log):
        self.accept, self.log = accept, log

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.log.write("RCPT %s\n" % address)
        self.log.flush()
        if self.accept:
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"
        return ("554 5.7.1 Service unavailable; Client host [%s] blocked: rejected due to "
                "the sending MTA's poor reputation" % session.peer[0])

    async def handle_DATA(self, server, session, envelope):
        self.log.write("DATA\n")
        self.log.flush()
        return "554 5.6.0 no DATA in tests"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--accept", action="store_true")
    a = ap.parse_args()
    log = open(a.log, "a")
    c = Controller(Handler(a.accept, log), hostname="127.0.0.1", port=a.port,
                   server_hostname="mx.test.invalid")
    c.start()
    with open(a.pidfile + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(a.pidfile + ".tmp", a.pidfile)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    c.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()

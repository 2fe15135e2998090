#!/usr/bin/env python3
"""Loopback SMTP sink for the mailer examples (aiosmtpd): every message
becomes one JSON line {time, mail_from, rcpt_tos, subject} in OUT.

    smtp_sink.py PORT OUT      (prints "ready" once it accepts connections)
"""
import asyncio
import json
import sys
import time
from email import message_from_bytes

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"time": time.time(), "mail_from": envelope.mail_from,
                                "rcpt_tos": envelope.rcpt_tos,
                                "subject": msg.get("Subject")}) + "\n")
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    ctl = Controller(Sink(out), hostname="127.0.0.1", port=port)
    ctl.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()           # runs until stdin closes (or SIGTERM)
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A throttled SMTP sender (smtplib) sharing its budget with PHP senders.

    smtp_throttled.py --smtp 127.0.0.1:2525 --store file:/var/lib/mtarep/t.tbl \\
        --limit 100/1h --to rcpt@example.com --count 10 [--key ip:192.0.2.1]

Same store and key as examples/php/phpmailer_throttled.php: together they
never exceed the limit. Exit: 0 all sent, 1 some deferred or failed.
"""
import argparse
import smtplib
import sys
from email.message import EmailMessage

import mtarep


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smtp", required=True, help="HOST:PORT")
    ap.add_argument("--store", required=True, help="file:/path, redis://..., memory:")
    ap.add_argument("--limit", required=True, action="append", help="N/PERIOD (repeatable)")
    ap.add_argument("--to", required=True)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--key", default="ip:192.0.2.1")
    ap.add_argument("--deadline", type=int, default=60000, help="longest wait per message, ms")
    ap.add_argument("--from", dest="sender", default="py-sender@example.test")
    a = ap.parse_args()
    host, _, port = a.smtp.rpartition(":")

    throttle = mtarep.Throttle(a.store, a.limit)
    failed = 0
    with smtplib.SMTP(host, int(port), timeout=30) as smtp:
        for n in range(1, a.count + 1):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = a.sender, a.to, f"python message {n}"
            msg.set_content(f"Message {n} of {a.count}, sent through mtarep.Throttle.\n")
            try:
                with throttle.slot(a.key, quantity=1, deadline_ms=a.deadline):
                    smtp.send_message(msg)
                print(f"sent python message {n}", flush=True)
            except mtarep.Throttled as e:
                failed += 1
                print(f"deferred python message {n}: {e}", flush=True)
            except smtplib.SMTPException as e:
                failed += 1
                print(f"failed python message {n}: {e}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

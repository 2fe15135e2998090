#!/usr/bin/env python3
"""Throttled sending with mtarep.Throttle: the replacement for
``time.sleep(3600 / max_per_hour)`` between messages.

Runs offline: each "send" appends a line to an outbox file. The budget is
kept in a shared store, so several copies of this script (or PHP workers
using examples/php/throttled_send.php) on one host share it.

    PYTHONPATH=build/bindings/python python3 examples/python/throttled_send.py \
        --store file:/tmp/throttle.tbl --limit "5/1d window" --messages 8 --outbox /tmp/outbox.txt
"""
import argparse
import sys

import mtarep


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True, help="file:/PATH, redis://HOST:PORT or memory:")
    ap.add_argument("--limit", action="append", help="N/PERIOD window (at most N in any PERIOD) or N/PERIOD[:B] (GCRA), repeatable (default 5/1d window)")
    ap.add_argument("--key", default="ip:192.0.2.1", help="what is limited (sending IP...)")
    ap.add_argument("--messages", type=int, default=8)
    ap.add_argument("--recipients", type=int, default=1, help="recipients per message")
    ap.add_argument("--deadline-ms", type=int, default=0,
                    help="how long one message may wait for room (0: defer at once)")
    ap.add_argument("--outbox", required=True, help="file the 'sent' messages are appended to")
    a = ap.parse_args()

    throttle = mtarep.Throttle(a.store, a.limit or ["5/1d window"])

    @throttle.limit(a.key, quantity=a.recipients, deadline_ms=a.deadline_ms)
    def send(n):
        with open(a.outbox, "a", encoding="utf-8") as f:
            f.write(f"message {n} to {a.recipients} recipient(s)\n")

    sent = deferred = 0
    for n in range(1, a.messages + 1):
        try:
            send(n)
            sent += 1
        except mtarep.Throttled as e:
            deferred += 1
            print(f"message {n}: deferred, retry after {e.decision.retry_after_ms} ms")
    print(f"sent {sent}, deferred {deferred}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

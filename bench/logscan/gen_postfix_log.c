/* Deterministic generator of a synthetic Postfix log for bench/logscan
 * (MAILLOGS.md §4.1 mix: life cycles, multi-recipient messages, deferred
 * retries, bounces with provider replies, qmgr expiries, IPv6 relays,
 * relay=none, content-filter-free, plus smtpd/postscreen/anvil noise).
 *
 *   gen_postfix_log OUT_FILE MEGABYTES TRUTH_FILE
 *
 * TRUTH_FILE receives the exact counts the generator wrote
 * ("sent N\ndeferred N\nbounced N\nexpired N\nreputation_bounces N\n"),
 * so the benchmark checks the scanner's numbers, not just its speed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static long long t0 = 0; /* seconds since Jan 1 00:00 of the log year */
static char ts[32];
static void stamp(void)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long d = t0 / 86400 % 365, s = t0 % 86400;
    int m = 0;
    while (d >= mdays[m]) {
        d -= mdays[m];
        m++;
    }
    snprintf(ts, sizeof ts, "%s %2d %02lld:%02lld:%02lld", mon[m], (int)d + 1, s / 3600,
             s / 60 % 60, s % 60);
}

struct dom {
    const char *name, *relay, *ip;
};
static const struct dom doms[] = {
    {"gmail.com", "gmail-smtp-in.l.google.com", "142.250.27.26"},
    {"outlook.com", "outlook-com.olc.protection.outlook.com", "104.47.18.97"},
    {"hotmail.com", "hotmail-com.olc.protection.outlook.com", "104.47.10.33"},
    {"yahoo.com", "mta7.am0.yahoodns.net", "67.195.204.72"},
    {"example.net", "mx.example.net", "2001:db8::25"},
    {"gmx.de", "mx00.emig.gmx.net", "212.227.15.9"},
    {"corp.example", "corp-example.mail.protection.outlook.com", "52.101.68.7"},
    {"mimecast.example", "eu-smtp-inbound-1.mimecast.com", "195.130.217.221"},
};
#define NDOM (sizeof doms / sizeof *doms)

static const char *const bounce_txt[] = {
    /* mailbox */
    "550-5.1.1 The email account that you tried to reach does not exist. Please try "
    "double-checking the recipient's email address for typos or unnecessary spaces. "
    "550 5.1.1 https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp",
    "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table",
    /* reputation / blocklist (counted as reputation bounces) */
    "550 5.7.1 Unfortunately, messages from [198.51.100.7] weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list (S3140). You "
    "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
    "554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/198.51.100.7",
    "554 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.7",
};
static const char *const bounce_dsn[] = {"5.1.1", "5.1.1", "5.7.1", "5.7.1", "5.0.0"};

static const char *const defer_txt[] = {
    "421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred due to unexpected "
    "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    "451 4.7.650 The mail server [198.51.100.7] has been temporarily rate limited due to IP "
    "reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
    "450 4.2.0 <%s>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/",
};

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s OUT MEGABYTES TRUTH\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    long long limit = atoll(argv[2]) * 1000000LL;
    if (!f || limit <= 0)
        return 2;
    static char obuf[1 << 20];
    setvbuf(f, obuf, _IOFBF, sizeof obuf);
    unsigned long long sent = 0, deferred = 0, bounced = 0, expired = 0, rep = 0;
    unsigned long long msg = 0;
    long long written = 0;
    char rcpt[128], txt[600];
    while (written < limit) {
        msg++;
        t0 += rnd(3);
        stamp();
        unsigned qid = 0x1A2B3C0u + (unsigned)msg * 7u;
        int n = 0;
        /* noise: postscreen, anvil, inbound rejects */
        if (rnd(3) == 0)
            n += fprintf(f, "%s mx1 postfix/postscreen[%u]: CONNECT from [203.0.113.%u]:%u to "
                            "[192.0.2.25]:25\n", ts, 1000 + rnd(9000), rnd(255), 1024 + rnd(60000));
        if (rnd(20) == 0)
            n += fprintf(f, "%s mx1 postfix/smtpd[%u]: NOQUEUE: reject: RCPT from "
                            "unknown[203.0.113.%u]: 554 5.7.1 <x@y.example>: Relay access denied; "
                            "from=<a@b.example> to=<x@y.example> proto=ESMTP helo=<h>\n",
                         ts, 1000 + rnd(9000), rnd(255));
        if (rnd(50) == 0)
            n += fprintf(f, "%s mx1 postfix/anvil[77]: statistics: max connection rate 3/60s for "
                            "(smtp:203.0.113.%u) at %s\n", ts, rnd(255), ts);
        int nr = rnd(10) == 0 ? 2 + (int)rnd(3) : 1;
        n += fprintf(f, "%s mx1 postfix/smtpd[%u]: %X: client=sender.example[192.0.2.%u]\n", ts,
                     1000 + rnd(9000), qid, rnd(255));
        n += fprintf(f, "%s mx1 postfix/cleanup[%u]: %X: message-id=<%llu.%u@sender.example>\n",
                     ts, 1000 + rnd(9000), qid, msg, rnd(100000));
        n += fprintf(f, "%s mx1 postfix/qmgr[999]: %X: from=<news@sender.example>, size=%u, "
                        "nrcpt=%d (queue active)\n", ts, qid, 2000 + rnd(50000), nr);
        int still_deferred = 0;
        for (int r = 0; r < nr; r++) {
            const struct dom *d = &doms[rnd(NDOM)];
            snprintf(rcpt, sizeof rcpt, "user%u@%s", rnd(1000000), d->name);
            int fate = (int)rnd(1000); /* <945 sent, <975 bounced, rest deferred... */
            int ndef = fate >= 975 ? 1 + (int)rnd(4) : (rnd(30) == 0 ? 1 : 0);
            for (int k = 0; k < ndef; k++) {
                t0 += 1 + rnd(5);
                stamp();
                int which = (int)rnd(3);
                snprintf(txt, sizeof txt, defer_txt[which], rcpt);
                if (rnd(4) == 0)
                    n += fprintf(f, "%s mx1 postfix/smtp[%u]: %X: to=<%s>, relay=none, delay=%u, "
                                    "delays=%u/0/30/0, dsn=4.4.1, status=deferred (connect to "
                                    "%s[%s]:25: Connection timed out)\n",
                                 ts, 2000 + rnd(9000), qid, rcpt, 30 + rnd(900), rnd(900),
                                 d->relay, d->ip);
                else
                    n += fprintf(f, "%s mx1 postfix/smtp[%u]: %X: to=<%s>, relay=%s[%s]:25, "
                                    "delay=%u, delays=%u/0/0.3/0.2, dsn=4.7.0, status=deferred "
                                    "(host %s[%s] said: %s (in reply to MAIL FROM command))\n",
                                 ts, 2000 + rnd(9000), qid, rcpt, d->relay, d->ip, 1 + rnd(900),
                                 rnd(900), d->relay, d->ip, txt);
                deferred++;
            }
            if (fate >= 990) { /* stays deferred: expires */
                still_deferred = 1;
                continue;
            }
            t0 += rnd(2);
            stamp();
            if (fate < 945 || fate >= 975) {
                n += fprintf(f, "%s mx1 postfix/smtp[%u]: %X: to=<%s>, relay=%s[%s]:25, "
                                "delay=0.%u, delays=0.1/0/0.2/0.%u, dsn=2.0.0, status=sent (250 2.0.0 "
                                "OK  1607509104 z6si%u - gsmtp)\n",
                             ts, 2000 + rnd(9000), qid, rcpt, d->relay, d->ip, rnd(99), rnd(9),
                             rnd(10000000));
                sent++;
            } else {
                int b = (int)rnd(5);
                snprintf(txt, sizeof txt, bounce_txt[b], rcpt);
                n += fprintf(f, "%s mx1 postfix/smtp[%u]: %X: to=<%s>, relay=%s[%s]:25, delay=0.%u, "
                                "delays=0.1/0/0.2/0.1, dsn=%s, status=bounced (host %s[%s] said: %s "
                                "(in reply to RCPT TO command))\n",
                             ts, 2000 + rnd(9000), qid, rcpt, d->relay, d->ip, rnd(99),
                             bounce_dsn[b], d->relay, d->ip, txt);
                bounced++;
                rep += b >= 2;
            }
        }
        if (still_deferred) {
            t0 += 5;
            stamp();
            n += fprintf(f, "%s mx1 postfix/qmgr[999]: %X: from=<news@sender.example>, "
                            "status=expired, returned to sender\n", ts, qid);
            expired++;
        }
        n += fprintf(f, "%s mx1 postfix/qmgr[999]: %X: removed\n", ts, qid);
        written += n;
    }
    if (fclose(f))
        return 1;
    FILE *t = fopen(argv[3], "w");
    if (!t)
        return 1;
    fprintf(t, "sent %llu\ndeferred %llu\nbounced %llu\nexpired %llu\nreputation_bounces %llu\n",
            sent, deferred, bounced, expired, rep);
    return fclose(t) ? 1 : 0;
}

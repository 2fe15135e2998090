/* Log scanner: the hand-checked counts of the sample logs
 * (tests/data/logs/expected-counts.tsv) and the edge cases of MAILLOGS.md
 * §1.4 on synthetic lines written from the Postfix/Exim grammars. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "logscan/logscan_int.h"
#include "mtarep.h"

static const char *data_dir(void)
{
    const char *d = getenv("MTAREP_TEST_DATA");
    return d ? d : "tests/data";
}

static mtarep_logscan *scan_text(const char *text, const mtarep_logscan_options *o)
{
    mtarep_logscan *s = NULL;
    cr_assert_eq(mtarep_logscan_new(&s, o), MTAREP_OK);
    cr_assert_eq(mtarep_logscan_feed(s, text, strlen(text)), MTAREP_OK);
    cr_assert_eq(mtarep_logscan_finish(s), MTAREP_OK);
    return s;
}

static mtarep_logscan *scan_path(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/logs/%s", data_dir(), name);
    mtarep_logscan *s = NULL;
    mtarep_logscan_options o;
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    o.year = 2021;
    cr_assert_eq(mtarep_logscan_new(&s, &o), MTAREP_OK);
    int rc = mtarep_logscan_file(s, path);
    cr_assert_eq(rc, MTAREP_OK, "%s: %s", path, mtarep_logscan_errmsg(s));
    cr_assert_eq(mtarep_logscan_finish(s), MTAREP_OK);
    return s;
}

static void assert_counts(const mtarep_logscan_counts *c, unsigned long long se,
                          unsigned long long de, unsigned long long bo, unsigned long long ex,
                          const char *what)
{
    cr_expect_eq(c->sent, se, "%s: sent %llu, want %llu", what, c->sent, se);
    cr_expect_eq(c->deferred, de, "%s: deferred %llu, want %llu", what, c->deferred, de);
    cr_expect_eq(c->bounced, bo, "%s: bounced %llu, want %llu", what, c->bounced, bo);
    cr_expect_eq(c->expired, ex, "%s: expired %llu, want %llu", what, c->expired, ex);
}

Test(logscan, sample_logs_match_hand_checked_counts)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/logs/expected-counts.tsv", data_dir());
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[1024], cur[256] = "";
    mtarep_logscan *s = NULL;
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char file[256], scope[64], name[256];
        unsigned long long se, de, bo, ex;
        cr_assert_eq(sscanf(line, "%255s %63s %255s %llu %llu %llu %llu", file, scope, name, &se,
                            &de, &bo, &ex),
                     7, "bad row: %s", line);
        if (strcmp(file, cur) != 0) {
            mtarep_logscan_free(s);
            s = scan_path(file);
            snprintf(cur, sizeof cur, "%s", file);
        }
        mtarep_logscan_counts c;
        char what[600];
        snprintf(what, sizeof what, "%s %s %s", file, scope, name);
        if (strcmp(scope, "totals") == 0) {
            mtarep_logscan_totals(s, &c);
            assert_counts(&c, se, de, bo, ex, what);
        } else if (strcmp(scope, "domain") == 0) {
            cr_assert_eq(mtarep_logscan_domain_lookup(s, name, &c), 0, "%s: no such row", what);
            assert_counts(&c, se, de, bo, ex, what);
        } else {
            int cat = mtarep_smtpreply_category_from_name(name);
            cr_assert_geq(cat, 0, "%s: unknown category", what);
            mtarep_logscan_totals(s, &c);
            if (strcmp(scope, "cause-bounced") == 0)
                cr_expect_eq(c.bounced_by_cause[cat], bo, "%s: %llu", what, c.bounced_by_cause[cat]);
            else
                cr_expect_eq(c.deferred_by_cause[cat], de, "%s: %llu", what,
                             c.deferred_by_cause[cat]);
        }
        checked++;
    }
    fclose(f);
    mtarep_logscan_free(s);
    cr_assert_geq(checked, 20);
}

Test(logscan, sample_domain_rows_add_up)
{
    mtarep_logscan *s = scan_path("postfix-sample.log");
    mtarep_logscan_counts t, c, sum = {0};
    mtarep_logscan_totals(s, &t);
    for (size_t i = 0; i < mtarep_logscan_domain_count(s); i++) {
        cr_assert_not_null(mtarep_logscan_domain(s, i, &c));
        sum.sent += c.sent;
        sum.bounced += c.bounced;
        sum.deferred += c.deferred;
    }
    cr_expect_eq(mtarep_logscan_domain_count(s), 12);
    assert_counts(&sum, t.sent, t.deferred, t.bounced, 0, "sum of domains");
    cr_expect_eq(mtarep_logscan_detected_format(s), MTAREP_LOGSCAN_POSTFIX);
    mtarep_logscan_free(s);
}

#define PF(ts, prog, rest) ts " mail postfix/" prog ": " rest "\n"

Test(logscan, deferred_then_sent)
{
    const char *log =
        PF("Dec  7 13:28:02", "smtp[1]", "A17F830001CA: to=<r@recipient.com>, relay=mx.recipient.com[192.0.2.5]:25, delay=0.75, delays=0/0/0.6/0, dsn=4.0.0, status=deferred (host mx.recipient.com[192.0.2.5] said: 451-You have been greylisted. 451 try again (in reply to RCPT TO command))")
        PF("Dec  7 13:35:08", "smtp[2]", "A17F830001CA: to=<r@recipient.com>, relay=mx.recipient.com[192.0.2.5]:25, delay=427, delays=426/0/0.1/1, dsn=2.0.0, status=sent (250 OK)")
        PF("Dec  7 13:35:08", "qmgr[3]", "A17F830001CA: removed");
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 1, 1, 0, 0, "totals");
    cr_expect_eq(c.deferred_by_cause[MTAREP_SMTPREPLY_OTHER], 1, "greylisting is 'other'");
    cr_expect_eq(c.deferred_recipients, 1);
    cr_expect_eq(c.expired_recipients, 0);
    mtarep_logscan_free(s);
}

Test(logscan, expired_maps_to_still_deferred_recipients)
{
    const char *log =
        PF("Mar  1 10:00:00", "smtp[1]", "ABCDE12345: to=<a@one.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.one.example[192.0.2.1]:25: Connection timed out)")
        PF("Mar  1 10:00:00", "smtp[1]", "ABCDE12345: to=<b@two.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.two.example[192.0.2.2]:25: Connection timed out)")
        PF("Mar  2 10:00:00", "smtp[1]", "ABCDE12345: to=<b@two.example>, relay=mx.two.example[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)")
        PF("Mar  6 10:00:00", "qmgr[2]", "ABCDE12345: from=<s@sender.example>, status=expired, returned to sender")
        PF("Mar  6 10:00:00", "qmgr[2]", "ABCDE12345: removed");
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 1, 2, 0, 1, "totals");
    cr_expect_eq(c.deferred_recipients, 2);
    cr_expect_eq(c.expired_recipients, 1);
    cr_assert_eq(mtarep_logscan_domain_lookup(s, "one.example", &c), 0);
    assert_counts(&c, 0, 1, 0, 1, "one.example");
    cr_expect_eq(c.expired_recipients, 1);
    cr_assert_eq(mtarep_logscan_domain_lookup(s, "two.example", &c), 0);
    assert_counts(&c, 1, 1, 0, 0, "two.example (sent before expiry)");
    mtarep_logscan_free(s);
}

Test(logscan, queue_id_reuse)
{
    /* QID X is used, closed by "removed", then reused for another message
     * that expires: only the second message's recipient expires. */
    const char *log =
        PF("Mar  1 10:00:00", "smtp[1]", "4AA091855DA0: to=<a@old.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to x[192.0.2.1]:25: Connection refused)")
        PF("Mar  1 11:00:00", "smtp[1]", "4AA091855DA0: to=<a@old.example>, relay=mx.old.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=5.1.1, status=bounced (host mx.old.example[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command))")
        PF("Mar  1 11:00:00", "smtp[1]", "4AA091855DA0: to=<c@old.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to x[192.0.2.1]:25: Connection refused)")
        PF("Mar  1 11:00:01", "qmgr[2]", "4AA091855DA0: removed")
        PF("Apr  1 10:00:00", "smtp[1]", "4AA091855DA0: to=<b@new.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to y[192.0.2.2]:25: Connection refused)")
        PF("Apr  6 10:00:00", "qmgr[2]", "4AA091855DA0: from=<s@sender.example>, status=expired, returned to sender");
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 0, 3, 1, 1, "totals");
    mtarep_logscan_domain_lookup(s, "old.example", &c);
    assert_counts(&c, 0, 2, 1, 0, "old.example: closed by removed, never expired");
    mtarep_logscan_domain_lookup(s, "new.example", &c);
    assert_counts(&c, 0, 1, 0, 1, "new.example");
    mtarep_logscan_free(s);
}

Test(logscan, ipv6_relay_and_relay_none)
{
    const char *log =
        PF("Mar  1 10:00:00", "smtp[1]", "ABCDE12345: to=<a@v6.example>, relay=mx.v6.example[2001:db8::25]:25, delay=1, delays=0/0/1/0, dsn=5.7.1, status=bounced (host mx.v6.example[2001:db8::25] said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org (in reply to RCPT TO command))")
        PF("Mar  1 10:00:00", "smtp[1]", "BCDEF12345: to=<b@gone.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.2, status=deferred (delivery temporarily suspended: connect to mx.gone.example[192.0.2.9]:25: Connection timed out)");
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    int found_v6 = 0, found_none = 0;
    for (size_t i = 0; i < mtarep_logscan_relay_count(s); i++) {
        const char *r = mtarep_logscan_relay(s, i, &c);
        if (strcmp(r, "mx.v6.example") == 0) {
            found_v6 = 1;
            cr_expect_eq(c.bounced_by_cause[MTAREP_SMTPREPLY_BLOCKLIST], 1);
        }
        if (strcmp(r, "none") == 0) {
            found_none = 1;
            cr_expect_eq(c.deferred, 1);
        }
    }
    cr_expect(found_v6, "IPv6 relay row");
    cr_expect(found_none, "relay=none row");
    mtarep_logscan_free(s);
}

Test(logscan, multi_recipient_and_exclusion)
{
    const char *log =
        PF("Jan 20 19:48:07", "smtp[1]", "B9996EABB6: to=<r1@external.org>, relay=example-com.mail.protection.outlook.com[192.0.2.13]:25, delay=2.7, delays=1.3/0.06/0.33/1, dsn=2.0.0, status=sent (250 2.0.0 OK)")
        PF("Jan 20 19:48:07", "smtp[1]", "B9996EABB6: to=<r2@external.org>, relay=example-com.mail.protection.outlook.com[192.0.2.13]:25, delay=2.7, delays=1.3/0.06/0.33/1, dsn=2.0.0, status=sent (250 2.0.0 OK)")
        PF("Jan 20 19:48:06", "smtp[1]", "A0000EABB6: to=<r1@external.org>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.2, delays=0/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as B9996EABB6)");
    mtarep_logscan_options o;
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    mtarep_logscan *s = scan_text(log, &o);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 3, 0, 0, 0, "no exclusion: every delivery line");
    mtarep_logscan_free(s);
    o.exclude_relays = "127.0.0.1:10024, foo";
    s = scan_text(log, &o);
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 2, 0, 0, 0, "content-filter hop excluded");
    mtarep_logscan_stats st;
    mtarep_logscan_get_stats(s, &st);
    cr_expect_eq(st.excluded, 1);
    mtarep_logscan_free(s);
}

Test(logscan, out_of_order_and_timestamp_families)
{
    /* out-of-order lines, RFC 3339 and postlogd (zero-padded day),
     * multi-instance syslog name, to= without brackets, SOFTBOUNCE */
    const char *log =
        "2025-03-01T10:30:00.018558+00:00 mx1 postfix-out/smtp[9]: AAAAA11111: to=a@x.example, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)\n"
        "2025-03-01T09:10:00+01:00 mx1 postfix/smtp[9]: AAAAA22222: to=<b@x.example>, orig_to=<alias@x.example>, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=4.7.1, status=SOFTBOUNCE (host mx.x.example[192.0.2.1] said: 550 5.7.1 Relay access denied (in reply to RCPT TO command))\n"
        "Mar 01 10:45:00 mx1 postfix/smtp[9]: AAAAA33333: to=<c@x.example>, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)\n"
        "Mar  1 11:05:00 mx1 postfix/smtp[9]: AAAAA44444: to=<d@x.example>, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)\n";
    mtarep_logscan_options o;
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    o.year = 2025;
    mtarep_logscan *s = scan_text(log, &o);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 3, 1, 0, 0, "totals");
    cr_expect_eq(c.deferred_by_cause[MTAREP_SMTPREPLY_POLICY], 1);
    cr_assert_eq(mtarep_logscan_period_count(s, MTAREP_LOGSCAN_HOUR), 3);
    long long start;
    mtarep_logscan_period(s, MTAREP_LOGSCAN_HOUR, 0, &start, &c);
    cr_expect_eq(start, 1740816000LL, "first hour 2025-03-01T08:00Z (sorted), got %lld", start);
    assert_counts(&c, 0, 1, 0, 0, "08:00Z (the 09:10+01:00 line, out of order)");
    mtarep_logscan_period(s, MTAREP_LOGSCAN_HOUR, 1, &start, &c);
    assert_counts(&c, 2, 0, 0, 0, "10:00");
    cr_assert_eq(mtarep_logscan_period_count(s, MTAREP_LOGSCAN_DAY), 1);
    mtarep_logscan_free(s);

    /* --since drops the older lines */
    cr_assert_eq(mtarep_logscan_parse_time(&o.since, "2025-03-01T10:40"), 0);
    s = scan_text(log, &o);
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 2, 0, 0, 0, "since 10:40");
    mtarep_logscan_free(s);
}

Test(logscan, year_rollover)
{
    const char *log =
        PF("Dec 31 23:59:59", "smtp[1]", "AAAAA11111: to=<a@x.example>, relay=none, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (ok)")
        PF("Jan  1 00:00:01", "smtp[1]", "AAAAA11112: to=<a@x.example>, relay=none, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (ok)");
    mtarep_logscan_options o;
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    o.year = 2024;
    mtarep_logscan *s = scan_text(log, &o);
    long long a, b;
    cr_assert_eq(mtarep_logscan_period_count(s, MTAREP_LOGSCAN_DAY), 2);
    mtarep_logscan_period(s, MTAREP_LOGSCAN_DAY, 0, &a, NULL);
    mtarep_logscan_period(s, MTAREP_LOGSCAN_DAY, 1, &b, NULL);
    cr_expect_eq(a, 1735603200LL, "2024-12-31");
    cr_expect_eq(b, 1735689600LL, "2025-01-01");
    mtarep_logscan_free(s);
}

Test(logscan, inbound_rejects_not_counted)
{
    const char *log =
        PF("Feb  8 21:28:47", "smtps/smtpd[1036]", "DE81A2E2DAA: reject: RCPT from unknown[2a02:168:636a::15e2]: 550 5.1.1 <h@x.com>: Recipient address rejected: User unknown; from=<a@b.com> to=<h@x.com> proto=ESMTP helo=<x>")
        PF("Feb  8 21:28:47", "smtpd[1]", "NOQUEUE: reject: RCPT from host[192.0.2.1]: 554 5.7.1 <x@y>: Relay access denied; from=<a@b> to=<x@y> proto=ESMTP helo=<h>")
        "Feb  8 21:28:47 mail amavis[1]: (123-01) Passed CLEAN, status=sent\n"
        PF("Feb  8 21:28:47", "smtp[1]", "ABCDE12345: to=<p@x.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)");
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 0, 0, 0, 0, "nothing counted");
    mtarep_logscan_free(s);
}

Test(logscan, exim_shapes)
{
    const char *log =
        "2025-03-01 10:00:13.123 +0100 [1487] 16ZCW1-0005MB-00 ** ace400@pb.example R=dnslookup T=remote_smtp: SMTP error from remote mailer after pipelined RCPT TO:<ace400@pb.example>: host pbmail3.py.example [192.168.63.111]: 550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.spamcop.net\n"
        "2025-03-01 10:00:14 16ZCW1-0005MB-00 => ok@pb.example R=dnslookup T=remote_smtp H=mx.pb.example [192.0.2.7] C=\"250 OK\"\n"
        "2025-03-01 10:00:14 16ZCW1-0005MB-00 -> ok2@pb.example R=dnslookup T=remote_smtp H=mx.pb.example [192.0.2.7]\n"
        "2025-03-01 10:00:15 16ZCW1-0005MB-00 == marvin@endrest.example R=dnslookup T=smtp defer (146): Connection refused\n"
        "2025-03-01 10:00:16 16ZCW1-0005MB-00 *> x@pb.example R=d T=t\n"
        "2025-03-01 10:00:16 16ZCW1-0005MB-00 Completed\n";
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 2, 1, 1, 0, "exim totals");
    cr_expect_eq(c.bounced_by_cause[MTAREP_SMTPREPLY_BLOCKLIST], 1);
    cr_expect_eq(mtarep_logscan_detected_format(s), MTAREP_LOGSCAN_EXIM);
    mtarep_logscan_domain_lookup(s, "pb.example", &c);
    assert_counts(&c, 2, 0, 1, 0, "pb.example");
    long long start;
    mtarep_logscan_period(s, MTAREP_LOGSCAN_HOUR, 0, &start, NULL);
    cr_expect_eq(start, 1740819600LL, "10:00 +0100 is 09:00Z");
    mtarep_logscan_free(s);
}

Test(logscan, split_feeds_and_crlf)
{
    const char *log =
        PF("Mar  1 10:00:00", "smtp[1]", "ABCDE12345: to=<a@x.example>, relay=none, delay=1, delays=0/0/1/0, dsn=5.1.1, status=bounced (550 5.1.1 user unknown)")
        "Mar  1 10:00:00 mail postfix/smtp[1]: ABCDE12346: to=<b@x.example>, relay=none, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (ok)\r\n"
        PF("Mar  1 10:00:00", "smtp[1]", "ABCDE12347: to=<c@x.example>, relay=none, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (no newline at end)");
    size_t n = strlen(log) - 1; /* drop the last newline */
    for (size_t step = 1; step < 64; step += 7) {
        mtarep_logscan *s = NULL;
        cr_assert_eq(mtarep_logscan_new(&s, NULL), 0);
        for (size_t i = 0; i < n; i += step)
            mtarep_logscan_feed(s, log + i, i + step > n ? n - i : step);
        mtarep_logscan_finish(s);
        mtarep_logscan_counts c;
        mtarep_logscan_totals(s, &c);
        assert_counts(&c, 2, 0, 1, 0, "split feeds");
        mtarep_logscan_free(s);
    }
}

Test(logscan, gzip_file_and_errors)
{
    char path[1024], gz[] = "/tmp/mtarep-logscan-XXXXXX";
    snprintf(path, sizeof path, "%s/logs/postfix-sample.log", data_dir());
    FILE *in = fopen(path, "rb");
    cr_assert_not_null(in);
    int fd = mkstemp(gz);
    cr_assert_geq(fd, 0);
    gzFile out = gzdopen(fd, "wb");
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(out, buf, (unsigned)k);
    gzclose(out);
    fclose(in);
    mtarep_logscan *s = NULL;
    mtarep_logscan_new(&s, NULL);
    cr_assert_eq(mtarep_logscan_file(s, gz), MTAREP_OK, "%s", mtarep_logscan_errmsg(s));
    mtarep_logscan_finish(s);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 23, 1, 4, 0, "gzip'd sample");
    /* truncated gzip: a clear parse error */
    FILE *t = fopen(gz, "r+b");
    fseek(t, 0, SEEK_END);
    long len = ftell(t);
    fclose(t);
    cr_assert_eq(truncate(gz, len / 2), 0);
    cr_expect_eq(mtarep_logscan_file(s, gz), MTAREP_EPARSE);
    unlink(gz);
    cr_expect_eq(mtarep_logscan_file(s, "/nonexistent/mtarep.log"), MTAREP_EIO);
    cr_expect(strstr(mtarep_logscan_errmsg(s), "/nonexistent") != NULL);
    mtarep_logscan_free(s);
}

Test(logscan, bounded_tables_overflow_to_other)
{
    mtarep_logscan_options o;
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    o.max_domains = 16;
    mtarep_logscan *s = NULL;
    cr_assert_eq(mtarep_logscan_new(&s, &o), 0);
    char line[512];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(line, sizeof line,
                         "Mar  1 10:00:00 m postfix/smtp[1]: ABCDE%05d: to=<a@d%d.example>, "
                         "relay=none, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (ok)\n", i, i);
        mtarep_logscan_feed(s, line, (size_t)n);
    }
    mtarep_logscan_finish(s);
    cr_expect_eq(mtarep_logscan_domain_count(s), 17, "16 rows + (other)");
    mtarep_logscan_counts c;
    cr_assert_eq(mtarep_logscan_domain_lookup(s, "(other)", &c), 0);
    cr_expect_eq(c.sent, 84);
    cr_expect_str_eq(mtarep_logscan_domain(s, 0, NULL), "(other)", "sorted by attempts");
    mtarep_logscan_free(s);
}

Test(logscan, bad_options_and_garbage)
{
    mtarep_logscan *s = NULL;
    mtarep_logscan_options o;
    cr_expect_eq(mtarep_logscan_options_init(&o, 99), MTAREP_EVERSION);
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    o.max_domains = 1;
    cr_expect_eq(mtarep_logscan_new(&s, &o), MTAREP_EINVAL);
    cr_expect_null(s);
    long long t;
    cr_expect_eq(mtarep_logscan_parse_time(&t, "yesterday"), MTAREP_EINVAL);
    cr_expect_eq(mtarep_logscan_parse_time(&t, ""), MTAREP_EINVAL);
    cr_expect_eq(mtarep_logscan_parse_time(&t, "2025-02-30x"), MTAREP_EINVAL);
    cr_expect_eq(mtarep_logscan_parse_time(&t, "2025-03-01"), 0);
    cr_expect_eq(t, 1740787200LL);
    cr_expect_eq(mtarep_logscan_parse_time(&t, "1740787200"), 0);
    cr_expect_eq(t, 1740787200LL);
    cr_assert_eq(mtarep_logscan_new(&s, NULL), 0);
    static const char *junk[] = {
        "", "\n", "Mar", "Mar  1 10:00:00", "Mar  1 10:00:00 h postfix/smtp[1]: ",
        "Mar  1 10:00:00 h postfix/smtp[1]: ABCDE12345: to=<",
        "Mar  1 10:00:00 h postfix/smtp[1]: ABCDE12345: to=<a@b>, relay=",
        "Mar  1 10:00:00 h postfix/smtp[1]: ABCDE12345: to=<a@b>, relay=x, status=",
        "Mar  1 10:00:00 h postfix/qmgr[1]: ABCDE12345: from=<>, status=expired",
        "2025-03-01 10:00:00 10HmaX-000000005vi-0000 ** ", "2025-03-01 10:00:00 [1",
        "2025-03-01 10:00:00 10HmaX-000000005vi-0000 == a <", "<13>", "9999-99-99T99:99:99",
    };
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
        mtarep__logscan_postfix_line(s, junk[i], strlen(junk[i]));
        mtarep__logscan_exim_line(s, junk[i], strlen(junk[i]));
    }
    char big[70000];
    memset(big, 'x', sizeof big);
    mtarep_logscan_feed(s, big, sizeof big);
    mtarep_logscan_feed(s, "\n", 1);
    mtarep_logscan_finish(s);
    mtarep_logscan_stats st;
    mtarep_logscan_get_stats(s, &st);
    cr_expect_eq(st.long_lines, 1);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    cr_expect_eq(c.expired, 1, "the bare expiry line still counts once");
    mtarep_logscan_free(s);
}

Test(logscan, long_queue_ids_priority_prefix_and_milter_reject)
{
    const char *log =
        "<22>Mar  1 10:00:00 mx postfix/smtp[9]: 3Pt2mN2VXxznjll: to=<a@x.example>, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.x.example[192.0.2.1]:25: Connection refused)\n"
        "Mar  1 10:00:01 mx postfix/cleanup[9]: 3Pt2mN2VXxznjll: milter-reject: END-OF-MESSAGE from h[192.0.2.9]: 5.7.1 spam; from=<a@b> to=<c@d> proto=ESMTP helo=<h>\n"
        "Mar  1 10:00:02 mx postfix/qmgr[9]: 3Pt2mN2VXxznjll: from=<s@y.example>, status=expired, returned to sender\n"
        "Mar  1 10:00:02 mx dovecot: lmtp(a): msgid=<x>: saved mail to INBOX, status=sent\n";
    mtarep_logscan *s = scan_text(log, NULL);
    mtarep_logscan_counts c;
    mtarep_logscan_totals(s, &c);
    assert_counts(&c, 0, 1, 0, 1, "long qid deferred then expired; dovecot and milter lines ignored");
    mtarep_logscan_domain_lookup(s, "x.example", &c);
    assert_counts(&c, 0, 1, 0, 1, "x.example");
    mtarep_logscan_free(s);
}

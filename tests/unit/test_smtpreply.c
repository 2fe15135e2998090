/* SMTP reply classifier: every line of the public sample and of extra.tsv
 * gets the right category (and receiver where one is named), codes are
 * parsed, garbage is refused cleanly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "smtpreply/smtpreply_int.h"

static FILE *open_data(const char *name)
{
    const char *dir = getenv("MTAREP_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/smtp-replies/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (MTAREP_TEST_DATA unset?)", path);
    return f;
}

/* Check every row; returns the number of rows checked. */
static int check_file(const char *name)
{
    FILE *f = open_data(name);
    char line[8192];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *text = strtok(line, "\t"), *cat = strtok(NULL, "\t"), *rcv = strtok(NULL, "\t");
        cr_assert(text && cat && rcv, "%s: malformed row %d", name, n + 1);
        mtarep_smtpreply_info info;
        int rc = mtarep_smtpreply_classify(&info, text);
        cr_assert_eq(rc, MTAREP_OK, "%s: classify failed (%d) on: %s", name, rc, text);
        const char *got = mtarep_smtpreply_category_name(info.category);
        if (strcmp(got, cat) != 0) {
            cr_log_error("%s: want %s, got %s (rule %s): %s", name, cat, got, info.rule, text);
            bad++;
        }
        /* Receivers: "-" or "generic <MTA>" mean none is recognisable. */
        if (strcmp(rcv, "-") != 0 && strncmp(rcv, "generic ", 8) != 0 &&
            (!info.receiver || strcmp(info.receiver, rcv) != 0)) {
            cr_log_error("%s: receiver want '%s', got '%s': %s", name, rcv,
                         info.receiver ? info.receiver : "(none)", text);
            bad++;
        }
        cr_assert_not_null(info.advice);
        n++;
    }
    fclose(f);
    cr_assert_eq(bad, 0, "%s: %d mismatches (see log above)", name, bad);
    return n;
}

Test(smtpreply, public_sample_all_right)
{
    cr_assert_eq(check_file("sample.tsv"), 15, "sample.tsv should have 15 rows");
}

Test(smtpreply, extra_all_right)
{
    int n = check_file("extra.tsv");
    cr_assert_geq(n, 60, "extra.tsv needs >= 60 rows, has %d", n);
}

Test(smtpreply, codes_parsed)
{
    mtarep_smtpreply_info i;
    cr_assert_eq(mtarep_smtpreply_classify(&i, "550-5.7.1 [192.0.2.1] blah 550 5.7.1 more"), 0);
    cr_assert_eq(i.code, 550);
    cr_assert_str_eq(i.enhanced, "5.7.1");
    cr_assert_eq(mtarep_smtpreply_classify(&i, "4.7.26 Access denied, a message sent over IPv6"), 0);
    cr_assert_eq(i.code, 0);
    cr_assert_str_eq(i.enhanced, "4.7.26");
    cr_assert_eq(mtarep_smtpreply_classify(&i, "554 Blocked - see https://ipcheck.proofpoint.com/"), 0);
    cr_assert_eq(i.code, 554);
    cr_assert_str_eq(i.enhanced, "");
    cr_assert_eq(i.category, MTAREP_SMTPREPLY_BLOCKLIST);
    cr_assert_str_eq(i.blocklist, "Proofpoint");
}

Test(smtpreply, blocklist_zone_lifted)
{
    mtarep_smtpreply_info i;
    mtarep_smtpreply_classify(&i, "554 5.7.1 Service unavailable; Client host [192.0.2.1] "
                                  "blocked using zen.spamhaus.org; https://x");
    cr_assert_str_eq(i.blocklist, "zen.spamhaus.org");
    mtarep_smtpreply_classify(&i, "550 5.7.1 Service unavailable; Client host [192.0.2.1] "
                                  "blocked using Spamhaus. To request removal");
    cr_assert_str_eq(i.blocklist, "Spamhaus");
    mtarep_smtpreply_classify(&i, "550 5.1.1 user unknown");
    cr_assert_str_eq(i.blocklist, "", "no list outside the blocklist category");
}

Test(smtpreply, dsn_fallback_from_log)
{
    mtarep_smtpreply_info i;
    /* bare text, the enhanced code only in Postfix's dsn= */
    const char *t = "Something odd happened";
    mtarep__smtpreply_classify_n(&i, t, strlen(t), "5.7.28", 6);
    cr_assert_str_eq(i.enhanced, "5.7.28");
    cr_assert_eq(i.category, MTAREP_SMTPREPLY_REPUTATION);
    mtarep__smtpreply_classify_n(&i, t, strlen(t), "4.4.1", 5);
    cr_assert_eq(i.category, MTAREP_SMTPREPLY_OTHER);
}

Test(smtpreply, garbage_refused_or_survived)
{
    mtarep_smtpreply_info i;
    cr_assert_eq(mtarep_smtpreply_classify(&i, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_smtpreply_classify(NULL, "550 x"), MTAREP_EINVAL);
    cr_assert_eq(mtarep_smtpreply_classify(&i, ""), MTAREP_EINVAL);
    cr_assert_eq(mtarep_smtpreply_classify(&i, " \t "), MTAREP_EINVAL);
    char *big = malloc(MTAREP_SMTPREPLY_MAX_LEN + 2);
    memset(big, 'a', MTAREP_SMTPREPLY_MAX_LEN + 1);
    big[MTAREP_SMTPREPLY_MAX_LEN + 1] = '\0';
    cr_assert_eq(mtarep_smtpreply_classify(&i, big), MTAREP_ELIMIT);
    big[MTAREP_SMTPREPLY_MAX_LEN] = '\0';
    cr_assert_eq(mtarep_smtpreply_classify(&i, big), MTAREP_OK, "exactly MAX_LEN is accepted");
    free(big);
    const char bin[] = "\xff\xfe\x01 550 5.7.#\x80 IB### [ts9] ofr";
    cr_assert_eq(mtarep_smtpreply_classify(&i, bin), MTAREP_OK);
    cr_assert_eq(i.category, MTAREP_SMTPREPLY_OTHER);
    /* embedded NUL through the internal entry: treated as a blank */
    mtarep__smtpreply_classify_n(&i, "550 5.1.1 \0user unknown", 23, NULL, 0);
    cr_assert_eq(i.category, MTAREP_SMTPREPLY_MAILBOX);
}

Test(smtpreply, category_names_roundtrip)
{
    for (int c = 0; c < MTAREP_SMTPREPLY_NCATEGORIES; c++)
        cr_assert_eq(mtarep_smtpreply_category_from_name(
                         mtarep_smtpreply_category_name((mtarep_smtpreply_category)c)), c);
    cr_assert_eq(mtarep_smtpreply_category_from_name("nope"), -1);
    cr_assert_str_eq(mtarep_smtpreply_category_name((mtarep_smtpreply_category)99), "other");
}

/* Generic wordings of common MTAs and filters (synthetic lines written from
 * their default texts): one per rule family added beyond the corpora. */
Test(smtpreply, generic_wordings)
{
    static const struct {
        const char *text, *cat, *list;
    } t[] = {
        {"550 5.7.1 Your IP 192.0.2.1 is listed in our blacklist.", "reputation", ""},
        {"554 5.7.1 Rejected: 192.0.2.1 is listed in cbl.abuseat.org", "blocklist", "cbl.abuseat.org"},
        {"554 5.7.1 Rejected because 192.0.2.1 is listed in bl.mailspike.net", "blocklist", "bl.mailspike.net"},
        {"550 5.7.1 Message rejected: URL listed at multi.surbl.org", "blocklist", "multi.surbl.org"},
        {"550 SBRS score too low", "reputation", ""},
        {"550 5.7.1 Client host rejected: no PTR record found", "rdns", ""},
        {"550 Host name lookup failed for 192.0.2.1", "rdns", ""},
        {"421 4.7.0 You are being throttled, try again later", "rate-limit", ""},
        {"452 4.3.2 Too many concurrent SMTP connections; please slow down", "rate-limit", ""},
        {"554 5.7.1 Message contains malware", "content", ""},
        {"552 5.7.0 Message rejected: forbidden attachment type", "content", ""},
        {"454 4.7.1 <x@example.net>: Relay access denied", "policy", ""},
        {"530 5.7.0 Must issue a STARTTLS command first", "policy", ""},
        {"550 5.1.1 <x@example.net>: Recipient address rejected: undeliverable address: unknown recipient", "mailbox", ""},
        {"550 5.1.1 Unrouteable address", "mailbox", ""},
        {"550 5.2.1 This account is inactive", "mailbox", ""},
        {"451 4.3.0 Temporary local problem - please try later", "other", ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        mtarep_smtpreply_info info;
        cr_assert_eq(mtarep_smtpreply_classify(&info, t[i].text), MTAREP_OK);
        cr_expect_str_eq(mtarep_smtpreply_category_name(info.category), t[i].cat,
                         "%s (rule %s)", t[i].text, info.rule);
        cr_expect_str_eq(info.blocklist, t[i].list, "%s", t[i].text);
    }
}

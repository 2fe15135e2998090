/* mtarep check: "dnsbl" (the IP on IP lists) and "dbl" (the domain on
 * domain lists), from one mtarep_dnsbl_check() call. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What to tell the sender about a listing, by zone and decoded label.
 * Wording follows docs/DNSBL.md §3-4: PBL and UCEPROTECT 2/3 describe the
 * network, not the sender. First match wins; zone matches the zone or a
 * parent of it ("spamhaus.org" matches "zen.spamhaus.org"); meaning is
 * found case-insensitively inside a label ("CSS" in "SBL CSS"); NULL
 * matches anything. */
struct listing_advice {
    const char *zone;
    const char *meaning;
    check_status severity;
    const char *text;
};

#define SPAMHAUS_LOOKUP "https://check.spamhaus.org/"

static const struct listing_advice ip_advice[] = {
    {"spamhaus.org", "CSS", CHECK_PROBLEM,
     "Spamhaus SBL CSS is an automated listing for snowshoe-like sending (many "
     "addresses, little mail each) or poor sending practice: fix list hygiene "
     "and sending patterns, then request removal at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", "DROP", CHECK_PROBLEM,
     "Spamhaus DROP lists the whole network block as hijacked or run by spammers: "
     "only the provider that assigned the address can fix this."},
    {"spamhaus.org", "SBL", CHECK_PROBLEM,
     "Spamhaus SBL is a manual listing for spam sources and spam support: find "
     "and stop the spam (a customer, a compromised account or web form), then ask "
     "for removal via " SPAMHAUS_LOOKUP " (if the SBL record names your "
     "provider's network, the provider has to act)."},
    {"spamhaus.org", "XBL", CHECK_PROBLEM,
     "Spamhaus XBL means the address showed signs of a compromised host (malware, "
     "botnet, open proxy) - it is about the machine, not your mailing: clean the "
     "infected machine or the NAT gateway behind this address, then request "
     "removal at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", "PBL", CHECK_PROBLEM,
     "Spamhaus PBL is a policy listing, not a judgement of your behaviour: the "
     "network owner says this address should not send mail directly (typical for "
     "dynamic or residential ranges). Send through your provider's smarthost, or, "
     "for a static address running a real mail server with proper rDNS, remove "
     "it yourself at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", "BCL", CHECK_PROBLEM,
     "Spamhaus BCL lists the address as a botnet controller: clean the host and "
     "contact your provider; removal via " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", NULL, CHECK_PROBLEM,
     "See " SPAMHAUS_LOOKUP " for the Spamhaus listing and how to remove it."},
    {"spamhaus.net", NULL, CHECK_PROBLEM,
     "See " SPAMHAUS_LOOKUP " for the Spamhaus listing and how to remove it."},
    {"bl.spamcop.net", NULL, CHECK_PROBLEM,
     "SpamCop lists addresses reported by spam recipients; the listing expires "
     "by itself about 24 hours after the reports stop. Find and stop the source "
     "of the reported mail (https://www.spamcop.net/bl.shtml)."},
    {"barracudacentral.org", NULL, CHECK_PROBLEM,
     "Barracuda BRBL: fix the cause (compromised account, open relay, spam), then "
     "request removal at https://www.barracudacentral.org/rbl/removal-request."},
    {"mailspike.net", NULL, CHECK_PROBLEM,
     "Mailspike lists addresses taking part in spam waves or with poor "
     "reputation; listings age out once the traffic stops (https://mailspike.org/)."},
    {"psbl.surriel.com", NULL, CHECK_PROBLEM,
     "PSBL lists addresses that sent to its spam traps: fix the cause, then remove "
     "the address yourself at https://psbl.org/."},
    {"dnsbl-1.uceprotect.net", NULL, CHECK_PROBLEM,
     "UCEPROTECT level 1: this address hit spam traps. The listing expires by "
     "itself 7 days after the last hit (express delisting is paid); fix the cause "
     "(https://www.uceprotect.net/)."},
    {"dnsbl-2.uceprotect.net", NULL, CHECK_WARNING,
     "UCEPROTECT level 2 lists the network block around this address after "
     "several neighbours hit traps: it describes your provider's network, not "
     "necessarily you. Few receivers reject on it; ask the provider to deal with "
     "abuse in the range."},
    {"dnsbl-3.uceprotect.net", NULL, CHECK_WARNING,
     "UCEPROTECT level 3 lists the provider's whole network (ASN), not you. Few "
     "receivers reject on it; only the provider can change it."},
    {"senderscore.com", NULL, CHECK_PROBLEM,
     "Validity's SenderScore RPBL lists addresses with poor reputation (spam-trap "
     "hits, complaints, low Sender Score): see https://www.senderscore.org/ and "
     "improve list hygiene; listings age out."},
    {NULL, NULL, CHECK_PROBLEM,
     "Look the address up on the list operator's website for the reason and the "
     "removal process."},
};

static const struct listing_advice domain_advice[] = {
    {"spamhaus.org", NULL, CHECK_PROBLEM,
     "Spamhaus DBL lists domains seen in spam, phishing or malware: find what got "
     "the domain listed (a compromised site or redirector, spam advertising it), "
     "fix it, then request removal at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.net", NULL, CHECK_PROBLEM,
     "Spamhaus DBL lists domains seen in spam, phishing or malware: fix the cause, "
     "then request removal at " SPAMHAUS_LOOKUP "."},
    {"surbl.org", NULL, CHECK_PROBLEM,
     "SURBL lists domains found in unsolicited mail or abuse: check it at "
     "https://www.surbl.org/surbl-analysis and follow the removal process there "
     "once the cause is fixed."},
    {"uribl.com", NULL, CHECK_PROBLEM,
     "URIBL lists domains found in spam: look the domain up at "
     "https://admin.uribl.com/ and request removal there once the cause is fixed."},
    {NULL, NULL, CHECK_PROBLEM,
     "Look the domain up on the list operator's website for the reason and the "
     "removal process."},
};

/* Does @p zone equal @p base or end in ".base"? */
static int zone_under(const char *zone, const char *base)
{
    size_t zl = strlen(zone), bl = strlen(base);
    if (zl && zone[zl - 1] == '.')
        zl--;
    if (zl == bl)
        return strncasecmp(zone, base, bl) == 0;
    return zl > bl && zone[zl - bl - 1] == '.' && strncasecmp(zone + zl - bl, base, bl) == 0;
}

static const struct listing_advice *find_advice(const struct listing_advice *tab,
                                                const char *zone, const char *meaning)
{
    for (;; tab++) {
        if (tab->zone && !zone_under(zone, tab->zone))
            continue;
        if (tab->meaning && (!meaning || !strcasestr(meaning, tab->meaning)))
            continue;
        return tab;
    }
}

/* "Spamhaus ZEN (zen.spamhaus.org)", or the zone alone. */
static char *list_label(const mtarep_dnsbl_result *r)
{
    const char *name = mtarep_dnsbl_result_list_name(r);
    const char *zone = mtarep_dnsbl_result_zone(r);
    char *s = NULL;
    if (!name || strcmp(name, zone) == 0)
        return strdup(zone);
    return asprintf(&s, "%s (%s)", name, zone) < 0 ? NULL : s;
}

/* "SBL, XBL [127.0.0.2, 127.0.0.4]": a listing's labels and codes. */
static char *labels_of(const mtarep_dnsbl_result *r)
{
    size_t nm = mtarep_dnsbl_result_meaning_count(r);
    size_t nc = mtarep_dnsbl_result_code_count(r);
    size_t len = 1;
    char *s;
    for (size_t i = 0; i < nm; i++)
        len += strlen(mtarep_dnsbl_result_meaning(r, i)) + 2;
    for (size_t i = 0; i < nc; i++)
        len += strlen(mtarep_dnsbl_result_code(r, i)) + 2;
    if (!(s = malloc(len + 4)))
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < nm; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, mtarep_dnsbl_result_meaning(r, i));
    }
    strcat(s, nm ? " [" : "[");
    for (size_t i = 0; i < nc; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, mtarep_dnsbl_result_code(r, i));
    }
    strcat(s, "]");
    return s;
}

/* Fill check @p c from results first .. first+n-1 (one query's zones). */
static void fill(struct check_list *out, struct check *c,
                 const mtarep_dnsbl_results *res, size_t first, size_t n,
                 const struct listing_advice *tab, const char *what)
{
    size_t listed = 0, clean = 0, errors = 0;

    for (size_t i = first; i < first + n; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        mtarep_dnsbl_status st = mtarep_dnsbl_result_status(r);
        char *label, *lab;
        if (!r || st == MTAREP_DNSBL_NOT_APPLICABLE)
            continue;
        if (st == MTAREP_DNSBL_NOT_LISTED) {
            clean++;
            continue;
        }
        label = list_label(r);
        if (!label) {
            out->oom = 1;
            continue;
        }
        if (st == MTAREP_DNSBL_LISTED) {
            const char *desc = mtarep_dnsbl_result_description(r);
            const char *txt = mtarep_dnsbl_result_txt(r);
            size_t nm = mtarep_dnsbl_result_meaning_count(r);
            listed++;
            lab = labels_of(r);
            check_evidence(out, c, "listed on %s: %s%s%s%s%s%s", label, lab ? lab : "",
                           desc ? " - " : "", desc ? desc : "", txt ? " TXT: \"" : "",
                           txt ? txt : "", txt ? "\"" : "");
            free(lab);
            /* One advice per decoded label (ZEN can say SBL and XBL at once). */
            for (size_t k = 0; k < (nm ? nm : 1); k++) {
                const struct listing_advice *a =
                    find_advice(tab, mtarep_dnsbl_result_zone(r),
                                nm ? mtarep_dnsbl_result_meaning(r, k) : NULL);
                check_raise(c, a->severity);
                check_advice(out, c, "%s", a->text);
            }
        } else {
            const char *e = mtarep_dnsbl_result_error(r);
            errors++;
            check_raise(c, CHECK_UNKNOWN);
            check_evidence(out, c, "could not check %s: %s", label, e ? e : "no answer");
        }
        free(label);
    }
    if (errors)
        check_advice(out, c,
                     "Lists without a verdict (reasons above) tell nothing either way: "
                     "run through a resolver allowed to query them (your own recursive "
                     "resolver; several lists refuse big public resolvers) with "
                     "--nameserver, or raise --timeout if they were slow.");
    if (clean)
        check_evidence(out, c, "%s not listed on %zu %s", what, clean,
                       clean == 1 ? "list" : "lists");
    if (!listed && !clean && !errors) {
        check_raise(c, CHECK_UNKNOWN);
        check_evidence(out, c, "no list given applies to %s", what);
    }
}

int check_build_dnsbl(const struct check_input *in, struct check_list *out)
{
    const char *q[2];
    size_t nq = 0, count, per;
    mtarep_dnsbl_results *res = NULL;
    int rc;

    q[nq++] = in->ip;
    if (in->domain)
        q[nq++] = in->domain;
    /* One call for both: the IP lists answer not-applicable for the domain
     * and the other way round, so the default set needs no splitting here. */
    rc = mtarep_dnsbl_check(&res, in->ctx, q, nq, in->zones, in->nzones, NULL);
    if (rc == MTAREP_EINVAL)
        return cli_lib_error(in->cli, rc, "dnsbl");
    if (rc) {
        struct check *c = check_add(out, "dnsbl", CHECK_UNKNOWN);
        check_evidence(out, c, "DNSBL check failed: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                       mtarep_error_name(rc));
        if (in->domain) {
            c = check_add(out, "dbl", CHECK_UNKNOWN);
            check_evidence(out, c, "DNSBL check failed: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                           mtarep_error_name(rc));
        }
        return 0;
    }
    count = mtarep_dnsbl_results_count(res);
    per = count / nq; /* query-major order, one result per zone */
    fill(out, check_add(out, "dnsbl", CHECK_OK), res, 0, per, ip_advice, in->ip);
    if (in->domain)
        fill(out, check_add(out, "dbl", CHECK_OK), res, per, per, domain_advice,
             in->domain);
    mtarep_dnsbl_results_free(res);
    return 0;
}

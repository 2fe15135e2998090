/* mtarep check: "dnsbl" (the IP on IP lists) and "dbl" (the domain on
 * domain lists), from one mtarep_dnsbl_check() call. */
#include "precheck_int.h"

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
    pc_status severity;
    const char *text;
};

#define SPAMHAUS_LOOKUP "https://check.spamhaus.org/"

static const struct listing_advice ip_advice[] = {
    {"spamhaus.org", "CSS", PC_PROBLEM,
     "Spamhaus SBL CSS is an automated listing for snowshoe-like sending (many "
     "addresses, little mail each) or poor sending practice: fix list hygiene "
     "and sending patterns, then request removal at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", "DROP", PC_PROBLEM,
     "Spamhaus DROP lists the whole network block as hijacked or run by spammers: "
     "only the provider that assigned the address can fix this."},
    {"spamhaus.org", "SBL", PC_PROBLEM,
     "Spamhaus SBL is a manual listing for spam sources and spam support: find "
     "and stop the spam (a customer, a compromised account or web form), then ask "
     "for removal via " SPAMHAUS_LOOKUP " (if the SBL record names your "
     "provider's network, the provider has to act)."},
    {"spamhaus.org", "XBL", PC_PROBLEM,
     "Spamhaus XBL means the address showed signs of a compromised host (malware, "
     "botnet, open proxy) - it is about the machine, not your mailing: clean the "
     "infected machine or the NAT gateway behind this address, then request "
     "removal at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", "PBL", PC_PROBLEM,
     "Spamhaus PBL is a policy listing, not a judgement of your behaviour: the "
     "network owner says this address should not send mail directly (typical for "
     "dynamic or residential ranges). Send through your provider's smarthost, or, "
     "for a static address running a real mail server with proper rDNS, remove "
     "it yourself at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", "BCL", PC_PROBLEM,
     "Spamhaus BCL lists the address as a botnet controller: clean the host and "
     "contact your provider; removal via " SPAMHAUS_LOOKUP "."},
    {"spamhaus.org", NULL, PC_PROBLEM,
     "See " SPAMHAUS_LOOKUP " for the Spamhaus listing and how to remove it."},
    {"spamhaus.net", NULL, PC_PROBLEM,
     "See " SPAMHAUS_LOOKUP " for the Spamhaus listing and how to remove it."},
    {"bl.spamcop.net", NULL, PC_PROBLEM,
     "SpamCop lists addresses reported by spam recipients; the listing expires "
     "by itself about 24 hours after the reports stop. Find and stop the source "
     "of the reported mail (https://www.spamcop.net/bl.shtml)."},
    {"barracudacentral.org", NULL, PC_PROBLEM,
     "Barracuda BRBL: fix the cause (compromised account, open relay, spam), then "
     "request removal at https://www.barracudacentral.org/rbl/removal-request."},
    {"mailspike.net", NULL, PC_PROBLEM,
     "Mailspike lists addresses taking part in spam waves or with poor "
     "reputation; listings age out once the traffic stops (https://mailspike.org/)."},
    {"psbl.surriel.com", NULL, PC_PROBLEM,
     "PSBL lists addresses that sent to its spam traps: fix the cause, then remove "
     "the address yourself at https://psbl.org/."},
    {"dnsbl-1.uceprotect.net", NULL, PC_PROBLEM,
     "UCEPROTECT level 1: this address hit spam traps. The listing expires by "
     "itself 7 days after the last hit (express delisting is paid); fix the cause "
     "(https://www.uceprotect.net/)."},
    {"dnsbl-2.uceprotect.net", NULL, PC_WARNING,
     "UCEPROTECT level 2 lists the network block around this address after "
     "several neighbours hit traps: it describes your provider's network, not "
     "necessarily you. Few receivers reject on it; ask the provider to deal with "
     "abuse in the range."},
    {"dnsbl-3.uceprotect.net", NULL, PC_WARNING,
     "UCEPROTECT level 3 lists the provider's whole network (ASN), not you. Few "
     "receivers reject on it; only the provider can change it."},
    {"senderscore.com", NULL, PC_PROBLEM,
     "Validity's SenderScore RPBL lists addresses with poor reputation (spam-trap "
     "hits, complaints, low Sender Score): see https://www.senderscore.org/ and "
     "improve list hygiene; listings age out."},
    {NULL, NULL, PC_PROBLEM,
     "Look the address up on the list operator's website for the reason and the "
     "removal process."},
};

static const struct listing_advice domain_advice[] = {
    {"spamhaus.org", NULL, PC_PROBLEM,
     "Spamhaus DBL lists domains seen in spam, phishing or malware: find what got "
     "the domain listed (a compromised site or redirector, spam advertising it), "
     "fix it, then request removal at " SPAMHAUS_LOOKUP "."},
    {"spamhaus.net", NULL, PC_PROBLEM,
     "Spamhaus DBL lists domains seen in spam, phishing or malware: fix the cause, "
     "then request removal at " SPAMHAUS_LOOKUP "."},
    {"surbl.org", NULL, PC_PROBLEM,
     "SURBL lists domains found in unsolicited mail or abuse: check it at "
     "https://www.surbl.org/surbl-analysis and follow the removal process there "
     "once the cause is fixed."},
    {"uribl.com", NULL, PC_PROBLEM,
     "URIBL lists domains found in spam: look the domain up at "
     "https://admin.uribl.com/ and request removal there once the cause is fixed."},
    {NULL, NULL, PC_PROBLEM,
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
static void fill(pc_list *out, pc_check *c,
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
            pc_evidence(out, c, "listed on %s: %s%s%s%s%s%s", label, lab ? lab : "",
                           desc ? " - " : "", desc ? desc : "", txt ? " TXT: \"" : "",
                           txt ? txt : "", txt ? "\"" : "");
            free(lab);
            /* One advice per decoded label (ZEN can say SBL and XBL at once). */
            for (size_t k = 0; k < (nm ? nm : 1); k++) {
                const struct listing_advice *a =
                    find_advice(tab, mtarep_dnsbl_result_zone(r),
                                nm ? mtarep_dnsbl_result_meaning(r, k) : NULL);
                pc_raise(c, a->severity);
                pc_advice(out, c, "%s", a->text);
            }
        } else {
            const char *e = mtarep_dnsbl_result_error(r);
            errors++;
            pc_raise(c, PC_UNKNOWN);
            pc_evidence(out, c, "could not check %s: %s", label, e ? e : "no answer");
        }
        free(label);
    }
    if (errors)
        pc_advice(out, c,
                     "Lists without a verdict (reasons above) tell nothing either way: "
                     "run through a resolver allowed to query them (your own recursive "
                     "resolver; several lists refuse big public resolvers) with "
                     "--nameserver, or raise --timeout if they were slow.");
    if (clean)
        pc_evidence(out, c, "%s not listed on %zu %s", what, clean,
                       clean == 1 ? "list" : "lists");
    if (!listed && !clean && !errors) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "no list given applies to %s", what);
    }
}

void mtarep__pc_dnsbl(const pc_input *in, pc_list *out, int rc, const mtarep_dnsbl_results *res,
                      size_t first, size_t per, int domain_first)
{
    if (rc) {
        pc_check *c = pc_add(out, "dnsbl", PC_UNKNOWN);
        pc_evidence(out, c, "DNSBL check failed: %s", mtarep_strerror(rc));
        if (domain_first >= 0) {
            const char *saved = out->subject;
            out->subject = in->domain;
            c = pc_add(out, "dbl", PC_UNKNOWN);
            pc_evidence(out, c, "DNSBL check failed: %s", mtarep_strerror(rc));
            out->subject = saved;
        }
        return;
    }
    fill(out, pc_add(out, "dnsbl", PC_OK), res, first, per, ip_advice, in->ip);
    /* no domain list among the zones asked (--zones with IP lists only):
     * no "dbl" check, rather than one that could not run */
    if (domain_first >= 0) {
        size_t applicable = 0;
        for (size_t i = 0; i < per; i++)
            if (mtarep_dnsbl_result_status(mtarep_dnsbl_results_get(res, (size_t)domain_first + i)) !=
                MTAREP_DNSBL_NOT_APPLICABLE)
                applicable++;
        if (!applicable)
            domain_first = -1;
    }
    if (domain_first >= 0) {
        const char *saved = out->subject;
        out->subject = in->domain;
        fill(out, pc_add(out, "dbl", PC_OK), res, (size_t)domain_first, per, domain_advice,
             in->domain);
        out->subject = saved;
    }
}

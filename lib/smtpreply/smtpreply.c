/* SMTP reply classifier. The rules are a static const table rather than a
 * rules file embedded at build time: a row per rule is as easy to extend
 * and review (docs/smtp-replies.md mirrors it), the compiler checks it, and
 * there is no runtime parser that could fail or allocate. Matching is plain
 * case-insensitive substring search on a lower-cased copy (no regex: the
 * markers are fixed strings), with '#' in a pattern standing for one digit
 * (codes such as "IB108", "OFR006_101"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "smtpreply_int.h"

#define C_OTHER MTAREP_SMTPREPLY_OTHER
#define C_REP MTAREP_SMTPREPLY_REPUTATION
#define C_BL MTAREP_SMTPREPLY_BLOCKLIST
#define C_AUTH MTAREP_SMTPREPLY_AUTHENTICATION
#define C_RDNS MTAREP_SMTPREPLY_RDNS
#define C_RATE MTAREP_SMTPREPLY_RATE_LIMIT
#define C_CONT MTAREP_SMTPREPLY_CONTENT
#define C_POL MTAREP_SMTPREPLY_POLICY
#define C_MBOX MTAREP_SMTPREPLY_MAILBOX

/* A rule matches when every non-NULL pattern occurs in the lower-cased text
 * and, if dsn is set, the enhanced code equals it ("x" matches any class
 * digit: "x.7.28" = 4.7.28 or 5.7.28). The first matching rule decides. */
typedef struct reply_rule {
    const char *id;
    mtarep_smtpreply_category cat;
    const char *dsn;
    const char *pat[3];
} reply_rule;

static const reply_rule rules[] = {
    /* --- greylisting and other explicit "try again" non-causes ------- */
    {"greylist", C_OTHER, NULL, {"greylist"}},
    /* --- receiver's own reputation systems (decoded provider codes) -- */
    {"outlook-s3140", C_REP, NULL, {"(s3140)"}},
    {"outlook-s3150", C_REP, NULL, {"(s3150)"}},
    {"outlook-4.7.650", C_REP, "x.7.650", {NULL}},
    {"outlook-s775", C_REP, NULL, {"(s775)"}},
    {"outlook-s3113", C_REP, NULL, {"(s3113)"}},
    {"eop-banned-ip", C_REP, NULL, {"banned sending ip"}},
    {"eop-banned-sender", C_REP, NULL, {"banned sender"}},
    {"eop-5.7.705", C_REP, "x.7.705", {NULL}},
    {"eop-5.7.708", C_REP, "x.7.708", {NULL}},
    {"eop-ip-not-accepted", C_REP, NULL, {"traffic not accepted from this ip"}},
    {"yahoo-tss", C_REP, NULL, {"[tss##]"}},
    {"yahoo-ts", C_REP, NULL, {"[ts##]"}},
    {"yahoo-bl", C_BL, NULL, {"[bl##]"}},
    {"gmail-unsolicited-rate", C_REP, NULL, {"unusual rate of unsolicited"}},
    {"gmail-x.7.28", C_REP, "x.7.28", {NULL}},
    {"comcast-bl000000", C_REP, NULL, {"bl000000"}},
    {"comcast-block-for-spam", C_REP, NULL, {"comcast block for spam"}},
    {"tonline-bl", C_REP, NULL, {"t-online", "(bl)"}},
    {"customer-block-list", C_POL, NULL, {"customer block list"}},
    {"our-blacklist", C_REP, NULL, {"our blacklist"}},
    {"our-blocklist", C_REP, NULL, {"our blocklist"}},
    {"our-block-list-early", C_REP, NULL, {"our block list"}},
    {"cisco-sbrs", C_REP, NULL, {"senderbase"}},
    {"sbrs", C_REP, NULL, {"sbrs"}},
    /* --- third-party block lists named or linked ---------------------- */
    {"orange-rbl-101", C_BL, NULL, {"ofr###_101"}},
    {"orange-rbl-102", C_BL, NULL, {"ofr###_102"}},
    {"laposte-rbl-101", C_BL, NULL, {"lpn###_101"}},
    {"laposte-rbl-102", C_BL, NULL, {"lpn###_102"}},
    {"godaddy-ib103", C_BL, NULL, {"ib103"}},
    {"godaddy-ib104", C_BL, NULL, {"ib104"}},
    {"godaddy-ib105", C_BL, NULL, {"ib105"}},
    {"godaddy-ib106", C_BL, NULL, {"ib106"}},
    {"comcast-bl000010", C_BL, NULL, {"bl000010"}},
    {"spamhaus", C_BL, NULL, {"spamhaus"}},
    {"spamcop", C_BL, NULL, {"spamcop"}},
    {"barracuda", C_BL, NULL, {"barracuda"}},
    {"proofpoint-ipcheck", C_BL, NULL, {"ipcheck.proofpoint"}},
    {"cloudmark", C_BL, NULL, {"cloudmark"}},
    {"sorbs", C_BL, NULL, {"sorbs"}},
    {"senderscore", C_BL, NULL, {"senderscore"}},
    {"uceprotect", C_BL, NULL, {"uceprotect"}},
    {"spamrats", C_BL, NULL, {"spamrats"}},
    {"psbl", C_BL, NULL, {"psbl.surriel"}},
    {"cbl-abuseat", C_BL, NULL, {"abuseat"}},
    {"mailspike", C_BL, NULL, {"mailspike"}},
    {"invaluement", C_BL, NULL, {"invaluement"}},
    {"nixspam", C_BL, NULL, {"nixspam"}},
    {"manitu", C_BL, NULL, {"dnsbl.manitu"}},
    {"surbl", C_BL, NULL, {"surbl"}},
    {"uribl", C_BL, NULL, {"uribl"}},
    {"blocklist-de", C_BL, NULL, {"blocklist.de"}},
    {"backscatterer", C_BL, NULL, {"backscatterer"}},
    {"0spam", C_BL, NULL, {"0spam"}},
    {"dnsbl", C_BL, NULL, {"dnsbl"}},
    {"rbl-word", C_BL, NULL, {" rbl"}},
    {"blocked-using", C_BL, NULL, {"blocked using "}},
    {"listed-at", C_BL, NULL, {" listed at "}},
    {"black-list-at", C_BL, NULL, {"black list at "}},
    {"blacklist-at", C_BL, NULL, {"blacklist at "}},
    {"listed-in-zone", C_BL, NULL, {" listed in ", "."}},
    {"rbl-listed", C_BL, NULL, {"realtime block"}},
    /* --- generic reputation wording ----------------------------------- */
    {"reputation", C_REP, NULL, {"reputation"}},
    {"too-many-spams", C_REP, NULL, {"too many spam"}},
    {"blacklisted-by-recipient", C_REP, NULL, {"blacklisted"}},
    {"our-block-list", C_REP, NULL, {"our block list"}},
    {"user-complaints", C_REP, NULL, {"complaints"}},
    /* --- reverse DNS -------------------------------------------------- */
    {"ptr-record", C_RDNS, NULL, {"ptr record"}},
    {"reverse-dns", C_RDNS, NULL, {"reverse dns"}},
    {"reverse-hostname", C_RDNS, NULL, {"reverse hostname"}},
    {"reverse-lookup", C_RDNS, NULL, {"reverse lookup"}},
    {"rdns", C_RDNS, NULL, {"rdns"}},
    {"postfix-unknown-client", C_RDNS, NULL, {"cannot find your hostname"}},
    {"exim-host-lookup", C_RDNS, NULL, {"host name lookup failed"}},
    {"no-ptr", C_RDNS, NULL, {"no ptr"}},
    {"ptr-lookup", C_RDNS, NULL, {"ptr lookup"}},
    {"godaddy-ib108", C_RDNS, NULL, {"ib108"}},
    /* --- authentication ----------------------------------------------- */
    {"dmarc", C_AUTH, NULL, {"dmarc"}},
    {"dkim", C_AUTH, NULL, {"dkim"}},
    {"spf", C_AUTH, NULL, {"spf"}},
    {"sender-policy-framework", C_AUTH, NULL, {"sender policy framework"}},
    {"sender-id", C_AUTH, NULL, {"sender id"}},
    {"unauthenticated", C_AUTH, NULL, {"unauthenticated"}},
    {"not-authenticated", C_AUTH, NULL, {"not authenticated"}},
    {"authentication", C_AUTH, NULL, {"authenticat"}},
    {"apple-hme1", C_AUTH, NULL, {"[hme1]"}},
    {"comcast-dm", C_AUTH, NULL, {"dm0000##"}},
    {"godaddy-ib508", C_AUTH, NULL, {"ib508"}},
    {"eop-5.7.509", C_AUTH, "x.7.509", {NULL}},
    {"gmail-x.7.26", C_AUTH, "x.7.26", {NULL}},
    {"gmail-x.7.27", C_AUTH, "x.7.27", {NULL}},
    {"gmail-x.7.30", C_AUTH, "x.7.30", {NULL}},
    {"gmail-x.7.32", C_AUTH, "x.7.32", {NULL}},
    {"orange-517", C_AUTH, NULL, {"ofr###_517"}},
    /* Gmail's rDNS codes (after the texts: EOP uses 5.7.23 for SPF) */
    {"gmail-x.7.25", C_RDNS, "x.7.25", {NULL}},
    {"gmail-x.7.23", C_RDNS, "x.7.23", {NULL}},
    {"laposte-517", C_AUTH, NULL, {"lpn###_517"}},
    /* --- rate limits -------------------------------------------------- */
    {"rate-limited", C_RATE, NULL, {"rate limit"}},
    {"excessive-volume", C_RATE, NULL, {"excessive volume"}},
    {"receiving-too-fast", C_RATE, NULL, {"receiving mail at a rate"}},
    {"receiving-too-quickly", C_RATE, NULL, {"too quickly"}},
    {"too-many-connections", C_RATE, NULL, {"too many connections"}},
    {"too-many-sessions", C_RATE, NULL, {"too many sessions"}},
    {"too-many-emails", C_RATE, NULL, {"too many emails"}},
    {"too-many-messages", C_RATE, NULL, {"too many messages"}},
    {"too-many-recipients", C_RATE, NULL, {"too many recipients"}},
    {"too-much-mail", C_RATE, NULL, {"too much mail"}},
    {"hourly-limit", C_RATE, NULL, {"hourly limit"}},
    {"per-hour-limits", C_RATE, NULL, {"limits for how many messages"}},
    {"server-busy", C_RATE, NULL, {"server busy"}},
    {"comcast-rl", C_RATE, NULL, {"rl0000##"}},
    {"orange-104", C_RATE, NULL, {"ofr###_104"}},
    {"laposte-104", C_RATE, NULL, {"lpn###_104"}},
    {"godaddy-ib607", C_RATE, NULL, {"ib607"}},
    {"throttled", C_RATE, NULL, {"throttl"}},
    {"slow-down", C_RATE, NULL, {"slow down"}},
    {"too-fast", C_RATE, NULL, {"too fast"}},
    {"sending-limit", C_RATE, NULL, {"sending limit"}},
    {"message-rate", C_RATE, NULL, {"message rate"}},
    {"connection-rate", C_RATE, NULL, {"connection rate"}},
    {"too-many-generic", C_RATE, NULL, {"too many"}},
    /* --- content ------------------------------------------------------ */
    {"gmail-likely-unsolicited", C_CONT, NULL, {"likely unsolicited"}},
    {"spam-content", C_CONT, NULL, {"spam"}},
    {"ube", C_CONT, NULL, {" ube"}},
    {"content", C_CONT, NULL, {"content"}},
    {"rfc5322", C_CONT, NULL, {"rfc 5322"}},
    {"from-header", C_CONT, NULL, {"from: header"}},
    {"virus", C_CONT, NULL, {"virus"}},
    {"malware", C_CONT, NULL, {"malware"}},
    {"phishing", C_CONT, NULL, {"phish"}},
    {"attachment", C_CONT, NULL, {"attachment"}},
    {"malformed", C_CONT, NULL, {"malformed"}},
    {"header-invalid", C_CONT, NULL, {"header", "invalid"}},
    {"eop-5.7.520", C_CONT, "x.7.520", {NULL}},
    /* --- policy ------------------------------------------------------- */
    {"relay-denied", C_POL, NULL, {"relay access denied"}},
    {"relaying-denied", C_POL, NULL, {"relaying denied"}},
    {"tls-required", C_POL, NULL, {"tls required"}},
    {"must-use-tls", C_POL, NULL, {"must issue a starttls"}},
    {"blocked-senders", C_POL, NULL, {"blocked senders"}},
    {"envelope-blocked", C_POL, NULL, {"envelope blocked"}},
    {"administrative-prohibition", C_POL, NULL, {"administrative prohibition"}},
    {"allowed-senders", C_POL, NULL, {"allowed-senders"}},
    {"anti-spoofing", C_POL, NULL, {"anti-spoofing"}},
    {"apple-cs01", C_POL, NULL, {"[cs01]"}},
    {"apple-hm08", C_POL, NULL, {"[hm08]"}},
    {"relay-not-permitted", C_POL, NULL, {"relay not permitted"}},
    {"unable-to-relay", C_POL, NULL, {"unable to relay"}},
    {"starttls", C_POL, NULL, {"starttls"}},
    {"encryption-required", C_POL, NULL, {"encryption required"}},
    {"spoof", C_POL, NULL, {"spoof"}},
    {"not-allowed-to-send", C_POL, NULL, {"not allowed to send"}},
    {"prohibited", C_POL, NULL, {"prohibited"}},
    {"policy", C_POL, NULL, {"polic"}},
    /* --- mailbox ------------------------------------------------------ */
    {"eop-recipient-access-denied", C_MBOX, NULL, {"recipient address rejected: access denied"}},
    {"user-unknown", C_MBOX, NULL, {"user unknown"}},
    {"unknown-user", C_MBOX, NULL, {"unknown user"}},
    {"no-such-user", C_MBOX, NULL, {"no such user"}},
    {"does-not-exist", C_MBOX, NULL, {"does not exist"}},
    {"recipient-not-found", C_MBOX, NULL, {"recipient not found"}},
    {"invalid-recipient", C_MBOX, NULL, {"invalid recipient"}},
    {"addressee-unknown", C_MBOX, NULL, {"addressee unknown"}},
    {"unknown-recipient", C_MBOX, NULL, {"unknown recipient"}},
    {"recipient-unknown", C_MBOX, NULL, {"recipient unknown"}},
    {"user-not-found", C_MBOX, NULL, {"user not found"}},
    {"address-not-found", C_MBOX, NULL, {"address not found"}},
    {"no-such-recipient", C_MBOX, NULL, {"no such recipient"}},
    {"no-such-address", C_MBOX, NULL, {"no such address"}},
    {"undeliverable-address", C_MBOX, NULL, {"undeliverable address"}},
    {"invalid-address", C_MBOX, NULL, {"invalid address"}},
    {"user-doesnt-exist", C_MBOX, NULL, {"doesn't exist"}},
    {"unrouteable", C_MBOX, NULL, {"unrouteable address"}},
    {"inactive", C_MBOX, NULL, {"inactive"}},
    {"no-longer", C_MBOX, NULL, {"no longer"}},
    {"mailbox", C_MBOX, NULL, {"mailbox"}},
    {"quota", C_MBOX, NULL, {"quota"}},
    {"out-of-storage", C_MBOX, NULL, {"out of storage"}},
    {"account-disabled", C_MBOX, NULL, {"disabled"}},
    {"no-account", C_MBOX, NULL, {"account"}},
    {"recipient-refused", C_MBOX, NULL, {"recipient refused"}},
    {"recipient-rejected", C_MBOX, NULL, {"recipient rejected"}},
    {"null-mx", C_MBOX, NULL, {"does not accept mail"}},
    {"dsn-x.1", C_MBOX, "x.1.*", {NULL}},
    {"dsn-x.2", C_MBOX, "x.2.*", {NULL}},
    /* --- remaining enhanced-code hints -------------------------------- */
    {"eop-5.7.6xx", C_REP, "x.7.6##", {NULL}},
    {"dsn-x.7.9", C_POL, "x.7.9", {NULL}},
};

/* Receivers, first match wins. Outlook.com consumer codes come before the
 * EOP markers because S775 replies carry EOP host names too. */
typedef struct name_rule {
    const char *pat;
    const char *name;
} name_rule;

#define R_OUTLOOK "Outlook.com"
#define R_EOP "Microsoft 365 / Exchange Online Protection"
static const name_rule receivers[] = {
    {"(s3140)", R_OUTLOOK},
    {"(s3150)", R_OUTLOOK},
    {"(s775)", R_OUTLOOK},
    {"(s3113)", R_OUTLOOK},
    {"(s77714)", R_OUTLOOK},
    {"mail.live.com", R_OUTLOOK},
    {"postmaster.live.com", R_OUTLOOK},
    {"hotmail", R_OUTLOOK},
    {"sender.office.com", R_EOP},
    {"delist@microsoft.com", R_EOP},
    {"go.microsoft.com", R_EOP},
    {"protection.outlook.com", R_EOP},
    {"resolver.adr.", R_EOP},
    {"access denied, a message sent over ipv6", R_EOP},
    {"access denied, sending domain", R_EOP},
    {"access denied, tenant", R_EOP},
    {"access denied, traffic not accepted", R_EOP},
    {"traffic not accepted from this ip", R_EOP},
    {" as(####", R_EOP},
    {"(as####", R_EOP},
    {"gsmtp", "Gmail"},
    {"support.google.com", "Gmail"},
    {"gmail", "Gmail"},
    {"doesn't have a ptr record, or the ptr record's forward dns entry", "Gmail"},
    {"google.com", "Gmail"},
    {"yahoo", "Yahoo"},
    {"[tss##]", "Yahoo"},
    {"[ts##]", "Yahoo"},
    {"[bl##]", "Yahoo"},
    {"aol.com", "Yahoo"},
    {"apple.com", "Apple iCloud"},
    {"rejected due to having a domain present in the spamhaus dbl", "Apple iCloud"},
    {"icloud", "Apple iCloud"},
    {"[cs01]", "Apple iCloud"},
    {"[hm08]", "Apple iCloud"},
    {"[hme1]", "Apple iCloud"},
    {"free.fr", "Free (free.fr)"},
    {"comcast", "Comcast"},
    {"secureserver", "GoDaddy (secureserver.net)"},
    {" ib###", "GoDaddy (secureserver.net)"},
    {"mimecast", "Mimecast"},
    {"email policy violation detected", "Zoho Mail"},
    {"zoho", "Zoho Mail"},
    {"cloudflare", "Cloudflare Email Routing"},
    {"t-online", "T-Online"},
    {"ofr###_", "Orange"},
    {"lpn###_", "La Poste"},
    {"gmx.net", "GMX / WEB.DE"},
    {"web.de", "GMX / WEB.DE"},
    {"sending mta's poor reputation", "Cisco Secure Email"},
    {"pphosted", "Proofpoint"},
    {"iphmx", "Cisco Secure Email"},
    {"messagelabs", "Broadcom MessageLabs"},
    {"yandex", "Yandex"},
    {"mail.ru", "Mail.ru"},
    {"qq.com", "QQ Mail"},
    {"163.com", "NetEase"},
    {"fastmail", "Fastmail"},
    {"protonmail", "Proton Mail"},
    {"proton.me", "Proton Mail"},
    {"cox.net", "Cox"},
    {"charter.net", "Spectrum"},
    {"att.net", "AT&T"},
    {"outlook.com", R_OUTLOOK},
    {"proofpoint", "Proofpoint"},
    {"cloudmark", "Cloudmark"},
};

/* Block list names when no zone can be lifted from the text. */
static const name_rule lists[] = {
    {"spamhaus", "Spamhaus"},
    {"spamcop", "SpamCop"},
    {"barracuda", "Barracuda"},
    {"proofpoint", "Proofpoint"},
    {"cloudmark", "Cloudmark"},
    {"sorbs", "SORBS"},
    {"senderscore", "SenderScore"},
    {"uceprotect", "UCEPROTECT"},
    {"spamrats", "SpamRATS"},
    {"psbl.surriel", "PSBL"},
    {"abuseat", "CBL"},
    {"mailspike", "Mailspike"},
    {"invaluement", "Invaluement"},
    {"nixspam", "NiX Spam"},
    {"manitu", "NiX Spam"},
    {"surbl", "SURBL"},
    {"uribl", "URIBL"},
    {"blocklist.de", "blocklist.de"},
    {"backscatterer", "Backscatterer"},
    {"0spam", "0spam"},
    {"ib103", "Cloudmark"},
};

static const char *const category_names[MTAREP_SMTPREPLY_NCATEGORIES] = {
    "other", "reputation", "blocklist", "authentication", "rdns",
    "rate-limit", "content", "policy", "mailbox",
};

static const char *const advice[MTAREP_SMTPREPLY_NCATEGORIES] = {
    "cause not stated: retry; if it persists run `mtarep check` (dnsbl, rdns, spf, dkim, dmarc)",
    "receiver distrusts the sending IP/domain: run `mtarep dnsbl`, slow down (throttle warm-up), ask for delisting",
    "a block list is named: confirm with `mtarep dnsbl <ip>` and follow that list's delisting procedure",
    "authentication failed: check SPF, DKIM and DMARC of the sending domain (`mtarep check`)",
    "reverse DNS problem: give the IP a PTR that resolves back to it (`mtarep rdns <ip> --helo NAME`)",
    "throttled: lower the sending rate to this receiver and follow a warm-up plan (throttle warm-up)",
    "content rejected: review the message; check URL domains with `mtarep dnsbl` (DBL) and DKIM signing",
    "receiver policy: check TLS, relay and sender settings; for spoofing policies check DMARC (`mtarep check`)",
    "recipient problem (unknown, full, disabled): fix or remove the address; not a reputation issue",
};

const char *mtarep_smtpreply_category_name(mtarep_smtpreply_category c)
{
    if ((int)c < 0 || (int)c >= MTAREP_SMTPREPLY_NCATEGORIES)
        return "other";
    return category_names[c];
}

const char *mtarep_smtpreply_category_advice(mtarep_smtpreply_category c)
{
    if ((int)c < 0 || (int)c >= MTAREP_SMTPREPLY_NCATEGORIES)
        return advice[0];
    return advice[c];
}

int mtarep_smtpreply_category_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < MTAREP_SMTPREPLY_NCATEGORIES; i++)
        if (strcmp(name, category_names[i]) == 0)
            return i;
    return -1;
}

/* Does pat ('#' = digit) occur in hay (both lower case)? */
static int has(const char *hay, const char *pat)
{
    const char *hash = strchr(pat, '#');
    if (!hash)
        return strstr(hay, pat) != NULL;
    size_t pre = (size_t)(hash - pat), plen = strlen(pat);
    char lit[64];
    if (pre == 0 || pre >= sizeof lit)
        return 0; /* table patterns always start with a literal */
    memcpy(lit, pat, pre);
    lit[pre] = '\0';
    for (const char *p = strstr(hay, lit); p; p = strstr(p + 1, lit)) {
        size_t i = pre;
        for (; i < plen; i++) {
            char c = p[i];
            if (!c)
                break;
            if (pat[i] == '#' ? !isdigit((unsigned char)c) : c != pat[i])
                break;
        }
        if (i == plen)
            return 1;
    }
    return 0;
}

/* Enhanced code vs a rule pattern: 'x' any class, '#' digit, '*' rest. */
static int dsn_match(const char *dsn, const char *pat)
{
    if (!dsn[0])
        return 0;
    for (; *pat; pat++, dsn++) {
        if (*pat == '*')
            return 1;
        if (!*dsn)
            return 0;
        if (*pat == 'x') {
            if (*dsn != '2' && *dsn != '4' && *dsn != '5')
                return 0;
        } else if (*pat == '#') {
            if (!isdigit((unsigned char)*dsn))
                return 0;
        } else if (*pat != *dsn) {
            return 0;
        }
    }
    return *dsn == '\0';
}

/* Parse "d.ddd.ddd" at p; returns its length or 0. */
static size_t parse_enhanced(const char *p, const char *end, char *buf, size_t buflen)
{
    const char *s = p;
    if (p >= end || (*p != '2' && *p != '4' && *p != '5'))
        return 0;
    p++;
    for (int part = 0; part < 2; part++) {
        int n = 0;
        if (p >= end || *p != '.')
            return 0;
        p++;
        while (p < end && isdigit((unsigned char)*p) && n < 3) {
            p++;
            n++;
        }
        if (n == 0)
            return 0;
    }
    if (p < end && (isalnum((unsigned char)*p) || *p == '.'))
        return 0;
    size_t len = (size_t)(p - s);
    if (len >= buflen)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return len;
}

static void parse_codes(mtarep_smtpreply_info *out, const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p >= 3 && p[0] >= '2' && p[0] <= '5' && isdigit((unsigned char)p[1]) &&
        isdigit((unsigned char)p[2]) && (end - p == 3 || p[3] == ' ' || p[3] == '-')) {
        out->code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (p < end)
            p++;
        while (p < end && *p == ' ')
            p++;
    }
    parse_enhanced(p, end, out->enhanced, sizeof out->enhanced);
}

/* Lift a zone name after a marker ("blocked using zen.spamhaus.org;"). */
static int lift_zone(const char *low, const char *marker, char *buf, size_t len)
{
    const char *p = strstr(low, marker);
    if (!p)
        return 0;
    p += strlen(marker);
    size_t n = 0;
    int dots = 0;
    while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '.' || p[n] == '-' || p[n] == '_'))
        dots += p[n++] == '.';
    while (n && p[n - 1] == '.') {
        n--;
        dots--;
    }
    if (dots < 1 || n == 0 || n >= len)
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 1;
}

static void set_blocklist(mtarep_smtpreply_info *out, const char *low)
{
    static const char *const markers[] = {"blocked using ", " listed at ", "black list at ",
                                          "blacklist at ", "listed on ", " listed in ",
                                          " found in "};
    for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
        if (lift_zone(low, markers[i], out->blocklist, sizeof out->blocklist))
            return;
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        if (has(low, lists[i].pat)) {
            snprintf(out->blocklist, sizeof out->blocklist, "%s", lists[i].name);
            return;
        }
    }
}

void mtarep__smtpreply_classify_n(mtarep_smtpreply_info *out, const char *text, size_t len,
                                  const char *dsn, size_t dsn_len)
{
    char low[MTAREP_SMTPREPLY_MAX_LEN + 1];
    memset(out, 0, sizeof *out);
    if (len > MTAREP_SMTPREPLY_MAX_LEN)
        len = MTAREP_SMTPREPLY_MAX_LEN;
    /* NUL bytes would cut the strstr() search short: map them to spaces. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        low[i] = c == 0 ? ' ' : (char)tolower(c);
    }
    low[len] = '\0';
    parse_codes(out, low, low + len);
    if (!out->enhanced[0] && dsn && dsn_len)
        parse_enhanced(dsn, dsn + dsn_len, out->enhanced, sizeof out->enhanced);

    out->rule = "none";
    out->category = MTAREP_SMTPREPLY_OTHER;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        const reply_rule *r = &rules[i];
        int ok = 1;
        if (r->dsn && !dsn_match(out->enhanced, r->dsn))
            continue;
        for (int k = 0; k < 3 && r->pat[k] && ok; k++)
            ok = has(low, r->pat[k]);
        if (ok) {
            out->category = r->cat;
            out->rule = r->id;
            break;
        }
    }
    for (size_t i = 0; i < sizeof receivers / sizeof *receivers; i++) {
        if (has(low, receivers[i].pat)) {
            out->receiver = receivers[i].name;
            break;
        }
    }
    if (out->category == MTAREP_SMTPREPLY_BLOCKLIST)
        set_blocklist(out, low);
    out->advice = advice[out->category];
}

mtarep_status mtarep_smtpreply_classify(mtarep_smtpreply_info *out, const char *text)
{
    if (!out)
        return MTAREP_EINVAL;
    memset(out, 0, sizeof *out);
    out->advice = advice[0];
    out->rule = "none";
    if (!text)
        return MTAREP_EINVAL;
    size_t len = strnlen(text, MTAREP_SMTPREPLY_MAX_LEN + 1);
    if (len > MTAREP_SMTPREPLY_MAX_LEN)
        return MTAREP_ELIMIT;
    size_t blank = 0;
    while (blank < len && isspace((unsigned char)text[blank]))
        blank++;
    if (blank == len)
        return MTAREP_EINVAL;
    mtarep__smtpreply_classify_n(out, text, len, NULL, 0);
    return MTAREP_OK;
}

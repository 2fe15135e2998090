/* check_mtarep: a Monitoring Plugins plugin (THROTTLE.md §3).
 *
 *   check_mtarep bounce [-w RANGE] [-c RANGE] [--since T] [--format F]
 *                       [--exclude-relay LIST] FILE...|-
 *   check_mtarep dnsbl -H IP [-z ZONE,...] [-n NS]... [-Z ZONEFILE] [-t S]
 *
 * Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; one status line with
 * perfdata. Ranges: [@]start:end, "~" = -infinity, start defaults to 0,
 * an empty end to +infinity; a trailing "%" is allowed. */
#include <arpa/inet.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mtarep.h>

enum { ST_OK, ST_WARNING, ST_CRITICAL, ST_UNKNOWN };
static const char *const st_word[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

struct range {
    int set, inside; /* inside: '@' alerts inside [lo, hi] */
    double lo, hi;
};

static int parse_num(const char *s, size_t n, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (buf[n - 1] == '%')
        buf[n - 1] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end || end == buf || !isfinite(*out) ? -1 : 0;
}

/* -t SECONDS: 0 (no limit) .. 86400; digits only (atoi took "abc" as 0) */
static int parse_timeout(const char *s, unsigned *out)
{
    char *end;
    unsigned long v;
    if (*s < '0' || *s > '9')
        return -1;
    v = strtoul(s, &end, 10);
    if (*end || v > 86400)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_range(const char *s, struct range *r)
{
    memset(r, 0, sizeof *r);
    if (*s == '@') {
        r->inside = 1;
        s++;
    }
    const char *colon = strchr(s, ':');
    r->lo = 0;
    r->hi = INFINITY;
    if (!colon) {
        if (parse_num(s, strlen(s), &r->hi))
            return -1;
    } else {
        if (colon == s + 1 && *s == '~')
            r->lo = -INFINITY;
        else if (colon > s && parse_num(s, (size_t)(colon - s), &r->lo))
            return -1;
        if (colon[1] && parse_num(colon + 1, strlen(colon + 1), &r->hi))
            return -1;
    }
    if (r->lo > r->hi)
        return -1;
    r->set = 1;
    return 0;
}

static int alert(const struct range *r, double v)
{
    if (!r->set)
        return 0;
    int in = v >= r->lo && v <= r->hi;
    return r->inside ? in : !in;
}

static void usage(FILE *f)
{
    fputs("Usage: check_mtarep bounce [-w RANGE] [-c RANGE] [--since T] [--format auto|postfix|exim]\n"
          "                          [--exclude-relay LIST] FILE...|-\n"
          "       check_mtarep dnsbl -H IP [-z ZONE,...] [-n NAMESERVER]... [-Z ZONEFILE] [-t SECONDS]\n"
          "       check_mtarep -h | -V\n"
          "bounce: bounce rate = bounced/(sent+bounced) in %; defaults -w 5 -c 10.\n"
          "dnsbl: CRITICAL when listed, UNKNOWN when a list could not be asked.\n"
          "Ranges: [@]start:end (Monitoring Plugins syntax), e.g. 5, 5:, ~:5, @2:4.\n",
          f);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "MTAREP UNKNOWN - plugin timed out\n";
    if (write(1, msg, sizeof msg - 1) < 0) {
    }
    _exit(ST_UNKNOWN);
}

static int bounce_mode(int argc, char **argv)
{
    static const struct option lo[] = {
        {"warning", required_argument, NULL, 'w'}, {"critical", required_argument, NULL, 'c'},
        {"since", required_argument, NULL, 's'},   {"format", required_argument, NULL, 'F'},
        {"exclude-relay", required_argument, NULL, 'x'}, {"file", required_argument, NULL, 'f'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct range w, c;
    const char *wtxt = "5", *ctxt = "10";
    parse_range("5", &w);
    parse_range("10", &c);
    mtarep_logscan_options o;
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    const char *files[256];
    int nf = 0, opt;
    while ((opt = getopt_long(argc, argv, "w:c:s:F:x:f:t:h", lo, NULL)) != -1) {
        switch (opt) {
        case 'w':
        case 'c':
            if (parse_range(optarg, opt == 'w' ? &w : &c) || strpbrk(optarg, "; '=")) {
                printf("BOUNCE UNKNOWN - bad range '%s'\n", optarg);
                return ST_UNKNOWN;
            }
            *(opt == 'w' ? &wtxt : &ctxt) = optarg;
            break;
        case 's':
            if (mtarep_logscan_parse_time(&o.since, optarg)) {
                printf("BOUNCE UNKNOWN - bad --since '%s'\n", optarg);
                return ST_UNKNOWN;
            }
            break;
        case 'F':
            if (strcmp(optarg, "postfix") && strcmp(optarg, "exim") && strcmp(optarg, "auto")) {
                printf("BOUNCE UNKNOWN - bad --format '%s' (auto, postfix, exim)\n", optarg);
                return ST_UNKNOWN;
            }
            o.format = strcmp(optarg, "postfix") == 0 ? MTAREP_LOGSCAN_POSTFIX
                       : strcmp(optarg, "exim") == 0  ? MTAREP_LOGSCAN_EXIM
                                                      : MTAREP_LOGSCAN_AUTO;
            break;
        case 'x':
            o.exclude_relays = optarg;
            break;
        case 'f':
            if (nf < 256)
                files[nf++] = optarg;
            break;
        case 't': {
            unsigned t;
            if (parse_timeout(optarg, &t)) {
                printf("BOUNCE UNKNOWN - bad -t '%s' (seconds, 0..86400)\n", optarg);
                return ST_UNKNOWN;
            }
            alarm(t);
            break;
        }
        case 'h':
            usage(stdout);
            return ST_OK;
        default:
            usage(stdout);
            return ST_UNKNOWN;
        }
    }
    for (int i = optind; i < argc && nf < 256; i++)
        files[nf++] = argv[i];
    if (nf == 0) {
        printf("BOUNCE UNKNOWN - no log file given\n");
        return ST_UNKNOWN;
    }
    mtarep_logscan *s;
    if (mtarep_logscan_new(&s, &o)) {
        printf("BOUNCE UNKNOWN - bad options\n");
        return ST_UNKNOWN;
    }
    for (int i = 0; i < nf; i++) {
        if (mtarep_logscan_file(s, files[i])) {
            printf("BOUNCE UNKNOWN - %s\n", mtarep_logscan_errmsg(s));
            mtarep_logscan_free(s);
            return ST_UNKNOWN;
        }
    }
    mtarep_logscan_finish(s);
    mtarep_logscan_counts t;
    mtarep_logscan_totals(s, &t);
    mtarep_logscan_free(s);
    unsigned long long den = t.sent + t.bounced;
    double rate = den ? 100.0 * (double)t.bounced / (double)den : 0.0;
    rate = floor(rate * 100.0 + 0.5) / 100.0;
    int st = alert(&c, rate) ? ST_CRITICAL : alert(&w, rate) ? ST_WARNING : ST_OK;
    unsigned long long rep = t.bounced_by_cause[MTAREP_SMTPREPLY_REPUTATION] +
                             t.bounced_by_cause[MTAREP_SMTPREPLY_BLOCKLIST];
    printf("BOUNCE %s - bounce %.2f%% (%llu/%llu), reputation/blocklist %llu, deferred %llu, "
           "expired %llu |",
           st_word[st], rate, t.bounced, den, rep, t.deferred, t.expired);
    /* thresholds echoed in range syntax, without the optional '%' */
    printf(" 'bounce_rate'=%.2f%%;%.*s;%.*s;", rate, (int)strcspn(wtxt, "%"), wtxt,
           (int)strcspn(ctxt, "%"), ctxt);
    printf("0;100 'sent'=%llu 'bounced'=%llu 'deferred'=%llu 'expired'=%llu", t.sent, t.bounced,
           t.deferred, t.expired);
    for (int k = 1; k < MTAREP_SMTPREPLY_NCATEGORIES; k++)
        printf(" 'bounced_%s'=%llu", mtarep_smtpreply_category_name((mtarep_smtpreply_category)k),
               t.bounced_by_cause[k]);
    printf(" 'bounced_other'=%llu\n", t.bounced_by_cause[0]);
    return st;
}

static int dnsbl_mode(int argc, char **argv)
{
    static const struct option lo[] = {
        {"hostname", required_argument, NULL, 'H'}, {"zones", required_argument, NULL, 'z'},
        {"nameserver", required_argument, NULL, 'n'}, {"zone-file", required_argument, NULL, 'Z'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *ip = NULL, *zonefile = NULL, *ns[16];
    char *zonelist = NULL;
    int nns = 0, opt;
    unsigned timeout = 10;
    while ((opt = getopt_long(argc, argv, "H:z:n:Z:t:h", lo, NULL)) != -1) {
        switch (opt) {
        case 'H': ip = optarg; break;
        case 'z': zonelist = optarg; break;
        case 'n': if (nns < 16) ns[nns++] = optarg; break;
        case 'Z': zonefile = optarg; break;
        case 't':
            if (parse_timeout(optarg, &timeout)) {
                printf("DNSBL UNKNOWN - bad -t '%s' (seconds, 0..86400)\n", optarg);
                return ST_UNKNOWN;
            }
            break;
        case 'h': usage(stdout); return ST_OK;
        default: usage(stdout); return ST_UNKNOWN;
        }
    }
    unsigned char addr[16];
    if (!ip || (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)) {
        printf("DNSBL UNKNOWN - -H needs an IP address\n");
        return ST_UNKNOWN;
    }
    if (timeout)
        alarm(timeout);
    const char *zones[64];
    size_t nz = 0;
    for (char *z = zonelist ? strtok(zonelist, ", ") : NULL; z && nz < 64; z = strtok(NULL, ", "))
        zones[nz++] = z;
    if (zonelist && nz == 0) { /* -z "" must not mean "the default lists" */
        printf("DNSBL UNKNOWN - -z needs at least one zone\n");
        return ST_UNKNOWN;
    }
    mtarep_ctx *ctx;
    if (mtarep_ctx_new(&ctx, NULL)) {
        printf("DNSBL UNKNOWN - cannot create context\n");
        return ST_UNKNOWN;
    }
    int rc = 0;
    for (int i = 0; i < nns && !rc; i++)
        rc = mtarep_ctx_add_nameserver(ctx, ns[i]);
    if (!rc && zonefile)
        rc = mtarep_ctx_add_zone_file(ctx, zonefile);
    mtarep_dnsbl_results *res = NULL;
    if (!rc)
        rc = mtarep_dnsbl_check(&res, ctx, &ip, 1, nz ? zones : NULL, nz, NULL);
    if (rc) {
        printf("DNSBL UNKNOWN - %s\n", *mtarep_ctx_errmsg(ctx) ? mtarep_ctx_errmsg(ctx)
                                                              : mtarep_strerror(rc));
        mtarep_ctx_free(ctx);
        return ST_UNKNOWN;
    }
    size_t n = mtarep_dnsbl_results_count(res), listed = 0, errors = 0, asked = 0;
    char names[512] = "";
    for (size_t i = 0; i < n; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        switch (mtarep_dnsbl_result_status(r)) {
        case MTAREP_DNSBL_LISTED:
            listed++;
            asked++;
            if (strlen(names) + strlen(mtarep_dnsbl_result_zone(r)) + 3 < sizeof names) {
                if (*names)
                    strcat(names, ", ");
                strcat(names, mtarep_dnsbl_result_zone(r));
            }
            break;
        case MTAREP_DNSBL_ERROR: errors++; asked++; break;
        case MTAREP_DNSBL_NOT_LISTED: asked++; break;
        default: break;
        }
    }
    int st = listed ? ST_CRITICAL : errors ? ST_UNKNOWN : ST_OK;
    if (listed)
        printf("DNSBL CRITICAL - %s listed on %zu of %zu lists: %s", ip, listed, asked, names);
    else if (errors)
        printf("DNSBL UNKNOWN - %s: %zu of %zu lists could not be asked", ip, errors, asked);
    else
        printf("DNSBL OK - %s not listed on %zu lists", ip, asked);
    printf(" | 'listed'=%zu;;0;0;%zu 'errors'=%zu;;;0;%zu\n", listed, asked, errors, asked);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
    return st;
}

int main(int argc, char **argv)
{
    signal(SIGALRM, on_alarm);
    if (argc < 2) {
        usage(stdout);
        return ST_UNKNOWN;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("check_mtarep %s\n", mtarep_version(NULL));
        return ST_OK;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return ST_OK;
    }
    if (!strcmp(argv[1], "bounce"))
        return bounce_mode(argc - 1, argv + 1);
    if (!strcmp(argv[1], "dnsbl"))
        return dnsbl_mode(argc - 1, argv + 1);
    printf("MTAREP UNKNOWN - unknown mode '%s' (bounce, dnsbl)\n", argv[1]);
    return ST_UNKNOWN;
}

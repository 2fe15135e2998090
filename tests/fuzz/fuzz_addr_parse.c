/* libFuzzer: address and name text: mtarep__ip_parse, mtarep__domain_valid,
 * mtarep__domain_normalize and mtarep__dns_parse_server, with round trips
 * (what is accepted, printed and parsed again must be the same). */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, buf[300], rev[80];
    mtarep_ip ip, ip2;
    struct sockaddr_storage ss, ss2;
    unsigned int len, len2;

    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    if (mtarep__ip_parse(&ip, s) == MTAREP_OK) {
        mtarep__ip_format(&ip, buf, sizeof buf);
        if (mtarep__ip_parse(&ip2, buf) != MTAREP_OK || memcmp(&ip, &ip2, sizeof ip) != 0)
            abort();
        mtarep__ip_reverse(&ip, rev, sizeof rev);
        if (!mtarep__domain_valid(rev))
            abort();
    }
    if (mtarep__domain_valid(s)) {
        if (mtarep__domain_normalize(s, buf, sizeof buf) != MTAREP_OK || !mtarep__domain_valid(buf))
            abort();
    } else if (mtarep__domain_normalize(s, buf, sizeof buf) == MTAREP_OK) {
        abort();
    }
    if (mtarep__dns_parse_server(s, &ss, &len) == MTAREP_OK) {
        mtarep__dns_format_sa(&ss, buf, sizeof buf);
        if (mtarep__dns_parse_server(buf, &ss2, &len2) != MTAREP_OK || len != len2 ||
            memcmp(&ss, &ss2, len) != 0)
            abort();
    }
    free(s);
    return 0;
}

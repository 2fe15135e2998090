/* libFuzzer: SPF macro-strings through the syntax check and the expander
 * (domain-spec and exp= modes), with IPv4 and IPv6 clients and a small
 * output buffer to exercise truncation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spf/spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mtarep_ip ip4, ip6;
    spf_macro_env env;
    char out[300], big[4096], *s;
    size_t pos = 0;

    if (size > 2000)
        return 0;
    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    mtarep__ip_parse(&ip4, "192.0.2.3");
    mtarep__ip_parse(&ip6, "2001:db8::cb01");
    memset(&env, 0, sizeof env);
    env.sender = "strong-bad@email.example.com";
    env.local = "strong-bad";
    env.sdomain = "email.example.com";
    env.domain = "email.example.com";
    env.helo = "mx.example.org";
    env.p = size % 2 ? "mx.example.org" : NULL;
    env.now = (time_t)1700000000;
    for (int explain = 0; explain < 2; explain++) {
        int chk = mtarep__spf_macro_check(s, strlen(s), explain, &pos);
        env.ip = explain ? &ip6 : &ip4;
        int rc = mtarep__spf_macro_expand(&env, s, explain, out, sizeof out);
        if ((chk == 0) != (rc != MTAREP_EPARSE))
            abort(); /* expander and checker must agree on syntax */
        if (rc == 0 && strlen(out) >= sizeof out)
            abort();
        if (mtarep__spf_macro_expand(&env, s, explain, big, sizeof big) == 0) {
            mtarep__spf_target_name(big);
            if (strlen(big) > sizeof big - 1)
                abort();
        }
    }
    mtarep__spf_macro_has_p(s);
    free(s);
    return 0;
}

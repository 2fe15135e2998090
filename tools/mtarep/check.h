/* mtarep check: one mtarep_precheck() report, rendered as text and JSON
 * (cmd_check.c) or as an HTML page (html.c). The checks themselves live in
 * the library (lib/precheck), so the CLI reads the report's accessors and
 * keeps no copy of it. */
#ifndef MTAREP_CLI_CHECK_H
#define MTAREP_CLI_CHECK_H

#include "cli.h"

/* Count the report's checks per status (indexed by mtarep_precheck_status). */
void check_count(const mtarep_precheck_report *r, size_t counts[4]);

/* Write the report as one self-contained HTML page (inline CSS, no script,
 * no external asset); path "-" is stdout. 0, or -1 with errno set. */
int check_write_html(const char *path, const mtarep_precheck_report *r, const char *ip,
                     const char *domain, const char *helo);

#endif

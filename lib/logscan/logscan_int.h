/* Internal entry points of the log scanner (fuzz targets, tests). */
#ifndef MTAREP_LOGSCAN_INT_H
#define MTAREP_LOGSCAN_INT_H

#include <stddef.h>

#include "mtarep/logscan.h"

/* Process one complete line (no '\n') with a given parser. Return 1 if the
 * line was recognised as that format's envelope, else 0. */
int mtarep__logscan_postfix_line(mtarep_logscan *s, const char *line, size_t len);
int mtarep__logscan_exim_line(mtarep_logscan *s, const char *line, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
long long mtarep__days_from_civil(long long y, unsigned m, unsigned d);

#endif

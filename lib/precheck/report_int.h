/* The report object (report.c) as the orchestrator (precheck.c) makes it. */
#ifndef MTAREP_PRECHECK_REPORT_INT_H
#define MTAREP_PRECHECK_REPORT_INT_H

#include "precheck_int.h"

struct mtarep_precheck_report {
    pc_list list;
    pc_status verdict;
    char *json;
};

/* Sort the list, render JSON and move the list into a new report (l is
 * left empty on success). 0 or MTAREP_ENOMEM. */
int mtarep__pc_report_make(mtarep_precheck_report **out, pc_list *l, const char *const *ips,
                           size_t nips, const char *domain, const char *helo);

#endif

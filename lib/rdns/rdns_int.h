/* rDNS as a job on a shared engine run (the precheck submits every
 * module's questions before one mtarep__dns_run()). */
#ifndef MTAREP_RDNS_INT_H
#define MTAREP_RDNS_INT_H

#include "../core/internal.h"

typedef struct mtarep_rdns_job mtarep_rdns_job;

/* Validate and submit the PTR (and HELO) questions. On error nothing is
 * left queued and the message is on ctx. Follow with mtarep__dns_run(),
 * then mtarep__rdns_finish(), which frees the job. */
int mtarep__rdns_start(mtarep_rdns_job **job, mtarep_ctx *ctx, const char *ip,
                       const char *helo);
int mtarep__rdns_finish(mtarep_rdns_result **out, mtarep_rdns_job *job);
/* HELO as an address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") or a
 * bare address: 1 and *lit set, else 0. */
int mtarep__helo_literal(const char *helo, mtarep_ip *lit);

#endif

/**
 * @file mtarep.h
 * @brief libmtarep umbrella header: includes every public module header.
 */
#ifndef MTAREP_H
#define MTAREP_H

#include "mtarep/version.h"
#include "mtarep/common.h"
#include "mtarep/errors.h"
#include "mtarep/ctx.h"
#include "mtarep/sys/resolver.h"
#include "mtarep/dns.h"
#include "mtarep/dnsbl.h"
#include "mtarep/rdns.h"
#include "mtarep/spf.h"
#include "mtarep/authrec.h"
#include "mtarep/dkim.h"
#include "mtarep/dmarc.h"
#include "mtarep/throttle.h"
#include "mtarep/smtpreply.h"
#include "mtarep/logscan.h"
#include "mtarep/precheck.h"
#include "mtarep/provider.h"

#endif

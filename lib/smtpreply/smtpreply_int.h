/* Internal entry of the SMTP reply classifier, used by lib/logscan. */
#ifndef MTAREP_SMTPREPLY_INT_H
#define MTAREP_SMTPREPLY_INT_H

#include <stddef.h>

#include "mtarep/smtpreply.h"

/* Classify text[0..len) (not NUL-terminated; longer than
 * MTAREP_SMTPREPLY_MAX_LEN is truncated, not refused). dsn (may be NULL)
 * fills in the enhanced code when the text has none, as Postfix logs it in
 * dsn= beside the reply. Never fails. */
void mtarep__smtpreply_classify_n(mtarep_smtpreply_info *out, const char *text,
                                  size_t len, const char *dsn, size_t dsn_len);

#endif

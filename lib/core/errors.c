#include "internal.h"

static const struct {
    int code;
    const char *name;
    const char *text;
} errtab[] = {
    {MTAREP_OK, "MTAREP_OK", "success"},
    {MTAREP_ERROR, "MTAREP_ERROR", "error"},
    {MTAREP_ENOMEM, "MTAREP_ENOMEM", "out of memory"},
    {MTAREP_EINVAL, "MTAREP_EINVAL", "invalid argument or malformed input"},
    {MTAREP_ETIMEOUT, "MTAREP_ETIMEOUT", "timed out"},
    {MTAREP_ETEMPFAIL, "MTAREP_ETEMPFAIL", "temporary failure"},
    {MTAREP_ENOTFOUND, "MTAREP_ENOTFOUND", "not found"},
    {MTAREP_EPARSE, "MTAREP_EPARSE", "malformed data"},
    {MTAREP_ELIMIT, "MTAREP_ELIMIT", "limit reached"},
    {MTAREP_EBLOCKED, "MTAREP_EBLOCKED", "query refused by the remote service"},
    {MTAREP_EHTTP, "MTAREP_EHTTP", "HTTP error"},
    {MTAREP_ETHROTTLED, "MTAREP_ETHROTTLED", "rate limited"},
    {MTAREP_ECANCELLED, "MTAREP_ECANCELLED", "cancelled"},
    {MTAREP_EIO, "MTAREP_EIO", "I/O error"},
    {MTAREP_EAUTH, "MTAREP_EAUTH", "authentication failed"},
    {MTAREP_ETLS, "MTAREP_ETLS", "TLS failure"},
    {MTAREP_EVERSION, "MTAREP_EVERSION", "unsupported version"},
    {MTAREP_ECONFIG, "MTAREP_ECONFIG", "configuration error"},
};

const char *mtarep_strerror(int code)
{
    for (size_t i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
        if (errtab[i].code == code)
            return errtab[i].text;
    return "unknown error";
}

const char *mtarep_error_name(int code)
{
    for (size_t i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
        if (errtab[i].code == code)
            return errtab[i].name;
    return "MTAREP_ERROR";
}

/* libFuzzer target: validation of a shared-file throttle table's header
 * (lib/throttle/table.c). Input: the first bytes of a file; the file size
 * claimed is taken from the input's last 8 bytes. Then the same bytes,
 * written to a file, are opened as a store: never a crash, only
 * MTAREP_EPARSE / MTAREP_EVERSION / MTAREP_OK. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    char msg[160], uri[80];
    uint64_t claimed = size;
    mtarep_throttle *t = NULL;
    mtarep_throttle_error err;
    int rc, fd;

    if (size >= 8)
        memcpy(&claimed, data + size - 8, 8);
    rc = mtarep__tfile_check_header(data, size, claimed, msg, sizeof msg);
    if (rc != MTAREP_OK && rc != MTAREP_EPARSE && rc != MTAREP_EVERSION)
        abort();
    if (rc != MTAREP_OK && !msg[0])
        abort();

    /* through the real open path, on a file holding exactly these bytes */
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz-thr-%d.tbl", (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    close(fd);
    snprintf(uri, sizeof uri, "file:%s?slots=64", path);
    rc = mtarep_throttle_new(&t, uri, NULL, &err);
    if (rc == MTAREP_OK) {
        mtarep_limit l = {5, 60000, 0};
        mtarep_throttle_decision d;
        rc = mtarep_throttle_try(&d, t, "fuzz", &l, 1, 1);
        if (rc != MTAREP_OK && rc != MTAREP_ELIMIT)
            abort();
        mtarep_throttle_free(t);
    } else if (rc != MTAREP_EPARSE && rc != MTAREP_EVERSION) {
        abort();
    }
    unlink(path);
    return 0;
}

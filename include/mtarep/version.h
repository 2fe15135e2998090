/**
 * @file mtarep/version.h
 * @brief The single source of libmtarep's version (CMake reads it from here).
 */
#ifndef MTAREP_VERSION_H
#define MTAREP_VERSION_H

/* 0.2: mtarep_limit gained a kind (sliding windows): the ABI changed. */
/** Major version: a change breaks the API/ABI (docs/ABI.md). */
#define MTAREP_VERSION_MAJOR 0
/** Minor version: the SONAME while the major version is 0. */
#define MTAREP_VERSION_MINOR 2
/** Patch version: fixes only. */
#define MTAREP_VERSION_PATCH 0
/** The version as text, "MAJOR.MINOR.PATCH". */
#define MTAREP_VERSION_STR "0.2.0"
/** 0xXXYYZZ: major, minor, patch, one byte each; compare with >=. */
#define MTAREP_VERSION_NUM                                                   \
    ((MTAREP_VERSION_MAJOR << 16) | (MTAREP_VERSION_MINOR << 8) |              \
     MTAREP_VERSION_PATCH)

#endif

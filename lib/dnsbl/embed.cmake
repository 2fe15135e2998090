# Embed lib/dnsbl/zones.conf into the library as a C string.
#
# Included from the top CMakeLists.txt (after mtarep_objs exists): adds a
# build step that regenerates ${PROJECT_BINARY_DIR}/generated/dnsbl_zones.c
# whenever zones.conf changes. Run in script mode (cmake -P) by that step to
# do the conversion: -DIN=<zones.conf> -DOUT=<file.c>.
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${IN}" _hex HEX)
  string(LENGTH "${_hex}" _len)
  # one "0xNN," per byte, 16 bytes per line
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n    " _bytes "${_bytes}")
  file(WRITE "${OUT}.tmp"
    "/* Generated from lib/dnsbl/zones.conf by lib/dnsbl/embed.cmake: do not edit. */\n"
    "extern const char mtarep__dnsbl_builtin_text[];\n"
    "const char mtarep__dnsbl_builtin_text[] = {\n    ${_bytes}0x00\n};\n")
  # copy_if_different keeps the object file when nothing changed
  execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
  file(REMOVE "${OUT}.tmp")
  return()
endif()

set(_mtarep_dnsbl_gen ${PROJECT_BINARY_DIR}/generated/dnsbl_zones.c)
add_custom_command(OUTPUT ${_mtarep_dnsbl_gen}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/generated
  COMMAND ${CMAKE_COMMAND} -DIN=${PROJECT_SOURCE_DIR}/lib/dnsbl/zones.conf
          -DOUT=${_mtarep_dnsbl_gen} -P ${PROJECT_SOURCE_DIR}/lib/dnsbl/embed.cmake
  DEPENDS ${PROJECT_SOURCE_DIR}/lib/dnsbl/zones.conf ${PROJECT_SOURCE_DIR}/lib/dnsbl/embed.cmake
  COMMENT "Embedding the DNSBL zone table"
  VERBATIM)
target_sources(mtarep_objs PRIVATE ${_mtarep_dnsbl_gen})

# Included last by the top CMakeLists when MTAREP_SANITIZE=ON (a build whose
# CMAKE_C_FLAGS carry -fsanitize=address,undefined, see scripts/test.sh).
# A Python interpreter is not instrumented, so the tests that run one need
# the ASan/UBSan runtimes preloaded (TOOLCHAIN pitfall 20). The tests are
# found by directory (any directory with "python" in its path) and patched
# at ctest time through an include file of a directory added after all
# others, because cmake 3.25 cannot set properties of another directory's
# tests.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
  OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
  OUTPUT_VARIABLE _ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)

set(_dirs ${PROJECT_SOURCE_DIR})
set(_py_tests)
while(_dirs)
  list(POP_FRONT _dirs _d)
  get_property(_sub DIRECTORY ${_d} PROPERTY SUBDIRECTORIES)
  list(APPEND _dirs ${_sub})
  file(RELATIVE_PATH _rel ${PROJECT_SOURCE_DIR} ${_d})
  if(_rel MATCHES "python")
    get_property(_t DIRECTORY ${_d} PROPERTY TESTS)
    list(APPEND _py_tests ${_t})
  endif()
endwhile()

set(_inc ${PROJECT_BINARY_DIR}/mtarep-sanitize-tests.cmake)
if(_py_tests)
  file(WRITE ${_inc} "set_tests_properties(${_py_tests} PROPERTIES ENVIRONMENT_MODIFICATION
  \"LD_PRELOAD=set:${_asan} ${_ubsan};ASAN_OPTIONS=set:detect_leaks=0\")\n")
  message(STATUS "sanitizer runtimes preloaded for: ${_py_tests}")
else()
  file(WRITE ${_inc} "# no Python tests\n")
endif()
add_subdirectory(${PROJECT_SOURCE_DIR}/cmake/sanitize ${PROJECT_BINARY_DIR}/mtarep-sanitize)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR}/cmake/sanitize APPEND PROPERTY TEST_INCLUDE_FILES ${_inc})

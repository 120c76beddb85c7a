# SPDX-License-Identifier: MIT
# Runs static_planted under memcheck; -D VALGRIND=... -D PROGRAM=... -D MODE=clean|leak.
# nouserintercepts: memcheck must leave the program's own malloc (strata's) in place.
execute_process(
  COMMAND ${VALGRIND} --tool=memcheck --leak-check=full --soname-synonyms=somalloc=nouserintercepts
          --num-callers=12 ${PROGRAM} ${MODE}
  RESULT_VARIABLE exit_code OUTPUT_VARIABLE output ERROR_VARIABLE report)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "static_planted ${MODE} exited with ${exit_code}:\n${output}\n${report}")
endif()
if(NOT output MATCHES "strata under memcheck: ")
  message(FATAL_ERROR "the workload did not run:\n${output}")
endif()
# (That strata's malloc served the program, not memcheck's, shows in the
# planted leak's stack: strata_malloc allocated it.)
if(MODE STREQUAL "clean")
  if(NOT report MATCHES "ERROR SUMMARY: 0 errors")
    message(FATAL_ERROR "memcheck reported errors in a clean run:\n${report}")
  endif()
  if(report MATCHES "definitely lost: [1-9]")
    message(FATAL_ERROR "memcheck reported a leak in a clean run:\n${report}")
  endif()
else()
  string(FIND "${report}" "3,333 bytes in 1 blocks are definitely lost" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the planted leak is not reported:\n${report}")
  endif()
  string(SUBSTRING "${report}" ${at} -1 rest)
  foreach(frame strata_heap_alloc strata_malloc plant_leak_with_malloc)
    string(FIND "${rest}" "${frame}" found)
    if(found EQUAL -1)
      message(FATAL_ERROR "the leak's stack lacks ${frame}:\n${report}")
    endif()
  endforeach()
  if(NOT report MATCHES "definitely lost: 3,333 bytes in 1 blocks")
    message(FATAL_ERROR "more than the planted leak is lost:\n${report}")
  endif()
endif()
message(STATUS "memcheck: ${MODE} run as expected")

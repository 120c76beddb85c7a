# SPDX-License-Identifier: MIT
# Runs a planted mistake under memcheck and requires the report to name it.
# -D VALGRIND=... -D PROGRAM=... -D MODE=leak|uaf
execute_process(
  COMMAND ${VALGRIND} --tool=memcheck --leak-check=full --num-callers=12 ${PROGRAM} ${MODE}
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE report)

if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "planted ${MODE} exited with ${exit_code}:\n${output}\n${report}")
endif()

# require(<text> <why>): the report must contain <text>, in this order after the last one.
set(rest "${report}")
function(require text why)
  string(FIND "${rest}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "memcheck's report lacks \"${text}\" (${why}). The report:\n${report}")
  endif()
  string(SUBSTRING "${rest}" ${at} -1 remainder)
  set(rest "${remainder}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "leak")
  require("4,242 bytes in 1 blocks are definitely lost" "the leaked block, with its exact size")
  require("strata_heap_alloc" "allocated by strata_heap_alloc")
  require("plant_leak_in_heap" "called from the planting function")
  require("definitely lost: 4,242 bytes in 1 blocks" "nothing else is lost")
elseif(MODE STREQUAL "uaf")
  require("Invalid read of size 1" "the read after free")
  require("plant_read_after_free" "at the planting function")
  require("inside a block of size 96 free'd" "the freed block, with its exact size")
  require("strata_heap_free" "freed by strata_heap_free")
  require("ERROR SUMMARY: 1 errors" "and nothing else")
else()
  message(FATAL_ERROR "MODE must be leak or uaf")
endif()
message(STATUS "memcheck reported the planted ${MODE}")

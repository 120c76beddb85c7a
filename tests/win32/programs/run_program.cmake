# SPDX-License-Identifier: MIT
# Runs one of the Win32 programs and requires its output to be exactly the
# expected file's (line ends normalised). The mingw leg runs it twice, built
# against strata and against Windows' own kernel32 (under Wine), each
# against the same file: so both give the same output.
#
#   -DCOMMAND=<program;args…> -DEXPECTED=<file> [-DPAIR=ON -DTAG=<tag>]
# With PAIR, the program runs as "consumer TAG" and "producer TAG" at once,
# and the output checked is the producer's followed by the consumer's (in
# files named after the tag: the strata and native runs go at the same time).
cmake_minimum_required(VERSION 3.21)
if(PAIR)
  execute_process(
    COMMAND sh -c "\"$0\" \"$@\" consumer ${TAG} > ${TAG}.consumer.out 2>&1 & \"$0\" \"$@\" producer ${TAG} > ${TAG}.producer.out 2>&1; p=$?; wait $!; c=$?; cat ${TAG}.producer.out ${TAG}.consumer.out; [ $p -eq 0 ] && [ $c -eq 0 ]"
            ${COMMAND}
    OUTPUT_VARIABLE output RESULT_VARIABLE result TIMEOUT 120)
else()
  execute_process(COMMAND ${COMMAND} OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE result
                  TIMEOUT 120)
endif()
file(READ "${EXPECTED}" expected)
string(REPLACE "\r\n" "\n" output "${output}")
if(NOT result EQUAL 0 OR NOT output STREQUAL expected)
  message(FATAL_ERROR "exit status ${result}\n--- output:\n${output}${errors}\n--- expected:\n${expected}")
endif()
message(STATUS "output as expected")

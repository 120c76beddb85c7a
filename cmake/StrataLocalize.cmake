# SPDX-License-Identifier: MIT
# Makes one relocatable object of a layer's objects in which only the
# exported names stay global: a static library built from it then exposes
# strata_* and the standard allocation names, and its internal functions
# (hidden visibility in the sources) cannot clash with a program's own.
#
# Usage: cmake -DLINKER=ld -DOBJCOPY=objcopy -DREADELF=readelf -DOUTPUT=out.o
#              -P StrataLocalize.cmake OBJECT...
#
# Steps: `ld -r` joins the objects (so calls between the layer's files still
# resolve), every defined GLOBAL HIDDEN symbol is turned local, and the
# link-time-optimisation sections of fat objects are dropped: their
# intermediate code still names the internal functions as globals, and a
# program linking with -flto would see them. Weak hidden symbols (the C++
# runtime's DW.ref.* personality pointers, in COMDAT groups shared with
# other objects) stay as they are.
cmake_minimum_required(VERSION 3.21)

set(objects "")
set(after_script FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(index RANGE ${last})
  if(after_script)
    list(APPEND objects "${CMAKE_ARGV${index}}")
  elseif(CMAKE_ARGV${index} STREQUAL "-P")
    math(EXPR script_index "${index} + 1")
    set(skip ${script_index})
  endif()
  if(DEFINED skip AND index EQUAL skip)
    set(after_script TRUE)
  endif()
endforeach()
if(NOT objects OR NOT LINKER OR NOT OBJCOPY OR NOT READELF OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DLINKER= -DOBJCOPY= -DREADELF= -DOUTPUT= -P StrataLocalize.cmake OBJECT...")
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "${shown}: ${result}\n${output}${error}")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

set(joined "${OUTPUT}.joined.o")
run(${LINKER} -r -o ${joined} ${objects})
run(${READELF} -sW ${joined})

# readelf -s columns: Num: Value Size Type Bind Vis Ndx Name (readelf
# prints sizes from 100000 bytes on in hexadecimal).
string(REPLACE "\n" ";" lines "${run_output}")
set(internal "")
foreach(line IN LISTS lines)
  if(line MATCHES "^ *[0-9]+: +[0-9a-f]+ +(0x[0-9a-f]+|[0-9]+) +[A-Z_]+ +GLOBAL +HIDDEN +([0-9]+|COM|ABS) +([^ ]+)$")
    string(APPEND internal "${CMAKE_MATCH_3}\n")
  endif()
endforeach()
set(localize "")
if(internal)  # objcopy fails on an empty list
  file(WRITE "${OUTPUT}.internal" "${internal}")
  set(localize --localize-symbols=${OUTPUT}.internal)
endif()

run(${OBJCOPY} ${localize} --remove-section=.gnu.lto_* --remove-section=.gnu.debuglto_*
    ${joined} ${OUTPUT})
file(REMOVE ${joined})

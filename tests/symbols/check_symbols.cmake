# SPDX-License-Identifier: MIT
# Checks that a library defines no global symbol outside what strata may
# export: strata_* (public) and strata__* (private), the standard allocation
# names of the drop-in, the replaceable C++ operators new and delete, and
# weak definitions the C++ compiler makes for itself under names a program
# may not use (DW.ref.* personality pointers, clang's __clang_call_terminate)
# or of the C++ library's own inline functions (std::bad_alloc's constructor
# in an unoptimised build): one copy per program is kept, and none is strata's. Anything else is an internal name that a
# program linking the library statically could collide with.
#
# Usage: cmake -DNM=nm -P check_symbols.cmake LIBRARY...
#   (a .so is read through its dynamic symbol table, an archive or object
#    through its symbol table)
cmake_minimum_required(VERSION 3.21)

set(libraries "")
set(collect FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(index RANGE ${last})
  if(collect)
    list(APPEND libraries "${CMAKE_ARGV${index}}")
  elseif(CMAKE_ARGV${index} MATCHES "check_symbols\\.cmake$")
    set(collect TRUE)
  endif()
endforeach()
if(NOT NM OR NOT libraries)
  message(FATAL_ERROR "usage: cmake -DNM=nm -P check_symbols.cmake LIBRARY...")
endif()

set(standard_names
  malloc free calloc realloc reallocarray aligned_alloc posix_memalign memalign valloc pvalloc
  malloc_usable_size malloc_trim free_sized free_aligned_sized
  _msize _expand _recalloc _aligned_malloc _aligned_realloc _aligned_recalloc _aligned_free
  _aligned_msize _aligned_offset_malloc _aligned_offset_realloc _aligned_offset_recalloc _set_new_mode)
# operator new / new[] (_Znw, _Zna + size type) and delete / delete[] (_Zdl, _Zda + void *).
set(operator_pattern "^_Z(nw|na)[jmy]|^_Zd[la]Pv")

set(total_bad 0)
set(total_checked 0)
foreach(library IN LISTS libraries)
  if(library MATCHES "\\.so(\\.[0-9]+)*$")
    set(table -D)
  else()
    set(table "")
  endif()
  execute_process(COMMAND ${NM} ${table} --defined-only --extern-only --format=posix ${library}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${NM} ${library}: ${error}")
  endif()
  string(REPLACE "\n" ";" lines "${output}")
  set(bad "")
  foreach(line IN LISTS lines)
    # posix format: "name type value size"; archive member headers end in ':'.
    if(NOT line MATCHES "^([^ ]+) ([A-Za-z]) ")
      continue()
    endif()
    set(name ${CMAKE_MATCH_1})
    set(type ${CMAKE_MATCH_2})
    math(EXPR total_checked "${total_checked} + 1")
    if(name MATCHES "^strata_" OR name IN_LIST standard_names OR name MATCHES "${operator_pattern}"
       OR (type MATCHES "^[WV]$" AND name MATCHES "^(DW\\.ref\\.|__|_ZN?K?St|_ZT[ISV]St)"))
      continue()
    endif()
    list(APPEND bad ${name})
  endforeach()
  list(REMOVE_DUPLICATES bad)
  list(LENGTH bad count)
  if(count GREATER 0)
    get_filename_component(shown ${library} NAME)
    list(JOIN bad " " names)
    message("symbols: ${shown} defines ${count} names outside the allowed set: ${names}")
    math(EXPR total_bad "${total_bad} + ${count}")
  endif()
endforeach()

list(LENGTH libraries library_count)
message("symbols: ${library_count} libraries, ${total_checked} global definitions checked, ${total_bad} not allowed")
if(total_bad GREATER 0)
  message(FATAL_ERROR "internal names are global")
endif()

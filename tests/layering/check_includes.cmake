# SPDX-License-Identifier: MIT
# Enforces the layering rule on the include lines of every layer's sources:
# a layer includes its own headers (quoted, from its own folder), its own
# public header, the public header of the layer directly below, and
# platform's; never strata.h, the Win32 view, or any other layer. The
# version header belongs to no layer: platform defines strata_version().
#
# Usage: cmake -DROOT=<source tree> -P check_includes.cmake
cmake_minimum_required(VERSION 3.21)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<tree> -P check_includes.cmake")
endif()

set(allowed_platform platform version)
set(allowed_vmm vmm platform)
set(allowed_heap heap vmm platform)
set(allowed_crt crt heap platform)
set(allowed_cxx cxx crt platform)

set(violations 0)
set(files_checked 0)
foreach(layer platform vmm heap crt cxx)
  file(GLOB_RECURSE sources "${ROOT}/${layer}/*.c" "${ROOT}/${layer}/*.h" "${ROOT}/${layer}/*.cpp")
  foreach(file IN LISTS sources)
    math(EXPR files_checked "${files_checked} + 1")
    get_filename_component(file_dir "${file}" DIRECTORY)
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
      set(problem "")
      if(line MATCHES "include[ \t]*<strata\\.h>")
        set(problem "includes the whole stack")
      elseif(line MATCHES "include[ \t]*<strata/win32/")
        set(problem "includes the Win32 view")
      elseif(line MATCHES "include[ \t]*<strata/([a-z0-9_]+)\\.h>")
        if(NOT CMAKE_MATCH_1 IN_LIST allowed_${layer})
          set(problem "includes the ${CMAKE_MATCH_1} layer")
        endif()
      elseif(line MATCHES "include[ \t]*\"([^\"]+)\"")
        get_filename_component(target "${CMAKE_MATCH_1}" ABSOLUTE BASE_DIR "${file_dir}")
        file(RELATIVE_PATH inside "${ROOT}/${layer}" "${target}")
        if(inside MATCHES "^\\.\\." OR NOT EXISTS "${target}")
          set(problem "includes a header outside ${layer}/")
        endif()
      endif()
      if(problem)
        math(EXPR violations "${violations} + 1")
        file(RELATIVE_PATH shown "${ROOT}" "${file}")
        message("layering: ${shown}: ${problem}: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()

message("layering: ${files_checked} files checked, ${violations} violations")
if(violations GREATER 0)
  message(FATAL_ERROR "layering rule broken")
endif()

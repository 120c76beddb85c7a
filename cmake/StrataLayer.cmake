# SPDX-License-Identifier: MIT
# Helpers that give each layer the same shape: an object library compiled
# once, a static library for the layer alone (strata::<layer>), and the
# layer's objects collected for libstrata.a and libstrata.so.

set(STRATA_INCLUDE_DIR "${PROJECT_SOURCE_DIR}/include")

# With STRATA_LTO, objects carry their intermediate code (and machine code:
# the static libraries link without LTO) so libstrata.so can inline across
# layers. Exported functions may be inlined into each other: libstrata.so
# binds its own calls inside the library anyway (-Bsymbolic-functions).
# C only: cxx/ marks its C++ runtime references weak with top-level asm,
# which LTO may place in another partition than the references.
function(strata_link_time_optimise target)
  if(STRATA_LTO)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:C>:-flto=auto -ffat-lto-objects -fno-semantic-interposition>)
  endif()
endfunction()

# strata_add_layer(<layer> [SOURCES src...] [BELOW target...] [LIBS lib...])
# A layer without sources yet is an interface target over the layer below.
function(strata_add_layer layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;BELOW;LIBS" ${ARGN})
  set(target strata_${layer})
  if(ARG_SOURCES)
    add_library(${target}_objects OBJECT ${ARG_SOURCES})
    target_include_directories(${target}_objects PUBLIC "${STRATA_INCLUDE_DIR}")
    target_link_libraries(${target}_objects PUBLIC ${ARG_LIBS})
    strata_link_time_optimise(${target}_objects)
    add_library(${target} STATIC $<TARGET_OBJECTS:${target}_objects>)
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${STRATA_INCLUDE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${target} PUBLIC ${ARG_BELOW} ${ARG_LIBS})
    set_property(GLOBAL APPEND PROPERTY STRATA_STACK_OBJECTS $<TARGET_OBJECTS:${target}_objects>)
    set_property(GLOBAL APPEND PROPERTY STRATA_STACK_LIBS ${ARG_LIBS})
  else()
    add_library(${target} INTERFACE)
    target_link_libraries(${target} INTERFACE ${ARG_BELOW})
  endif()
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${layer} OUTPUT_NAME strata_${layer})
  add_library(strata::${layer} ALIAS ${target})
  set_property(GLOBAL APPEND PROPERTY STRATA_LAYER_TARGETS ${target})
endfunction()

# libstrata.a (strata::strata) and libstrata.so (strata::shared): every layer.
function(strata_add_whole_stack)
  get_property(objects GLOBAL PROPERTY STRATA_STACK_OBJECTS)
  get_property(libs GLOBAL PROPERTY STRATA_STACK_LIBS)
  list(REMOVE_DUPLICATES libs)
  foreach(kind STATIC SHARED)
    string(TOLOWER ${kind} suffix)
    set(target strata_${suffix})
    add_library(${target} ${kind} ${objects})
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${STRATA_INCLUDE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${target} PUBLIC ${libs})
    set_target_properties(${target} PROPERTIES OUTPUT_NAME strata)
  endforeach()
  set_target_properties(strata_static PROPERTIES EXPORT_NAME strata)
  if(NOT WIN32)
    # Calls between strata's own functions bind inside the library, without
    # a PLT hop on every malloc (the exported names stay interposable for
    # everyone else).
    target_link_options(strata_shared PRIVATE -Wl,-Bsymbolic-functions)
    # The cxx layer refers to the C++ runtime only weakly (cxx/strata_cxx.cpp):
    # a C program that preloads libstrata.so then loads no libstdc++.
    target_link_options(strata_shared PRIVATE -Wl,--as-needed)
    if(STRATA_LTO)
      target_link_options(strata_shared PRIVATE -flto=auto)
    endif()
  endif()
  set_target_properties(strata_shared PROPERTIES EXPORT_NAME shared
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  add_library(strata::strata ALIAS strata_static)
  add_library(strata::shared ALIAS strata_shared)
endfunction()

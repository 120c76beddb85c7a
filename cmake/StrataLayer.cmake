# SPDX-License-Identifier: MIT
# Helpers that give each layer the same shape: an object library compiled
# once, a static library for the layer alone (strata::<layer>), and the
# layer's objects collected for libstrata.a and libstrata.so.

set(STRATA_INCLUDE_DIR "${PROJECT_SOURCE_DIR}/include")

# With STRATA_LTO, objects carry their intermediate code (and machine code,
# which alone goes into the static libraries: StrataLocalize.cmake) so
# libstrata.so can inline across layers. Exported functions may be inlined into each other: libstrata.so
# binds its own calls inside the library anyway (-Bsymbolic-functions).
# C only: cxx/ marks its C++ runtime references weak with top-level asm,
# which LTO may place in another partition than the references.
function(strata_link_time_optimise target)
  if(STRATA_LTO)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:C>:-flto=auto -ffat-lto-objects -fno-semantic-interposition>)
  endif()
endfunction()

# Static libraries from relocatable objects with the internal names made
# local (StrataLocalize.cmake), on ELF systems. PE/COFF objects (mingw) carry
# no visibility to tell internal from exported (there, export is dllexport),
# so mingw's static libraries are archives of the plain objects and keep
# their internal names global.
if(NOT WIN32 AND NOT APPLE AND CMAKE_LINKER AND CMAKE_OBJCOPY AND CMAKE_READELF)
  set(STRATA_LOCALIZE ON)
else()
  set(STRATA_LOCALIZE OFF)
endif()

# strata_relocatable_object(<name> <out-var> OBJECT_LIBRARIES lib...): a
# custom command making <name>.o of the object libraries' objects, with only
# the exported names global; its path goes to <out-var>.
function(strata_relocatable_object name out_var)
  cmake_parse_arguments(ARG "" "" "OBJECT_LIBRARIES" ${ARGN})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.o)
  set(objects "")
  foreach(library IN LISTS ARG_OBJECT_LIBRARIES)
    list(APPEND objects $<TARGET_OBJECTS:${library}>)
  endforeach()
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DLINKER=${CMAKE_LINKER} -DOBJCOPY=${CMAKE_OBJCOPY} -DREADELF=${CMAKE_READELF}
            -DOUTPUT=${output} -P ${PROJECT_SOURCE_DIR}/cmake/StrataLocalize.cmake ${objects}
    DEPENDS ${ARG_OBJECT_LIBRARIES} ${objects} ${PROJECT_SOURCE_DIR}/cmake/StrataLocalize.cmake
    COMMAND_EXPAND_LISTS
    COMMENT "Joining ${name}.o, internal names local")
  set_source_files_properties(${output} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  # A target to order libstrata.a, made in another folder, after the object.
  add_custom_target(${name}_relocatable DEPENDS ${output})
  set_property(GLOBAL APPEND PROPERTY STRATA_RELOCATABLE_TARGETS ${name}_relocatable)
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()

# strata_add_layer(<layer> [SOURCES src...] [BELOW target...] [LIBS lib...]
#                  [STACK_WITH object-library...])
# A layer without sources yet is an interface target over the layer below.
# STACK_WITH names objects that go into the whole stack beside the layer's
# own but not into the layer's library (the crt's drop-in).
function(strata_add_layer layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;BELOW;LIBS;STACK_WITH" ${ARGN})
  set(target strata_${layer})
  if(ARG_SOURCES)
    add_library(${target}_objects OBJECT ${ARG_SOURCES})
    target_include_directories(${target}_objects PUBLIC "${STRATA_INCLUDE_DIR}")
    target_link_libraries(${target}_objects PUBLIC ${ARG_LIBS})
    strata_link_time_optimise(${target}_objects)
    if(STRATA_LOCALIZE)
      strata_relocatable_object(${target} layer_object OBJECT_LIBRARIES ${target}_objects)
      if(ARG_STACK_WITH)
        strata_relocatable_object(${target}_stack stack_object
          OBJECT_LIBRARIES ${target}_objects ${ARG_STACK_WITH})
      else()
        set(stack_object ${layer_object})
      endif()
      add_library(${target} STATIC ${layer_object})
      set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
      add_dependencies(${target} ${target}_relocatable)
      set_property(GLOBAL APPEND PROPERTY STRATA_STACK_RELOCATABLES ${stack_object})
    else()
      add_library(${target} STATIC $<TARGET_OBJECTS:${target}_objects>)
    endif()
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${STRATA_INCLUDE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${target} PUBLIC ${ARG_BELOW} ${ARG_LIBS})
    set_property(GLOBAL APPEND PROPERTY STRATA_STACK_OBJECTS $<TARGET_OBJECTS:${target}_objects>)
    foreach(extra IN LISTS ARG_STACK_WITH)
      set_property(GLOBAL APPEND PROPERTY STRATA_STACK_OBJECTS $<TARGET_OBJECTS:${extra}>)
    endforeach()
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
# libstrata.a holds one relocatable object per layer (a program takes only
# the layers it calls); libstrata.so is linked from the plain objects, with
# hidden visibility keeping the internal names out of its dynamic symbols.
function(strata_add_whole_stack)
  get_property(objects GLOBAL PROPERTY STRATA_STACK_OBJECTS)
  get_property(relocatables GLOBAL PROPERTY STRATA_STACK_RELOCATABLES)
  get_property(libs GLOBAL PROPERTY STRATA_STACK_LIBS)
  list(REMOVE_DUPLICATES libs)
  foreach(kind STATIC SHARED)
    string(TOLOWER ${kind} suffix)
    set(target strata_${suffix})
    if(kind STREQUAL "STATIC" AND STRATA_LOCALIZE)
      add_library(${target} STATIC ${relocatables})
      set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
      set_source_files_properties(${relocatables} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
      get_property(relocatable_targets GLOBAL PROPERTY STRATA_RELOCATABLE_TARGETS)
      add_dependencies(${target} ${relocatable_targets})
    else()
      add_library(${target} ${kind} ${objects})
    endif()
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

# SPDX-License-Identifier: MIT
# cmake --install: headers under include/strata/, every library, a CMake
# package (find_package(strata) → strata:: targets) and pkg-config files.
# Two components, which are also the two Debian packages (StrataPackage.cmake):
#   runtime  libstrata.so.<major> and strata-run, the licence and changelog
#   dev      headers, static libraries, the libstrata.so link, CMake and
#            pkg-config files
include(CMakePackageConfigHelpers)

get_property(layer_targets GLOBAL PROPERTY STRATA_LAYER_TARGETS)
install(TARGETS strata_shared
  EXPORT strataTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS ${layer_targets} strata_static strata_testing
  EXPORT strataTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
if(UNIX)
  install(PROGRAMS ${PROJECT_BINARY_DIR}/strata-run DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  install(PROGRAMS ${PROJECT_BINARY_DIR}/strata-map DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  install(FILES tools/strata-map.html DESTINATION ${CMAKE_INSTALL_DATADIR}/strata COMPONENT runtime)
endif()
install(FILES LICENSE README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/strata)
install(EXPORT strataTargets NAMESPACE strata:: DESTINATION ${config_dir} COMPONENT dev)
configure_package_config_file(cmake/strataConfig.cmake.in
  ${PROJECT_BINARY_DIR}/strataConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/strataConfig.cmake ${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  DESTINATION ${config_dir} COMPONENT dev)

# pkg-config, one file per use:
#   strata          the whole stack with the drop-in: malloc, free, new … become strata's
#   strata-crt      strata_malloc … over the heap, without the standard names
#   strata-heap     heaps over the vmm (vmm + heap + platform), no allocation names
#   strata-testing  the vmm stand-ins of strata/testing.h
# Relocatable: the prefix is found from where the .pc file was installed.
file(RELATIVE_PATH STRATA_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
if(WIN32)
  set(STRATA_PC_LIBS_PRIVATE "")
elseif(STRATA_HAVE_SHM_OPEN_IN_LIBC)
  set(STRATA_PC_LIBS_PRIVATE "-pthread")
else()
  set(STRATA_PC_LIBS_PRIVATE "-pthread -lrt")
endif()
foreach(pc strata strata-crt strata-heap strata-testing)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

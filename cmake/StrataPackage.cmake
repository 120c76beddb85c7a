# SPDX-License-Identifier: MIT
# cpack: two Debian packages and one tarball, from the install components
# (StrataInstall.cmake):
#   libstrata<major>   runtime: libstrata.so.<major>, strata-run, licence
#   libstrata-dev      headers, static libraries, libstrata.so, CMake and
#                      pkg-config files; needs the runtime package of the
#                      same version
#   strata-<version>-<system>.tar.gz  everything, to unpack under a prefix
# Run from a build folder: cpack -G DEB, cpack -G TGZ (or plain cpack: both).
set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VENDOR "the strata authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION} rebuilding the Windows memory stack")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/build/" "/\\\\.git/")
set(CPACK_COMPONENTS_ALL runtime dev)

# The tarball: one archive holding both components.
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

# Debian: one package per component.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/StrataCPackOptions.cmake)  # /usr for DEB only
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "the strata authors")
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libstrata${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libc6")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libstrata-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libstrata${PROJECT_VERSION_MAJOR} (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
  "strata's malloc, free and operator new as a shared library, and strata-run to preload it")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "strata's headers, static libraries (per layer and whole), CMake package and pkg-config files")

include(CPack)

# SPDX-License-Identifier: MIT
# Read by cpack once per generator: Debian packages install under /usr, the
# tarball holds paths relative to whatever prefix it is unpacked under.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
else()
  set(CPACK_PACKAGING_INSTALL_PREFIX /)
endif()

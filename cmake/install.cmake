# install.cmake - every install rule of vmconform, in one place (included last by the top
# CMakeLists.txt). `cmake --install build/dev --prefix DIR` installs:
#   bin/vmconform                              the command (it re-executes itself for its plugin
#                                              workers through /proc/self/exe and links only this
#                                              build's static and OBJECT libraries, so it runs
#                                              from any prefix)
#   include/vmconform/...                      the plugin ABI: everything under impl/include/
#   lib/cmake/vmconform/                       the CMake package: vmconformConfig.cmake,
#                                              vmconformConfigVersion.cmake, vmconformTargets.cmake
#                                              (vmconform::plugin_abi, vmconform::vmconform) and
#                                              vmconformAddTest.cmake (vmconform_add_test)
#   share/pkgconfig/vmconform.pc               Cflags for other build systems (header-only: no Libs)
# (GNUInstallDirs names the directories). The package is relocatable: nothing in it names the
# prefix given at configure time.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VMCONFORM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/vmconform" CACHE STRING
  "Where the vmconform CMake package is installed, relative to the prefix")
set(VMCONFORM_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig" CACHE STRING
  "Where vmconform.pc is installed, relative to the prefix")
mark_as_advanced(VMCONFORM_INSTALL_CMAKEDIR VMCONFORM_INSTALL_PKGCONFIGDIR)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/impl/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS vmconform_plugin_abi vmconform EXPORT vmconformTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT vmconformTargets NAMESPACE vmconform:: DESTINATION "${VMCONFORM_INSTALL_CMAKEDIR}")

configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/vmconformConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/vmconformConfig.cmake" INSTALL_DESTINATION "${VMCONFORM_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/cmake/vmconformConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/cmake/vmconformConfig.cmake"
  "${PROJECT_BINARY_DIR}/cmake/vmconformConfigVersion.cmake" "${CMAKE_CURRENT_LIST_DIR}/vmconformAddTest.cmake"
  DESTINATION "${VMCONFORM_INSTALL_CMAKEDIR}")

# vmconform.pc finds the prefix from its own directory (${pcfiledir}/../..), so it is right for
# whatever prefix `cmake --install --prefix` is given.
cmake_path(RELATIVE_PATH PROJECT_BINARY_DIR BASE_DIRECTORY "${PROJECT_BINARY_DIR}/${VMCONFORM_INSTALL_PKGCONFIGDIR}"
  OUTPUT_VARIABLE VMCONFORM_PC_TO_PREFIX)
string(REGEX REPLACE "/$" "" VMCONFORM_PC_TO_PREFIX "${VMCONFORM_PC_TO_PREFIX}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/vmconform.pc.in" "${PROJECT_BINARY_DIR}/cmake/vmconform.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/cmake/vmconform.pc" DESTINATION "${VMCONFORM_INSTALL_PKGCONFIGDIR}")

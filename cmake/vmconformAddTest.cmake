# vmconformAddTest.cmake - vmconform_add_test(), the CMake function that makes "my plugin conforms"
# a ctest, the way gtest_discover_tests makes GoogleTest tests ctests. It is installed with the
# package (find_package(vmconform) includes it) and included in this build too, so a call reads
# the same in-tree and in an implementer's project:
#
#   vmconform_add_test(NAME name PLUGIN target [PROFILE documented|win32] [SEED n|random]
#                      [BASELINE file] [OPTIONS string] [ARGS arg...])
#
# registers the ctest NAME, which builds nothing and runs
#   vmconform run --plugin $<TARGET_FILE:target> --profile PROFILE --seed SEED
#                 [--baseline FILE] [--plugin-options STRING] --report <dir>/vmconform/NAME/ ARGS...
# with <dir> the current binary directory: report.json, report.md, junit.xml and index.html land
# there. PROFILE defaults to win32 (vmconform's own default; call it twice for both profiles),
# SEED to 1 (a gate checks the same cases every time; `random` lets vmconform pick and print one),
# a relative BASELINE is relative to the current source directory. OPTIONS is the string passed to
# the plugin's open(); ARGS are further `vmconform run` options (--quick, --timeout 120,
# --github-annotations, --rule ID, ...). The test passes when vmconform exits 0, i.e. every rule
# passed or failed as the baseline declares. Needs the executable target vmconform::vmconform.
include_guard(GLOBAL)

function(vmconform_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;PLUGIN;PROFILE;SEED;BASELINE;OPTIONS" "ARGS")
  set(usage "usage: vmconform_add_test(NAME name PLUGIN target [PROFILE documented|win32] [SEED n|random] [BASELINE file] [OPTIONS string] [ARGS arg...])")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "vmconform_add_test: unexpected arguments '${arg_UNPARSED_ARGUMENTS}' (${usage})")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "vmconform_add_test: ${arg_KEYWORDS_MISSING_VALUES} given without a value (${usage})")
  endif()
  if(NOT arg_NAME)
    message(FATAL_ERROR "vmconform_add_test: NAME is required (${usage})")
  endif()
  if(NOT arg_NAME MATCHES "^[A-Za-z0-9_.+-]+$")
    message(FATAL_ERROR "vmconform_add_test: NAME '${arg_NAME}' must be letters, digits and _ . + - only (it names the report directory)")
  endif()
  if(NOT arg_PLUGIN)
    message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): PLUGIN is required: the CMake target of your plugin (add_library(target MODULE ...)) (${usage})")
  endif()
  if(NOT TARGET ${arg_PLUGIN})
    message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): PLUGIN '${arg_PLUGIN}' is not a target: declare the plugin with add_library(${arg_PLUGIN} MODULE ...) before calling vmconform_add_test")
  endif()
  get_target_property(type ${arg_PLUGIN} TYPE)
  if(NOT type MATCHES "^(MODULE_LIBRARY|SHARED_LIBRARY)$")
    message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): PLUGIN '${arg_PLUGIN}' is of type ${type}; a plugin is a shared object: add_library(${arg_PLUGIN} MODULE ...)")
  endif()
  if(NOT TARGET vmconform::vmconform)
    message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): no target vmconform::vmconform: call find_package(vmconform CONFIG REQUIRED) first")
  endif()
  if(NOT DEFINED arg_PROFILE)
    set(arg_PROFILE win32)
  endif()
  if(NOT arg_PROFILE MATCHES "^(documented|win32)$")
    message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): PROFILE '${arg_PROFILE}' is not a profile: documented or win32")
  endif()
  if(NOT DEFINED arg_SEED)
    set(arg_SEED 1)
  endif()
  set(seed_args --seed ${arg_SEED})
  if(arg_SEED STREQUAL "random")
    set(seed_args)
  elseif(NOT arg_SEED MATCHES "^[0-9]+$")
    message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): SEED '${arg_SEED}' is neither a number nor 'random'")
  endif()
  foreach(a IN LISTS arg_ARGS)
    if(a MATCHES "^--(plugin|plugin-options|profile|seed|baseline|report|backend)(=.*)?$")
      string(REGEX REPLACE "=.*" "" a "${a}")
      message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): ARGS must not contain ${a}: vmconform_add_test sets it (use PLUGIN, OPTIONS, PROFILE, SEED or BASELINE)")
    endif()
  endforeach()

  set(command $<TARGET_FILE:vmconform::vmconform> run --plugin $<TARGET_FILE:${arg_PLUGIN}> --profile ${arg_PROFILE} ${seed_args})
  if(DEFINED arg_BASELINE)
    cmake_path(ABSOLUTE_PATH arg_BASELINE BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE baseline)
    if(NOT EXISTS "${baseline}")
      message(FATAL_ERROR "vmconform_add_test(${arg_NAME}): BASELINE '${baseline}' does not exist (write one with `vmconform baseline --write FILE --from report.json`)")
    endif()
    list(APPEND command --baseline "${baseline}")
  endif()
  if(DEFINED arg_OPTIONS)
    list(APPEND command --plugin-options "${arg_OPTIONS}")
  endif()
  set(report_dir "${CMAKE_CURRENT_BINARY_DIR}/vmconform/${arg_NAME}")
  file(MAKE_DIRECTORY "${report_dir}")
  list(APPEND command --report "${report_dir}/" ${arg_ARGS})
  add_test(NAME ${arg_NAME} COMMAND ${command})
  set_tests_properties(${arg_NAME} PROPERTIES LABELS vmconform
    ATTACHED_FILES_ON_FAIL "${report_dir}/report.md")
endfunction()

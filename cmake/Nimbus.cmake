# Helpers that keep every folder's CMakeLists.txt to a few lines.
#
#   nimbus_library(NAME SRCS a.cc b.cc DEPS other_lib ...)
#     A static library target `nimbus_NAME`; its DEPS are the layering of the code.
#   nimbus_test(NAME SRCS a_test.cc DEPS nimbus_x ...)
#     One GoogleTest binary per folder, registered with CTest.

function(nimbus_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(nimbus_${name} STATIC ${ARG_SRCS})
  target_link_libraries(nimbus_${name} PUBLIC ${ARG_DEPS})
endfunction()

function(nimbus_test name)
  if(NOT BUILD_TESTING)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name}_test ${ARG_SRCS})
  target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

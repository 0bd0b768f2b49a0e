# ctest format_check: every C++ source of the project follows .clang-format.
# Usage: cmake -DCLANG_FORMAT=path -DROOT=source-dir -P format_check.cmake
file(GLOB_RECURSE sources RELATIVE ${ROOT}
  ${ROOT}/sim/*.cpp ${ROOT}/sim/*.hpp ${ROOT}/models/*.cpp ${ROOT}/models/*.hpp
  ${ROOT}/tests/*.cpp ${ROOT}/tests/*.hpp ${ROOT}/bench/*.cpp ${ROOT}/bench/*.hpp)
list(SORT sources)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror --style=file ${sources}
  WORKING_DIRECTORY ${ROOT} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
list(LENGTH sources n)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${err}${out}\nSources that do not follow .clang-format: fix with `clang-format -i FILE`.")
endif()
message(STATUS "format_check: ${n} files follow .clang-format")

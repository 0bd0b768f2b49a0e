# ctest rtl_lint_sizes: `verilator --lint-only -Wall` on rtl/pe_array.sv with the parameters of
# every Verilated size (SIZES, e.g. 4x4;8x8;16x16), of the fault-injected variant, and of the
# corner cases 1x1 and 3x5. Fails on any warning.
foreach(_p IN ITEMS ${SIZES} 1x1 3x5 4x4:1:2)
  string(REGEX MATCH "^([0-9]+)x([0-9]+)(:([0-9]+):([0-9]+))?$" _m "${_p}")
  set(_args -GROWS=${CMAKE_MATCH_1} -GCOLS=${CMAKE_MATCH_2})
  if(CMAKE_MATCH_3)
    list(APPEND _args -GFAULT_ROW=${CMAKE_MATCH_4} -GFAULT_COL=${CMAKE_MATCH_5})
  endif()
  execute_process(COMMAND ${VERILATOR_BIN} --lint-only -Wall ${_args} ${SV}
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0 OR NOT _out STREQUAL "")
    message(FATAL_ERROR "verilator --lint-only -Wall ${_args}: exit ${_rc}\n${_out}")
  endif()
  message(STATUS "lint clean: ${_args}")
endforeach()

# models/ is the oracle: it never includes sim/ or SystemC (DESIGN.md). The build already refuses
# `#include "sim/..."` there (models/CMakeLists.txt); this also catches relative paths such as
# "../../sim/...". Usage: cmake -DMODELS=<models dir> -P models_independent.cmake
file(GLOB_RECURSE _files ${MODELS}/*.hpp ${MODELS}/*.cpp ${MODELS}/*.h)
set(_bad "")
foreach(_f IN LISTS _files)
  file(STRINGS ${_f} _lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*/)?(sim/|systemc|tlm)")
  foreach(_l IN LISTS _lines)
    string(APPEND _bad "  ${_f}: ${_l}\n")
  endforeach()
endforeach()
list(LENGTH _files _n)
if(_bad)
  message(FATAL_ERROR "models/ must not include sim/ or SystemC:\n${_bad}")
endif()
message(STATUS "models/: ${_n} files, none includes sim/ or SystemC")

# Every dependency comes from a Debian package (scripts/install-deps.sh).

# SystemC: Debian ships only pkg-config files; an upstream CMake install also works.
find_package(SystemCLanguage CONFIG QUIET)
if(NOT TARGET SystemC::systemc)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET GLOBAL systemc>=2.3.3)
  find_package(Threads REQUIRED)
  add_library(SystemC::systemc INTERFACE IMPORTED GLOBAL)
  target_link_libraries(SystemC::systemc INTERFACE PkgConfig::SYSTEMC Threads::Threads)
endif()

# yaml-cpp 0.7 (Debian 12) exports the un-namespaced target `yaml-cpp`; 0.8 renames it.
find_package(yaml-cpp 0.7 CONFIG REQUIRED)
if(TARGET yaml-cpp::yaml-cpp)
  set(ARRAYSIM_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(ARRAYSIM_YAML_TARGET yaml-cpp)
endif()

find_package(CLI11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)

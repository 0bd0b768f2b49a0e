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
# SHA-256 of sweep point keys (libssl-dev: OpenSSL's libcrypto).
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

# ONNX protobuf classes (libonnx-dev, protobuf 3.21 on Debian 12). Debian's ONNX package exports
# the un-namespaced targets `onnx` and `onnx_proto` (with ONNX_ML=1 and ONNX_NAMESPACE=onnx) and
# links onnx_proto to protobuf::libprotobuf without finding Protobuf itself; Debian's protobuf
# ships no CMake package, so CMake's FindProtobuf module must define that target first.
find_package(Protobuf REQUIRED)
find_package(ONNX CONFIG QUIET)
if(TARGET onnx_proto)
  set(ARRAYSIM_ONNX_PROTO_TARGET onnx_proto)
else()
  # An ONNX install without its CMake package: find the ONNX-ML protobuf library by hand.
  find_path(ARRAYSIM_ONNX_INCLUDE_DIR onnx/onnx-ml.pb.h)
  find_library(ARRAYSIM_ONNX_PROTO_LIBRARY onnx_proto)
  if(NOT ARRAYSIM_ONNX_INCLUDE_DIR OR NOT ARRAYSIM_ONNX_PROTO_LIBRARY)
    message(FATAL_ERROR "ONNX not found (onnx/onnx-ml.pb.h, libonnx_proto): install libonnx-dev "
                        "(scripts/install-deps.sh)")
  endif()
  add_library(arraysim_onnx_proto INTERFACE)
  target_include_directories(arraysim_onnx_proto SYSTEM INTERFACE ${ARRAYSIM_ONNX_INCLUDE_DIR})
  target_compile_definitions(arraysim_onnx_proto INTERFACE ONNX_ML=1 ONNX_NAMESPACE=onnx)
  target_link_libraries(arraysim_onnx_proto INTERFACE ${ARRAYSIM_ONNX_PROTO_LIBRARY} protobuf::libprotobuf)
  set(ARRAYSIM_ONNX_PROTO_TARGET arraysim_onnx_proto)
endif()

# libonnx itself (ONNX shape inference for the ONNX importer): Debian's ONNX package exports the
# target `onnx`; without its CMake package, find the library by hand.
if(TARGET onnx)
  set(ARRAYSIM_ONNX_TARGET onnx)
else()
  find_library(ARRAYSIM_ONNX_LIBRARY onnx)
  if(NOT ARRAYSIM_ONNX_LIBRARY)
    message(FATAL_ERROR "libonnx not found: install libonnx-dev (scripts/install-deps.sh)")
  endif()
  add_library(arraysim_onnx_lib INTERFACE)
  target_link_libraries(arraysim_onnx_lib INTERFACE ${ARRAYSIM_ONNX_LIBRARY} ${ARRAYSIM_ONNX_PROTO_TARGET})
  set(ARRAYSIM_ONNX_TARGET arraysim_onnx_lib)
endif()

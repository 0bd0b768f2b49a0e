#pragma once
/// Importing a test-built ONNX model into the graph IR, and the lines of the error when it fails.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/io/import.hpp"
#include "sim/io/onnx_to_graph.hpp"
#include "tests/onnx_builder.hpp"

namespace arraysim::test {

/// The graph of `b` as the file "m.onnx".
inline ir::Graph import_graph(const OnnxBuilder& b) { return io::onnx_graph(b.model(), "m.onnx"); }

/// The lines of the ImportError the import throws (a test failure when it does not throw).
inline std::vector<std::string> import_errors(const OnnxBuilder& b) {
  try {
    io::onnx_graph(b.model(), "m.onnx");
  } catch (const io::ImportError& e) {
    return e.lines();
  }
  FAIL("the import did not fail");
  return {};
}

}  // namespace arraysim::test

/// arch.array.impl: rtl and arraysim cosim in a build without Verilator (make demo's build):
/// exit 2 with one line saying how to get the RTL array. Builds WITH_VERILATOR test the RTL
/// itself in tests/rtl instead, so this case exists only without it.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/support.hpp"

#ifndef ARRAYSIM_HAVE_RTL
TEST_CASE("cli impl rtl and cosim without Verilator say how to enable them", "[system][cli]") {
  const auto run = arraysim::test::run_cli("run builtin --set arch.array.impl=rtl");
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        "<--set>:1:1 arch.array.impl: rtl needs the Verilated RTL array, which this build does not include: "
        "rebuild with cmake -DWITH_VERILATOR=ON (make test does)\n");
  const auto cosim = arraysim::test::run_cli("cosim builtin");
  CHECK(cosim.exit_code == 2);
  CHECK(cosim.err.find("arraysim cosim needs the Verilated RTL array") != std::string::npos);
  CHECK(std::count(cosim.err.begin(), cosim.err.end(), '\n') == 1);
}
#endif

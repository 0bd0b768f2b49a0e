# The two set-up commands of the README, and their helpers.
#   make demo           install what is missing, build (Release), run the built-in experiment
#   make test           install what is missing (Verilator too), build with tests, run ctest
#   make test-sanitize  the test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz           build the libFuzzer targets with clang and fuzz each FUZZ_SECONDS (default 60)
# A second invocation installs nothing and rebuilds only what changed.

BUILD     ?= build/release
BUILD_SAN ?= build/sanitize
BUILD_FUZZ ?= build/fuzz
FUZZ_SECONDS ?= 60
# The targets to fuzz (empty: all of tests/fuzz).
FUZZ_TARGETS ?=
JOBS      ?= $(shell nproc)
# bench/mapping_speed.sh: an arraysim binary to compare the timing run with (optional).
BENCH_BASELINE ?=
# The Verilated RTL array (arch.array.impl: rtl, arraysim cosim, the rtl tests); OFF builds without it.
WITH_VERILATOR ?= ON
CMAKE_GEN := -G Ninja

.PHONY: deps configure demo build test test-sanitize fuzz bench clean

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DARRAYSIM_BUILD_TESTS=ON \
	  -DWITH_VERILATOR=$(WITH_VERILATOR) >/dev/null

demo: configure
	@cmake --build $(BUILD) --target arraysim -j $(JOBS)
	./$(BUILD)/arraysim run --out $(BUILD)/demo

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	@cmake -S . -B $(BUILD_SAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARRAYSIM_BUILD_TESTS=ON -DARRAYSIM_SANITIZE=ON \
	  -DWITH_VERILATOR=$(WITH_VERILATOR) >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

fuzz: deps
	@CXX=clang++ cmake -S . -B $(BUILD_FUZZ) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARRAYSIM_BUILD_TESTS=OFF \
	  -DARRAYSIM_FUZZ=ON -DWITH_VERILATOR=OFF >/dev/null
	@cmake --build $(BUILD_FUZZ) --target fuzz_targets -j $(JOBS)
	bash tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: configure
	@cmake --build $(BUILD) -j $(JOBS)
	bash bench/systolic_speed.sh $(BUILD)/arraysim
	bash bench/network_speed.sh $(BUILD)/arraysim
	bash bench/graph_speed.sh $(BUILD)/arraysim
	bash bench/mapping_speed.sh $(BUILD)/arraysim $(BENCH_BASELINE)
	bash bench/rtl_speed.sh $(BUILD)/arraysim

clean:
	rm -rf build

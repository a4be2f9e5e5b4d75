# Nimbus: `make run` starts it with an example function, `make test` runs
# every test. Both set up what they need first (see tools/setup.sh).
BUILD ?= build
JOBS ?= 2
PYTHON := /usr/bin/python3

.PHONY: all setup build unit e2e runtime-tests test run asan fuzz check-layers format clean

all: build

setup:
	@bash tools/setup.sh

build:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure

runtime-tests:
	sh runtimes/nodejs/test/run.sh
	$(PYTHON) -m pytest -q runtimes/python/tests

# The end-to-end suites, two test processes at once (python3-pytest-xdist):
# each test starts or shares servers of its own on free ports.
E2E_JOBS ?= 2
e2e: build
	NIMBUS_BIN=$(abspath $(BUILD))/nimbus $(PYTHON) -m pytest -q -n $(E2E_JOBS) tests/e2e

test: setup build
	$(MAKE) unit runtime-tests e2e check-layers

check-layers:
	@$(PYTHON) tools/check_layers.py

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNIMBUS_SANITIZE=ON > /dev/null
	@cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure

# The libFuzzer targets (fuzz/), built with clang in a directory of their
# own, each run for FUZZ_SECONDS on its seed corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 5
fuzz:
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DNIMBUS_FUZZ=ON -DBUILD_TESTING=OFF -DNIMBUS_WITH_SDK=OFF > /dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	@bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

run: setup build
	@bash tools/run-example.sh

format:
	@find src sdk examples -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan $(FUZZ_BUILD)

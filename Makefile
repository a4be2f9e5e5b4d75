# Nimbus: `make run` starts it with an example function, `make test` runs
# every test. Both set up what they need first (see tools/setup.sh).
BUILD ?= build
JOBS ?= 2
PYTHON := /usr/bin/python3

.PHONY: all setup build unit e2e runtime-tests test run asan check-layers format clean

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

e2e: build
	NIMBUS_BIN=$(abspath $(BUILD))/nimbus $(PYTHON) -m pytest -q tests/e2e

test: setup build
	$(MAKE) unit runtime-tests e2e check-layers

check-layers:
	@$(PYTHON) tools/check_layers.py

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNIMBUS_SANITIZE=ON > /dev/null
	@cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure

run: setup build
	@bash tools/run-example.sh

format:
	@find src sdk examples -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan

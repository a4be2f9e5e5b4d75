#!/usr/bin/env bash
# Installs everything Nimbus needs to build, run and test on Debian 12.
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  librocksdb-dev libssl-dev libseccomp-dev libyaml-cpp-dev libarchive-dev libcli11-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  libre2-dev libpugixml-dev
  python3 python3-boto3 python3-pytest python3-pytest-xdist python3-cryptography awscli zip
  unzip curl procps wrk ca-certificates
  # The fuzz targets: clang and its runtimes (libFuzzer), which clang only recommends.
  clang libclang-rt-dev
)
# Node.js: the host's Node runs the nodejs* runtimes; Debian's is fine when none is installed.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The AWS SDK v3 packages the Node.js runtime offers to functions, pinned by
# runtimes/nodejs/package-lock.json.
if [ ! -f runtimes/nodejs/node_modules/.package-lock.json ] ||
   [ runtimes/nodejs/package-lock.json -nt runtimes/nodejs/node_modules/.package-lock.json ]; then
  echo "setup: installing the Node.js runtime's packages"
  (cd runtimes/nodejs && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
echo "setup: done"

#!/bin/sh
# Runs the Node.js runtime bootstrap tests. Installs the AWS SDK packages from
# package-lock.json first when they are missing, so the SDK tests always run.
# Exit status is non-zero when any test fails.
set -eu
cd "$(dirname "$0")/.."

if [ ! -d node_modules/@aws-sdk/client-dynamodb ]; then
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund
fi

NIMBUS_REQUIRE_SDK=1 exec node --test --test-reporter=spec test/*.test.mjs

#!/usr/bin/env bash
# `make run`: starts Nimbus on a local data dir, deploys the example
# functions and prints how to call them. Ctrl-C stops the server cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/nimbus
DATA=${NIMBUS_DATA_DIR:-.nimbus}
PORT=${NIMBUS_API_PORT:-4566}
ENDPOINT="http://127.0.0.1:$PORT"

$BIN serve --data-dir "$DATA" --api-port "$PORT" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER' INT TERM
for _ in $(seq 1 100); do
  curl -sf "$ENDPOINT/_nimbus/health" >/dev/null && break
  sleep 0.1
done

deploy() {  # name runtime handler dir
  if $BIN function get "$1" --data-dir "$DATA" >/dev/null 2>&1; then
    $BIN function update "$1" --dir "$4" --data-dir "$DATA" >/dev/null
  else
    $BIN function create "$1" --runtime "$2" --handler "$3" --dir "$4" --data-dir "$DATA" >/dev/null
  fi
  echo "  deployed $1 ($2)"
}
echo "Deploying the examples:"
deploy hello-node nodejs20.x index.handler examples/hello-node
mkdir -p "$DATA/examples/hello-cpp" && cp build/examples/hello-cpp/bootstrap "$DATA/examples/hello-cpp/"
deploy hello-cpp provided.al2023 bootstrap "$DATA/examples/hello-cpp"

KEY=$(sed -n 's/^aws_access_key_id = //p' "$DATA/credentials")
SECRET=$(sed -n 's/^aws_secret_access_key = //p' "$DATA/credentials")
cat <<MSG

Nimbus is running on $ENDPOINT (data in $DATA). Try:

  $BIN invoke hello-node --payload '{"name":"you"}' --log
  $BIN invoke hello-cpp --payload '{"echo":true,"n":42}'
  $BIN logs hello-node

or with the AWS CLI:

  export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_REGION=us-east-1
  aws --endpoint-url $ENDPOINT lambda invoke --function-name hello-node \\
      --cli-binary-format raw-in-base64-out --payload '{"name":"you"}' /dev/stdout

Press Ctrl-C to stop.
MSG
wait $SERVER

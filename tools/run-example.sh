#!/usr/bin/env bash
# `make run`: runs `nimbus dev` on examples/todo-api — an embedded server,
# the service deployed at the gateway's root, its logs in this terminal, and
# every save live on the next request. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${NIMBUS_GATEWAY_PORT:-3000}
cat <<MSG
Starting nimbus dev on examples/todo-api. In another terminal, try:

  TOKEN=\$(node examples/todo-api/token.mjs)
  curl -s localhost:$PORT/todos
  curl -s -X POST localhost:$PORT/todos -H "authorization: Bearer \$TOKEN" -d '{"title":"try Nimbus"}'
  curl -s -X PUT localhost:$PORT/todos/ID -H "authorization: Bearer \$TOKEN" -d '{"done":true}'
  curl -s -X DELETE localhost:$PORT/todos/ID -H "authorization: Bearer \$TOKEN"
  curl -s -X POST localhost:$PORT/todos -d '{"title":"no token"}'      # 401

Edit examples/todo-api/src/*.mjs and the next request runs the new code.
Other examples: build/nimbus dev examples/hello-python --gateway-port 3001

MSG
exec build/nimbus dev examples/todo-api --gateway-port "$PORT" "$@"

"""provided / provided.al2 / provided.al2023: shell and Python bootstraps
speaking the Runtime API themselves, and the C++ example bootstrap."""

import json

import pytest

from conftest import ACCOUNT, HELLO_CPP_BOOTSTRAP, REGION, unique

SHELL_BOOTSTRAP = r"""#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/runtime/invocation/next")"
  RID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')"
  DEADLINE="$(grep -i '^Lambda-Runtime-Deadline-Ms:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')"
  ARN="$(grep -i '^Lambda-Runtime-Invoked-Function-Arn:' "$HEADERS" | cut -d: -f2- | tr -d '[:space:]')"
  rm -f "$HEADERS"
  echo "shell bootstrap handling $RID"
  if echo "$EVENT" | grep -q '"fail"'; then
    curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Shell.Failure' \
      "$API/runtime/invocation/$RID/error" \
      -d '{"errorMessage":"shell says no","errorType":"Shell.Failure","stackTrace":[]}'
  else
    curl -sS -o /dev/null -X POST "$API/runtime/invocation/$RID/response" \
      -d "{\"shell\":true,\"handler\":\"$_HANDLER\",\"rid\":\"$RID\",\"deadline\":$DEADLINE,\"arn\":\"$ARN\",\"event\":$EVENT}"
  fi
done
"""

PY_BOOTSTRAP = r"""#!/usr/bin/python3
import json, os, sys, urllib.request, urllib.error

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01"
probes = {}

def call(method, path, body=None, headers=None):
    req = urllib.request.Request(API + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()

while True:
    status, headers, body = call("GET", "/runtime/invocation/next")
    rid = headers["Lambda-Runtime-Aws-Request-Id"]
    event = json.loads(body)
    if event.get("probe"):
        # a request id that is not the current one
        s1, _, b1 = call("POST", "/runtime/invocation/00000000-0000-0000-0000-000000000000/response", b"{}")
        s2, _, _ = call("POST", "/runtime/invocation/%s/response" % rid, json.dumps({"probed": True}).encode())
        # answering twice
        s3, _, b3 = call("POST", "/runtime/invocation/%s/response" % rid, b"{}")
        probes = {"bad_id": [s1, json.loads(b1)], "first": s2, "twice": [s3, json.loads(b3)]}
        continue
    out = {
        "python_bootstrap": True,
        "event": event,
        "headers": {k: v for k, v in headers.items() if k.lower().startswith("lambda-runtime")},
        "probes": probes,
        "handler": os.environ.get("_HANDLER"),
        "uid": os.getuid(),
    }
    call("POST", "/runtime/invocation/%s/response" % rid, json.dumps(out).encode(),
         {"Content-Type": "application/json"})
"""


@pytest.mark.parametrize("runtime", ["provided", "provided.al2", "provided.al2023"])
def test_shell_bootstrap(server, runtime):
    name = unique("sh")
    server.create_function(name, runtime, "whatever.handler", {"bootstrap": (SHELL_BOOTSTRAP, 0o755)})
    resp, out = server.invoke_json(name, {"x": [1, 2]})
    assert resp["StatusCode"] == 200
    assert "FunctionError" not in resp, out
    assert out["shell"] is True
    assert out["event"] == {"x": [1, 2]}
    assert out["handler"] == "whatever.handler"
    assert out["rid"] == resp["ResponseMetadata"]["RequestId"]
    assert out["arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert out["deadline"] > 1_600_000_000_000  # epoch milliseconds

    resp, out = server.invoke_json(name, {"fail": True})
    assert resp["FunctionError"] == "Unhandled"
    assert out == {"errorMessage": "shell says no", "errorType": "Shell.Failure", "stackTrace": []}

    # warm: the same loop answers again
    resp, out = server.invoke_json(name, {"again": 1})
    assert out["event"] == {"again": 1}


def test_python_bootstrap_and_runtime_api_rules(server):
    name = unique("pyboot")
    server.create_function(name, "provided.al2023", "h", {"bootstrap": (PY_BOOTSTRAP, 0o755)})
    resp, out = server.invoke_json(name, {"k": "v"}, ClientContext="eyJjdXN0b20iOnsiYSI6MX19")
    assert "FunctionError" not in resp, out
    assert out["python_bootstrap"] is True
    assert out["event"] == {"k": "v"}
    h = {k.lower(): v for k, v in out["headers"].items()}
    assert h["lambda-runtime-aws-request-id"] == resp["ResponseMetadata"]["RequestId"]
    assert int(h["lambda-runtime-deadline-ms"]) > 1_600_000_000_000
    assert h["lambda-runtime-invoked-function-arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    # X-Amz-Client-Context is base64 at Invoke; the runtime gets the decoded JSON
    assert json.loads(h["lambda-runtime-client-context"]) == {"custom": {"a": 1}}
    assert out["uid"] == 993

    # Runtime API state rules: unknown request id → 400, a second answer → 403
    resp, out = server.invoke_json(name, {"probe": True})
    assert out == {"probed": True}
    _, out = server.invoke_json(name, {})
    assert out["probes"]["bad_id"][0] == 400
    assert out["probes"]["bad_id"][1]["errorType"] == "InvalidRequestID"
    assert out["probes"]["first"] == 202
    assert out["probes"]["twice"][0] == 403
    assert out["probes"]["twice"][1]["errorType"] == "InvalidStateTransition"


def cpp_zip():
    return {"bootstrap": (HELLO_CPP_BOOTSTRAP.read_bytes(), 0o755)}


@pytest.fixture(scope="module")
def cpp_function(server):
    if not HELLO_CPP_BOOTSTRAP.exists():
        pytest.fail(f"{HELLO_CPP_BOOTSTRAP} is missing: build the hello_cpp_bootstrap target")
    name = unique("cpp")
    server.create_function(name, "provided.al2023", "hello", cpp_zip())
    return name


def test_cpp_example_hello(server, cpp_function):
    resp, out = server.invoke_json(cpp_function, {"who": "e2e"})
    assert resp["StatusCode"] == 200
    assert "FunctionError" not in resp
    assert out == {"message": "hello from C++", "input": {"who": "e2e"}}


def test_cpp_example_echo_is_byte_exact(server, cpp_function):
    raw = b'{"echo":true,  "nested": {"a": [1, 2.5, "x"]}}'
    resp, body = server.invoke(cpp_function, raw=raw)
    assert "FunctionError" not in resp
    assert body == raw


def test_cpp_example_failure(server, cpp_function):
    resp, out = server.invoke_json(cpp_function, {"fail": True})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "HelloCpp.Failure"
    assert out["errorMessage"] == "failure requested by the event"


def test_cpp_example_init_error(server):
    name = unique("cpp-init")
    server.create_function(name, "provided.al2", "hello", cpp_zip(),
                           Environment={"Variables": {"HELLO_CPP_INIT_ERROR": "1"}})
    for _ in range(2):
        resp, out = server.invoke_json(name, {})
        assert resp["FunctionError"] == "Unhandled"
        assert out["errorType"] == "HelloCpp.InitError"


@pytest.mark.parametrize(
    "files",
    [
        {"not-bootstrap": ("#!/bin/sh\n", 0o755)},
        {"bootstrap": ("#!/bin/sh\necho hi\n", 0o644)},  # not executable
    ],
    ids=["missing", "not-executable"],
)
def test_invalid_entrypoint(server, files):
    name = unique("noboot")
    server.create_function(name, "provided.al2023", "h", files)
    resp, out = server.invoke_json(name, {})
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.InvalidEntrypoint"


def test_bootstrap_with_a_missing_interpreter(server):
    name = unique("shebang")
    server.create_function(name, "provided.al2023", "h", {"bootstrap": ("#!/no/such/interpreter\n", 0o755)})
    resp, out = server.invoke_json(name, {})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.InvalidEntrypoint"


def test_bootstrap_that_exits_before_asking_for_work(server):
    name = unique("exit0")
    server.create_function(name, "provided.al2", "h", {"bootstrap": ("#!/bin/sh\necho bye\nexit 0\n", 0o755)})
    resp, out = server.invoke_json(name, {})
    rid = resp["ResponseMetadata"]["RequestId"]
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ExitError"
    assert out["errorMessage"].startswith(f"RequestId: {rid} Error: Runtime exited")

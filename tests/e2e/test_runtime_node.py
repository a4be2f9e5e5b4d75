"""nodejs18.x / 20.x / 22.x: CommonJS and ES modules, async and callback
handlers, the context object, error shapes, logging, AWS SDK v3 inside a function."""

import base64
import json
import re

import pytest

from conftest import ACCOUNT, REGION, unique

NODE_RUNTIMES = ["nodejs18.x", "nodejs20.x", "nodejs22.x"]

CONTEXT_BODY = """
    count += 1;
    return {
      event,
      count,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(),
      callbackWaits: context.callbackWaitsForEmptyEventLoop,
      clientContext: context.clientContext || null,
      executionEnv: process.env.AWS_EXECUTION_ENV,
      cwd: process.cwd(),
      module: MODULE_KIND,
    };
"""

CJS_APP = ("let count = 0;\nconst MODULE_KIND = typeof require === 'function' ? 'cjs' : 'esm';\n"
           "exports.handler = async (event, context) => {" + CONTEXT_BODY + "};\n")
ESM_APP = ("let count = 0;\nconst MODULE_KIND = typeof require === 'function' ? 'cjs' : 'esm';\n"
           "export const handler = async (event, context) => {" + CONTEXT_BODY + "};\n")


def check_context(resp, out, name, runtime, memory):
    assert resp["StatusCode"] == 200
    assert "FunctionError" not in resp, out
    assert out["functionName"] == name
    assert out["functionVersion"] == "$LATEST"
    assert out["invokedFunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert out["memoryLimitInMB"] == str(memory)  # a string, as on Lambda
    assert out["awsRequestId"] == resp["ResponseMetadata"]["RequestId"]
    assert out["logGroupName"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", out["logStreamName"])
    assert 0 < out["remaining"] <= 6000
    assert out["callbackWaits"] is True
    assert out["executionEnv"] == f"AWS_Lambda_{runtime}"
    assert out["cwd"] == "/var/task"


@pytest.mark.parametrize("runtime", NODE_RUNTIMES)
def test_node_cjs_async_handler_and_context(server, runtime):
    name = unique("node-cjs")
    server.create_function(name, runtime, "index.handler", {"index.js": CJS_APP}, Timeout=6,
                           MemorySize=192)
    resp, out = server.invoke_json(name, {"n": 1})
    check_context(resp, out, name, runtime, 192)
    assert out["event"] == {"n": 1}
    assert out["module"] == "cjs"
    assert out["count"] == 1
    # module scope is kept on the warm instance
    assert server.invoke_json(name, {"n": 2})[1]["count"] == 2


@pytest.mark.parametrize("runtime", NODE_RUNTIMES)
def test_node_esm_mjs_handler(server, runtime):
    name = unique("node-esm")
    server.create_function(name, runtime, "app.handler", {"app.mjs": ESM_APP}, Timeout=6,
                           MemorySize=192)
    resp, out = server.invoke_json(name, {"esm": True})
    check_context(resp, out, name, runtime, 192)
    assert out["module"] == "esm"
    assert out["event"] == {"esm": True}


def test_node_esm_js_with_type_module_and_nested_path(server):
    name = unique("node-esm-js")
    files = {
        "package.json": json.dumps({"type": "module"}),
        "src/handlers/app.js": ESM_APP + "\nawait Promise.resolve();\n",  # top-level await
    }
    server.create_function(name, "nodejs20.x", "src/handlers/app.handler", files, Timeout=6,
                           MemorySize=192)
    resp, out = server.invoke_json(name, {})
    check_context(resp, out, name, "nodejs20.x", 192)
    assert out["module"] == "esm"


def test_node_callback_handlers(server):
    name = unique("node-cb")
    app = """
exports.handler = (event, context, callback) => {
  if (event.kind === 'ok') return callback(null, {viaCallback: true, got: event});
  if (event.kind === 'err') return callback(new Error('callback failure'));
  if (event.kind === 'later') { setTimeout(() => callback(null, 'late'), 50); return; }
  if (event.kind === 'succeed') return context.succeed({viaSucceed: true});
};
"""
    server.create_function(name, "nodejs18.x", "index.handler", {"index.js": app})
    resp, out = server.invoke_json(name, {"kind": "ok"})
    assert "FunctionError" not in resp
    assert out == {"viaCallback": True, "got": {"kind": "ok"}}
    assert server.invoke_json(name, {"kind": "later"})[1] == "late"
    assert server.invoke_json(name, {"kind": "succeed"})[1] == {"viaSucceed": True}
    resp, out = server.invoke_json(name, {"kind": "err"})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Error"
    assert out["errorMessage"] == "callback failure"
    assert isinstance(out["trace"], list) and out["trace"][0] == "Error: callback failure"


def test_node_error_shapes(server):
    name = unique("node-err")
    app = """
class ValidationError extends Error {
  constructor(m) { super(m); this.name = 'ValidationError'; }
}
exports.handler = async (event) => {
  if (event.kind === 'custom') throw new ValidationError('bad input');
  if (event.kind === 'type') return null.x;
  if (event.kind === 'string') throw 'just a string';
  throw new Error('boom');
};
"""
    server.create_function(name, "nodejs22.x", "index.handler", {"index.js": app})
    resp, out = server.invoke_json(name, {})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Error"
    assert out["errorMessage"] == "boom"
    assert out["trace"][0] == "Error: boom"
    assert "stackTrace" not in out  # node's key is `trace`

    _, out = server.invoke_json(name, {"kind": "custom"})
    assert out["errorType"] == "ValidationError"
    assert out["errorMessage"] == "bad input"

    _, out = server.invoke_json(name, {"kind": "type"})
    assert out["errorType"] == "TypeError"
    assert "Cannot read properties of null" in out["errorMessage"]

    resp, out = server.invoke_json(name, {"kind": "string"})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "string"
    assert out["errorMessage"] == "just a string"


@pytest.mark.parametrize(
    "files,handler,error_type,message_part",
    [
        ({"index.js": "require('not-a-module-xyz');\nexports.handler = async () => 1;\n"},
         "index.handler", "Runtime.ImportModuleError", "Cannot find module 'not-a-module-xyz'"),
        ({"index.js": "exports.other = async () => 1;\n"}, "index.handler",
         "Runtime.HandlerNotFound", "index.handler is undefined or not exported"),
        ({"index.js": "exports.handler = async () => {;\n"}, "index.handler",
         "Runtime.UserCodeSyntaxError", "SyntaxError"),
        ({"index.js": "exports.handler = async () => 1;\n"}, "missing.handler",
         "Runtime.ImportModuleError", "Cannot find module 'missing'"),
    ],
    ids=["import-error", "handler-not-found", "syntax-error", "missing-file"],
)
def test_node_init_errors(server, files, handler, error_type, message_part):
    name = unique("node-init")
    server.create_function(name, "nodejs20.x", handler, files)
    for _ in range(2):
        resp, out = server.invoke_json(name, {})
        assert resp["StatusCode"] == 200
        assert resp["FunctionError"] == "Unhandled"
        assert out["errorType"] == error_type
        assert message_part in out["errorMessage"]


def test_node_client_context(server):
    name = unique("node-cc")
    server.create_function(name, "nodejs20.x", "index.handler", {"index.js": CJS_APP})
    cc = {"custom": {"k": "v"}, "env": {"e": "1"}, "client": {"app_title": "t"}}
    _, out = server.invoke_json(name, {}, ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
    assert out["clientContext"]["custom"] == {"k": "v"}
    assert out["clientContext"]["env"] == {"e": "1"}


def test_node_console_log_format(server):
    name = unique("node-log")
    app = "exports.handler = async () => { console.log('hello', 42); console.error('bad'); return 'ok'; };\n"
    server.create_function(name, "nodejs20.x", "index.handler", {"index.js": app})
    resp, body = server.invoke(name, {}, LogType="Tail")
    assert json.loads(body) == "ok"
    rid = resp["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(resp["LogResult"]).decode()
    ts = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.search(ts + r"\t" + rid + r"\tINFO\thello 42\n", tail), tail
    assert re.search(ts + r"\t" + rid + r"\tERROR\tbad\n", tail), tail


@pytest.mark.parametrize("kind", ["cjs", "esm"])
def test_node_sdk_v3_import_and_call_back(server, kind):
    """@aws-sdk/client-lambda is importable and, through AWS_ENDPOINT_URL and
    the instance credentials, reaches Nimbus."""
    name = unique("node-sdk")
    body = """
  const c = new LambdaClient({});
  const me = await c.send(new GetFunctionConfigurationCommand({FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME}));
  return {name: me.FunctionName, runtime: me.Runtime, keyPrefix: process.env.AWS_ACCESS_KEY_ID.slice(0, 4)};
"""
    if kind == "cjs":
        src = ("const { LambdaClient, GetFunctionConfigurationCommand } = require('@aws-sdk/client-lambda');\n"
               "exports.handler = async () => {" + body + "};\n")
        files, handler = {"index.js": src}, "index.handler"
    else:
        src = ("import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';\n"
               "export const handler = async () => {" + body + "};\n")
        files, handler = {"index.mjs": src}, "index.handler"
    server.create_function(name, "nodejs20.x", handler, files, Timeout=20, MemorySize=256)
    resp, out = server.invoke_json(name, {})
    assert "FunctionError" not in resp, out
    assert out == {"name": name, "runtime": "nodejs20.x", "keyPrefix": "ASIA"}

"""python3.9 … python3.13: handler, context, error shapes, logging, boto3 inside a function."""

import base64
import json
import re

import pytest

from conftest import ACCOUNT, REGION, unique

PY_RUNTIMES = ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13"]

CONTEXT_APP = r'''
import os
count = 0

def handler(event, context):
    global count
    count += 1
    cc = context.client_context
    return {
        "event": event,
        "count": count,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "client_context_custom": cc.custom if cc else None,
        "client_context_env": cc.env if cc else None,
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "cwd": os.getcwd(),
    }
'''


@pytest.mark.parametrize("runtime", PY_RUNTIMES)
def test_python_handler_and_context(server, runtime):
    name = unique("py")
    server.create_function(name, runtime, "app.handler", {"app.py": CONTEXT_APP}, Timeout=7,
                           MemorySize=256)
    resp, out = server.invoke_json(name, {"hello": runtime})
    assert resp["StatusCode"] == 200
    assert "FunctionError" not in resp
    assert resp["ExecutedVersion"] == "$LATEST"
    assert out["event"] == {"hello": runtime}
    assert out["function_name"] == name
    assert out["function_version"] == "$LATEST"
    assert out["invoked_function_arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert str(out["memory_limit_in_mb"]) == "256"
    # the request id the caller sees is the one the function saw
    assert out["aws_request_id"] == resp["ResponseMetadata"]["RequestId"]
    assert re.fullmatch(r"[0-9a-f-]{36}", out["aws_request_id"])
    assert out["log_group_name"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", out["log_stream_name"])
    assert 0 < out["remaining"] <= 7000
    assert out["execution_env"] == f"AWS_Lambda_{runtime}"
    assert out["cwd"] == "/var/task"


def test_python_client_context(server):
    name = unique("py-cc")
    server.create_function(name, "python3.12", "app.handler", {"app.py": CONTEXT_APP})
    cc = {"client": {"installation_id": "i1", "app_title": "t", "app_version_name": "1",
                     "app_version_code": "1", "app_package_name": "p"},
          "custom": {"k": "v"}, "env": {"platform": "test"}}
    resp, out = server.invoke_json(name, {}, ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
    assert "FunctionError" not in resp
    assert out["client_context_custom"] == {"k": "v"}
    assert out["client_context_env"] == {"platform": "test"}


def test_python_module_scope_is_kept_between_invocations(server):
    name = unique("py-warm")
    server.create_function(name, "python3.11", "app.handler", {"app.py": CONTEXT_APP})
    counts = [server.invoke_json(name, {})[1]["count"] for _ in range(3)]
    assert counts == [1, 2, 3]


def test_python_unhandled_exception_shape(server):
    name = unique("py-err")
    app = (
        "class CustomError(Exception):\n    pass\n\n"
        "def handler(event, context):\n"
        "    if event.get('kind') == 'custom':\n"
        "        raise CustomError('custom failure')\n"
        "    return 1 / 0\n"
    )
    server.create_function(name, "python3.12", "app.handler", {"app.py": app})
    resp, out = server.invoke_json(name, {})
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "ZeroDivisionError"
    assert out["errorMessage"] == "division by zero"
    assert out["requestId"] == resp["ResponseMetadata"]["RequestId"]
    assert isinstance(out["stackTrace"], list) and out["stackTrace"]
    assert any("/var/task/app.py" in frame for frame in out["stackTrace"])

    resp, out = server.invoke_json(name, {"kind": "custom"})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "CustomError"
    assert out["errorMessage"] == "custom failure"

    # the instance survives a handled-by-runtime exception
    resp, out = server.invoke_json(name, {"kind": "custom"})
    assert out["errorType"] == "CustomError"


@pytest.mark.parametrize(
    "files,handler,error_type,message_part",
    [
        ({"app.py": "import not_a_module_xyz\ndef handler(e, c):\n    return 1\n"}, "app.handler",
         "Runtime.ImportModuleError", "Unable to import module 'app': No module named 'not_a_module_xyz'"),
        ({"app.py": "def other(e, c):\n    return 1\n"}, "app.handler",
         "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
        ({"app.py": "def handler(e, c):\n    x = = 1\n"}, "app.handler",
         "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
        ({"app.py": "def handler(e, c):\n    return 1\n"}, "nomodule.handler",
         "Runtime.ImportModuleError", "Unable to import module 'nomodule'"),
    ],
    ids=["import-error", "handler-not-found", "syntax-error", "missing-module"],
)
def test_python_init_errors(server, files, handler, error_type, message_part):
    name = unique("py-init")
    server.create_function(name, "python3.12", handler, files)
    for _ in range(2):  # the next invoke re-runs init and fails the same way
        resp, out = server.invoke_json(name, {})
        assert resp["StatusCode"] == 200
        assert resp["FunctionError"] == "Unhandled"
        assert out["errorType"] == error_type
        assert message_part in out["errorMessage"]


def test_python_return_values(server):
    name = unique("py-ret")
    app = (
        "def handler(event, context):\n"
        "    kind = event['kind']\n"
        "    if kind == 'none':\n        return None\n"
        "    if kind == 'str':\n        return 'text'\n"
        "    if kind == 'list':\n        return [1, 'two', {'three': 3}]\n"
        "    if kind == 'unicode':\n        return {'s': 'h\\u00e9llo \\u2603'}\n"
        "    if kind == 'set':\n        return {1, 2}\n"
    )
    server.create_function(name, "python3.11", "app.handler", {"app.py": app})
    assert server.invoke(name, {"kind": "none"})[1] == b"null"
    assert json.loads(server.invoke(name, {"kind": "str"})[1]) == "text"
    assert json.loads(server.invoke(name, {"kind": "list"})[1]) == [1, "two", {"three": 3}]
    assert json.loads(server.invoke(name, {"kind": "unicode"})[1]) == {"s": "h\u00e9llo \u2603"}
    resp, out = server.invoke_json(name, {"kind": "set"})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.MarshalError"


def test_python_logging_goes_to_the_log_tail(server):
    name = unique("py-log")
    app = (
        "import logging\n"
        "logging.getLogger().setLevel(logging.INFO)\n"
        "def handler(event, context):\n"
        "    print('printed-line')\n"
        "    logging.info('logged-line')\n"
        "    return 'ok'\n"
    )
    server.create_function(name, "python3.12", "app.handler", {"app.py": app})
    resp, _ = server.invoke(name, {}, LogType="Tail")
    rid = resp["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(resp["LogResult"]).decode()
    lines = tail.splitlines()
    assert "printed-line" in lines  # print is unprefixed
    assert any(re.fullmatch(r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + rid + r"\tlogged-line", l)
               for l in lines), tail
    assert f"START RequestId: {rid} Version: $LATEST" in lines
    assert f"END RequestId: {rid}" in lines


def test_python_boto3_calls_back_into_nimbus(server):
    """boto3 imported inside the function reaches Nimbus through AWS_ENDPOINT_URL
    with the instance's temporary credentials."""
    name = unique("py-boto")
    app = (
        "import os, boto3\n"
        "def handler(event, context):\n"
        "    lam = boto3.client('lambda')\n"
        "    me = lam.get_function_configuration(FunctionName=os.environ['AWS_LAMBDA_FUNCTION_NAME'])\n"
        "    names = []\n"
        "    for page in lam.get_paginator('list_functions').paginate():\n"
        "        names += [f['FunctionName'] for f in page['Functions']]\n"
        "    groups = boto3.client('logs').describe_log_groups(logGroupNamePrefix='/aws/lambda/' + me['FunctionName'])\n"
        "    import urllib.request, hashlib, base64\n"
        "    loc = lam.get_function(FunctionName=me['FunctionName'])['Code']['Location']\n"
        "    zip_sha = base64.b64encode(hashlib.sha256(urllib.request.urlopen(loc).read()).digest()).decode()\n"
        "    key = os.environ['AWS_ACCESS_KEY_ID']\n"
        "    return {'name': me['FunctionName'], 'runtime': me['Runtime'], 'listed': me['FunctionName'] in names,\n"
        "            'groups': [g['logGroupName'] for g in groups['logGroups']],\n"
        "            'key_prefix': key[:4], 'has_token': bool(os.environ.get('AWS_SESSION_TOKEN')),\n"
        "            'boto3': boto3.__version__, 'zip_sha': zip_sha, 'sha': me['CodeSha256']}\n"
    )
    server.create_function(name, "python3.11", "app.handler", {"app.py": app}, Timeout=20,
                           MemorySize=256)
    resp, out = server.invoke_json(name, {})
    assert "FunctionError" not in resp, out
    assert out["name"] == name
    assert out["runtime"] == "python3.11"
    assert out["listed"] is True
    assert out["key_prefix"] == "ASIA"
    assert out["has_token"] is True
    assert f"/aws/lambda/{name}" in out["groups"]
    # GetFunction's Code.Location also works from inside the sandbox
    assert out["zip_sha"] == out["sha"]

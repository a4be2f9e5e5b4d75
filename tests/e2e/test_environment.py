"""The environment a function instance runs with (Lambda's reserved and default variables)."""

import datetime as dt
import json
import re

from conftest import unique

ENV_APP = r'''
import os, time
def handler(event, context):
    return {"env": dict(os.environ), "tz": time.strftime("%Z"),
            "stream": context.log_stream_name}
'''

NODE_ENV_APP = "exports.handler = async () => ({env: process.env, tz: Intl.DateTimeFormat().resolvedOptions().timeZone});\n"


def test_reserved_and_default_variables_python(server):
    name = unique("env")
    server.create_function(name, "python3.12", "app.handler", {"app.py": ENV_APP}, MemorySize=320,
                           Environment={"Variables": {"MY_VAR": "my value", "OTHER": "x=y;z"}})
    resp, out = server.invoke_json(name, {})
    assert "FunctionError" not in resp, out
    env = out["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "320"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    today = dt.datetime.now(dt.timezone.utc)
    m = re.fullmatch(r"(\d{4}/\d{2}/\d{2})/\[\$LATEST\]([0-9a-f]{32})", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert m, env["AWS_LAMBDA_LOG_STREAM_NAME"]
    yesterday = today - dt.timedelta(days=1)
    assert m.group(1) in (today.strftime("%Y/%m/%d"), yesterday.strftime("%Y/%m/%d"))
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == out["stream"]
    assert env["AWS_REGION"] == "us-east-1"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == "/var/task"
    assert env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert env["TZ"] == ":UTC"
    assert out["tz"] == "UTC"
    assert env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["LANG"] == "en_US.UTF-8"
    assert "/usr/bin" in env["PATH"].split(":") or "/usr/bin/" in env["PATH"].split(":")
    # per-instance temporary credentials, never the root key
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["AWS_ACCESS_KEY_ID"] != server.access_key
    assert env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SECRET_ACCESS_KEY"] != server.secret_key
    assert env["AWS_SESSION_TOKEN"]
    assert server.secret_key not in json.dumps(env)
    # user variables
    assert env["MY_VAR"] == "my value"
    assert env["OTHER"] == "x=y;z"


def test_reserved_and_default_variables_node(server):
    name = unique("env-node")
    server.create_function(name, "nodejs20.x", "index.handler", {"index.js": NODE_ENV_APP},
                           Environment={"Variables": {"FOO": "bar"}})
    resp, out = server.invoke_json(name, {})
    env = out["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"
    assert env["_HANDLER"] == "index.handler"
    assert env["TZ"] == ":UTC"
    assert out["tz"] == "UTC"
    assert env["FOO"] == "bar"
    assert "/var/runtime/node_modules" in env["NODE_PATH"].split(":")
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")


def test_each_instance_has_its_own_log_stream_and_credentials(server):
    name = unique("env-inst")
    server.create_function(name, "python3.12", "app.handler", {"app.py": ENV_APP})
    _, first = server.invoke_json(name, {})
    # a configuration change retires the instance: the next one is new
    server.lambda_client().update_function_configuration(FunctionName=name, Description="v2")
    _, second = server.invoke_json(name, {})
    assert first["env"]["AWS_LAMBDA_LOG_STREAM_NAME"] != second["env"]["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert first["env"]["AWS_ACCESS_KEY_ID"] != second["env"]["AWS_ACCESS_KEY_ID"]


def test_updated_environment_reaches_new_instances(server):
    name = unique("env-upd")
    lam = server.lambda_client()
    server.create_function(name, "python3.12", "app.handler", {"app.py": ENV_APP},
                           Environment={"Variables": {"VA": "1", "VB": "2"}})
    assert server.invoke_json(name, {})[1]["env"]["VA"] == "1"
    cfg = lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"VA": "changed"}})
    assert cfg["Environment"]["Variables"] == {"VA": "changed"}  # the whole map is replaced
    env = server.invoke_json(name, {})[1]["env"]
    assert env["VA"] == "changed"
    assert "VB" not in env
    lam.update_function_configuration(FunctionName=name, MemorySize=256)
    assert server.invoke_json(name, {})[1]["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"

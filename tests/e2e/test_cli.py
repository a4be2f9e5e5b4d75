"""The `nimbus` command line (function create/update/get/list/delete, invoke, logs)
and Debian's AWS CLI v2 against the Lambda API."""

import base64
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import NIMBUS_BIN, make_zip, sha256_b64, unique

APP_V1 = ("import os\n"
          "def handler(event, context):\n"
          "    return {'v': 1, 'event': event, 'greeting': os.environ.get('GREETING'),\n"
          "            'memory': context.memory_limit_in_mb}\n")
APP_V2 = "def handler(event, context):\n    return {'v': 2}\n"
FAIL_APP = "def handler(event, context):\n    raise RuntimeError('cli failure')\n"


@pytest.fixture
def code_dir(tmp_path):
    d = tmp_path / "code"
    d.mkdir()
    (d / "app.py").write_text(APP_V1)
    (d / "sub").mkdir()
    (d / "sub" / "data.txt").write_text("data")
    return d


def test_function_lifecycle_with_the_nimbus_cli(server, code_dir, tmp_path):
    name = unique("cli")
    out = server.nimbus("function", "create", name, "--runtime", "python3.12", "--handler",
                        "app.handler", "--dir", str(code_dir), "--memory", "256", "--timeout", "7",
                        "--env", "GREETING=hello world", "--env", "OTHER=a=b").stdout
    cfg = json.loads(out)
    assert cfg["FunctionName"] == name
    assert cfg["MemorySize"] == 256 and cfg["Timeout"] == 7
    assert cfg["Environment"]["Variables"] == {"GREETING": "hello world", "OTHER": "a=b"}

    got = json.loads(server.nimbus("function", "get", name).stdout)
    assert got["Configuration"]["FunctionName"] == name
    assert got["Configuration"]["CodeSha256"] == cfg["CodeSha256"]

    assert name in server.nimbus("function", "list").stdout

    out = server.nimbus("invoke", name, "--payload", '{"a": 1}').stdout
    assert json.loads(out) == {"v": 1, "event": {"a": 1}, "greeting": "hello world", "memory": "256"}
    # default payload {}
    assert json.loads(server.nimbus("invoke", name).stdout)["event"] == {}
    # payload from a file
    (tmp_path / "event.json").write_text('{"from": "file"}')
    out = server.nimbus("invoke", name, "--payload", "@" + str(tmp_path / "event.json")).stdout
    assert json.loads(out)["event"] == {"from": "file"}
    # --log prints the log tail on stderr
    r = server.nimbus("invoke", name, "--log")
    assert "START RequestId:" in r.stderr and "REPORT RequestId:" in r.stderr
    assert json.loads(r.stdout)["v"] == 1

    # update code from a zip, then configuration
    zip_path = tmp_path / "v2.zip"
    zip_bytes = make_zip({"app.py": APP_V2})
    zip_path.write_bytes(zip_bytes)
    upd = json.loads(server.nimbus("function", "update", name, "--zip", str(zip_path)).stdout)
    assert upd["CodeSha256"] == sha256_b64(zip_bytes)
    assert json.loads(server.nimbus("invoke", name).stdout) == {"v": 2}
    upd = json.loads(server.nimbus("function", "update", name, "--memory", "512", "--timeout", "9").stdout)
    assert (upd["MemorySize"], upd["Timeout"]) == (512, 9)

    out = server.nimbus("function", "delete", name).stdout
    assert f"deleted {name}" in out
    r = server.nimbus("function", "get", name, check=False)
    assert r.returncode != 0
    assert "ResourceNotFoundException" in r.stderr


def test_nimbus_cli_reads_server_json_and_credentials(server, code_dir):
    name = unique("cli-dd")
    server.nimbus("function", "create", name, "--runtime", "python3.11", "--handler", "app.handler",
                  "--dir", str(code_dir), via_env=False)
    out = server.nimbus("invoke", name, "--payload", '{"k": 2}', via_env=False).stdout
    assert json.loads(out)["event"] == {"k": 2}


def test_nimbus_invoke_function_error_exits_2(server, tmp_path):
    name = unique("cli-fail")
    zip_path = tmp_path / "f.zip"
    zip_path.write_bytes(make_zip({"app.py": FAIL_APP}))
    server.nimbus("function", "create", name, "--runtime", "python3.12", "--handler", "app.handler",
                  "--zip", str(zip_path))
    r = server.nimbus("invoke", name, check=False)
    assert r.returncode == 2
    err = json.loads(r.stdout)
    assert err["errorType"] == "RuntimeError" and err["errorMessage"] == "cli failure"


def test_nimbus_cli_errors(server, code_dir):
    r = server.nimbus("invoke", unique("nope"), check=False)
    assert r.returncode == 1
    assert "ResourceNotFoundException" in r.stderr
    r = server.nimbus("function", "create", unique("bad"), "--runtime", "cobol", "--handler", "a.b",
                      "--dir", str(code_dir), check=False)
    assert r.returncode == 1
    assert "InvalidParameterValueException" in r.stderr
    r = server.nimbus("invoke", unique("nope"), "--payload", "not json", check=False)
    assert r.returncode == 1


def test_nimbus_logs_follow(server, code_dir):
    name = unique("cli-follow")
    server.nimbus("function", "create", name, "--runtime", "python3.12", "--handler", "app.handler",
                  "--dir", str(code_dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID=server.access_key,
               AWS_SECRET_ACCESS_KEY=server.secret_key)
    p = subprocess.Popen([str(NIMBUS_BIN), "logs", name, "--follow"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        resp, _ = server.invoke(name, {"follow": 1})
        rid = resp["ResponseMetadata"]["RequestId"]
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")), daemon=True)
        reader.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(f"REPORT RequestId: {rid}" in l for l in lines):
            time.sleep(0.1)
        seen = "".join(lines)
        assert f"START RequestId: {rid}" in seen
        assert f"REPORT RequestId: {rid}" in seen
        assert p.poll() is None  # still following
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)


def test_host_network_function(server, code_dir):
    """--network host: the runtime API and the AWS endpoint are on the host's loopback, on
    ports of the instance's own (its credentials work there and nowhere else)."""
    name = unique("cli-host")
    (code_dir / "app.py").write_text(
        "import os, boto3\n"
        "def handler(event, context):\n"
        "    me = boto3.client('lambda').get_function_configuration(FunctionName=context.function_name)\n"
        "    return {'api': os.environ['AWS_LAMBDA_RUNTIME_API'], 'endpoint': os.environ['AWS_ENDPOINT_URL'],\n"
        "            'name': me['FunctionName']}\n")
    server.nimbus("function", "create", name, "--runtime", "python3.12", "--handler", "app.handler",
                  "--dir", str(code_dir), "--network", "host", "--timeout", "20")
    out = json.loads(server.nimbus("invoke", name).stdout)
    assert out["endpoint"].startswith("http://127.0.0.1:") and out["endpoint"] != server.endpoint
    host, port = out["api"].split(":")
    assert host == "127.0.0.1" and port != "9001"
    assert out["name"] == name


def test_aws_cli_lambda(server, tmp_path):
    name = unique("awscli")
    zip_path = tmp_path / "fn.zip"
    zip_bytes = make_zip({"app.py": APP_V1})
    zip_path.write_bytes(zip_bytes)
    out = json.loads(server.aws(
        "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
        "--handler", "app.handler", "--role", "arn:aws:iam::000000000000:role/lambda",
        "--zip-file", f"fileb://{zip_path}", "--environment", "Variables={GREETING=from-cli}").stdout)
    assert out["FunctionName"] == name
    assert out["CodeSha256"] == sha256_b64(zip_bytes)
    assert out["CodeSize"] == len(zip_bytes)

    result = tmp_path / "out.json"
    meta = json.loads(server.aws(
        "lambda", "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out",
        "--payload", '{"cli": true}', "--log-type", "Tail", str(result)).stdout)
    assert meta["StatusCode"] == 200
    assert meta["ExecutedVersion"] == "$LATEST"
    assert "START RequestId:" in base64.b64decode(meta["LogResult"]).decode()
    assert json.loads(result.read_text())["event"] == {"cli": True}
    assert json.loads(result.read_text())["greeting"] == "from-cli"

    cfg = json.loads(server.aws("lambda", "get-function-configuration", "--function-name", name).stdout)
    assert cfg["Environment"]["Variables"] == {"GREETING": "from-cli"}
    cfg = json.loads(server.aws("lambda", "update-function-configuration", "--function-name", name,
                                "--timeout", "11").stdout)
    assert cfg["Timeout"] == 11
    got = json.loads(server.aws("lambda", "get-function", "--function-name", name).stdout)
    assert got["Configuration"]["Timeout"] == 11
    assert got["Code"]["Location"].startswith("http")

    server.aws("lambda", "delete-function", "--function-name", name)
    r = server.aws("lambda", "get-function", "--function-name", name, check=False)
    assert r.returncode != 0
    assert "ResourceNotFoundException" in r.stderr

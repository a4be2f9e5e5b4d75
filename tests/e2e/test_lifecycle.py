"""Server lifecycle: first start, the credentials file, server.json, restart on the
same data directory, one server per data directory, SIGTERM with work in flight."""

import concurrent.futures
import json
import os
import stat
import time
import urllib.request

import botocore.exceptions
import pytest

from conftest import (NIMBUS_BIN, NimbusServer, is_sandbox_uid, all_pids, make_zip, proc_uid,
                      sandbox_pids_of, sha256_b64, still_alive, unique)

APP = r'''
import time
count = 0
def handler(event, context):
    global count
    count += 1
    print("lifecycle-marker", event.get("tag"))
    time.sleep(event.get("seconds", 0))
    return {"tag": event.get("tag"), "count": count}
'''


def wait_in_flight(server, n, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.health()["in_flight"] >= n:
            return
        time.sleep(0.02)
    raise AssertionError(f"never saw {n} invocations in flight: {server.health()}")


def test_first_start_files(server_factory):
    s = server_factory.start()
    creds = s.data_dir / "credentials"
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    text = creds.read_text()
    assert text.startswith("[default]\n")
    assert s.access_key.startswith("AKIA") and len(s.secret_key) >= 40
    # printed once, on stderr, at creation
    log = s.log()
    assert s.access_key in log and s.secret_key in log
    info = json.loads((s.data_dir / "server.json").read_text())
    assert info == {"endpoint": s.endpoint, "gateway": s.gateway, "pid": s.pid, "region": "us-east-1"}
    h = s.health()
    assert h["status"] == "ok"
    for key in ("functions", "instances", "in_flight", "invocations", "cold_starts", "throttles",
                "isolation"):
        assert key in h
    assert s.stop() == 0
    assert not (s.data_dir / "server.json").exists()


def test_restart_keeps_functions_logs_and_credentials(server_factory):
    s1 = server_factory.start()
    key = (s1.access_key, s1.secret_key)
    name = unique("persist")
    zip_bytes = make_zip({"app.py": APP})
    created = s1.create_function(name, "python3.12", "app.handler", zip_bytes,
                                 Environment={"Variables": {"KEPT": "yes"}}, Tags={"t": "1"})
    resp, out = s1.invoke_json(name, {"tag": "before-restart"})
    rid_before = resp["ResponseMetadata"]["RequestId"]
    assert out == {"tag": "before-restart", "count": 1}
    assert s1.stop() == 0
    assert not (s1.data_dir / "server.json").exists()

    s2 = server_factory.start(data_dir=s1.data_dir)
    assert (s2.access_key, s2.secret_key) == key  # the same root key
    assert "Created the root access key" not in s2.log().split("received SIGTERM")[-1]
    lam = s2.lambda_client()
    cfg = lam.get_function_configuration(FunctionName=name)
    for k in ("CodeSha256", "CodeSize", "RevisionId", "LastModified", "Handler", "Runtime",
              "Environment", "Timeout", "MemorySize"):
        assert cfg[k] == created[k], k
    assert cfg["CodeSha256"] == sha256_b64(zip_bytes)
    assert lam.get_function(FunctionName=name)["Tags"] == {"t": "1"}
    with urllib.request.urlopen(lam.get_function(FunctionName=name)["Code"]["Location"], timeout=10) as r:
        assert r.read() == zip_bytes
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == [name]
    assert s2.health()["functions"] == 1
    resp, out = s2.invoke_json(name, {"tag": "after-restart"})
    assert out == {"tag": "after-restart", "count": 1}  # a new instance, same code
    # the logs written before the restart are still there
    events = s2.logs_client().filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                                filterPattern=f'"{rid_before}"')["events"]
    assert any(e["message"].startswith(f"START RequestId: {rid_before}") for e in events)
    assert any(e["message"].startswith(f"REPORT RequestId: {rid_before}") for e in events)
    out = s2.nimbus("logs", name).stdout
    assert "lifecycle-marker before-restart" in out
    # a function deleted after the restart stays deleted after another one
    lam.delete_function(FunctionName=name)
    assert s2.stop() == 0
    s3 = server_factory.start(data_dir=s1.data_dir)
    assert s3.lambda_client().list_functions()["Functions"] == []


def test_restart_on_another_port(server_factory):
    s1 = server_factory.start()
    name = unique("port")
    s1.create_function(name, "python3.12", "app.handler", {"app.py": APP})
    assert s1.stop() == 0
    s2 = server_factory.start(data_dir=s1.data_dir)  # a new free port
    assert s2.port != s1.port or True
    assert json.loads((s2.data_dir / "server.json").read_text())["endpoint"] == s2.endpoint
    assert s2.invoke_json(name, {"tag": "x"})[1]["tag"] == "x"
    # the CLI finds the new endpoint through server.json
    out = s2.nimbus("invoke", name, "--payload", '{"tag": "cli"}', via_env=False).stdout
    assert json.loads(out)["tag"] == "cli"


def test_one_server_per_data_dir(server_factory):
    s1 = server_factory.start()
    other = NimbusServer(s1.data_dir, [])
    with pytest.raises(RuntimeError) as ei:
        other.start(timeout=20)
    assert other.proc.returncode not in (0, None)
    assert "another Nimbus server is using the data directory" in str(ei.value)
    # the first one is unaffected
    assert s1.health()["status"] == "ok"
    assert json.loads((s1.data_dir / "server.json").read_text())["pid"] == s1.pid


def test_sigterm_lets_the_in_flight_invocation_finish(server_factory):
    s = server_factory.start("--shutdown-grace", "30")
    name = unique("drain")
    s.create_function(name, "python3.12", "app.handler", {"app.py": APP}, Timeout=30)
    idle = unique("idle")  # a second function with a warm, idle instance
    s.create_function(idle, "nodejs20.x", "index.handler",
                      {"index.js": "exports.handler = async () => 'idle';\n"})
    assert json.loads(s.invoke(idle, {})[1]) == "idle"
    lam = s.lambda_client()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        fut = pool.submit(s.invoke_json, name, {"tag": "in-flight", "seconds": 3}, client=lam)
        wait_in_flight(s, 1)
        sandboxed = sandbox_pids_of(s.pid)
        assert sandboxed, "expected sandbox (uid 993) processes under the server"
        s.proc.send_signal(15)
        resp, out = fut.result(timeout=90)
    assert resp["StatusCode"] == 200
    assert "FunctionError" not in resp, out
    assert out == {"tag": "in-flight", "count": 1}
    assert s.proc.wait(timeout=60) == 0
    assert s.stop() == 0
    assert not (s.data_dir / "server.json").exists()
    assert still_alive(sandboxed) == [], "sandbox processes survived the server"
    assert not [p for p in all_pids() if is_sandbox_uid(proc_uid(p)) and p in sandboxed]


def test_sigterm_with_an_invocation_longer_than_the_grace(server_factory):
    s = server_factory.start("--shutdown-grace", "1")
    name = unique("long")
    s.create_function(name, "python3.12", "app.handler", {"app.py": APP}, Timeout=60)
    lam = s.lambda_client()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        fut = pool.submit(s.invoke_json, name, {"tag": "long", "seconds": 50}, client=lam)
        wait_in_flight(s, 1)
        sandboxed = sandbox_pids_of(s.pid)
        s.proc.send_signal(15)
        assert s.proc.wait(timeout=40) == 0  # does not wait for the 50 s invocation
        try:
            resp, out = fut.result(timeout=30)
            # if the caller got an answer it must be an error, not a success
            assert resp.get("FunctionError") or resp["StatusCode"] >= 500
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
            pass
    assert still_alive(sandboxed) == []
    assert not (s.data_dir / "server.json").exists()


def test_sigint_stops_gracefully(server_factory):
    s = server_factory.start()
    name = unique("sigint")
    s.create_function(name, "python3.12", "app.handler", {"app.py": APP})
    s.invoke_json(name, {})
    sandboxed = sandbox_pids_of(s.pid)
    s.proc.send_signal(2)
    assert s.proc.wait(timeout=60) == 0
    assert still_alive(sandboxed) == []
    assert not (s.data_dir / "server.json").exists()


def test_idle_instances_are_stopped_after_the_keep_alive(server_factory):
    s = server_factory.start("--keep-alive", "1")
    name = unique("keepalive")
    s.create_function(name, "python3.12", "app.handler", {"app.py": APP})
    assert s.invoke_json(name, {"tag": "a"})[1] == {"tag": "a", "count": 1}
    assert s.health()["instances"] == 1
    sandboxed = sandbox_pids_of(s.pid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and s.health()["instances"] > 0:
        time.sleep(0.1)
    assert s.health()["instances"] == 0
    assert still_alive(sandboxed) == []
    # the next invocation starts a new instance
    assert s.invoke_json(name, {"tag": "b"})[1] == {"tag": "b", "count": 1}

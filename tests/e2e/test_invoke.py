"""Invoke: every path from the caller's side (sync, DryRun, Event, Tail logs, client
context, payload rules and limits, function errors, timeouts, crashes, OOM) and
instance reuse."""

import base64
import concurrent.futures
import json
import re
import time

import botocore.exceptions
import pytest

from conftest import ACCOUNT, REGION, make_zip, unique

ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"

PROBE_APP = r'''
import os, sys, time, signal
count = 0

def handler(event, context):
    global count
    count += 1
    action = event.get("action") if isinstance(event, dict) else None
    if action == "sleep":
        time.sleep(event["seconds"])
    elif action == "exit":
        sys.stdout.flush()
        os._exit(event["code"])
    elif action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "oom":
        hog = []
        while True:
            hog.append(bytearray(16 * 1024 * 1024))
            for i in range(0, len(hog[-1]), 4096):
                hog[-1][i] = 1
    elif action == "print":
        for i in range(event["lines"]):
            print("line %05d %s" % (i, "x" * 90))
    elif action == "big":
        return "x" * event["size"]
    elif action == "size":
        return {"size": len(event["data"])}
    return {"count": count, "event": event, "stream": context.log_stream_name,
            "rid": context.aws_request_id, "pid": os.getpid()}
'''


def client_error(fn, *args, **kwargs) -> dict:
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        fn(*args, **kwargs)
    return ei.value.response


@pytest.fixture(scope="module")
def probe(server):
    name = unique("probe")
    server.create_function(name, "python3.12", "app.handler", {"app.py": PROBE_APP}, Timeout=10,
                           MemorySize=256)
    return name


@pytest.fixture
def fresh_probe(server):
    """A probe function of its own (for tests that kill or time out its instance)."""
    def make(timeout=5, memory=128):
        name = unique("probe1")
        server.create_function(name, "python3.12", "app.handler", {"app.py": PROBE_APP},
                               Timeout=timeout, MemorySize=memory)
        return name
    return make


def test_request_response(server, probe):
    resp, out = server.invoke_json(probe, {"hello": "world"})
    assert resp["StatusCode"] == 200
    assert resp["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in resp
    assert "LogResult" not in resp
    headers = resp["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"].startswith("application/json")
    assert out["event"] == {"hello": "world"}
    assert out["rid"] == resp["ResponseMetadata"]["RequestId"]


def test_invoke_by_arn_and_latest_qualifier(server, probe):
    lam = server.lambda_client()
    assert server.invoke_json(probe, {"a": 1}, client=lam)[1]["event"] == {"a": 1}
    resp, body = server.invoke(ARN_PREFIX + probe, {"b": 2})
    assert json.loads(body)["event"] == {"b": 2}
    resp, body = server.invoke(probe, {"c": 3}, Qualifier="$LATEST")
    assert json.loads(body)["event"] == {"c": 3}
    assert resp["ExecutedVersion"] == "$LATEST"


def test_empty_payload_is_an_empty_object(server, probe):
    resp, out = server.invoke_json(probe, None)
    assert out["event"] == {}
    # a call without any Payload member at all
    resp = server.lambda_client().invoke(FunctionName=probe)
    assert json.loads(resp["Payload"].read())["event"] == {}


@pytest.mark.parametrize("payload", [b"not json", b"{\"a\": ", b"{'single': 'quotes'}", b"\xff\xfe"],
                         ids=["text", "truncated", "single-quotes", "binary"])
def test_non_json_payload_is_400(server, probe, payload):
    before = server.health()["invocations"]
    r = client_error(server.lambda_client().invoke, FunctionName=probe, Payload=payload)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert r["Error"]["Code"] == "InvalidRequestContentException"
    assert "Could not parse request body into json" in r["Error"]["Message"]
    assert server.health()["invocations"] == before  # the function was not run


@pytest.mark.parametrize("payload", [b'"a string"', b"42", b"[1, 2, 3]", b"null", b"true"])
def test_any_json_value_is_a_valid_event(server, probe, payload):
    resp, body = server.invoke(probe, raw=payload)
    assert "FunctionError" not in resp, body
    assert json.loads(body)["event"] == json.loads(payload)


def test_dry_run(server, probe):
    before = server.health()["invocations"]
    resp = server.lambda_client().invoke(FunctionName=probe, InvocationType="DryRun", Payload=b"{}")
    assert resp["StatusCode"] == 204
    assert resp["Payload"].read() == b""
    assert server.health()["invocations"] == before


def test_event_invocation_runs_the_function(server, logs):
    name = unique("event")
    marker = "event-marker-" + unique("m")
    app = f"def handler(event, context):\n    print('{marker}', event['n'])\n    return None\n"
    server.create_function(name, "python3.12", "app.handler", {"app.py": app})
    resp = server.lambda_client().invoke(FunctionName=name, InvocationType="Event",
                                         Payload=json.dumps({"n": 7}).encode())
    assert resp["StatusCode"] == 202
    assert resp["Payload"].read() == b""
    assert resp["ResponseMetadata"]["RequestId"]
    deadline = time.monotonic() + 20
    found = []
    while time.monotonic() < deadline and not found:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
            found = [e for e in events if e["message"].startswith(marker)]
        except logs.exceptions.ResourceNotFoundException:
            pass
        time.sleep(0.2)
    assert found and found[0]["message"].strip() == f"{marker} 7"


def test_invalid_invocation_type(server, probe):
    r = client_error(server.lambda_client().invoke, FunctionName=probe, InvocationType="Sometimes",
                     Payload=b"{}")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert r["Error"]["Code"] in ("InvalidParameterValueException", "ValidationException")


def test_tail_log(server, probe):
    resp, out = server.invoke_json(probe, {"x": 1}, LogType="Tail")
    rid = resp["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(resp["LogResult"]).decode()
    lines = tail.splitlines()
    assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert f"END RequestId: {rid}" in lines
    report = [l for l in lines if l.startswith("REPORT")]
    assert len(report) == 1
    assert re.match(rf"REPORT RequestId: {rid}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t"
                    rf"Memory Size: 256 MB\tMax Memory Used: \d+ MB", report[0]), report[0]


def test_tail_log_is_the_last_4kb(server, probe):
    resp, _ = server.invoke(probe, {"action": "print", "lines": 200}, LogType="Tail")
    tail = base64.b64decode(resp["LogResult"])
    assert 3500 < len(tail) <= 4096
    text = tail.decode()
    assert "line 00199" in text  # the end is kept
    assert "line 00000" not in text
    assert text.rstrip("\n").splitlines()[-1].startswith("REPORT RequestId:")


def test_client_context_header_validation(server, probe):
    lam = server.lambda_client()
    resp, _ = server.invoke(probe, {}, ClientContext=base64.b64encode(b'{"custom":{"a":"b"}}').decode())
    assert resp["StatusCode"] == 200
    r = client_error(lam.invoke, FunctionName=probe, Payload=b"{}", ClientContext="%%% not base64 %%%")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    too_big = base64.b64encode(json.dumps({"custom": {"k": "v" * 4000}}).encode()).decode()
    r = client_error(lam.invoke, FunctionName=probe, Payload=b"{}", ClientContext=too_big)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_payload_limit_6mb(server, probe):
    lam = server.lambda_client()
    # just under the limit: accepted and delivered whole
    data = "y" * (6291456 - 200)
    raw = json.dumps({"action": "size", "data": data}).encode()
    assert len(raw) <= 6291456
    resp, body = server.invoke(probe, raw=raw)
    assert "FunctionError" not in resp, body[:300]
    assert json.loads(body) == {"size": len(data)}
    # one byte over 6 MB
    raw = json.dumps({"action": "size", "data": "z" * 6291456}).encode()
    assert len(raw) > 6291456
    r = client_error(lam.invoke, FunctionName=probe, Payload=raw)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert r["Error"]["Code"] in ("RequestTooLargeException", "RequestEntityTooLargeException")


def test_response_over_6mb_is_a_function_error(server, probe):
    resp, out = server.invoke_json(probe, {"action": "big", "size": 6_800_000})
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Function.ResponseSizeTooLarge"
    # and the instance still serves
    assert "FunctionError" not in server.invoke_json(probe, {})[0]


# ---------------------------------------------------------------------------
# failures of the instance
# ---------------------------------------------------------------------------


def test_timeout(server, fresh_probe):
    name = fresh_probe(timeout=1)
    assert server.invoke_json(name, {})[1]["count"] == 1
    resp, out = server.invoke_json(name, {"action": "sleep", "seconds": 30})
    rid = resp["ResponseMetadata"]["RequestId"]
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out == {"errorType": "Sandbox.Timedout",
                   "errorMessage": f"RequestId: {rid} Error: Task timed out after 1.00 seconds"}
    # the timed-out instance is gone: a new one (module state reset) answers
    resp, out = server.invoke_json(name, {})
    assert "FunctionError" not in resp
    assert out["count"] == 1


def test_timeout_tail_log(server, fresh_probe):
    name = fresh_probe(timeout=1)
    resp, _ = server.invoke(name, {"action": "sleep", "seconds": 30}, LogType="Tail")
    tail = base64.b64decode(resp["LogResult"]).decode()
    assert "Task timed out after 1.00 seconds" in tail
    assert "REPORT RequestId:" in tail


@pytest.mark.parametrize("code", [1, 3])
def test_crash_then_recovery_with_a_fresh_instance(server, fresh_probe, code):
    name = fresh_probe()
    _, first = server.invoke_json(name, {})
    _, warm = server.invoke_json(name, {})
    assert warm["count"] == 2
    resp, out = server.invoke_json(name, {"action": "exit", "code": code})
    rid = resp["ResponseMetadata"]["RequestId"]
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ExitError"
    assert out["errorMessage"] == f"RequestId: {rid} Error: Runtime exited with error: exit status {code}"
    resp, after = server.invoke_json(name, {})
    assert "FunctionError" not in resp
    assert after["count"] == 1  # a new instance
    assert after["stream"] != first["stream"]


def test_killed_by_signal(server, fresh_probe):
    name = fresh_probe()
    resp, out = server.invoke_json(name, {"action": "kill"})
    rid = resp["ResponseMetadata"]["RequestId"]
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.ExitError"
    assert out["errorMessage"] == f"RequestId: {rid} Error: Runtime exited with error: signal: killed"
    assert server.invoke_json(name, {})[1]["count"] == 1


def test_out_of_memory(server, fresh_probe):
    name = fresh_probe(timeout=20, memory=128)
    resp, out = server.invoke_json(name, {"action": "oom"})
    rid = resp["ResponseMetadata"]["RequestId"]
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.OutOfMemory"
    assert out["errorMessage"] == f"RequestId: {rid} Error: Runtime exited with error: signal: killed"
    resp, after = server.invoke_json(name, {})
    assert "FunctionError" not in resp and after["count"] == 1
    assert server.health()["status"] == "ok"


def test_exit_during_init(server):
    name = unique("init-exit")
    server.create_function(name, "python3.12", "app.handler",
                           {"app.py": "import sys\nsys.exit(4)\ndef handler(e, c):\n    return 1\n"})
    resp, out = server.invoke_json(name, {})
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] in ("Runtime.ExitError", "Runtime.Unknown")
    assert "exit status 4" in out["errorMessage"]


# ---------------------------------------------------------------------------
# instance reuse
# ---------------------------------------------------------------------------


def test_warm_instance_is_reused(server, fresh_probe):
    name = fresh_probe()
    cold_before = server.health()["cold_starts"]
    outs = [server.invoke_json(name, {})[1] for _ in range(4)]
    assert [o["count"] for o in outs] == [1, 2, 3, 4]
    assert len({o["stream"] for o in outs}) == 1
    assert server.health()["cold_starts"] == cold_before + 1
    resp, _ = server.invoke(name, {}, LogType="Tail")
    report = [l for l in base64.b64decode(resp["LogResult"]).decode().splitlines() if l.startswith("REPORT")]
    assert "Init Duration" not in report[0]  # only cold starts report it


def test_cold_start_reports_init_duration(server, fresh_probe):
    name = fresh_probe()
    resp, _ = server.invoke(name, {}, LogType="Tail")
    report = [l for l in base64.b64decode(resp["LogResult"]).decode().splitlines() if l.startswith("REPORT")]
    assert re.search(r"\tInit Duration: [\d.]+ ms", report[0]), report[0]


def test_concurrent_invocations_get_different_instances(server, fresh_probe):
    name = fresh_probe(timeout=20)
    lam = server.lambda_client()
    _, warm = server.invoke_json(name, {})  # one warm instance
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futs = [pool.submit(server.invoke_json, name, {"action": "sleep", "seconds": 2}, client=lam)
                for _ in range(2)]
        outs = [f.result(timeout=60)[1] for f in futs]
    assert outs[0]["stream"] != outs[1]["stream"]
    # one ran on the warm instance, the other on a new one
    assert sorted(o["count"] for o in outs) == [1, 2]
    assert warm["stream"] in {o["stream"] for o in outs}
    # both stay warm: the next sequential calls reuse them
    later = {server.invoke_json(name, {})[1]["stream"] for _ in range(3)}
    assert later <= {o["stream"] for o in outs}


# ---------------------------------------------------------------------------
# changes to a function while it runs
# ---------------------------------------------------------------------------

# The handler changes its own function through the Lambda API while it runs,
# then lazily reads a file of its code and imports a module, as handlers do
# when they load data or modules on demand.
SELF_CHANGE_APP = r'''
import io, os, zipfile, boto3

def handler(event, context):
    lam = boto3.client("lambda")
    name = context.function_name
    change = event.get("change")
    if change == "config":
        lam.update_function_configuration(FunctionName=name, Description="changed while running")
    elif change == "code":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("app.py", "def handler(e, c):\n    return 'new code'\n")
        lam.update_function_code(FunctionName=name, ZipFile=buf.getvalue())
    elif change == "delete":
        lam.delete_function(FunctionName=name)
    with open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "data.txt")) as f:
        data = f.read()
    import lazy_module  # imported only now
    return {"data": data, "lazy": lazy_module.VALUE}
'''


def change_during_invocation(server, change):
    name = unique("selfchange")
    # the name in the zip keeps it unique: code is stored by content and
    # shared between functions whose zips are identical
    files = {"app.py": SELF_CHANGE_APP, "data.txt": "data v1", "lazy_module.py": "VALUE = 1\n",
             "name.txt": name}
    server.create_function(name, "python3.12", "app.handler", files, Timeout=30, MemorySize=256)
    return name, server.invoke_json(name, {"change": change})


def test_configuration_update_lets_the_running_invocation_finish(server):
    name, (resp, out) = change_during_invocation(server, "config")
    assert "FunctionError" not in resp, out
    assert out == {"data": "data v1", "lazy": 1}
    assert server.invoke_json(name, {})[1] == {"data": "data v1", "lazy": 1}


def test_code_update_lets_the_running_invocation_finish_on_the_old_code(server):
    """On Lambda an invocation that is running when UpdateFunctionCode arrives
    completes on the code it started with; the next one runs the new code."""
    name, (resp, out) = change_during_invocation(server, "code")
    assert "FunctionError" not in resp, out
    assert out == {"data": "data v1", "lazy": 1}
    assert server.invoke_json(name, {})[1] == "new code"


def test_delete_lets_the_running_invocation_finish(server):
    """On Lambda deleting a function does not abort the invocation in progress."""
    name, (resp, out) = change_during_invocation(server, "delete")
    assert "FunctionError" not in resp, out
    assert out == {"data": "data v1", "lazy": 1}


# ---------------------------------------------------------------------------
# more instance behaviour
# ---------------------------------------------------------------------------


def test_init_time_is_not_part_of_the_timeout(server):
    name = unique("slow-init")
    app = "import time\ntime.sleep(2.5)\ndef handler(e, c):\n    return c.get_remaining_time_in_millis()\n"
    server.create_function(name, "python3.12", "app.handler", {"app.py": app}, Timeout=1)
    resp, out = server.invoke_json(name, {}, LogType="Tail")
    assert "FunctionError" not in resp, out
    assert 0 < out <= 1000
    report = [l for l in base64.b64decode(resp["LogResult"]).decode().splitlines() if l.startswith("REPORT")]
    init_ms = float(re.search(r"Init Duration: ([\d.]+) ms", report[0]).group(1))
    assert init_ms >= 2500


def test_instance_that_exits_while_idle_is_replaced(server):
    name = unique("idle-exit")
    app = ("import os, threading\ncount = 0\n"
           "def handler(e, c):\n    global count\n    count += 1\n"
           "    if e.get('exit_later'):\n        threading.Timer(0.2, lambda: os._exit(0)).start()\n"
           "    return count\n")
    server.create_function(name, "python3.12", "app.handler", {"app.py": app})
    before = server.health()["instances"]
    assert server.invoke_json(name, {})[1] == 1
    assert server.invoke_json(name, {"exit_later": True})[1] == 2
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.health()["instances"] > before:
        time.sleep(0.05)
    assert server.health()["instances"] == before  # the dead instance left the pool
    resp, out = server.invoke_json(name, {})
    assert "FunctionError" not in resp and out == 1


def test_max_memory_used_reflects_the_allocation(server):
    name = unique("mem")
    app = ("def handler(e, c):\n    b = bytearray(150 * 1024 * 1024)\n"
           "    for i in range(0, len(b), 4096):\n        b[i] = 1\n    return len(b)\n")
    server.create_function(name, "python3.12", "app.handler", {"app.py": app}, MemorySize=512)
    resp, _ = server.invoke(name, {}, LogType="Tail")
    report = [l for l in base64.b64decode(resp["LogResult"]).decode().splitlines() if l.startswith("REPORT")][0]
    used = int(re.search(r"Max Memory Used: (\d+) MB", report).group(1))
    assert 150 <= used <= 512
    assert "Memory Size: 512 MB" in report


def test_json_payload_edge_cases(server, probe):
    resp, body = server.invoke(probe, raw=b'  {"a": 1}\n  ')
    assert json.loads(body)["event"] == {"a": 1}
    r = client_error(server.lambda_client().invoke, FunctionName=probe, Payload=b'{"a": 1} trailing')
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert r["Error"]["Code"] == "InvalidRequestContentException"


def test_event_payload_rules(server, probe):
    lam = server.lambda_client()
    r = client_error(lam.invoke, FunctionName=probe, InvocationType="Event", Payload=b"nope")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert r["Error"]["Code"] == "InvalidRequestContentException"
    # asynchronous invocations take up to 1 MB (256 KB before late 2025)
    big = json.dumps({"d": "x" * 1048576}).encode()
    r = client_error(lam.invoke, FunctionName=probe, InvocationType="Event", Payload=big)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert r["Error"]["Code"] in ("RequestTooLargeException", "RequestEntityTooLargeException")


def test_qualified_name_suffix(server, probe):
    resp, body = server.invoke(probe + ":$LATEST", {"q": 1})
    assert json.loads(body)["event"] == {"q": 1}


def test_concurrent_cold_starts_all_complete(server_factory):
    """Many instances starting at once must all start. (A sandbox whose init
    deadlocks never asks for its event, and its invocation times out.)"""
    s = server_factory.start("--concurrency", "50")
    lam = s.lambda_client()
    failures = []
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        for round_ in range(8):
            names = [unique(f"cold{round_}") for _ in range(6)]
            for n in names:
                s.create_function(n, "python3.12", "app.handler",
                                  {"app.py": "def handler(e, c):\n    return 'up'\n"}, Timeout=3)
            results = [f.result(timeout=120) for f in
                       [pool.submit(s.invoke, n, {}, client=lam) for n in names]]
            failures += [body for resp, body in results if resp.get("FunctionError")]
    assert failures == []

"""The account concurrency limit (--concurrency N): invocations beyond it get
429 TooManyRequestsException with Reason ConcurrentInvocationLimitExceeded."""

import concurrent.futures
import json
import time

import botocore.exceptions
import pytest

from conftest import unique

HOLD_APP = r'''
import time
def handler(event, context):
    time.sleep(event.get("seconds", 0))
    return "done"
'''


def wait_in_flight(server, n, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.health()["in_flight"] >= n:
            return
        time.sleep(0.02)
    raise AssertionError(f"never saw {n} invocations in flight: {server.health()}")


def throttled(server, name):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        server.lambda_client().invoke(FunctionName=name, Payload=b"{}")
    return ei.value.response


@pytest.fixture(scope="module")
def limited(module_server_factory):
    s = module_server_factory.start("--concurrency", "2")
    a, b = unique("slow-a"), unique("slow-b")
    for n in (a, b):
        s.create_function(n, "python3.12", "app.handler", {"app.py": HOLD_APP}, Timeout=30)
    return s, a, b


def test_throttled_at_the_account_limit(limited):
    s, a, b = limited
    lam = s.lambda_client()
    throttles_before = s.health()["throttles"]
    assert json.loads(s.invoke(a, {})[1]) == "done"  # one warm instance: a single cold start below
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = [pool.submit(s.invoke, a, {"seconds": 4}, client=lam) for _ in range(2)]
        wait_in_flight(s, 2)
        # the same function and another one are both refused: the limit is account-wide
        for name in (a, b):
            r = throttled(s, name)
            assert r["ResponseMetadata"]["HTTPStatusCode"] == 429
            assert r["Error"]["Code"] == "TooManyRequestsException"
            assert r["Reason"] == "ConcurrentInvocationLimitExceeded"
        # the raw answer: header, Reason and message in the body
        raw = s.signed("POST", f"/2015-03-31/functions/{b}/invocations", b"{}")
        assert raw.status == 429
        assert raw.headers["x-amzn-errortype"].startswith("TooManyRequestsException")
        body = raw.json()
        assert body["Reason"] == "ConcurrentInvocationLimitExceeded"
        assert body.get("Type") == "User"
        assert (body.get("message") or body.get("Message"))
        # DryRun is not an invocation
        assert lam.invoke(FunctionName=b, InvocationType="DryRun")["StatusCode"] == 204
        results = [f.result(timeout=60) for f in slow]
    for resp, body in results:
        assert resp["StatusCode"] == 200 and "FunctionError" not in resp, body
        assert json.loads(body) == "done"
    assert s.health()["throttles"] >= throttles_before + 3
    # capacity is back once they finish
    resp, body = s.invoke(b, {})
    assert json.loads(body) == "done"


def test_limit_of_one(server_factory):
    s = server_factory.start("--concurrency", "1")
    name = unique("one")
    s.create_function(name, "nodejs20.x", "index.handler",
                      {"index.js": "exports.handler = async (e) => { await new Promise(r => setTimeout(r, e.ms || 0)); return 'ok'; };\n"},
                      Timeout=30)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(s.invoke, name, {"ms": 3000})
        wait_in_flight(s, 1)
        r = throttled(s, name)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert r["Error"]["Code"] == "TooManyRequestsException"
        assert r["Reason"] == "ConcurrentInvocationLimitExceeded"
        # the AWS CLI shows the same error
        cli = s.aws("lambda", "invoke", "--function-name", name, "/dev/null", check=False)
        assert cli.returncode != 0
        assert "TooManyRequestsException" in cli.stderr
        resp, body = slow.result(timeout=60)
    assert json.loads(body) == "ok"
    assert json.loads(s.invoke(name, {})[1]) == "ok"


def test_reserved_concurrency_through_the_api_and_serverless_yml(server_factory, tmp_path):
    from conftest import deploy, write_service
    s = server_factory.start()
    lam = s.lambda_client()
    name = unique("reserved")
    s.create_function(name, "python3.12", "app.handler", {"app.py": HOLD_APP}, Timeout=30)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    r = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    assert r["ReservedConcurrentExecutions"] == 1
    assert lam.get_function(FunctionName=name)["Concurrency"]["ReservedConcurrentExecutions"] == 1
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(s.invoke, name, {"seconds": 3})
        wait_in_flight(s, 1)
        r = throttled(s, name)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert r["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        slow.result(timeout=60)
    r = lam.delete_function_concurrency(FunctionName=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert r["ResponseMetadata"]["HTTPHeaders"].get("content-length", "0") == "0"
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    # serverless.yml's reservedConcurrency is applied, changed and removed by deploys
    svc = "service: rsv\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n" \
          "  hold:\n    handler: app.handler\n    reservedConcurrency: 2\n"
    d = write_service(tmp_path / "rsv", {"serverless.yml": svc, "app.py": HOLD_APP})
    out = deploy(s, d)
    assert "function hold: reserved concurrency 2" in out.stderr
    assert lam.get_function_concurrency(FunctionName="rsv-dev-hold")["ReservedConcurrentExecutions"] == 2
    assert "no changes" in deploy(s, d).stdout
    (d / "serverless.yml").write_text(svc.replace("    reservedConcurrency: 2\n", ""))
    assert "reserved concurrency removed" in deploy(s, d).stderr
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="rsv-dev-hold")

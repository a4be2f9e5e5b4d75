"""The gateway as an HTTP client sees it: routes, both event formats, response
mapping, errors, CORS, throttles and how several services share the port.

One service (`gw`, HTTP API 2.0 + REST routes) and a second one (`gwv1`, HTTP
API with payload 1.0) are deployed with `nimbus deploy` to a module server.
"""

import base64
import json
import time

import pytest

from conftest import deploy, http_call, write_service

HANDLERS = r'''
import base64, json, time

def echo(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps(event)}

def literal(event, context):
    return {"statusCode": 200, "body": "literal"}

def shape(event, context):
    kind = (event.get("queryStringParameters") or {}).get("kind", "")
    if kind == "string":
        return "hello"
    if kind == "object":
        return {"a": 1}
    if kind == "list":
        return [1, 2]
    if kind == "number":
        return 42
    if kind == "none":
        return None
    if kind == "full":
        return {"statusCode": 201, "headers": {"x-a": "1", "content-type": "text/plain"},
                "multiValueHeaders": {"x-m": ["1", "2"]},
                "cookies": ["a=1; Path=/", "b=2"], "body": "made"}
    if kind == "rest_full":
        return {"statusCode": 202, "headers": {"x-a": "1", "x-m": "single"},
                "multiValueHeaders": {"x-m": ["1", "2"]}, "body": "rest made"}
    if kind == "b64":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True}
    if kind == "error":
        raise ValueError("boom")
    if kind == "body_object":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if kind == "extra":
        return {"statusCode": 200, "body": "x", "unexpected": 1}
    if kind == "sleep":
        time.sleep(4)
        return "late"
    return {"statusCode": 400, "body": "unknown kind"}
'''

SERVICE = r'''
service: gw
provider:
  name: aws
  runtime: python3.11
  timeout: 10
  httpApi:
    cors:
      allowedOrigins: ['https://app.example.com']
      allowedHeaders: [content-type, authorization]
      allowCredentials: true
      exposedResponseHeaders: [x-a]
      maxAge: 600
  apiGateway:
    binaryMediaTypes: ['image/*']
functions:
  echo:
    handler: handlers.echo
    events:
      - httpApi: 'GET /echo/{id}'
      - httpApi: 'POST /echo'
      - httpApi: 'ANY /greedy/{proxy+}'
      - httpApi:
          method: GET
          path: /throttled
          throttle: {rateLimit: 1, burstLimit: 2}
      - http: 'GET rest/echo/{id}'
      - http: {path: 'rest/any/{proxy+}', method: any}
      - http: {path: rest/upload, method: post}
      - http: {path: rest/cors, method: post, cors: true}
  literal:
    handler: handlers.literal
    events:
      - httpApi: 'GET /greedy/fixed'
      - httpApi: 'GET /echo/fixed'
  shape:
    handler: handlers.shape
    events:
      - httpApi: 'GET /shape'
      - http: 'GET shape'
'''

SERVICE_V1 = r'''
service: gwv1
provider:
  name: aws
  runtime: python3.11
  httpApi:
    payload: '1.0'
functions:
  echo:
    handler: handlers.echo
    events:
      - httpApi: 'GET /v1/{id}'
  shape:
    handler: handlers.shape
    events:
      - httpApi: '*'
'''


@pytest.fixture(scope="module")
def gw(module_server_factory, tmp_path_factory):
    server = module_server_factory.start("--gateway-timeout-ms", "2000")
    root = tmp_path_factory.mktemp("services")
    main = write_service(root / "gw", {"serverless.yml": SERVICE, "handlers.py": HANDLERS})
    deploy(server, main)
    second = write_service(root / "gwv1", {"serverless.yml": SERVICE_V1, "handlers.py": HANDLERS})
    deploy(server, second)
    return server


def url(server, path: str) -> str:
    return server.gateway + path


def v1url(server, path: str) -> str:
    return server.gateway + "/_api/gwv1-dev" + path


# -- routes ------------------------------------------------------------------


def test_path_parameters_and_precedence(gw):
    r = http_call("GET", url(gw, "/echo/42"))
    assert r.status == 200
    event = r.json()
    assert event["routeKey"] == "GET /echo/{id}"
    assert event["pathParameters"] == {"id": "42"}
    # a literal route beats a parameter and a greedy route
    assert http_call("GET", url(gw, "/echo/fixed")).text == "literal"
    assert http_call("GET", url(gw, "/greedy/fixed")).text == "literal"


def test_greedy_route_captures_the_rest_with_slashes(gw):
    event = http_call("DELETE", url(gw, "/greedy/a/b%20c/d")).json()
    assert event["routeKey"] == "ANY /greedy/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b c/d"}
    assert event["requestContext"]["http"]["method"] == "DELETE"


def test_unknown_route_is_404_for_http_apis(gw):
    r = http_call("GET", url(gw, "/nowhere"))
    assert r.status == 404
    assert r.json() == {"message": "Not Found"}
    # a known path with a method it does not take
    assert http_call("PUT", url(gw, "/echo/1")).status == 404


def test_event_v2_fields(gw):
    r = http_call("GET", url(gw, "/echo/7?a=1&a=2&b=x%20y"),
                  headers={"X-Multi": ["v1", "v2"], "Cookie": "s=abc; theme=dark", "User-Agent": "t/1"})
    e = r.json()
    assert e["version"] == "2.0"
    assert e["rawPath"] == "/echo/7"
    assert e["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert e["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert e["headers"]["x-multi"] == "v1,v2"
    assert "cookie" not in e["headers"]
    assert e["cookies"] == ["s=abc", "theme=dark"]
    ctx = e["requestContext"]
    assert ctx["stage"] == "$default"
    assert ctx["http"] == {"method": "GET", "path": "/echo/7", "protocol": "HTTP/1.1",
                           "sourceIp": "127.0.0.1", "userAgent": "t/1"}
    assert ctx["accountId"] == "000000000000"
    assert len(ctx["apiId"]) == 10
    assert isinstance(ctx["timeEpoch"], int)
    assert ctx["time"].endswith("+0000")
    assert "body" not in e and e["isBase64Encoded"] is False
    assert "authorizer" not in ctx and "stageVariables" not in e


def test_event_v2_bodies_text_and_binary(gw):
    e = http_call("POST", url(gw, "/echo"), body='{"a":1}',
                  headers={"Content-Type": "application/json"}).json()
    assert e["body"] == '{"a":1}' and e["isBase64Encoded"] is False
    blob = bytes(range(256))
    e = http_call("POST", url(gw, "/echo"), body=blob,
                  headers={"Content-Type": "application/octet-stream"}).json()
    assert e["isBase64Encoded"] is True
    assert base64.b64decode(e["body"]) == blob


def test_rest_event_v1_fields(gw):
    r = http_call("GET", url(gw, "/dev/rest/echo/9?a=1&a=2"), headers={"X-Multi": ["v1", "v2"]})
    assert r.status == 200, r
    e = r.json()
    assert "version" not in e
    assert e["resource"] == "/rest/echo/{id}"
    assert e["path"] == "/rest/echo/9"
    assert e["httpMethod"] == "GET"
    assert e["queryStringParameters"] == {"a": "2"}
    assert e["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert e["headers"]["X-Multi"] == "v2"
    assert e["multiValueHeaders"]["X-Multi"] == ["v1", "v2"]
    assert e["pathParameters"] == {"id": "9"}
    assert e["stageVariables"] is None
    assert e["body"] is None and e["isBase64Encoded"] is False
    ctx = e["requestContext"]
    assert ctx["stage"] == "dev"
    assert ctx["path"] == "/dev/rest/echo/9"
    assert ctx["resourcePath"] == "/rest/echo/{id}"
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert ctx["identity"]["apiKey"] is None


def test_rest_empty_collections_are_null(gw):
    e = http_call("GET", url(gw, "/dev/rest/any/x")).json()
    assert e["queryStringParameters"] is None
    assert e["multiValueQueryStringParameters"] is None
    assert e["pathParameters"] == {"proxy": "x"}


def test_rest_binary_media_types(gw):
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    e = http_call("POST", url(gw, "/dev/rest/upload"), body=png,
                  headers={"Content-Type": "image/png"}).json()
    assert e["isBase64Encoded"] is True and base64.b64decode(e["body"]) == png
    e = http_call("POST", url(gw, "/dev/rest/upload"), body="plain",
                  headers={"Content-Type": "text/plain"}).json()
    assert e["isBase64Encoded"] is False and e["body"] == "plain"


def test_rest_unknown_resource_is_403_missing_token_when_only_rest_matches(gw):
    r = http_call("GET", v1url(gw, "/nothing/here"))
    # gwv1 has a catch-all: it answers everything
    assert r.status != 404
    r = http_call("GET", url(gw, "/dev/rest/none"))
    assert r.status == 404  # the service also has HTTP API routes


# -- response mapping ------------------------------------------------------------


@pytest.mark.parametrize("kind,body", [
    ("string", b"hello"),
    ("object", b'{"a":1}'),
    ("list", b"[1,2]"),
    ("number", b"42"),
    ("none", b"null"),
])
def test_v2_plain_values_become_200_json(gw, kind, body):
    r = http_call("GET", url(gw, f"/shape?kind={kind}"))
    assert r.status == 200
    assert r.header("content-type") == "application/json"
    assert r.body.replace(b" ", b"") == body


def test_v2_full_response_headers_and_cookies(gw):
    r = http_call("GET", url(gw, "/shape?kind=full"))
    assert r.status == 201
    assert r.body == b"made"
    assert r.header("x-a") == "1"
    assert r.all("x-m") == ["1", "2"]
    assert r.all("set-cookie") == ["a=1; Path=/", "b=2"]
    assert r.header("apigw-requestid")


def test_v2_base64_response_is_decoded(gw):
    r = http_call("GET", url(gw, "/shape?kind=b64"))
    assert r.status == 200 and r.body == bytes(range(256))


def test_v2_function_error_is_500(gw):
    r = http_call("GET", url(gw, "/shape?kind=error"))
    assert r.status == 500
    assert r.json() == {"message": "Internal Server Error"}


def test_rest_response_must_be_exactly_the_proxy_shape(gw):
    r = http_call("GET", url(gw, "/dev/shape?kind=rest_full"))
    assert r.status == 202 and r.body == b"rest made"
    assert r.all("x-m") == ["1", "2"]  # multiValueHeaders win over headers
    for bad in ("string", "object", "body_object", "extra"):
        r = http_call("GET", url(gw, f"/dev/shape?kind={bad}"))
        assert r.status == 502, (bad, r)
        assert r.json() == {"message": "Internal server error"}
    r = http_call("GET", url(gw, "/dev/shape?kind=error"))
    assert r.status == 502 and r.json() == {"message": "Internal server error"}
    assert r.header("x-amzn-requestid")


def test_http_api_payload_1_0(gw):
    e = http_call("GET", v1url(gw, "/v1/5?q=1")).json()
    assert e["version"] == "1.0"
    assert e["resource"] == "/v1/{id}"
    assert e["pathParameters"] == {"id": "5"}
    assert e["multiValueQueryStringParameters"] == {"q": ["1"]}
    assert e["requestContext"]["stage"] == "$default"
    # HTTP API 1.0 errors are 500s, not REST's 502s
    r = http_call("GET", v1url(gw, "/anything?kind=error"))
    assert r.status == 500 and r.json() == {"message": "Internal Server Error"}
    r = http_call("GET", v1url(gw, "/anything?kind=object"))
    assert r.status == 500


def test_integration_timeout_is_504(gw):
    r = http_call("GET", url(gw, "/shape?kind=sleep"))
    assert r.status == 504
    assert r.json() == {"message": "Endpoint request timed out"}


def test_each_call_gets_its_whole_integration_timeout(gw):
    # Calls started apart each wait their own 2 s (the server's
    # --gateway-timeout-ms), and a quick call among them is answered at once.
    from concurrent.futures import ThreadPoolExecutor

    def timed(path):
        start = time.monotonic()
        r = http_call("GET", url(gw, path))
        return r.status, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(timed, "/shape?kind=sleep")
        time.sleep(0.8)
        second = pool.submit(timed, "/shape?kind=sleep")
        quick = pool.submit(timed, "/shape?kind=string")
        assert quick.result()[0] == 200
        for status, elapsed in (first.result(), second.result()):
            assert status == 504
            assert elapsed >= 1.9


# -- limits, CORS, throttles ------------------------------------------------------


def test_body_over_10_mb_is_413(gw):
    r = http_call("POST", url(gw, "/echo"), body=b"x" * (10 * 1024 * 1024 + 1),
                  headers={"Content-Type": "text/plain"})
    assert r.status == 413
    # 10 MB itself is accepted (then the function's own 6 MB limit applies)
    r = http_call("POST", url(gw, "/echo"), body=b"x" * 1024, headers={"Content-Type": "text/plain"})
    assert r.status == 200


def test_http_api_cors_preflight_and_headers(gw):
    r = http_call("OPTIONS", url(gw, "/echo/1"), headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert r.status == 204
    assert r.header("access-control-allow-origin") == "https://app.example.com"
    assert r.header("access-control-allow-credentials") == "true"
    assert r.header("access-control-allow-headers") == "content-type,authorization"
    assert r.header("access-control-max-age") == "600"
    assert "GET" in r.header("access-control-allow-methods")
    r = http_call("GET", url(gw, "/echo/1"), headers={"Origin": "https://app.example.com"})
    assert r.header("access-control-allow-origin") == "https://app.example.com"
    assert r.header("access-control-expose-headers") == "x-a"
    # another origin gets no CORS headers
    r = http_call("GET", url(gw, "/echo/1"), headers={"Origin": "https://evil.example.com"})
    assert r.status == 200 and r.header("access-control-allow-origin") is None


def test_rest_cors_preflight(gw):
    r = http_call("OPTIONS", url(gw, "/dev/rest/cors"), headers={
        "Origin": "https://x.example.com", "Access-Control-Request-Method": "POST"})
    assert r.status == 200
    assert r.header("access-control-allow-origin") == "*"
    assert "POST" in r.header("access-control-allow-methods")
    assert "X-Api-Key" in r.header("access-control-allow-headers")


def test_route_throttle_answers_429(gw):
    statuses = [http_call("GET", url(gw, "/throttled")).status for _ in range(6)]
    assert statuses[:2] == [200, 200]
    assert 429 in statuses
    r = http_call("GET", url(gw, "/throttled"))
    if r.status == 429:
        assert r.json() == {"message": "Too Many Requests"}


# -- several services on one gateway --------------------------------------------


def test_each_service_by_host_name_and_path_prefix(gw):
    # gw was deployed first: it is the root
    assert http_call("GET", url(gw, "/echo/1")).json()["routeKey"] == "GET /echo/{id}"
    by_prefix = http_call("GET", gw.gateway + "/_api/gw-dev/echo/1").json()
    assert by_prefix["rawPath"] == "/echo/1"
    by_host = http_call("GET", url(gw, "/v1/3"), headers={"Host": f"gwv1-dev.localhost:{gw.gateway_port}"})
    assert by_host.json()["version"] == "1.0"
    assert http_call("GET", gw.gateway + "/_api/nope-dev/x").status == 404


def test_gateway_state_survives_restart(module_server_factory, tmp_path_factory):
    server = module_server_factory.start()
    d = write_service(tmp_path_factory.mktemp("restart") / "svc",
                      {"serverless.yml": SERVICE_V1.replace("gwv1", "again"), "handlers.py": HANDLERS})
    deploy(server, d)
    assert http_call("GET", server.gateway + "/v1/1").status == 200
    assert server.stop() == 0
    server.start()
    r = http_call("GET", server.gateway + "/v1/1")
    assert r.status == 200 and r.json()["pathParameters"] == {"id": "1"}


def test_scale_out_delay_keeps_short_requests_on_warm_instances(server_factory, tmp_path):
    """With --scale-out-delay-ms, concurrent short requests wait for the warm
    instance instead of each starting a new one; each instance still runs one
    invocation at a time."""
    import concurrent.futures
    server = server_factory.start("--scale-out-delay-ms", "5000")
    d = write_service(tmp_path / "sod", {"serverless.yml": SERVICE_V1.replace("gwv1", "sod"),
                                         "handlers.py": HANDLERS})
    deploy(server, d)
    assert http_call("GET", server.gateway + "/v1/warm").status == 200
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda i: http_call("GET", server.gateway + f"/v1/{i}").status,
                                 range(64)))
    assert statuses == [200] * 64
    health = server.health()
    assert health["cold_starts"] == 1 and health["instances"] == 1

"""End-to-end tests of bootstrap.py against the fake Runtime API (see conftest.py)."""

import json
import re
import sys
import time

import pytest

NBSP = "\u00a0"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
TEXT_LOG_LINE = re.compile(
    r"^\[(?P<level>[A-Z]+)\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t(?P<id>[^\t]*)\t(?P<msg>.*)$"
)


def log_records(stdout):
    """Parsed text-format logging lines as (level, request id, message)."""
    found = []
    for line in stdout.split("\n"):
        match = TEXT_LOG_LINE.match(line)
        if match:
            found.append((match["level"], match["id"], match["msg"]))
    return found


# ---------------------------------------------------------------------------
# Successful invocations


def test_simple_handler_and_none_result(function):
    function.write("app.py", """
        def handler(event, context):
            if event == "none":
                return None
            return {"echo": event, "ok": True}
    """)
    function.start("app.handler")
    first, second = function.invoke({"a": [1, 2.5, "x"], "b": None}, "none")
    assert first.kind == "response"
    assert first.json() == {"echo": {"a": [1, 2.5, "x"], "b": None}, "ok": True}
    assert first.headers["Content-Type"] == "application/json"
    assert second.kind == "response"
    assert second.body == b"null"
    stdout, stderr = function.stop()
    assert stderr == ""


@pytest.mark.parametrize("handler", ["pkg/sub/mod.entry", "pkg.sub.mod.entry"])
def test_package_handler_with_slashes_or_dots(function, handler):
    function.write("pkg/__init__.py", "")
    function.write("pkg/sub/__init__.py", "")
    function.write("pkg/sub/mod.py", """
        def entry(event, context):
            return __name__
    """)
    function.start(handler)
    (result,) = function.invoke({})
    assert result.kind == "response"
    assert result.json() == "pkg.sub.mod"


def test_warm_reuse_and_one_persistent_connection(function):
    function.write("app.py", """
        counter = 0

        def handler(event, context):
            global counter
            counter += 1
            return counter
    """)
    function.start("app.handler")
    first, second = function.invoke({}, {})
    (third,) = function.invoke({})
    assert [first.json(), second.json(), third.json()] == [1, 2, 3]
    peers = {r.peer for r in (first, second, third)} | set(function.api.next_peers)
    assert len(peers) == 1, peers


def test_boto3_importable_and_task_root_first(function):
    function.write("app.py", """
        import sys
        import boto3

        def handler(event, context):
            return {
                "version": boto3.__version__,
                "region": boto3.session.Session().region_name,
                "path": sys.path,
            }
    """)
    function.start("app.handler")
    (result,) = function.invoke({})
    assert result.kind == "response", result
    body = result.json()
    assert body["version"]
    assert body["region"] == "us-east-1"
    minor = "%d.%d" % sys.version_info[:2]
    assert body["path"][:3] == [
        str(function.task_root),
        "/opt/python/lib/python%s/site-packages" % minor,
        "/opt/python",
    ]


def test_layer_paths_skipped_when_function_sets_pythonpath(function, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    function.write("app.py", """
        import sys

        def handler(event, context):
            return sys.path
    """)
    function.start("app.handler", env={"PYTHONPATH": str(extra)})
    (result,) = function.invoke({})
    path = result.json()
    assert path[0] == str(function.task_root)
    assert str(extra) in path
    assert "/opt/python" not in path


# ---------------------------------------------------------------------------
# Init errors


def assert_init_error(function, error_type, message, stack_trace=None):
    assert function.wait_exit() == 1
    (record,) = function.api.records
    assert record.kind == "init_error"
    assert record.headers[ERROR_TYPE_HEADER] == error_type
    doc = record.json()
    assert list(doc) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert doc["errorType"] == error_type
    assert doc["errorMessage"] == message
    assert doc["requestId"] == ""
    if stack_trace is not None:
        assert doc["stackTrace"] == stack_trace
    stdout, _ = function.stop()
    return doc, stdout


@pytest.mark.parametrize(
    "source, handler, message",
    [
        ("import x\n\ndef handler(e, c):\n    return 1\n", "app.handler",
         "Unable to import module 'app': No module named 'x'"),
        (None, "nothere.handler",
         "Unable to import module 'nothere': No module named 'nothere'"),
    ],
)
def test_import_module_error(function, source, handler, message):
    if source is not None:
        function.write("app.py", source)
    function.start(handler)
    _, stdout = assert_init_error(function, "Runtime.ImportModuleError", message, [])
    assert ("[ERROR] Runtime.ImportModuleError: %s\rTraceback (most recent call last):\n"
            % message) in stdout


def test_handler_not_found(function):
    function.write("app.py", "def handler(e, c):\n    return 1\n")
    function.start("app.nope")
    assert_init_error(function, "Runtime.HandlerNotFound",
                      "Handler 'nope' missing on module 'app'", [])


def test_malformed_handler_name(function):
    function.start("x")
    assert_init_error(function, "Runtime.MalformedHandlerName",
                      "Bad handler 'x': not enough values to unpack (expected 2, got 1)", [])


def test_user_code_syntax_error(function):
    function.write("app.py", "import os\n\nx = = 1\n\ndef handler(e, c):\n    return 1\n")
    function.start("app.handler")
    path = function.task_root / "app.py"
    assert_init_error(
        function,
        "Runtime.UserCodeSyntaxError",
        "Syntax error in module 'app': invalid syntax (app.py, line 3)",
        ['  File "%s" Line 3\n    x = = 1\n' % path],
    )


def test_exception_at_import_time(function):
    function.write("app.py", "import os\nraise ValueError('bad config')\n")
    function.start("app.handler")
    doc, stdout = assert_init_error(function, "ValueError", "bad config")
    path = function.task_root / "app.py"
    assert doc["stackTrace"][-1] == (
        '  File "%s", line 2, in <module>\n    raise ValueError(\'bad config\')\n' % path)
    assert not any("bootstrap.py" in entry for entry in doc["stackTrace"])
    assert "[ERROR] ValueError: bad config\rTraceback (most recent call last):\r" in stdout


# ---------------------------------------------------------------------------
# Invocation errors


def test_exception_with_stack_trace(function):
    function.write("app.py", """
        def helper(x):
            return 1 / x

        def handler(event, context):
            return helper(0)
    """)
    function.start("app.handler")
    (record,) = function.invoke({})
    assert record.kind == "error"
    assert record.headers[ERROR_TYPE_HEADER] == "ZeroDivisionError"
    path = function.task_root / "app.py"
    assert record.json() == {
        "errorMessage": "division by zero",
        "errorType": "ZeroDivisionError",
        "requestId": record.request_id,
        "stackTrace": [
            '  File "%s", line 6, in handler\n    return helper(0)\n' % path,
            '  File "%s", line 3, in helper\n    return 1 / x\n' % path,
        ],
    }
    cause = json.loads(record.headers["Lambda-Runtime-Function-XRay-Error-Cause"])
    assert cause["exceptions"][0]["type"] == "ZeroDivisionError"
    assert [f["line"] for f in cause["exceptions"][0]["stack"]] == [6, 3]

    stdout, _ = function.stop()
    expected = "\r".join([
        "[ERROR] ZeroDivisionError: division by zero",
        "Traceback (most recent call last):",
        NBSP * 2 + 'File "%s", line 6, in handler' % path,
        NBSP * 4 + "return helper(0)",
        NBSP * 2 + 'File "%s", line 3, in helper' % path,
        NBSP * 4 + "return 1 / x",
    ]) + "\n"
    assert expected in stdout


def test_custom_exception_class(function):
    function.write("errors.py", """
        class ValidationError(Exception):
            pass
    """)
    function.write("app.py", """
        from errors import ValidationError

        def handler(event, context):
            raise ValidationError("bad input", 42)
    """)
    function.start("app.handler")
    (record,) = function.invoke({})
    doc = record.json()
    assert record.headers[ERROR_TYPE_HEADER] == "ValidationError"
    assert doc["errorType"] == "ValidationError"
    assert doc["errorMessage"] == "('bad input', 42)"
    assert len(doc["stackTrace"]) == 1


def test_marshalling(function):
    function.write("app.py", """
        import collections
        import decimal

        Point = collections.namedtuple("Point", "x y")

        def handler(event, context):
            kind = event["kind"]
            if kind == "set":
                return {"s": {1, 2}}
            if kind == "decimal":
                return {"price": decimal.Decimal("10.50"), "big": decimal.Decimal("1E+3"),
                        "nan": decimal.Decimal("NaN")}
            if kind == "namedtuple":
                return {"p": Point(1, 2), "t": (1, 2), "b": b"raw"}
            if kind == "bytes":
                return b"\\x00\\x01binary"
            if kind == "unicode":
                return "caf\\u00e9"
    """)
    function.start("app.handler")
    records = function.invoke(*({"kind": k} for k in
                                ("set", "decimal", "namedtuple", "bytes", "unicode")))
    bad, dec, named, raw, text = records
    assert bad.kind == "error"
    assert bad.headers[ERROR_TYPE_HEADER] == "Runtime.MarshalError"
    assert bad.json() == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": bad.request_id,
        "stackTrace": [],
    }
    assert dec.body == b'{"price": 10.50, "big": 1E+3, "nan": NaN}'
    assert named.json() == {"p": {"x": 1, "y": 2}, "t": [1, 2], "b": "raw"}
    assert raw.body == b"\x00\x01binary"
    assert raw.headers["Content-Type"] == "application/unknown"
    assert text.body == b'"caf\\u00e9"'


def test_non_ascii_written_raw_from_python312(function):
    function.write("app.py", "def handler(e, c):\n    return 'caf\\u00e9'\n")
    function.start("app.handler", env={"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})
    (record,) = function.invoke({})
    assert record.body == '"café"'.encode("utf-8")


def test_non_json_event(function):
    function.write("app.py", """
        def handler(event, context):
            return type(event).__name__
    """)
    function.start("app.handler")
    bad, raw = function.invoke(
        (b"not json", {}),
        (b"\x01\x02", {"headers": {"Content-Type": "application/octet-stream"}}),
    )
    assert bad.kind == "error"
    assert bad.headers[ERROR_TYPE_HEADER] == "Runtime.UnmarshalError"
    assert bad.json() == {
        "errorMessage": "Unable to unmarshal input: Expecting value: line 1 column 1 (char 0)",
        "errorType": "Runtime.UnmarshalError",
        "requestId": bad.request_id,
        "stackTrace": [],
    }
    assert raw.json() == "bytes"


def test_sys_exit_in_handler_ends_process(function):
    function.write("app.py", """
        import sys

        def handler(event, context):
            print("leaving")
            sys.exit(3)
    """)
    function.start("app.handler")
    function.api.add_event({})
    assert function.wait_exit() == 3
    assert function.api.records == []
    stdout, _ = function.stop()
    assert "leaving\n" in stdout


# ---------------------------------------------------------------------------
# Context


def test_context_fields_and_remaining_time(function):
    function.write("app.py", """
        import time

        def handler(event, context):
            first = context.get_remaining_time_in_millis()
            time.sleep(0.05)
            second = context.get_remaining_time_in_millis()
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "identity": [context.identity.cognito_identity_id,
                             context.identity.cognito_identity_pool_id],
                "client_context": context.client_context,
                "tenant_id": context.tenant_id,
                "remaining": [first, second],
                "class": type(context).__name__,
                "repr": repr(context),
            }
    """)
    function.start("app.handler")
    deadline = int(time.time() * 1000) + 5000
    with_identity, plain = function.invoke(
        ({}, {"deadline_ms": deadline, "headers": {
            "Lambda-Runtime-Cognito-Identity":
                '{"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}',
            "Lambda-Runtime-Aws-Tenant-Id": "tenant-7",
        }}),
        ({}, {"deadline_ms": int(time.time() * 1000) - 1000}),
    )
    body = with_identity.json()
    assert body["function_name"] == "testfn"
    assert body["function_version"] == "$LATEST"
    assert body["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:testfn"
    assert body["memory_limit_in_mb"] == "256"
    assert body["aws_request_id"] == with_identity.request_id
    assert body["log_group_name"] == "/aws/lambda/testfn"
    assert body["log_stream_name"].startswith("2024/01/31/[$LATEST]")
    assert body["identity"] == ["id-1", "pool-1"]
    assert body["client_context"] is None
    assert body["tenant_id"] == "tenant-7"
    first, second = body["remaining"]
    assert 0 < second < first <= 5000
    assert first - second >= 40
    assert body["class"] == "LambdaContext"
    assert body["repr"].startswith("LambdaContext([aws_request_id=%s," % with_identity.request_id)

    other = plain.json()
    assert other["identity"] == [None, None]
    assert other["tenant_id"] is None
    assert other["remaining"] == [0, 0]


def test_trace_id_env_set_and_unset(function):
    function.write("app.py", """
        import os

        def handler(event, context):
            return os.environ.get("_X_AMZN_TRACE_ID")
    """)
    function.start("app.handler")
    trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
    traced, untraced = function.invoke(
        ({}, {"headers": {"Lambda-Runtime-Trace-Id": trace}}),
        {},
    )
    assert traced.json() == trace
    assert untraced.json() is None


def test_client_context_and_malformed_context_headers(function):
    function.write("app.py", """
        def handler(event, context):
            cc = context.client_context
            return {
                "client": [cc.client.installation_id, cc.client.app_title,
                           cc.client.app_version_name, cc.client.app_version_code,
                           cc.client.app_package_name],
                "custom": cc.custom,
                "env": cc.env,
                "w3c": context.w3c(),
            }
    """)
    function.start("app.handler")
    client_context = {
        "client": {"installation_id": "inst-1", "app_title": "Demo", "app_version_code": "7"},
        "custom": {"k": "v"},
        "env": {"platform": "Android"},
        "w3c": {"traceparent": "00-abc-def-01", "other": "dropped", "baggage": 5},
    }
    good, bad_client, bad_identity = function.invoke(
        ({}, {"headers": {"Lambda-Runtime-Client-Context": json.dumps(client_context)}}),
        ({}, {"headers": {"Lambda-Runtime-Client-Context": "{not json"}}),
        ({}, {"headers": {"Lambda-Runtime-Cognito-Identity": "nope"}}),
    )
    assert good.json() == {
        "client": ["inst-1", "Demo", None, "7", None],
        "custom": {"k": "v"},
        "env": {"platform": "Android"},
        "w3c": {"traceparent": "00-abc-def-01"},
    }
    for record, label, detail in (
        (bad_client, "Client Context",
         "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (bad_identity, "Cognito Identity", "Expecting value: line 1 column 1 (char 0)"),
    ):
        assert record.kind == "error"
        assert record.headers[ERROR_TYPE_HEADER] == "Runtime.LambdaContextUnmarshalError"
        assert record.json() == {
            "errorMessage": "Unable to parse %s JSON: %s" % (label, detail),
            "errorType": "Runtime.LambdaContextUnmarshalError",
            "requestId": record.request_id,
            "stackTrace": [],
        }


# ---------------------------------------------------------------------------
# Logging


def test_logging_format_and_print(function):
    function.write("app.py", """
        import logging

        logger = logging.getLogger()
        logging.basicConfig(level=logging.DEBUG)  # no effect: the runtime's handler is installed
        logger.warning("at init")

        def handler(event, context):
            print("plain print")
            print("two\\nprinted lines")
            logger.info("hidden info")
            logger.warning("first\\nsecond")
            logging.getLogger("child").error("child %s", 1)
            context.log("via context\\n")
            return "ok"
    """)
    function.start("app.handler")
    (record,) = function.invoke({})
    stdout, stderr = function.stop()
    request_id = record.request_id
    lines = stdout.split("\n")
    assert "plain print" in lines
    assert "two" in lines and "printed lines" in lines
    assert "hidden info" not in stdout
    assert "via context" in lines
    assert log_records(stdout) == [
        ("WARNING", "", "at init"),
        ("WARNING", request_id, "first\rsecond"),
        ("ERROR", request_id, "child 1"),
    ]
    assert lines.index("plain print") < lines.index("via context")
    assert stderr == ""


def test_log_level_from_environment_and_exception_records(function):
    function.write("app.py", """
        import logging

        def handler(event, context):
            logging.debug("debug shown")
            try:
                1 / 0
            except ZeroDivisionError:
                logging.exception("failed")
            logging.info("after")
            return "ok"
    """)
    function.start("app.handler", env={"AWS_LAMBDA_LOG_LEVEL": "debug"})
    function.invoke({})
    stdout, _ = function.stop()
    records = log_records(stdout)
    assert [(level, msg.split("\r")[0]) for level, _, msg in records] == [
        ("DEBUG", "debug shown"),
        ("ERROR", "failed"),
        ("INFO", "after"),
    ]
    failed = records[1][2]
    assert "\rTraceback (most recent call last):\r" in failed
    assert failed.endswith("ZeroDivisionError: division by zero")


def test_json_log_format(function):
    function.write("app.py", """
        import logging

        logger = logging.getLogger("app")

        def handler(event, context):
            logger.info("hello %s", "world", extra={"order": 7})
            raise RuntimeError("boom")
    """)
    function.start("app.handler", env={"AWS_LAMBDA_LOG_FORMAT": "JSON",
                                       "AWS_LAMBDA_LOG_LEVEL": "INFO"})
    (record,) = function.invoke({})
    stdout, _ = function.stop()
    docs = [json.loads(line) for line in stdout.split("\n") if line.startswith("{")]
    info, error = docs
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", info.pop("timestamp"))
    assert info == {"level": "INFO", "message": "hello world", "logger": "app",
                    "requestId": record.request_id, "order": 7}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", error.pop("timestamp"))
    assert error["level"] == "ERROR"
    assert error["errorType"] == "RuntimeError"
    assert error["errorMessage"] == "boom"
    assert error["requestId"] == record.request_id


def test_cold_start_imports_stay_small(function):
    # Every module the runtime imports is paid for on each cold start.  These
    # are the heavy ones it does without (http.client alone pulls in email and
    # ssl); a function that wants them imports them itself.
    function.write("app.py", """
        import sys

        def handler(event, context):
            return sorted(m for m in ("http.client", "email", "ssl", "urllib.parse", "socket",
                                      "datetime", "decimal", "encodings.idna")
                          if m in sys.modules)
    """)
    function.start("app.handler")
    (result,) = function.invoke({})
    assert result.json() == []


# ---------------------------------------------------------------------------
# Module names shared with the standard library


def test_function_modules_shadow_stdlib_modules_loaded_by_runtime(function):
    # The runtime itself imports string and textwrap (through logging and
    # traceback); the function's own modules of those names must win, as in
    # Lambda.
    function.write("string.py", """
        import textwrap

        def handler(event, context):
            return {"textwrap": textwrap.MARKER, "string": __file__}
    """)
    function.write("textwrap.py", "MARKER = 'function textwrap'\n")
    function.start("string.handler")
    first, second = function.invoke({}, {})
    assert first.json() == {"textwrap": "function textwrap",
                            "string": str(function.task_root / "string.py")}
    assert second.kind == "response"


# ---------------------------------------------------------------------------
# AWS_ENDPOINT_URL with Debian's botocore (1.29, which does not read it)

ENDPOINT_ENV = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:4567",
    "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://127.0.0.1:4568",
    "AWS_ENDPOINT_URL_SQS": "",  # empty: falls back to AWS_ENDPOINT_URL
}

ENDPOINT_HANDLER = """
    import os

    import boto3
    import botocore.session


    class Sent(Exception):
        pass


    def s3_request_url(client):
        urls = []

        def stop(request, **kwargs):
            urls.append(request.url)
            raise Sent()

        client.meta.events.register("before-send", stop)
        try:
            client.head_bucket(Bucket="photos")
        except Sent:
            pass
        return urls[0]


    def handler(event, context):
        os.environ.update(event)
        s3 = boto3.client("s3")
        return {
            "lambda": boto3.client("lambda").meta.endpoint_url,
            "dynamodb": boto3.resource("dynamodb").meta.client.meta.endpoint_url,
            "s3": s3.meta.endpoint_url,
            "s3_request": s3_request_url(s3),
            "sqs": boto3.Session().client("sqs").meta.endpoint_url,
            "logs": botocore.session.get_session().create_client("logs").meta.endpoint_url,
            "explicit": boto3.client(
                "lambda", endpoint_url="http://explicit.test:9000").meta.endpoint_url,
        }
"""


def test_endpoint_url_env_applies_to_old_botocore(function):
    function.write("app.py", ENDPOINT_HANDLER)
    function.start("app.handler", env=ENDPOINT_ENV)
    base, s3_override, ignored = function.invoke(
        {},
        {"AWS_ENDPOINT_URL_S3": "http://storage.nimbus.test:9000"},
        {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"},
    )
    assert base.kind == "response", base
    assert base.json() == {
        "lambda": "http://127.0.0.1:4566",
        "dynamodb": "http://127.0.0.1:4567",
        "s3": "http://127.0.0.1:4566",
        "s3_request": "http://127.0.0.1:4566/photos",
        "sqs": "http://127.0.0.1:4566",
        "logs": "http://127.0.0.1:4568",
        "explicit": "http://explicit.test:9000",
    }
    # Variables are read when each client is made.  A custom S3 endpoint
    # gets path-style URLs, host name or not, as with an explicit endpoint_url.
    body = s3_override.json()
    assert body["s3"] == "http://storage.nimbus.test:9000"
    assert body["s3_request"] == "http://storage.nimbus.test:9000/photos"
    assert body["lambda"] == "http://127.0.0.1:4566"
    body = ignored.json()
    assert body["lambda"] == "https://lambda.us-east-1.amazonaws.com"
    assert body["dynamodb"] == "https://dynamodb.us-east-1.amazonaws.com"
    assert body["logs"] == "https://logs.us-east-1.amazonaws.com"
    assert "amazonaws.com" in body["s3"]
    assert body["explicit"] == "http://explicit.test:9000"
    _, stderr = function.stop()
    assert stderr == ""


def test_botocore_not_imported_before_function_code(function):
    function.write("app.py", """
        import sys

        def handler(event, context):
            return {
                "loaded": sorted(m for m in sys.modules
                                 if m.split(".")[0] in ("boto3", "botocore", "s3transfer")),
                "hook": [type(f).__name__ for f in sys.meta_path][:1],
            }
    """)
    function.start("app.handler", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
    (result,) = function.invoke({})
    assert result.json() == {"loaded": [], "hook": ["BotocoreClientFinder"]}


@pytest.mark.parametrize("native", [False, True])
def test_endpoint_patch_only_without_native_support(function, native):
    # A stand-in botocore in the task root; it comes first on sys.path.
    function.write("botocore/__init__.py", "")
    function.write("botocore/configprovider.py",
                   "class ConfiguredEndpointProvider:\n    pass\n" if native else "")
    function.write("botocore/client.py", """
        class ClientCreator:
            def create_client(self, service_name, region_name, is_secure=True,
                              endpoint_url=None, verify=None, credentials=None,
                              scoped_config=None, api_version=None, client_config=None):
                return endpoint_url
    """)
    function.write("app.py", """
        from botocore.client import ClientCreator

        def handler(event, context):
            creator = ClientCreator()
            return [creator.create_client("lambda", "us-east-1"),
                    creator.create_client("lambda", "us-east-1", True, "http://given:1")]
    """)
    function.start("app.handler", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
    (result,) = function.invoke({})
    expected = None if native else "http://127.0.0.1:4566"
    assert result.json() == [expected, "http://given:1"]


# ---------------------------------------------------------------------------
# Runtime API connection handling


def test_reconnects_when_server_drops_idle_connection(function):
    function.write("app.py", "def handler(e, c):\n    return e\n")
    function.api.drop_after_post = True
    function.start("app.handler")
    results = function.invoke(1, 2, 3)
    assert [r.json() for r in results] == [1, 2, 3]
    assert len({r.peer for r in results}) == 3


def test_exits_when_next_fails(function):
    function.write("app.py", "def handler(e, c):\n    return e\n")
    function.api.next_status = 500
    function.start("app.handler")
    assert function.wait_exit() == 1
    _, stderr = function.stop()
    assert "GET next answered 500" in stderr

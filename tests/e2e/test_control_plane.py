"""Lambda control plane: Create/Get/GetConfiguration/List/UpdateCode/UpdateConfiguration/
Delete/GetAccountSettings/ListTags, their validation errors, CodeSha256/CodeSize and
the GetFunction code download."""

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import io

import botocore.exceptions
import pytest

from conftest import ACCOUNT, REGION, ROLE, make_zip, sha256_b64, unique

APP = "def handler(event, context):\n    return {'version': 1}\n"
APP2 = "def handler(event, context):\n    return {'version': 2}\n"
ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"


def client_error(fn, *args, **kwargs) -> dict:
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        fn(*args, **kwargs)
    return ei.value.response


def assert_error(resp, status, codes, message_part=None):
    codes = (codes,) if isinstance(codes, str) else codes
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == status, resp
    assert resp["Error"]["Code"] in codes, resp
    if message_part is not None:
        assert message_part in resp["Error"]["Message"], resp


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


@pytest.fixture
def novalidate(server):
    """A client without botocore's client-side checks, so the server's are tested."""
    return server.lambda_client(validate=False)


def base_params(name, zip_bytes=None, **kw):
    p = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
             Code={"ZipFile": zip_bytes if zip_bytes is not None else make_zip({"app.py": APP})})
    p.update(kw)
    return p


# ---------------------------------------------------------------------------
# create / get / list / delete
# ---------------------------------------------------------------------------


def test_create_function_response(server, lam):
    name = unique("cp")
    zip_bytes = make_zip({"app.py": APP, "lib/data.txt": "x" * 100})
    resp = lam.create_function(**base_params(name, zip_bytes, Description="first", Timeout=7,
                                             MemorySize=256, Environment={"Variables": {"KEY1": "v"}}))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert resp["FunctionName"] == name
    assert resp["FunctionArn"] == ARN_PREFIX + name  # unqualified for $LATEST
    assert resp["Runtime"] == "python3.12"
    assert resp["Role"] == ROLE
    assert resp["Handler"] == "app.handler"
    assert resp["Description"] == "first"
    assert resp["Timeout"] == 7
    assert resp["MemorySize"] == 256
    assert resp["Version"] == "$LATEST"
    assert resp["CodeSize"] == len(zip_bytes)
    assert resp["CodeSha256"] == sha256_b64(zip_bytes)
    assert resp["Environment"] == {"Variables": {"KEY1": "v"}}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", resp["LastModified"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", resp["RevisionId"])
    assert resp["State"] in ("Pending", "Active")
    assert resp["PackageType"] == "Zip"
    assert resp["Architectures"] == ["x86_64"]
    assert resp["TracingConfig"] == {"Mode": "PassThrough"}
    assert resp["EphemeralStorage"] == {"Size": 512}
    # waiters accept what the server reports
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})


def test_create_defaults(server, lam):
    name = unique("cp-def")
    resp = lam.create_function(**base_params(name))
    assert resp["Timeout"] == 3
    assert resp["MemorySize"] == 128
    assert resp["Description"] == ""
    assert "Environment" not in resp


def test_get_function_and_configuration(server, lam):
    name = unique("cp-get")
    zip_bytes = make_zip({"app.py": APP})
    created = lam.create_function(**base_params(name, zip_bytes, Tags={"team": "e2e", "k2": "v2"}))
    got = lam.get_function(FunctionName=name)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    cfg = got["Configuration"]
    for key in ("FunctionName", "FunctionArn", "Runtime", "Handler", "CodeSha256", "CodeSize",
                "RevisionId", "LastModified", "MemorySize", "Timeout", "Version"):
        assert cfg[key] == created[key], key
    assert got["Code"]["RepositoryType"] == "S3"
    assert got["Tags"] == {"team": "e2e", "k2": "v2"}
    conf = lam.get_function_configuration(FunctionName=name)
    conf.pop("ResponseMetadata")
    assert conf == cfg
    # by ARN, partial ARN and with the $LATEST qualifier
    assert lam.get_function(FunctionName=ARN_PREFIX + name)["Configuration"]["FunctionName"] == name
    assert lam.get_function(FunctionName=f"{ACCOUNT}:function:{name}")["Configuration"]["FunctionName"] == name
    assert lam.get_function_configuration(FunctionName=name, Qualifier="$LATEST")["FunctionName"] == name
    assert lam.list_tags(Resource=ARN_PREFIX + name)["Tags"] == {"team": "e2e", "k2": "v2"}


def test_code_location_downloads_the_zip(server, lam):
    name = unique("cp-dl")
    zip_bytes = make_zip({"app.py": APP, "other.txt": "payload-one"})
    lam.create_function(**base_params(name, zip_bytes))
    loc = lam.get_function(FunctionName=name)["Code"]["Location"]
    assert loc.startswith("http")
    data = download(loc)
    assert data == zip_bytes
    assert sha256_b64(data) == lam.get_function_configuration(FunctionName=name)["CodeSha256"]
    # the URL is signed: a tampered one is refused
    u = urllib.parse.urlsplit(loc)
    q = dict(urllib.parse.parse_qsl(u.query))
    for k in q:
        if "sig" in k.lower():
            q[k] = ("0" if q[k][0] != "0" else "1") + q[k][1:]
    bad = urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q)))
    with pytest.raises(urllib.error.HTTPError) as ei:
        download(bad)
    assert ei.value.code == 403


def test_delete_function(server, lam):
    name = unique("cp-del")
    lam.create_function(**base_params(name))
    resp = lam.delete_function(FunctionName=name)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    r = client_error(lam.get_function, FunctionName=name)
    assert_error(r, 404, "ResourceNotFoundException", f"Function not found: {ARN_PREFIX}{name}")
    assert_error(client_error(lam.delete_function, FunctionName=name), 404, "ResourceNotFoundException")
    assert_error(client_error(lam.invoke, FunctionName=name, Payload=b"{}"), 404, "ResourceNotFoundException")
    # the name can be used again
    lam.create_function(**base_params(name))
    assert server.invoke_json(name, {})[1] == {"version": 1}


@pytest.mark.parametrize(
    "call",
    [
        lambda lam, n: lam.get_function(FunctionName=n),
        lambda lam, n: lam.get_function_configuration(FunctionName=n),
        lambda lam, n: lam.update_function_code(FunctionName=n, ZipFile=make_zip({"app.py": APP})),
        lambda lam, n: lam.update_function_configuration(FunctionName=n, Timeout=5),
        lambda lam, n: lam.delete_function(FunctionName=n),
        lambda lam, n: lam.invoke(FunctionName=n, Payload=b"{}"),
        lambda lam, n: lam.invoke(FunctionName=n, InvocationType="DryRun"),
        lambda lam, n: lam.invoke(FunctionName=n, InvocationType="Event", Payload=b"{}"),
        lambda lam, n: lam.list_tags(Resource=ARN_PREFIX + n),
    ],
    ids=["get", "get-config", "update-code", "update-config", "delete", "invoke", "dryrun",
         "event", "list-tags"],
)
def test_missing_function_is_404(server, lam, call):
    n = unique("missing")
    r = client_error(call, lam, n)
    assert_error(r, 404, "ResourceNotFoundException", n)
    assert r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype", "").startswith("ResourceNotFoundException")


def test_unpublished_version_qualifier_is_404(server, lam):
    name = unique("cp-qual")
    lam.create_function(**base_params(name))
    assert_error(client_error(lam.get_function, FunctionName=name, Qualifier="1"), 404,
                 "ResourceNotFoundException")
    assert_error(client_error(lam.invoke, FunctionName=name, Qualifier="1", Payload=b"{}"), 404,
                 "ResourceNotFoundException")


def test_duplicate_create_is_409(server, lam):
    name = unique("cp-dup")
    lam.create_function(**base_params(name))
    r = client_error(lam.create_function, **base_params(name))
    assert_error(r, 409, "ResourceConflictException", f"Function already exist: {name}")


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------

VALIDATION_CODES = ("InvalidParameterValueException", "ValidationException")


@pytest.mark.parametrize(
    "overrides,codes,message_part",
    [
        ({"Runtime": "cobol1.0"}, "InvalidParameterValueException", "runtime"),
        ({"Runtime": "python2.7"}, "InvalidParameterValueException", "runtime"),
        ({"Timeout": 0}, VALIDATION_CODES, "timeout"),
        ({"Timeout": 901}, VALIDATION_CODES, "timeout"),
        ({"MemorySize": 64}, VALIDATION_CODES, "memorySize"),
        ({"MemorySize": 10241}, VALIDATION_CODES, "memorySize"),
        ({"Environment": {"Variables": {"AWS_REGION": "eu-west-1"}}}, "InvalidParameterValueException",
         "Reserved keys used in this request: AWS_REGION"),
        ({"Environment": {"Variables": {"_HANDLER": "x"}}}, VALIDATION_CODES, "_HANDLER"),
        ({"Environment": {"Variables": {"AWS_LAMBDA_FUNCTION_NAME": "x"}}},
         "InvalidParameterValueException", "AWS_LAMBDA_FUNCTION_NAME"),
        ({"Environment": {"Variables": {"AWS_ACCESS_KEY_ID": "x"}}}, "InvalidParameterValueException",
         "AWS_ACCESS_KEY_ID"),
        ({"Environment": {"Variables": {"BIG": "x" * 5000}}}, "InvalidParameterValueException",
         "exceeded the 4KB limit"),
        ({"Environment": {"Variables": {f"K{i}": "y" * 100 for i in range(45)}}},
         "InvalidParameterValueException", "exceeded the 4KB limit"),
        ({"Environment": {"Variables": {"1BAD": "x"}}}, VALIDATION_CODES, None),
        ({"Environment": {"Variables": {"BAD-KEY": "x"}}}, VALIDATION_CODES, None),
        ({"FunctionName": "bad name!"}, VALIDATION_CODES, "functionName"),
        ({"FunctionName": "a" * 65}, VALIDATION_CODES, "functionName"),
        ({"Handler": None}, "InvalidParameterValueException", None),
        ({"Handler": "app handler"}, VALIDATION_CODES, "handler"),
        ({"Description": "d" * 257}, VALIDATION_CODES, "description"),
        ({"Role": "not-a-role"}, VALIDATION_CODES, "role"),
        ({"Architectures": ["sparc"]}, VALIDATION_CODES, None),
    ],
    ids=["runtime-unknown", "runtime-retired", "timeout-0", "timeout-901", "memory-64",
         "memory-10241", "reserved-AWS_REGION", "reserved-_HANDLER", "reserved-function-name",
         "reserved-access-key", "env-over-4KB", "env-many-over-4KB", "env-key-digit",
         "env-key-dash", "name-chars", "name-65", "no-handler", "handler-space",
         "description-257", "role", "architecture"],
)
def test_create_validation_errors(server, novalidate, overrides, codes, message_part):
    name = unique("val")
    params = base_params(name)
    for k, v in overrides.items():
        if v is None:
            params.pop(k)
        else:
            params[k] = v
    r = client_error(novalidate.create_function, **params)
    assert_error(r, 400, codes, message_part)
    # nothing was created
    assert_error(client_error(novalidate.get_function, FunctionName=name), 404, "ResourceNotFoundException")


@pytest.mark.parametrize(
    "overrides",
    [{"Timeout": 1}, {"Timeout": 900}, {"MemorySize": 128}, {"MemorySize": 10240},
     {"Environment": {"Variables": {f"K{i}": "y" * 50 for i in range(30)}}},
     {"Runtime": "provided.al2023", "Handler": None}],
    ids=["timeout-1", "timeout-900", "memory-128", "memory-10240", "env-3KB", "provided-no-handler"],
)
def test_create_accepts_boundaries(server, lam, overrides):
    name = unique("ok")
    params = base_params(name)
    for k, v in overrides.items():
        if v is None:
            params.pop(k)
        else:
            params[k] = v
    resp = lam.create_function(**params)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201


def _truncated_zip():
    z = make_zip({"app.py": APP})
    return z[: len(z) - 30]


def _symlink(target):
    return make_zip({"app.py": APP, "link": (target, 0o120777)})


@pytest.mark.parametrize(
    "zip_bytes,message_part",
    [
        (b"this is not a zip file at all", "Could not unzip uploaded file"),
        (_truncated_zip(), "Could not unzip uploaded file"),
        (b"", None),
        (make_zip({"app.py": APP, "../escape.py": "x = 1\n"}), None),
        (make_zip({"app.py": APP, "lib/../../escape.py": "x = 1\n"}), None),
        (make_zip({"app.py": APP, "/etc/evil.py": "x = 1\n"}), None),
        (_symlink("../../../../etc/passwd"), None),
        (_symlink("/etc/passwd"), None),
    ],
    ids=["garbage", "truncated", "empty", "dotdot", "nested-dotdot", "absolute", "symlink-up",
         "symlink-absolute"],
)
def test_bad_zip_is_rejected(server, novalidate, zip_bytes, message_part):
    name = unique("zip")
    r = client_error(novalidate.create_function, **base_params(name, zip_bytes))
    assert_error(r, 400, "InvalidParameterValueException", message_part)
    assert_error(client_error(novalidate.get_function, FunctionName=name), 404, "ResourceNotFoundException")
    # the same checks guard UpdateFunctionCode
    good = unique("zip-upd")
    novalidate.create_function(**base_params(good))
    before = novalidate.get_function_configuration(FunctionName=good)["CodeSha256"]
    r = client_error(novalidate.update_function_code, FunctionName=good, ZipFile=zip_bytes)
    assert_error(r, 400, "InvalidParameterValueException", message_part)
    assert novalidate.get_function_configuration(FunctionName=good)["CodeSha256"] == before
    assert server.invoke_json(good, {})[1] == {"version": 1}


def test_symlink_inside_the_code_is_allowed(server, lam):
    name = unique("zip-link")
    files = {"real.py": "def handler(e, c):\n    return 'through a link'\n",
             "app.py": ("real.py", 0o120777), "pkg/inner.txt": "inner",
             "pkg/up.txt": ("inner.txt", 0o120777)}
    lam.create_function(**base_params(name, make_zip(files)))
    assert server.invoke_json(name, {})[1] == "through a link"


def test_zip_modes_and_directories_are_kept(server, lam):
    name = unique("zip-mode")
    app = ("import os\ndef handler(e, c):\n"
           "    return {'exec': os.access('/var/task/bin/tool', os.X_OK),\n"
           "            'plain_exec': os.access('/var/task/data.txt', os.X_OK),\n"
           "            'data': open('/var/task/nested/deep/data.txt').read()}\n")
    files = {"app.py": app, "bin/tool": ("#!/bin/sh\n", 0o755), "data.txt": "d",
             "nested/": ("", 0o755), "nested/deep/data.txt": "deep"}
    lam.create_function(**base_params(name, make_zip(files)))
    assert server.invoke_json(name, {})[1] == {"exec": True, "plain_exec": False, "data": "deep"}


def test_name_of_64_characters(server, lam):
    name = (unique("n64") + "x" * 64)[:64]
    assert lam.create_function(**base_params(name))["FunctionName"] == name
    assert server.invoke_json(name, {})[1] == {"version": 1}


def test_error_document_shape(server):
    """x-amzn-ErrorType header plus Type and the message in the body."""
    missing = unique("shape")
    r = server.signed("GET", f"/2015-03-31/functions/{missing}")
    assert r.status == 404
    assert r.headers["x-amzn-errortype"].split(":")[0] == "ResourceNotFoundException"
    assert r.headers.get("x-amzn-requestid")
    body = r.json()
    assert body["Type"] == "User"
    assert (body.get("Message") or body.get("message")) == f"Function not found: {ARN_PREFIX}{missing}"
    r = server.signed("POST", "/2015-03-31/functions", b"this is not json", {"Content-Type": "application/json"})
    assert r.status == 400
    assert r.headers["x-amzn-errortype"].split(":")[0] == "InvalidRequestContentException"
    assert "Could not parse request body into json" in (r.json().get("message") or r.json().get("Message"))


def test_invalid_function_name_in_path(server, novalidate):
    r = client_error(novalidate.get_function, FunctionName="bad%name")
    assert r["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)


# ---------------------------------------------------------------------------
# updates
# ---------------------------------------------------------------------------


def test_update_function_code(server, lam):
    name = unique("upd-code")
    zip1 = make_zip({"app.py": APP})
    created = lam.create_function(**base_params(name, zip1))
    assert server.invoke_json(name, {})[1] == {"version": 1}
    zip2 = make_zip({"app.py": APP2, "extra.txt": "more bytes"})
    resp = lam.update_function_code(FunctionName=name, ZipFile=zip2)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["CodeSha256"] == sha256_b64(zip2)
    assert resp["CodeSize"] == len(zip2)
    assert resp["RevisionId"] != created["RevisionId"]
    assert resp["LastUpdateStatus"] in ("Successful", "InProgress")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    # the warm instance running the old code is not used again
    assert server.invoke_json(name, {})[1] == {"version": 2}
    assert download(lam.get_function(FunctionName=name)["Code"]["Location"]) == zip2
    # optimistic locking
    r = client_error(lam.update_function_code, FunctionName=name, ZipFile=zip1,
                     RevisionId=created["RevisionId"])
    assert_error(r, 412, "PreconditionFailedException")
    ok = lam.update_function_code(FunctionName=name, ZipFile=zip1, RevisionId=resp["RevisionId"])
    assert ok["CodeSha256"] == sha256_b64(zip1)
    assert server.invoke_json(name, {})[1] == {"version": 1}


def test_delete_and_recreate_never_reuses_the_old_instance(server, lam):
    name = unique("recreate")
    lam.create_function(**base_params(name, make_zip({"app.py": APP})))
    assert server.invoke_json(name, {})[1] == {"version": 1}  # a warm instance now exists
    lam.delete_function(FunctionName=name)
    lam.create_function(**base_params(name, make_zip({"app.py": APP2})))
    assert server.invoke_json(name, {})[1] == {"version": 2}


def test_empty_environment_removes_the_variables(server, lam):
    name = unique("noenv")
    lam.create_function(**base_params(name, Environment={"Variables": {"KEY1": "v"}}))
    resp = lam.update_function_configuration(FunctionName=name, Environment={"Variables": {}})
    assert "Variables" not in resp.get("Environment", {}) or resp["Environment"]["Variables"] == {}


def test_two_functions_with_identical_code(server, lam):
    """Code is stored by content; deleting one function must not break the other."""
    zip_bytes = make_zip({"app.py": "def handler(e, c):\n    return 'shared'\n"})
    a, b = unique("same-a"), unique("same-b")
    lam.create_function(**base_params(a, zip_bytes))
    lam.create_function(**base_params(b, zip_bytes))
    lam.delete_function(FunctionName=a)
    assert server.invoke_json(b, {})[1] == "shared"
    assert download(lam.get_function(FunctionName=b)["Code"]["Location"]) == zip_bytes


def test_update_function_configuration(server, lam, novalidate):
    name = unique("upd-cfg")
    files = {"app.py": APP, "alt.py": "def main(event, context):\n    return 'alt handler'\n"}
    created = lam.create_function(**base_params(name, make_zip(files)))
    resp = lam.update_function_configuration(FunctionName=name, Handler="alt.main", Timeout=9,
                                             MemorySize=512, Description="changed",
                                             Runtime="python3.11")
    assert resp["Handler"] == "alt.main"
    assert resp["Timeout"] == 9
    assert resp["MemorySize"] == 512
    assert resp["Description"] == "changed"
    assert resp["Runtime"] == "python3.11"
    assert resp["CodeSha256"] == created["CodeSha256"]
    assert resp["RevisionId"] != created["RevisionId"]
    got = lam.get_function_configuration(FunctionName=name)
    assert (got["Handler"], got["Timeout"], got["MemorySize"]) == ("alt.main", 9, 512)
    assert server.invoke_json(name, {})[1] == "alt handler"

    for bad, part in [({"Timeout": 0}, "timeout"), ({"Timeout": 901}, "timeout"),
                      ({"MemorySize": 64}, "memorySize"), ({"MemorySize": 10241}, "memorySize"),
                      ({"Runtime": "ruby9"}, "runtime"),
                      ({"Environment": {"Variables": {"AWS_REGION": "x"}}}, "AWS_REGION"),
                      ({"Environment": {"Variables": {"BIG": "z" * 5000}}}, "4KB")]:
        r = client_error(novalidate.update_function_configuration, FunctionName=name, **bad)
        assert_error(r, 400, VALIDATION_CODES, part)
    # nothing changed
    after = lam.get_function_configuration(FunctionName=name)
    assert after["RevisionId"] == got["RevisionId"]
    assert (after["Timeout"], after["MemorySize"], after["Runtime"]) == (9, 512, "python3.11")

    r = client_error(lam.update_function_configuration, FunctionName=name, Timeout=4,
                     RevisionId=created["RevisionId"])
    assert_error(r, 412, "PreconditionFailedException")


def test_get_account_settings(server, lam):
    resp = lam.get_account_settings()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    limit, usage = resp["AccountLimit"], resp["AccountUsage"]
    assert limit["ConcurrentExecutions"] >= 1
    assert limit["CodeSizeZipped"] == 52428800
    assert limit["CodeSizeUnzipped"] == 262144000
    assert usage["FunctionCount"] == server.health()["functions"]
    assert usage["TotalCodeSize"] > 0


# ---------------------------------------------------------------------------
# pagination (on a server of its own, so the count is exact)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(module_server_factory):
    s = module_server_factory.start("--concurrency", "7")
    lam = s.lambda_client()
    zip_bytes = make_zip({"app.py": APP})
    names = sorted(f"page-{i:03d}-{unique('p')}" for i in range(53))
    for n in names:
        lam.create_function(**base_params(n, zip_bytes))
    return s, names, zip_bytes


def test_list_functions_pages(many):
    s, names, zip_bytes = many
    lam = s.lambda_client()
    first = lam.list_functions()
    assert len(first["Functions"]) == 50  # at most 50 per page
    assert "NextMarker" in first
    second = lam.list_functions(Marker=first["NextMarker"])
    assert len(second["Functions"]) == 3
    assert "NextMarker" not in second
    listed = [f["FunctionName"] for f in first["Functions"] + second["Functions"]]
    assert sorted(listed) == names
    f = first["Functions"][0]
    assert f["CodeSha256"] == sha256_b64(zip_bytes) and f["CodeSize"] == len(zip_bytes)
    assert f["Version"] == "$LATEST"


def test_list_functions_max_items(many):
    s, names, _ = many
    lam = s.lambda_client()
    page = lam.list_functions(MaxItems=7)
    assert len(page["Functions"]) == 7 and "NextMarker" in page
    seen = []
    for p in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 10}):
        assert len(p["Functions"]) <= 10
        seen += [f["FunctionName"] for f in p["Functions"]]
    assert seen == sorted(seen) or sorted(seen) == names
    assert sorted(seen) == names
    assert len(seen) == len(set(seen))
    # MaxItems above 50 still gives at most 50
    assert len(lam.list_functions(MaxItems=1000)["Functions"]) == 50
    nv = s.lambda_client(validate=False)
    assert_error(client_error(nv.list_functions, MaxItems=0), 400, VALIDATION_CODES)


def test_list_functions_with_aws_cli_and_nimbus_cli(many):
    s, names, _ = many
    out = json.loads(s.aws("lambda", "list-functions").stdout)  # the CLI follows NextMarker
    assert sorted(f["FunctionName"] for f in out["Functions"]) == names
    text = s.nimbus("function", "list").stdout
    for n in names:
        assert n in text


def test_account_settings_count(many):
    s, names, zip_bytes = many
    resp = s.lambda_client().get_account_settings()
    assert resp["AccountUsage"]["FunctionCount"] == len(names)
    assert resp["AccountUsage"]["TotalCodeSize"] == len(names) * len(zip_bytes)
    assert resp["AccountLimit"]["ConcurrentExecutions"] == 7

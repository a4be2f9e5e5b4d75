"""SigV4 authentication of the AWS endpoint: what is accepted and how rejections look
(rest-json Lambda answers 403, JSON-protocol Logs answers 400)."""

import datetime as dt
import json

import botocore.exceptions
import pytest

from conftest import raw_request, unique

LIST = "/2015-03-31/functions/"


def lambda_error(server, **creds):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        server.lambda_client(**creds).list_functions()
    return ei.value.response


def logs_error(server, **creds):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        server.logs_client(**creds).describe_log_groups()
    return ei.value.response


def test_valid_signature_is_accepted(server):
    assert server.lambda_client().list_functions()["ResponseMetadata"]["HTTPStatusCode"] == 200
    r = server.signed("GET", LIST)
    assert r.status == 200, r
    assert "Functions" in r.json()
    # signed query string with characters that need encoding
    r = server.signed("GET", LIST + "?MaxItems=5&Marker=a%2Fb%20c")
    assert r.status == 200, r


def test_presigned_url(server):
    import urllib.request
    name = unique("presign")
    server.create_function(name, "python3.12", "app.handler", {"app.py": "def handler(e, c):\n    return 1\n"})
    url = server.lambda_client().generate_presigned_url(
        "get_function_configuration", Params={"FunctionName": name}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as r:
        assert json.loads(r.read())["FunctionName"] == name
    bad = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    r = raw_request("GET", bad[:-1])
    assert r.status == 403


def test_wrong_secret_is_invalid_signature(server):
    r = lambda_error(server, secret_key="wrong" + server.secret_key[5:])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert r["Error"]["Code"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in r["Error"]["Message"]
    raw = server.signed("GET", LIST, secret_key="nope")
    assert raw.status == 403
    assert raw.headers["x-amzn-errortype"].startswith("InvalidSignatureException")


def test_unknown_access_key_is_unrecognized_client(server):
    r = lambda_error(server, access_key="AKIAUNKNOWNKEY000000", secret_key="x" * 40)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert r["Error"]["Code"] == "UnrecognizedClientException"
    assert r["Error"]["Message"] == "The security token included in the request is invalid."


def test_request_dated_an_hour_ago_is_expired(server):
    then = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    r = server.signed("GET", LIST, when=then)
    assert r.status == 403, r
    assert r.headers["x-amzn-errortype"].startswith("InvalidSignatureException")
    body = r.json()
    message = body.get("message") or body.get("Message")
    assert message.startswith("Signature expired: " + then.strftime("%Y%m%dT%H%M%SZ") + " is now earlier than")


def test_request_dated_an_hour_ahead_is_refused(server):
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    r = server.signed("GET", LIST, when=later)
    assert r.status == 403, r
    assert r.headers["x-amzn-errortype"].startswith("InvalidSignatureException")
    body = r.json()
    assert "Signature not yet current" in (body.get("message") or body.get("Message"))


def test_no_authentication(server):
    r = raw_request("GET", server.endpoint + LIST)
    assert r.status == 403
    assert r.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException")
    r = raw_request("POST", server.endpoint + "/2015-03-31/functions/x/invocations", b"{}")
    assert r.status == 403
    assert r.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException")


def test_tampered_body_is_refused(server):
    name = unique("sig-body")
    server.create_function(name, "python3.12", "app.handler",
                           {"app.py": "def handler(e, c):\n    return e\n"})
    url = f"/2015-03-31/functions/{name}/invocations"
    from conftest import sigv4_headers
    headers = sigv4_headers("POST", server.endpoint + url, b'{"amount": 1}', {}, server.access_key,
                            server.secret_key)
    r = raw_request("POST", server.endpoint + url, b'{"amount": 1000}', headers)
    assert r.status == 403
    assert r.headers["x-amzn-errortype"].startswith("InvalidSignatureException")
    r = raw_request("POST", server.endpoint + url, b'{"amount": 1}', headers)
    assert r.status == 200 and r.json() == {"amount": 1}


def test_host_must_be_signed(server):
    from conftest import sigv4_headers
    # a correct signature over every header but Host
    h = sigv4_headers("GET", server.endpoint + LIST, b"", {}, server.access_key, server.secret_key,
                      sign_host=False)
    assert "SignedHeaders=x-amz-date," in h["Authorization"]
    r = raw_request("GET", server.endpoint + LIST, b"", h)
    assert r.status in (400, 403), r
    assert r.headers["x-amzn-errortype"].split(":")[0] in ("IncompleteSignatureException",
                                                          "InvalidSignatureException")


def test_logs_protocol_rejections(server):
    r = logs_error(server, secret_key="bad" * 10)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert r["Error"]["Code"] == "InvalidSignatureException"
    r = logs_error(server, access_key="AKIAUNKNOWNKEY000000", secret_key="x" * 40)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert r["Error"]["Code"] == "UnrecognizedClientException"
    raw = raw_request("POST", server.endpoint + "/", b"{}",
                      {"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                       "Content-Type": "application/x-amz-json-1.1"})
    assert raw.status == 400
    assert "MissingAuthenticationTokenException" in (raw.headers.get("x-amzn-errortype", "")
                                                     + json.dumps(raw.json()))


def test_dev_credentials_refused_by_default(server):
    r = lambda_error(server, access_key="test", secret_key="test")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert r["Error"]["Code"] == "UnrecognizedClientException"


def test_dev_credentials_accepted_with_the_flag(server_factory):
    s = server_factory.start("--dev-credentials")
    lam = s.lambda_client(access_key="test", secret_key="test")
    assert lam.list_functions()["Functions"] == []
    name = unique("dev")
    from conftest import make_zip, ROLE
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 'dev'\n"})})
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "dev"
    # the generated root key keeps working, and test/test still needs the right secret
    assert [f["FunctionName"] for f in s.lambda_client().list_functions()["Functions"]] == [name]
    r = lambda_error(s, access_key="test", secret_key="wrong")
    assert r["Error"]["Code"] == "InvalidSignatureException"


def test_instance_credentials_need_their_session_token(server):
    """The temporary key a function gets works with its session token, not without it."""
    name = unique("creds")
    app = ("import os\ndef handler(e, c):\n"
           "    return {k: os.environ[k] for k in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN')}\n")
    server.create_function(name, "python3.12", "app.handler", {"app.py": app})
    creds = server.invoke_json(name, {})[1]  # the instance stays warm, its key valid
    ok = server.lambda_client(access_key=creds["AWS_ACCESS_KEY_ID"], secret_key=creds["AWS_SECRET_ACCESS_KEY"],
                              session_token=creds["AWS_SESSION_TOKEN"])
    assert ok.get_function_configuration(FunctionName=name)["FunctionName"] == name
    r = lambda_error(server, access_key=creds["AWS_ACCESS_KEY_ID"], secret_key=creds["AWS_SECRET_ACCESS_KEY"])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert r["Error"]["Code"] in ("UnrecognizedClientException", "InvalidSignatureException")
    bad = server.lambda_client(access_key=creds["AWS_ACCESS_KEY_ID"], secret_key=creds["AWS_SECRET_ACCESS_KEY"],
                               session_token="forged" + creds["AWS_SESSION_TOKEN"][6:])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        bad.list_functions()
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_aws_cli_with_a_wrong_key(server):
    env_server = server
    r = env_server.aws("lambda", "list-functions", check=False)
    assert r.returncode == 0, r.stderr
    import subprocess
    env = env_server.cli_env()
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    p = subprocess.run(["/usr/bin/aws", "--endpoint-url", server.endpoint, "lambda", "list-functions"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode != 0
    assert "InvalidSignatureException" in p.stderr

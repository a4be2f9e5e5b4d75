"""SigV4 authentication of the AWS endpoint: what is accepted and how rejections look
(rest-json Lambda answers 403, JSON-protocol Logs answers 400)."""

import datetime as dt
import hashlib
import hmac
import json
import urllib.parse

import botocore.exceptions
import pytest

from conftest import REGION, raw_request, sigv4_headers, unique

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


def error_type(r) -> str:
    return r.headers.get("x-amzn-errortype", "").split(":")[0]


@pytest.fixture(scope="module")
def echo(server):
    name = unique("sig-echo")
    server.create_function(name, "python3.12", "app.handler",
                           {"app.py": "def handler(e, c):\n    return e\n"})
    return server, f"/2015-03-31/functions/{name}/invocations"


def test_signed_content_sha256_binds_the_body(echo):
    """The canonical request takes the payload hash from X-Amz-Content-Sha256: a signed
    header naming one body must not carry another."""
    server, url = echo
    body = b'{"amount": 1}'
    sha = {"X-Amz-Content-Sha256": hashlib.sha256(body).hexdigest()}
    headers = sigv4_headers("POST", server.endpoint + url, body, sha, server.access_key,
                            server.secret_key)
    assert "x-amz-content-sha256" in headers["Authorization"]
    r = raw_request("POST", server.endpoint + url, b'{"amount": 1000}', headers)
    assert r.status == 403, r
    assert error_type(r) == "InvalidSignatureException"
    r = raw_request("POST", server.endpoint + url, body, headers)
    assert r.status == 200 and r.json() == {"amount": 1}, r


def test_unsigned_content_sha256_is_refused(echo):
    """An X-Amz-Content-Sha256 header outside the signature would let anyone set the payload
    hash of a captured request, and with it the body."""
    server, url = echo
    body = b'{"amount": 1}'
    headers = sigv4_headers("POST", server.endpoint + url, body, {}, server.access_key,
                            server.secret_key)
    headers["X-Amz-Content-Sha256"] = hashlib.sha256(body).hexdigest()
    for sent in (b'{"amount": 1000}', body):
        r = raw_request("POST", server.endpoint + url, sent, headers)
        assert r.status == 403, r
        assert error_type(r) == "InvalidSignatureException"


def test_unsigned_payload_is_for_s3_only(echo):
    server, url = echo
    headers = sigv4_headers("POST", server.endpoint + url, b"{}",
                            {"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}, server.access_key,
                            server.secret_key)
    r = raw_request("POST", server.endpoint + url, b'{"any": "body"}', headers)
    assert r.status == 403, r
    assert error_type(r) == "InvalidSignatureException"


def presigned(server, path: str, expires: int, when: dt.datetime) -> str:
    """A SigV4 presigned URL for GET `path`, dated `when`, as botocore builds them."""
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{amz_date[:8]}/{REGION}/lambda/aws4_request"
    params = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{server.access_key}/{scope}",
              "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host"}
    query = "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(v, safe='')}"
                     for k, v in sorted(params.items()))
    host = urllib.parse.urlsplit(server.endpoint).netloc
    creq = "\n".join(["GET", urllib.parse.quote(path, safe="/~"), query, f"host:{host}\n", "host",
                      hashlib.sha256(b"").hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = hmac.new(("AWS4" + server.secret_key).encode(), amz_date[:8].encode(), hashlib.sha256).digest()
    for part in (REGION, "lambda", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return f"{server.endpoint}{path}?{query}&X-Amz-Signature={signature}"


def test_presigned_urls_expire_within_a_week(server):
    now = dt.datetime.now(dt.timezone.utc)
    r = raw_request("GET", presigned(server, LIST, 604800, now))
    assert r.status == 200, r
    r = raw_request("GET", presigned(server, LIST, 604801, now))
    assert r.status == 400, r
    assert r.json()["message"] == "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    # Dated 400 days ago: expired at a week's lifetime, refused outright at ten years'.
    old = now - dt.timedelta(days=400)
    r = raw_request("GET", presigned(server, LIST, 604800, old))
    assert r.status == 403, r
    assert error_type(r) == "InvalidSignatureException"
    assert r.json()["message"].startswith("Signature expired")
    r = raw_request("GET", presigned(server, LIST, 10 * 365 * 86400, old))
    assert r.status == 400, r
    # Lifetimes that would overflow a 64-bit sum.
    r = raw_request("GET", presigned(server, LIST, 2**63 - 1, now))
    assert r.status == 400, r
    r = raw_request("GET", presigned(server, LIST, 2**64, now))
    assert r.status == 400, r


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
    """The temporary key a function gets works with its session token, not without it or with
    a forged one (tried from inside the function: outside its sandbox the key is refused
    whatever it carries)."""
    name = unique("creds")
    app = ("import os, boto3, botocore.exceptions\n"
           "def handler(e, c):\n"
           "    env = dict(aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],\n"
           "               aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'])\n"
           "    out = {}\n"
           "    for label, token in (('real', os.environ['AWS_SESSION_TOKEN']), ('none', None),\n"
           "                         ('forged', 'forged' + os.environ['AWS_SESSION_TOKEN'][6:])):\n"
           "        lam = boto3.client('lambda', aws_session_token=token, **env)\n"
           "        try:\n"
           "            out[label] = lam.get_function_configuration(FunctionName=c.function_name)['FunctionName']\n"
           "        except botocore.exceptions.ClientError as err:\n"
           "            out[label] = [err.response['ResponseMetadata']['HTTPStatusCode'],\n"
           "                          err.response['Error']['Code']]\n"
           "    return out\n")
    server.create_function(name, "python3.12", "app.handler", {"app.py": app}, Timeout=30)
    out = server.invoke_json(name, {})[1]
    assert out["real"] == name, out
    assert out["none"][0] == 403 and out["none"][1] in ("UnrecognizedClientException",
                                                        "InvalidSignatureException"), out
    assert out["forged"] == [403, "UnrecognizedClientException"], out


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

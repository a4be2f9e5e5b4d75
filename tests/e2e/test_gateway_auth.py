"""Authorizers and API keys at the gateway: JWT (keys from a JWKS file and
from the issuer's discovery document, over http and over verified https), Lambda authorizers (simple and IAM
policy responses, TOKEN and REQUEST, caching) and REST API keys with usage
plans — what a real HTTP client sees for each outcome.
"""

import base64
import datetime
import http.server
import ipaddress
import json
import ssl
import threading
import time

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography import x509
from cryptography.x509.oid import NameOID

from conftest import deploy, free_port, http_call, write_service

ISSUER = "https://issuer.example.com"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


class Keys:
    def __init__(self):
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict:
        rn = self.rsa.public_key().public_numbers()
        en = self.ec.public_key().public_numbers()
        return {"keys": [
            {"kty": "RSA", "kid": "r1", "alg": "RS256", "use": "sig", "n": b64url(uint(rn.n)), "e": b64url(uint(rn.e))},
            {"kty": "EC", "kid": "e1", "crv": "P-256", "x": b64url(en.x.to_bytes(32, "big")),
             "y": b64url(en.y.to_bytes(32, "big"))},
        ]}

    def token(self, claims: dict, alg: str = "RS256", kid: str | None = None) -> str:
        header = {"alg": alg, "typ": "JWT", "kid": kid or ("r1" if alg == "RS256" else "e1")}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        if alg == "RS256":
            sig = self.rsa.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.ec.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input.decode() + "." + b64url(sig)


def claims(**extra) -> dict:
    now = int(time.time())
    c = {"iss": ISSUER, "aud": "todo-client", "sub": "user-1", "exp": now + 600, "iat": now - 5,
         "scope": "todo.read"}
    c.update(extra)
    return c


HANDLERS = r'''
import json

def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}

def simple(event, context):
    token = event["headers"].get("x-token", "")
    return {"isAuthorized": token.startswith("good"), "context": {"user": token, "n": 7, "ok": True}}

def policy(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("x-token") \
        or (event.get("headers") or {}).get("X-Token", "")
    arn = event.get("methodArn") or event.get("routeArn")
    if token.endswith("unauthorized"):
        raise Exception("Unauthorized")
    if token.endswith("broken"):
        return {"principalId": "u", "context": {"nested": {"no": 1}},
                "policyDocument": {"Version": "2012-10-17", "Statement": []}}
    effect = "Allow" if token.endswith("allow") else "Deny"
    return {"principalId": "user-9", "context": {"role": "admin", "level": 3},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn}]}}
'''

SERVICE = r'''
service: auth
provider:
  name: aws
  runtime: python3.11
  httpApi:
    authorizers:
      jwtFile:
        type: jwt
        issuerUrl: https://issuer.example.com
        audience: [todo-client]
        jwksFile: jwks.json
      jwtDiscovered:
        type: jwt
        issuerUrl: ${env:TEST_ISSUER}
        audience: [todo-client]
      jwtTls:
        type: jwt
        issuerUrl: ${env:TEST_TLS_ISSUER}
        audience: [todo-client]
      jwtUntrusted:
        type: jwt
        issuerUrl: ${env:TEST_UNTRUSTED_ISSUER}
        audience: [todo-client]
      simpleAuth:
        type: request
        functionName: simple
        enableSimpleResponses: true
        identitySource: [$request.header.X-Token]
        resultTtlInSeconds: 300
      policyAuth:
        type: request
        functionName: policy
        identitySource: $request.header.X-Token
        resultTtlInSeconds: 0
  apiGateway:
    apiKeys:
      - name: partner
        value: partner-key-0123456789abcdef
      - name: disabled
        value: disabled-key-0123456789abcdef
        enabled: false
    usagePlan:
      quota: {limit: 3, period: DAY}
functions:
  simple:
    handler: handlers.simple
  policy:
    handler: handlers.policy
  echo:
    handler: handlers.echo
    events:
      - httpApi: {method: GET, path: /jwt, authorizer: {name: jwtFile}}
      - httpApi: {method: GET, path: /jwt/write, authorizer: {name: jwtFile, scopes: [todo.write]}}
      - httpApi: {method: GET, path: /discovered, authorizer: {name: jwtDiscovered}}
      - httpApi: {method: GET, path: /discovered-tls, authorizer: {name: jwtTls}}
      - httpApi: {method: GET, path: /untrusted-tls, authorizer: {name: jwtUntrusted}}
      - httpApi: {method: GET, path: /simple, authorizer: {name: simpleAuth}}
      - httpApi: {method: GET, path: /policy, authorizer: {name: policyAuth}}
      - http: {path: token, method: get, authorizer: {name: policy, type: token, resultTtlInSeconds: 0, identityValidationExpression: '^Bearer .+$'}}
      - http: {path: request, method: get, authorizer: {name: policy, type: request, identitySource: method.request.header.X-Token, resultTtlInSeconds: 0}}
      - http: {path: private, method: get, private: true}
'''


def issuer_handler(base_for_keys, gate: threading.Event | None = None):
    """A local OpenID issuer: discovery document and JWKS. `base_for_keys(port)`
    is the base URL its discovery document gives for the keys; with a `gate`,
    the discovery document waits until the gate opens."""

    class Issuer(http.server.BaseHTTPRequestHandler):
        jwks: dict = {}
        port = 0
        hits = 0

        def do_GET(self):
            Issuer.hits += 1
            if self.path == "/.well-known/openid-configuration":
                if gate:
                    gate.wait()
                body = {"issuer": base_for_keys(Issuer.port), "jwks_uri": base_for_keys(Issuer.port) + "/keys"}
            elif self.path == "/keys":
                body = Issuer.jwks
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Issuer


Issuer = issuer_handler(lambda port: f"http://127.0.0.1:{port}")
# Over https the keys are fetched by name, so both the IP address and the DNS
# name in the certificate are checked.
TlsIssuer = issuer_handler(lambda port: f"https://localhost:{port}")
UntrustedIssuer = issuer_handler(lambda port: f"https://127.0.0.1:{port}")


def certificate(subject_key, subject: str, issuer_key, issuer_name: str, ca: bool):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
         .public_key(subject_key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A test CA, a server certificate it signed (localhost, 127.0.0.1), and a
    self-signed one nobody trusts."""
    d = tmp_path_factory.mktemp("tls")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate(ca_key, "Nimbus Test CA", ca_key, "Nimbus Test CA", ca=True)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    lone_key = ec.generate_private_key(ec.SECP256R1())
    (d / "ca.pem").write_bytes(pem(ca))
    (d / "server.pem").write_bytes(pem(certificate(srv_key, "localhost", ca_key, "Nimbus Test CA", ca=False)))
    (d / "server.key").write_bytes(key_pem(srv_key))
    (d / "lone.pem").write_bytes(pem(certificate(lone_key, "localhost", lone_key, "localhost", ca=False)))
    (d / "lone.key").write_bytes(key_pem(lone_key))
    return d


def serve(handler, keys, cert: Path | None = None, key: Path | None = None):
    handler.jwks = keys.jwks()
    handler.port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", handler.port), handler)
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def keys():
    return Keys()


@pytest.fixture(scope="module")
def issuer(keys):
    httpd = serve(Issuer, keys)
    yield f"http://127.0.0.1:{Issuer.port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def tls_issuer(keys, tls_files):
    httpd = serve(TlsIssuer, keys, tls_files / "server.pem", tls_files / "server.key")
    yield f"https://127.0.0.1:{TlsIssuer.port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def untrusted_issuer(keys, tls_files):
    httpd = serve(UntrustedIssuer, keys, tls_files / "lone.pem", tls_files / "lone.key")
    yield f"https://127.0.0.1:{UntrustedIssuer.port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def auth(module_server_factory, tmp_path_factory, keys, issuer, tls_issuer, untrusted_issuer,
         tls_files, monkeypatch_module):
    # The server trusts the test CA as it would a private CA in production.
    server = module_server_factory.start(env={"SSL_CERT_FILE": str(tls_files / "ca.pem")})
    d = write_service(tmp_path_factory.mktemp("auth") / "svc", {
        "serverless.yml": SERVICE, "handlers.py": HANDLERS, "jwks.json": json.dumps(keys.jwks())})
    monkeypatch_module.setenv("TEST_ISSUER", issuer)
    monkeypatch_module.setenv("TEST_TLS_ISSUER", tls_issuer)
    monkeypatch_module.setenv("TEST_UNTRUSTED_ISSUER", untrusted_issuer)
    deploy(server, d)
    return server


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def get(server, path, **headers):
    return http_call("GET", server.gateway + path, headers=headers)


def log_starts(server, function: str) -> int:
    logs = server.logs_client()
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/auth-dev-{function}")["events"]
    return sum(1 for e in events if e["message"].startswith("START"))


# -- JWT ----------------------------------------------------------------------------


def test_jwt_valid_tokens_pass_claims_and_scopes(auth, keys):
    for alg in ("RS256", "ES256"):
        r = get(auth, "/jwt", Authorization="Bearer " + keys.token(claims(), alg=alg))
        assert r.status == 200, r
        jwt = r.json()["requestContext"]["authorizer"]["jwt"]
        assert jwt["claims"]["sub"] == "user-1"
        assert jwt["claims"]["exp"] == str(claims()["exp"]) or jwt["claims"]["exp"].isdigit()
        assert jwt["scopes"] == ["todo.read"]


def test_jwt_refusals(auth, keys):
    assert get(auth, "/jwt").status == 401
    r = get(auth, "/jwt", Authorization="Bearer " + keys.token(claims(exp=int(time.time()) - 10)))
    assert r.status == 401
    assert r.json() == {"message": "Unauthorized"}
    assert 'error="invalid_token"' in r.header("www-authenticate")
    assert "expired" in r.header("www-authenticate")
    assert get(auth, "/jwt", Authorization="Bearer " + keys.token(claims(iss="https://other"))).status == 401
    assert get(auth, "/jwt", Authorization="Bearer " + keys.token(claims(aud="someone-else"))).status == 401
    assert get(auth, "/jwt", Authorization="Bearer " + keys.token(claims(nbf=int(time.time()) + 600))).status == 401
    tampered = keys.token(claims())
    head, body, sig = tampered.split(".")
    forged = head + "." + b64url(json.dumps(claims(sub="admin")).encode()) + "." + sig
    assert get(auth, "/jwt", Authorization="Bearer " + forged).status == 401
    none_alg = b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(claims()).encode()) + "."
    assert get(auth, "/jwt", Authorization="Bearer " + none_alg).status == 401
    assert get(auth, "/jwt", Authorization="Bearer not.a.token").status == 401


def test_jwt_scopes(auth, keys):
    r = get(auth, "/jwt/write", Authorization="Bearer " + keys.token(claims()))
    assert r.status == 403
    assert r.json() == {"message": "Forbidden"}
    assert 'error="insufficient_scope"' in r.header("www-authenticate")
    r = get(auth, "/jwt/write", Authorization="Bearer " + keys.token(claims(scope="todo.read todo.write")))
    assert r.status == 200
    assert r.json()["requestContext"]["authorizer"]["jwt"]["scopes"] == ["todo.read", "todo.write"]


def test_jwt_keys_discovered_from_the_issuer(auth, keys, issuer):
    token = keys.token(claims(iss=issuer))
    r = get(auth, "/discovered", Authorization="Bearer " + token)
    assert r.status == 200, r
    before = Issuer.hits
    assert get(auth, "/discovered", Authorization="Bearer " + token).status == 200
    assert Issuer.hits == before, "the issuer's keys are cached"


def test_jwt_keys_discovered_over_verified_https(auth, keys, tls_issuer, untrusted_issuer):
    r = get(auth, "/discovered-tls", Authorization="Bearer " + keys.token(claims(iss=tls_issuer)))
    assert r.status == 200, r
    assert r.json()["requestContext"]["authorizer"]["jwt"]["claims"]["iss"] == tls_issuer
    assert TlsIssuer.hits == 2, "discovery document, then the keys"
    # A certificate no trusted CA signed: the keys cannot be had, so no token
    # passes; the gateway answers as for any authorizer it cannot run.
    r = get(auth, "/untrusted-tls", Authorization="Bearer " + keys.token(claims(iss=untrusted_issuer)))
    assert r.status == 500 and r.json() == {"message": "Internal Server Error"}, r
    assert UntrustedIssuer.hits == 0, "the TLS handshake fails before any request is sent"
    assert "certificate verify failed" in auth.log()


SLOW_SERVICE = r'''
service: slowissuer
provider:
  name: aws
  runtime: python3.11
  httpApi:
    authorizers:
      slow:
        type: jwt
        issuerUrl: ${env:TEST_SLOW_ISSUER}
        audience: [todo-client]
functions:
  echo:
    handler: handlers.echo
    events:
      - httpApi: {method: GET, path: /slow, authorizer: {name: slow}}
      - httpApi: {method: GET, path: /open}
'''


def test_a_slow_issuer_holds_only_the_requests_that_need_its_keys(server_factory, tmp_path, keys,
                                                                   monkeypatch):
    gate = threading.Event()
    SlowIssuer = issuer_handler(lambda port: f"http://127.0.0.1:{port}", gate)
    httpd = serve(SlowIssuer, keys)
    try:
        # One I/O thread: had the key fetch run on it, every connection would wait.
        server = server_factory.start("--function-threads", "1")
        issuer_url = f"http://127.0.0.1:{SlowIssuer.port}"
        monkeypatch.setenv("TEST_SLOW_ISSUER", issuer_url)
        deploy(server, write_service(tmp_path / "svc", {"serverless.yml": SLOW_SERVICE,
                                                        "handlers.py": HANDLERS}))
        assert get(server, "/open").status == 200
        token = keys.token(claims(iss=issuer_url))
        slow = {}
        waiter = threading.Thread(
            target=lambda: slow.update(r=get(server, "/slow", Authorization="Bearer " + token)))
        waiter.start()
        deadline = time.monotonic() + 30
        while SlowIssuer.hits == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert SlowIssuer.hits == 1, "the gateway asks the issuer for its keys"
        # The issuer has not answered; other requests are served meanwhile.
        assert get(server, "/open").status == 200
        assert get(server, "/open").status == 200
        assert not slow, "the request that needs the keys still waits for them"
        gate.set()
        waiter.join(30)
        assert slow["r"].status == 200, slow["r"]
        assert SlowIssuer.hits == 2, "discovery document, then the keys"
    finally:
        gate.set()
        httpd.shutdown()


# -- Lambda authorizers --------------------------------------------------------------


def test_simple_responses_and_caching(auth):
    r = get(auth, "/simple", **{"X-Token": "good-1"})
    assert r.status == 200, r
    assert r.json()["requestContext"]["authorizer"] == {"lambda": {"user": "good-1", "n": 7, "ok": True}}
    assert get(auth, "/simple", **{"X-Token": "bad"}).status == 403
    assert get(auth, "/simple", **{"X-Token": "bad"}).json() == {"message": "Forbidden"}
    assert get(auth, "/simple").status == 401  # identity source missing
    starts = log_starts(auth, "simple")
    for _ in range(3):
        assert get(auth, "/simple", **{"X-Token": "good-1"}).status == 200
    time.sleep(0.5)
    assert log_starts(auth, "simple") == starts, "cached results do not invoke the authorizer"
    assert get(auth, "/simple", **{"X-Token": "good-2"}).status == 200


def test_http_api_policy_responses(auth):
    r = get(auth, "/policy", **{"X-Token": "allow"})
    assert r.status == 200, r
    assert r.json()["requestContext"]["authorizer"] == {"lambda": {"role": "admin", "level": 3}}
    r = get(auth, "/policy", **{"X-Token": "deny"})
    assert r.status == 403 and r.json() == {"message": "Forbidden"}
    r = get(auth, "/policy", **{"X-Token": "unauthorized"})
    assert r.status == 401 and r.json() == {"message": "Unauthorized"}
    r = get(auth, "/policy", **{"X-Token": "broken"})
    assert r.status == 500 and r.json() == {"message": "Internal Server Error"}


def test_rest_token_authorizer(auth):
    r = get(auth, "/dev/token", Authorization="Bearer allow")
    assert r.status == 200, r
    a = r.json()["requestContext"]["authorizer"]
    assert a["principalId"] == "user-9" and a["role"] == "admin" and a["level"] == 3
    r = get(auth, "/dev/token", Authorization="Bearer deny")
    assert r.status == 403
    assert r.json() == {"Message": "User is not authorized to access this resource with an explicit deny"}
    assert get(auth, "/dev/token", Authorization="Bearer unauthorized").status == 401
    assert get(auth, "/dev/token", Authorization="Basic allow").status == 401  # fails the expression
    assert get(auth, "/dev/token").status == 401
    r = get(auth, "/dev/token", Authorization="Bearer broken")
    assert r.status == 500 and r.header("x-amzn-errortype") == "AuthorizerConfigurationException"


def test_rest_token_authorizer_with_long_tokens(auth):
    """A 30,000-character token once crashed the whole server while it was matched against
    the identityValidationExpression; now tokens over 4096 characters are refused as tokens
    that fail the expression are, and the server goes on serving."""
    r = get(auth, "/dev/token", Authorization="Bearer " + "a" * 30000 + "allow")
    assert r.status == 401, r
    assert r.json() == {"message": "Unauthorized"}
    assert r.header("x-amzn-errortype") == "UnauthorizedException"
    # The server is still up, and a token just within the cap still reaches the authorizer.
    assert get(auth, "/dev/token", Authorization="Bearer allow").status == 200
    within = "Bearer " + "a" * (4096 - len("Bearer allow")) + "allow"
    assert len(within) == 4096
    assert get(auth, "/dev/token", Authorization=within).status == 200
    assert get(auth, "/dev/token", Authorization=within[:7] + "a" + within[7:]).status == 401


def test_rest_request_authorizer(auth):
    assert get(auth, "/dev/request", **{"X-Token": "allow"}).status == 200
    assert get(auth, "/dev/request", **{"X-Token": "deny"}).status == 403
    assert get(auth, "/dev/request").status == 401


# -- API keys --------------------------------------------------------------------------


def test_private_routes_need_an_enabled_key_and_count_the_quota(auth):
    r = get(auth, "/dev/private")
    assert r.status == 403 and r.json() == {"message": "Forbidden"}
    assert get(auth, "/dev/private", **{"x-api-key": "wrong-key-0123456789abcdef"}).status == 403
    assert get(auth, "/dev/private", **{"x-api-key": "disabled-key-0123456789abcdef"}).status == 403
    statuses = [get(auth, "/dev/private", **{"x-api-key": "partner-key-0123456789abcdef"}).status
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = get(auth, "/dev/private", **{"x-api-key": "partner-key-0123456789abcdef"})
    assert r.json() == {"message": "Limit Exceeded"}


def test_generated_keys_are_stable_and_rest_only_apis_answer_403(tmp_path, server_factory):
    server = server_factory.start()
    d = write_service(tmp_path / "k", {"serverless.yml": r'''
service: keyed
provider:
  name: aws
  runtime: python3.11
  apiGateway:
    apiKeys: [generated]
functions:
  echo:
    handler: handlers.echo
    events:
      - http: {path: p, method: get, private: true}
''', "handlers.py": HANDLERS})
    deploy(server, d)
    again = deploy(server, d).stdout
    assert "no changes" in again, "a generated key keeps its value across deploys"
    # a REST-only API answers unknown resources as API Gateway does
    r = get(server, "/dev/nothing-here")
    assert r.status == 403 and r.json() == {"message": "Missing Authentication Token"}
    assert r.header("x-amzn-errortype") == "MissingAuthenticationTokenException"
    assert get(server, "/dev/p").status == 403


def test_unsupported_authorizer_is_an_error_at_deploy(tmp_path, server_factory):
    server = server_factory.start()
    d = write_service(tmp_path / "iam", {"serverless.yml": r'''
service: iam
provider:
  name: aws
  runtime: python3.11
functions:
  echo:
    handler: handlers.echo
    events:
      - httpApi: {method: GET, path: /x, authorizer: {type: aws_iam}}
''', "handlers.py": HANDLERS})
    r = deploy(server, d, check=False)
    assert r.returncode != 0
    assert "aws_iam" in r.stderr
    assert server.lambda_client().list_functions()["Functions"] == []

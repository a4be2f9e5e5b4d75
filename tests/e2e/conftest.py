"""End-to-end test harness for Nimbus.

Starts real `nimbus serve` processes on free 127.0.0.1 ports with fresh data
directories and talks to them the way users do: boto3 (Debian's 1.26), the
AWS CLI v2 at /usr/bin/aws, the `nimbus` CLI and raw SigV4-signed HTTP.

Run with Debian's interpreter (it carries boto3 1.26 and pytest):

    /usr/bin/python3 -m pytest tests/e2e

Every server a test starts is stopped by the harness with SIGTERM, and the
harness asserts that it exited with status 0.
"""

from __future__ import annotations

import base64
import configparser
import datetime as _dt
import hashlib
import hmac
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

import boto3
import botocore.config
import pytest

REPO = Path(__file__).resolve().parents[2]
NIMBUS_BIN = Path(os.environ.get("NIMBUS_BIN", str(REPO / "build" / "nimbus")))
HELLO_CPP_BOOTSTRAP = Path(
    os.environ.get("NIMBUS_HELLO_CPP", str(REPO / "build" / "examples" / "hello-cpp" / "bootstrap"))
)
AWS_CLI = "/usr/bin/aws"  # Debian's AWS CLI v2 (not the one first on PATH)
ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda"
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
SANDBOX_UID = 993  # a function's uid as it sees it, inside its user namespace
# Each instance runs as a host uid of its own from this range (src/sandbox/uid_pool.h).
HOST_UID_BASE, HOST_UID_COUNT = 2080000000, 65536


def is_sandbox_uid(uid) -> bool:
    """Whether a host uid is one Nimbus gives function instances."""
    return uid is not None and (uid == SANDBOX_UID or
                                HOST_UID_BASE <= uid < HOST_UID_BASE + HOST_UID_COUNT)

# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def unique(prefix: str = "fn") -> str:
    """A function name unique within the session."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    """A port free now, below the kernel's ephemeral range: ports the kernel
    hands out by itself (every client connection's, and the listeners of
    function instances in host mode) never take it before the server binds it."""
    low, _ = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    for _ in range(200):
        port = random.randrange(10000, max(10001, low))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_zip(files: dict) -> bytes:
    """Builds a zip from {path: content | (content, mode)}.

    content is str or bytes; mode is the Unix mode (0o755 for executables).
    A mode with the S_IFLNK bit makes a symbolic link whose target is content.
    A path ending in "/" makes a directory entry. Paths are stored verbatim
    (so "../x" and "/abs" can be written on purpose).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, spec in files.items():
            if isinstance(spec, tuple):
                content, mode = spec
            else:
                content, mode = spec, 0o644
            if isinstance(content, str):
                content = content.encode()
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3  # Unix, so external_attr carries the mode
            if stat.S_ISLNK(mode):
                info.external_attr = mode << 16
                info.compress_type = zipfile.ZIP_STORED
            elif path.endswith("/"):
                info.external_attr = ((stat.S_IFDIR | (mode or 0o755)) << 16) | 0x10
            else:
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return buf.getvalue()


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def read_credentials(data_dir: Path) -> tuple[str, str]:
    cp = configparser.ConfigParser()
    cp.read_string((data_dir / "credentials").read_text())
    return cp["default"]["aws_access_key_id"], cp["default"]["aws_secret_access_key"]


def proc_uid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
        return int(data[data.rindex(")") + 2 :].split()[1])
    except (OSError, ValueError):
        return None


def proc_starttime(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
        return int(data[data.rindex(")") + 2 :].split()[19])
    except (OSError, ValueError):
        return None


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def descendants(root: int) -> set[int]:
    """Pids whose parent chain reaches `root` (at the time of the call)."""
    parent = {p: proc_ppid(p) for p in all_pids()}
    out = set()
    for p in parent:
        seen = 0
        q = p
        while q and q != root and seen < 64:
            q = parent.get(q)
            seen += 1
        if q == root and p != root:
            out.add(p)
    return out


def sandbox_pids_of(server_pid: int) -> dict[int, int]:
    """{pid: starttime} of the uid-993 (sandbox user) descendants of a server."""
    return {
        p: proc_starttime(p)
        for p in descendants(server_pid)
        if is_sandbox_uid(proc_uid(p))
    }


def still_alive(pids: dict[int, int]) -> list[int]:
    return [p for p, st in pids.items() if proc_starttime(p) == st and is_sandbox_uid(proc_uid(p))]


# ---------------------------------------------------------------------------
# SigV4 signing for raw requests
# ---------------------------------------------------------------------------


def _quote(s: str, safe: str = "-_.~") -> str:
    return urllib.parse.quote(s, safe=safe)


def sigv4_headers(
    method: str,
    url: str,
    body: bytes,
    headers: dict,
    access_key: str,
    secret_key: str,
    service: str = "lambda",
    region: str = REGION,
    when: _dt.datetime | None = None,
    session_token: str | None = None,
    sign_host: bool = True,
) -> dict:
    """Returns headers (with Authorization) signing the request like botocore."""
    when = when or _dt.datetime.now(_dt.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    u = urllib.parse.urlsplit(url)
    out = dict(headers)
    out["Host"] = u.netloc
    out["X-Amz-Date"] = amz_date
    if session_token:
        out["X-Amz-Security-Token"] = session_token
    signed = sorted((k.lower(), " ".join(str(v).split())) for k, v in out.items()
                    if sign_host or k.lower() != "host")
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in signed)
    signed_names = ";".join(k for k, _ in signed)
    # botocore: the path as sent is encoded once more (non-S3 services)
    path = _quote(u.path or "/", safe="/~")
    q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    cq = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(q))
    creq = "\n".join(
        [method, path, cq, canonical_headers, signed_names, hashlib.sha256(body).hexdigest()]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = hmac.new(("AWS4" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    out["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={signed_names}, Signature={sig}"
    )
    return out


class RawResponse:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"RawResponse({self.status}, {self.headers}, {self.body[:300]!r})"


def raw_request(method: str, url: str, body: bytes = b"", headers: dict | None = None,
                timeout: float = 60) -> RawResponse:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        target = u.path + ("?" + u.query if u.query else "")
        hdrs = dict(headers or {})
        conn.request(method, target, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return RawResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# the server under test
# ---------------------------------------------------------------------------


class NimbusServer:
    """One `nimbus serve` process and the clients that talk to it."""

    def __init__(self, data_dir: Path, args: list[str], port: int | None = None,
                 env: dict[str, str] | None = None):
        self.data_dir = Path(data_dir)
        self.args = list(args)
        self.env = env  # extra environment for the server process
        self.own_ports = port is None and "--gateway-port" not in args
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        # Every server gets its own gateway port unless the test chose one.
        if "--gateway-port" not in self.args:
            self.args += ["--gateway-port", str(free_port())]
        self.gateway_port = int(self.args[self.args.index("--gateway-port") + 1])
        self.gateway = f"http://127.0.0.1:{self.gateway_port}"
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.access_key = self.secret_key = None
        self.sandboxed_at_stop: dict[int, int] = {}
        self.leftovers: list[int] = []
        self.log_path = self.data_dir.parent / f"server-{self.data_dir.name}-{self.port}.log"

    # -- process ----------------------------------------------------------
    def start(self, timeout: float = 30.0) -> "NimbusServer":
        # Another test process may bind a port between free_port() and the
        # server: ports this object chose are chosen again then.
        for attempt in range(3):
            try:
                return self._start_once(timeout)
            except RuntimeError as e:
                if "Address already in use" not in str(e) or attempt == 2 or not self.own_ports:
                    raise
                self.port = free_port()
                self.endpoint = f"http://127.0.0.1:{self.port}"
                i = self.args.index("--gateway-port")
                self.gateway_port = free_port()
                self.args[i + 1] = str(self.gateway_port)
                self.gateway = f"http://127.0.0.1:{self.gateway_port}"
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> "NimbusServer":
        cmd = [
            str(NIMBUS_BIN), "serve",
            "--data-dir", str(self.data_dir),
            "--host", "127.0.0.1",
            "--api-port", str(self.port),
            "--log-level", "info",
            *self.args,
        ]
        self._log = open(self.log_path, "ab")
        env = {**os.environ, **self.env} if self.env else None
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        self.returncode = None
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nimbus serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                h = self.health(timeout=1)
                # server.json is written just after the listeners start
                if h.get("status") == "ok" and (self.data_dir / "server.json").exists():
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"nimbus serve did not become healthy:\n{self.log()}")
            time.sleep(0.05)
        self.access_key, self.secret_key = read_credentials(self.data_dir)
        self.ensure_test_role()
        return self

    def ensure_test_role(self):
        """The execution role ROLE most tests give their functions: Lambda may
        assume it and it grants everything, as the account's own key would.
        Tests of least privilege create roles of their own."""
        iam = self.client("iam")
        try:
            iam.get_role(RoleName="lambda")
            return
        except iam.exceptions.NoSuchEntityException:
            pass
        iam.create_role(RoleName="lambda", AssumeRolePolicyDocument=LAMBDA_TRUST)
        iam.attach_role_policy(RoleName="lambda",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, wait, return the exit status (SIGKILL and fail on a hang)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.sandboxed_at_stop = sandbox_pids_of(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = -9
                raise AssertionError(f"nimbus serve did not stop within {timeout}s:\n{self.log()}")
        self.returncode = self.proc.returncode
        self._log.close()
        self.leftovers = still_alive(self.sandboxed_at_stop)
        return self.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""

    # -- unauthenticated internal endpoint --------------------------------
    def health(self, timeout: float = 5) -> dict:
        with urllib.request.urlopen(self.endpoint + "/_nimbus/health", timeout=timeout) as r:
            return json.loads(r.read())

    # -- AWS SDK clients ----------------------------------------------------
    def client(self, service: str, *, access_key: str | None = None, secret_key: str | None = None,
               session_token: str | None = None, retries: bool = False, validate: bool = True,
               read_timeout: float = 120):
        cfg = botocore.config.Config(
            region_name=REGION,
            retries={"total_max_attempts": 1} if not retries else {"mode": "legacy"},
            parameter_validation=validate,
            read_timeout=read_timeout,
            connect_timeout=10,
            max_pool_connections=32,
        )
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            aws_session_token=session_token,
            config=cfg,
        )

    def lambda_client(self, **kw):
        return self.client("lambda", **kw)

    def logs_client(self, **kw):
        return self.client("logs", **kw)

    # -- command-line clients ---------------------------------------------
    def cli_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=self.access_key,
            AWS_SECRET_ACCESS_KEY=self.secret_key,
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_CONFIG_FILE="/nonexistent/aws-config",
            AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-credentials",
            AWS_PAGER="",
            AWS_MAX_ATTEMPTS="1",
        )
        return env

    def aws(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """Runs Debian's AWS CLI v2 against this server."""
        cmd = [AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json", *args]
        r = subprocess.run(cmd, env=self.cli_env(), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{cmd} exited {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def nimbus(self, *args: str, check: bool = True, via_env: bool = True,
               timeout: float = 120) -> subprocess.CompletedProcess:
        """Runs the nimbus CLI. via_env=True passes the endpoint and key as
        AWS_* variables; via_env=False clears them and gives only --data-dir
        (the CLI then reads server.json and credentials)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        extra: list[str] = []
        if via_env:
            env.update(AWS_ENDPOINT_URL=self.endpoint, AWS_ACCESS_KEY_ID=self.access_key,
                       AWS_SECRET_ACCESS_KEY=self.secret_key, AWS_REGION=REGION)
        else:
            extra = ["--data-dir", str(self.data_dir)]
        cmd = [str(NIMBUS_BIN), *args, *extra]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{cmd} exited {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    # -- raw signed HTTP ----------------------------------------------------
    def signed(self, method: str, path: str, body: bytes = b"", headers: dict | None = None, *,
               service: str = "lambda", access_key: str | None = None, secret_key: str | None = None,
               when: _dt.datetime | None = None, timeout: float = 60) -> RawResponse:
        url = self.endpoint + path
        h = sigv4_headers(method, url, body, headers or {}, access_key or self.access_key,
                          secret_key or self.secret_key, service=service, when=when)
        return raw_request(method, url, body, h, timeout=timeout)

    # -- conveniences ---------------------------------------------------------
    def create_function(self, name: str, runtime: str, handler: str | None, files: dict | bytes,
                        **kw) -> dict:
        zip_bytes = files if isinstance(files, bytes) else make_zip(files)
        params = dict(FunctionName=name, Runtime=runtime, Role=ROLE, Code={"ZipFile": zip_bytes},
                      Timeout=kw.pop("Timeout", 5), MemorySize=kw.pop("MemorySize", 128))
        if handler is not None:
            params["Handler"] = handler
        params.update(kw)
        return self.lambda_client().create_function(**params)

    def invoke(self, name: str, payload=None, *, raw: bytes | None = None, client=None, **kw):
        """Invoke; returns (response dict, payload bytes)."""
        c = client or self.lambda_client()
        if raw is None:
            raw = b"" if payload is None else json.dumps(payload).encode()
        resp = c.invoke(FunctionName=name, Payload=raw, **kw)
        body = resp["Payload"].read()
        return resp, body

    def invoke_json(self, name: str, payload=None, **kw):
        resp, body = self.invoke(name, payload, **kw)
        return resp, json.loads(body) if body else None


class ServerFactory:
    """Starts servers with extra flags; stops them all (asserting exit 0) at teardown."""

    def __init__(self, base: Path):
        self.base = Path(base)
        self.servers: list[NimbusServer] = []

    def new_data_dir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="data-", dir=self.base))

    def start(self, *args: str, data_dir: Path | None = None, port: int | None = None,
              env: dict[str, str] | None = None) -> NimbusServer:
        s = NimbusServer(data_dir or self.new_data_dir(), list(args), port=port, env=env)
        self.servers.append(s)
        return s.start()

    def close(self):
        failures = []
        for s in self.servers:
            if s.running():
                rc = s.stop()
                if rc != 0:
                    failures.append(f"{s.endpoint} exited {rc}:\n{s.log()}")
            if s.leftovers:
                failures.append(f"{s.endpoint}: sandbox processes {s.leftovers} outlived the server")
        self.servers.clear()
        assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_tmp():
    d = Path(tempfile.mkdtemp(prefix="nimbus-e2e-"))
    os.chmod(d, 0o755)
    yield d
    if os.environ.get("NIMBUS_E2E_KEEP") != "1":
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def server(e2e_tmp):
    """The shared server (default flags) used by most modules."""
    if not NIMBUS_BIN.exists():
        pytest.exit(f"{NIMBUS_BIN} not found: build it (ninja -C build) or set NIMBUS_BIN", 2)
    s = NimbusServer(Path(tempfile.mkdtemp(prefix="data-main-", dir=e2e_tmp)), ["--keep-alive", "60"])
    s.start()
    yield s
    in_flight = s.health()["in_flight"] if s.running() else 0
    rc = s.stop()
    assert in_flight == 0, "the shared server still counted invocations in flight after the tests"
    assert rc == 0, f"the shared server exited {rc}:\n{s.log()}"
    assert s.leftovers == [], f"sandbox processes {s.leftovers} outlived the shared server"
    assert not (s.data_dir / "server.json").exists(), "server.json left behind after SIGTERM"


@pytest.fixture
def server_factory(e2e_tmp):
    """Start extra servers inside one test; all are stopped at its end."""
    f = ServerFactory(e2e_tmp)
    yield f
    f.close()


@pytest.fixture(scope="module")
def module_server_factory(e2e_tmp):
    """Start extra servers shared by one module; all are stopped at its end."""
    f = ServerFactory(e2e_tmp)
    yield f
    f.close()


@pytest.fixture
def lam(server):
    return server.lambda_client()


@pytest.fixture
def logs(server):
    return server.logs_client()


@pytest.fixture
def name():
    return unique()


@pytest.fixture
def host_tmp(e2e_tmp):
    d = Path(tempfile.mkdtemp(prefix="host-", dir=e2e_tmp))
    yield d


# ---------------------------------------------------------------------------
# DynamoDB helpers (used by test_dynamodb_*.py)
# ---------------------------------------------------------------------------


def ddb_client(server: NimbusServer, **kw):
    """A low-level boto3 DynamoDB client (retries off, like the other clients)."""
    return server.client("dynamodb", **kw)


def ddb_streams_client(server: NimbusServer, **kw):
    """A boto3 DynamoDB Streams client on the same endpoint."""
    return server.client("dynamodbstreams", **kw)


def ddb_resource(server: NimbusServer):
    """boto3's DynamoDB service resource (Table, Key/Attr conditions, batch_writer)."""
    cfg = botocore.config.Config(region_name=REGION, retries={"total_max_attempts": 1},
                                 read_timeout=120, connect_timeout=10)
    return boto3.session.Session().resource(
        "dynamodb", endpoint_url=server.endpoint, region_name=REGION,
        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key, config=cfg)


def ddb_create_table(client, name: str, hash_key=("pk", "S"), range_key=None, *,
                     gsis=None, lsis=None, extra_attrs=(), **kw) -> dict:
    """CreateTable (PAY_PER_REQUEST unless ProvisionedThroughput is given).

    hash_key / range_key are (name, type); gsis / lsis are IndexName →
    (hash (name, type), range (name, type) | None, Projection dict) for GSIs and
    IndexName → (range (name, type), Projection dict) for LSIs."""
    attrs = {hash_key[0]: hash_key[1]}
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs[range_key[0]] = range_key[1]
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    params = dict(TableName=name, KeySchema=schema)
    if gsis:
        out = []
        for index_name, (h, r, proj) in gsis.items():
            ks = [{"AttributeName": h[0], "KeyType": "HASH"}]
            attrs[h[0]] = h[1]
            if r:
                ks.append({"AttributeName": r[0], "KeyType": "RANGE"})
                attrs[r[0]] = r[1]
            out.append({"IndexName": index_name, "KeySchema": ks, "Projection": proj})
            if "ProvisionedThroughput" in kw:
                out[-1]["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        params["GlobalSecondaryIndexes"] = out
    if lsis:
        out = []
        for index_name, (r, proj) in lsis.items():
            attrs[r[0]] = r[1]
            out.append({"IndexName": index_name, "Projection": proj,
                        "KeySchema": [{"AttributeName": hash_key[0], "KeyType": "HASH"},
                                      {"AttributeName": r[0], "KeyType": "RANGE"}]})
        params["LocalSecondaryIndexes"] = out
    for a, t in extra_attrs:
        attrs[a] = t
    params["AttributeDefinitions"] = [{"AttributeName": a, "AttributeType": t} for a, t in attrs.items()]
    if "ProvisionedThroughput" not in kw:
        params.setdefault("BillingMode", "PAY_PER_REQUEST")
    params.update(kw)
    return client.create_table(**params)["TableDescription"]


def ddb_error(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError caught by pytest.raises."""
    err = excinfo.value.response["Error"]
    return err.get("Code"), err.get("Message")


def ddb_raw(server: NimbusServer, operation: str, payload, *,
            prefix: str = "DynamoDB_20120810") -> RawResponse:
    """A raw SigV4-signed DynamoDB JSON 1.0 request (for fields boto3 1.26 does
    not model, such as ReturnValuesOnConditionCheckFailure on PutItem)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return server.signed("POST", "/", body,
                         {"Content-Type": "application/x-amz-json-1.0",
                          "X-Amz-Target": f"{prefix}.{operation}"},
                         service="dynamodb")


def ddb_read_stream(streams, stream_arn: str, iterator_type: str = "TRIM_HORIZON", *,
                    limit: int | None = None, sequence_number: str | None = None) -> list[dict]:
    """Every record of every shard of a stream available now, shard by shard,
    reading until a GetRecords call returns nothing new (or the shard ends)."""
    desc = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    records = []
    for shard in desc["Shards"]:
        kw = dict(StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=iterator_type)
        if sequence_number is not None:
            kw["SequenceNumber"] = sequence_number
        it = streams.get_shard_iterator(**kw)["ShardIterator"]
        for _ in range(10000):
            if it is None:
                break
            page = streams.get_records(ShardIterator=it, **({"Limit": limit} if limit else {}))
            records += page["Records"]
            it = page.get("NextShardIterator")
            if not page["Records"]:
                break
    return records


# ---------------------------------------------------------------------------
# serverless.yml services and the gateway
# ---------------------------------------------------------------------------


def write_service(directory: Path, files: dict) -> Path:
    """Writes {relative path: text | bytes | (content, mode)} under directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for rel, spec in files.items():
        content, mode = spec if isinstance(spec, tuple) else (spec, 0o644)
        p = directory / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)
        os.chmod(p, mode)
    return directory


def deploy(server: "NimbusServer", directory: Path, *args: str, check: bool = True):
    """Runs `nimbus deploy` for the serverless.yml in directory."""
    return server.nimbus("deploy", "--config", str(directory / "serverless.yml"), *args, check=check)


class HttpReply:
    """A gateway response with every header kept (Set-Cookie repeats)."""

    def __init__(self, status: int, headers: list, body: bytes):
        self.status = status
        self.header_list = [(k.lower(), v) for k, v in headers]
        self.body = body

    def header(self, name: str):
        for k, v in self.header_list:
            if k == name.lower():
                return v
        return None

    def all(self, name: str) -> list:
        return [v for k, v in self.header_list if k == name.lower()]

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def __repr__(self):
        return f"HttpReply({self.status}, {self.header_list}, {self.body[:300]!r})"


def http_call(method: str, url: str, body: bytes | str = b"", headers: dict | None = None,
         timeout: float = 60) -> HttpReply:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        target = (u.path or "/") + ("?" + u.query if u.query else "")
        data = body.encode() if isinstance(body, str) else body
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        hdrs.setdefault("Host", u.netloc)
        for k, v in hdrs.items():
            for item in (v if isinstance(v, list) else [v]):
                conn.putheader(k, item)
        if data or method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data or None)
        r = conn.getresponse()
        return HttpReply(r.status, r.getheaders(), r.read())
    finally:
        conn.close()

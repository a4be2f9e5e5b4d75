#!/usr/bin/python3
"""Nimbus function benchmarks: warm invoke, cold start, idle memory.

Starts a real `nimbus serve` on free loopback ports with a temporary data dir
and measures, in the same run:
  * warm Invoke latency (p50/p99) and throughput of the C++ echo function
    (examples/hello-cpp) under wrk, beside the /_nimbus/health round trip, the
    same server's cheapest request, as the ceiling;
  * cold-start latency (first invoke after create) per runtime, beside a bare
    `node -e 0` and `python3 -c 0` process start;
  * the server's idle resident memory.
Prints medians and ratios (these machines are shared and noisy). Usage:
  /usr/bin/python3 bench/functions_bench.py [--duration 10] [--runs 5]
"""
import argparse
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("NIMBUS_BIN", os.path.join(ROOT, "build", "nimbus"))
ROLE = "arn:aws:iam::000000000000:role/bench"


def make_role(endpoint, key, secret):
    """The functions' execution role: Lambda may assume it; they call nothing."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id=key, aws_secret_access_key=secret)
    try:
        iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    except Exception:  # noqa: BLE001 - an older server has no IAM and takes any Role;
        pass           # a failure here shows again as CreateFunction's own error


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            z.writestr(info, data)
    return buf.getvalue()


def start_server(data_dir, port):
    proc = subprocess.Popen([BIN, "serve", "--data-dir", data_dir, "--api-port", str(port),
                             "--log-level", "warn", "--keep-alive", "600"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_nimbus/health", timeout=1)
            return proc
        except Exception:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def credentials(data_dir):
    text = open(os.path.join(data_dir, "credentials")).read()
    key = re.search(r"aws_access_key_id = (\S+)", text).group(1)
    secret = re.search(r"aws_secret_access_key = (\S+)", text).group(1)
    return key, secret


def wrk(url, connections, duration, script=None):
    cmd = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{duration}s",
           "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": pct(50), "p99_ms": pct(99),
            "non2xx": int(errors.group(1)) if errors else 0}


def signed_invoke_script(endpoint, key, secret, function, payload, path):
    """A wrk script replaying one SigV4-signed Invoke request (valid 15 minutes)."""
    url = f"{endpoint}/2015-03-31/functions/{function}/invocations"
    req = AWSRequest(method="POST", url=url, data=payload,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), "lambda", "us-east-1").add_auth(req)
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(payload)}",
             f'wrk.path = "/2015-03-31/functions/{function}/invocations"']
    for k, v in req.headers.items():
        lines.append(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return url


def process_start_ms(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


COLD_FUNCTIONS = {
    "provided.al2023 (C++)": ("provided.al2023", "bootstrap", None),
    "nodejs20.x": ("nodejs20.x", "index.handler",
                   {"index.js": (b"exports.handler = async (e) => ({ok: true});\n", 0o644)}),
    "python3.12": ("python3.12", "app.handler",
                   {"app.py": (b"def handler(event, context):\n    return {'ok': True}\n", 0o644)}),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--runs", type=int, default=5, help="cold starts per runtime")
    args = ap.parse_args()
    cpp = os.path.join(ROOT, "build", "examples", "hello-cpp", "bootstrap")
    COLD_FUNCTIONS["provided.al2023 (C++)"] = (
        "provided.al2023", "bootstrap", {"bootstrap": (open(cpp, "rb").read(), 0o755)})

    data = tempfile.mkdtemp(prefix="nimbus-bench-")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = start_server(data, port)
    try:
        time.sleep(1)
        idle_rss = rss_kb(server.pid)
        key, secret = credentials(data)
        lam = boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id=key, aws_secret_access_key=secret,
                           config=Config(retries={"max_attempts": 1}, read_timeout=60))
        make_role(endpoint, key, secret)
        lam.create_function(FunctionName="echo", Runtime="provided.al2023", Handler="bootstrap",
                            Role=ROLE, Code={"ZipFile": zip_bytes(COLD_FUNCTIONS["provided.al2023 (C++)"][2])},
                            MemorySize=128)
        payload = json.dumps({"echo": True, "data": "x" * 64})
        script = os.path.join(data, "invoke.lua")
        signed_invoke_script(endpoint, key, secret, "echo", payload, script)
        # Warm the pools: one instance per connection used below.
        for c in (1, 8):
            subprocess.run(["wrk", "-t", "1", "-c", str(c), "-d", "2s", "-s", script, endpoint],
                           capture_output=True, check=True)

        results = {}
        for c in (1, 8):
            results[f"health c={c}"] = wrk(f"{endpoint}/_nimbus/health", c, args.duration)
            results[f"invoke c={c}"] = wrk(endpoint, c, args.duration, script)
        stats = json.load(urllib.request.urlopen(f"{endpoint}/_nimbus/health"))
        busy_rss = rss_kb(server.pid)

        cold = {}
        for label, (runtime, handler, files) in COLD_FUNCTIONS.items():
            samples = []
            for i in range(args.runs):
                name = f"cold-{runtime.replace('.', '-')}-{i}"
                lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE,
                                    Code={"ZipFile": zip_bytes(files)}, MemorySize=512)
                t = time.perf_counter()
                r = lam.invoke(FunctionName=name, Payload=b"{}")
                samples.append((time.perf_counter() - t) * 1000)
                assert "FunctionError" not in r, r["Payload"].read()
                lam.delete_function(FunctionName=name)
            cold[label] = statistics.median(samples)
        node_ms = process_start_ms(["node", "-e", "0"], args.runs)
        python_ms = process_start_ms(["/usr/bin/python3", "-c", "0"], args.runs)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)

    print(f"# Nimbus function benchmarks ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n")
    print("## Warm invoke (C++ echo, 128 MB) vs the health endpoint, wrk, "
          f"{args.duration} s per row\n")
    print("| request | connections | requests/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        kind, conns = name.split(" c=")
        print(f"| {kind} | {conns} | {r['rps']:.0f} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['non2xx']} |")
    for c in (1, 8):
        h, i = results[f"health c={c}"], results[f"invoke c={c}"]
        print(f"\nc={c}: invoke throughput is {i['rps'] / h['rps']:.2f}x the health round trip's; "
              f"p50 invoke - health = {i['p50_ms'] - h['p50_ms']:.3f} ms")
    print(f"\ncold starts during warm-up: {stats['cold_starts']} (instances at the end: {stats['instances']})")
    print(f"\n## Cold start: first invoke after create, median of {args.runs}, 512 MB\n")
    print("| runtime | first invoke ms | bare process start ms | ratio |")
    print("|---|---|---|---|")
    for label, ms in cold.items():
        base = node_ms if "node" in label else python_ms if "python" in label else None
        if base:
            print(f"| {label} | {ms:.1f} | {base:.1f} ({'node -e 0' if 'node' in label else 'python3 -c 0'}) | {ms / base:.2f}x |")
        else:
            print(f"| {label} | {ms:.1f} | — | — |")
    print(f"\n## Server memory\n\nidle RSS after start: {idle_rss / 1024:.1f} MiB; "
          f"after the runs above: {busy_rss / 1024:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())

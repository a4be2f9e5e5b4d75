#!/usr/bin/python3
"""DynamoDB benchmark: Nimbus against dynalite, driven by one load generator.

Starts `nimbus serve` and dynalite (npm, DynamoDB on LevelDB; `npm install` in
bench/ fetches it) on free loopback ports, loads the same data into both, and
replays requests signed in advance with build/nimbus-loadgen (a closed-loop
generator that does no per-request work; `--generator wrk` uses wrk with a Lua
script instead) over 32 connections: PutItem, GetItem, Query (10 items) and
UpdateItem. Every PutItem writes a new value (the generator builds and signs
a distinct request for each before it starts), so none is a no-op rewrite of
an unchanged item; `--generator wrk` replays 2,000 PutItems, which after the
first pass rewrite unchanged items. The two servers are measured alternately for several rounds and
the medians reported, with requests/s, p50/p99 latency, the ratio to
dynalite, and the CPU the servers and the generator used. The generator runs
in the SCHED_BATCH class (`--generator-sched normal` to not): sharing the two
cores with the server, an ordinary one preempts the server's threads on every
few answers, which clients on other machines never do. Usage:
  /usr/bin/python3 bench/dynamodb_bench.py [--duration 5] [--rounds 3] [--generator-sched batch]
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("NIMBUS_BIN", os.path.join(ROOT, "build", "nimbus"))
DYNALITE = os.path.join(ROOT, "bench", "node_modules", "dynalite", "cli.js")
LOADGEN = os.environ.get("NIMBUS_LOADGEN", os.path.join(ROOT, "build", "nimbus-loadgen"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
ITEMS = 10000        # GetItem / UpdateItem table
PARTITIONS = 1000    # Query table: 10 items per partition
DISTINCT = 2000      # distinct pre-signed requests per operation


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url):
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # answering, even if with an error
        except Exception:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Target:
    def __init__(self, name, port, key, secret):
        self.name, self.port, self.key, self.secret = name, port, key, secret
        self.endpoint = f"http://127.0.0.1:{port}"
        self.client = boto3.client("dynamodb", endpoint_url=self.endpoint, region_name="us-east-1",
                                   aws_access_key_id=key, aws_secret_access_key=secret,
                                   config=Config(retries={"max_attempts": 10}))

    def signed(self, op, body):
        data = json.dumps(body, separators=(",", ":"))
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=data,
                         headers={"Content-Type": "application/x-amz-json-1.0",
                                  "X-Amz-Target": f"DynamoDB_20120810.{op}"})
        SigV4Auth(Credentials(self.key, self.secret), "dynamodb", "us-east-1").add_auth(req)
        return dict(req.headers), data

    def template(self, op, body):
        """An unsigned request whose `{{n}}` nimbus-loadgen --unique fills in and signs."""
        return ({"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": f"DynamoDB_20120810.{op}"}, json.dumps(body, separators=(",", ":")))


def load(t):
    c = t.client
    c.create_table(TableName="kvs", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    c.create_table(TableName="qry", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"}])
    for name in ("kvs", "qry"):  # tables may take a moment to become ACTIVE
        while c.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.05)

    def batch(table, items):
        for i in range(0, len(items), 25):
            req = {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
            while req:
                req = c.batch_write_item(RequestItems=req).get("UnprocessedItems") or None
    batch("kvs", [{"pk": {"S": f"k{i}"}, "v": {"S": "x" * 64}, "n": {"N": str(i)}}
                 for i in range(ITEMS)])
    batch("qry", [{"pk": {"S": f"p{p}"}, "sk": {"N": str(s)}, "v": {"S": "y" * 32}}
                for p in range(PARTITIONS) for s in range(10)])


def requests_for(t, op, rnd, unique=False):
    """Signed requests to replay; with `unique`, PutItem templates whose value
    nimbus-loadgen makes unique, so that every PutItem really changes an item
    (replaying one unchanged would measure a store that skips the write)."""
    out = []
    for _ in range(DISTINCT):
        if op == "GetItem":
            body = {"TableName": "kvs", "Key": {"pk": {"S": f"k{rnd.randrange(ITEMS)}"}}}
        elif op == "PutItem":
            body = {"TableName": "kvs", "Item": {"pk": {"S": f"w{rnd.randrange(100000)}"},
                                                 "v": {"S": "z" * 40 + ("{{n}}" if unique else "z" * 24)}}}
            if unique:
                out.append(t.template(op, body))
                continue
        elif op == "UpdateItem":
            body = {"TableName": "kvs", "Key": {"pk": {"S": f"k{rnd.randrange(ITEMS)}"}},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}
        else:  # Query: one partition of 10 items
            body = {"TableName": "qry", "KeyConditionExpression": "pk = :p",
                    "ExpressionAttributeValues": {":p": {"S": f"p{rnd.randrange(PARTITIONS)}"}}}
        out.append(t.signed(op, body))
    return out


def lua_script(path, reqs):
    lines = ["local reqs = {}", "init = function(args)"]
    for headers, body in reqs:
        h = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()
                      if k.lower() != "host")
        lines.append(f'  reqs[#reqs + 1] = wrk.format("POST", "/", {{{h}}}, {json.dumps(body)})')
    lines += ["  i = math.random(#reqs)", "end",
              "request = function()", "  i = i % #reqs + 1", "  return reqs[i]", "end"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def raw_requests(path, t, reqs):
    """The requests as bytes on the wire, length-prefixed, for nimbus-loadgen."""
    import struct
    with open(path, "wb") as f:
        for headers, body in reqs:
            head = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{t.port}\r\n"
            for k, v in headers.items():
                if k.lower() not in ("host", "content-length"):
                    head += f"{k}: {v}\r\n"
            data = (head + f"Content-Length: {len(body.encode())}\r\n\r\n").encode() + body.encode()
            f.write(struct.pack("<I", len(data)) + data)


UNIQUE_PER_SECOND = 160000  # distinct PutItems built per second measured: more than any run sends


def run_loadgen(t, path, connections, duration, server_pid, unique=False, batch=True):
    cmd = [LOADGEN, "127.0.0.1", str(t.port), str(connections), str(duration), path, "1"]
    if batch:
        cmd.append("--batch")  # its wake-ups do not preempt the server (see loadgen.cc)
    if unique:
        cmd += ["--unique", str(UNIQUE_PER_SECOND * duration),
                "--sign", t.key, t.secret, "us-east-1", "dynamodb"]
    # The generator builds (and signs) its requests, then says "started" as its
    # clock starts: the server's CPU is counted from there.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = p.stdout.readline().strip()
    srv0 = cpu_seconds(server_pid)
    start = time.time()
    out, err = p.communicate()
    wall = time.time() - start
    if p.returncode != 0 or started != "started":
        raise RuntimeError(f"nimbus-loadgen failed: {err}")
    r = json.loads(out)
    if r["repeated"]:
        raise RuntimeError(f"{r['repeated']} PutItems repeated: raise UNIQUE_PER_SECOND")
    return {"rps": r["rps"], "p50": r["p50_ms"], "p99": r["p99_ms"], "gen_cpu": r["cpu_cores"],
            "srv_cpu": (cpu_seconds(server_pid) - srv0) / wall, "errors": r["non2xx"]}


def run_wrk(t, script, connections, duration, server_pid, batch=True):
    cmd = (["chrt", "-b", "0"] if batch else []) + [
        "wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "-s",
        script, t.endpoint]
    srv0 = cpu_seconds(server_pid)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    start = time.time()
    gen = 0.0
    while p.poll() is None:
        try:
            gen = cpu_seconds(p.pid)
        except Exception:
            pass
        time.sleep(0.2)
    wall = time.time() - start
    out = p.stdout.read()
    srv = cpu_seconds(server_pid) - srv0

    def pct(x):
        m = re.search(rf"\s{x}%\s+([\d.]+)(us|ms|s)", out)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": pct(50), "p99": pct(99), "gen_cpu": gen / wall, "srv_cpu": srv / wall,
            "errors": int(non2xx.group(1)) if non2xx else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are reported")
    ap.add_argument("--generator", choices=["loadgen", "wrk"], default="loadgen")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--generator-sched", choices=["batch", "normal"], default="batch",
                    help="the generator's scheduling class: batch (its wake-ups do not "
                    "preempt the server, as remote clients' would not) or normal")
    ap.add_argument("--ops", default="PutItem,GetItem,Query,UpdateItem",
                    help="comma-separated operations to measure")
    args = ap.parse_args()
    ops = args.ops.split(",")
    yield_cpu = args.generator_sched == "batch"
    if not os.path.exists(DYNALITE):
        sys.exit("dynalite is missing: run `npm install` in bench/")
    tmp = tempfile.mkdtemp(prefix="nimbus-ddb-bench-")
    procs = []
    results = {}
    try:
        nport, dport = free_port(), free_port()
        nimbus = subprocess.Popen([BIN, "serve", "--data-dir", f"{tmp}/nimbus", "--api-port",
                                   str(nport), "--gateway-port", str(free_port()),
                                   "--log-level", "warn"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nimbus)
        wait_http(f"http://127.0.0.1:{nport}/_nimbus/health")
        text = open(f"{tmp}/nimbus/credentials").read()
        key = re.search(r"aws_access_key_id = (\S+)", text).group(1)
        secret = re.search(r"aws_secret_access_key = (\S+)", text).group(1)
        # Both stores keep their data on disk: dynalite in LevelDB (--path), Nimbus in RocksDB.
        dynalite = subprocess.Popen(["node", DYNALITE, "--port", str(dport), "--path", f"{tmp}/dynalite",
                                     "--createTableMs", "0",
                                     "--deleteTableMs", "0", "--updateTableMs", "0"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(dynalite)
        wait_http(f"http://127.0.0.1:{dport}/")
        targets = [(Target("nimbus", nport, key, secret), nimbus.pid),
                   (Target("dynalite", dport, "x", "x"), dynalite.pid)]
        for t, _ in targets:
            load(t)
        for op in ops:
            files = {}
            unique = op == "PutItem" and args.generator == "loadgen"
            for t, _ in targets:
                reqs = requests_for(t, op, random.Random(42), unique)
                files[t.name] = f"{tmp}/{t.name}-{op}." + ("lua" if args.generator == "wrk" else "bin")
                (lua_script if args.generator == "wrk" else raw_requests)(
                    files[t.name], *((t, reqs) if args.generator == "loadgen" else (reqs,)))
            runs = {t.name: [] for t, _ in targets}
            for _ in range(args.rounds):
                for t, pid in targets:
                    if args.generator == "wrk":
                        runs[t.name].append(run_wrk(t, files[t.name], args.connections,
                                                    args.duration, pid, yield_cpu))
                    else:
                        runs[t.name].append(run_loadgen(t, files[t.name], args.connections,
                                                        args.duration, pid, unique, yield_cpu))
            for name, rs in runs.items():
                results[(op, name)] = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"# DynamoDB: Nimbus vs dynalite ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"{args.generator}, {args.connections} connections, medians of {args.rounds} alternating "
          f"rounds of {args.duration} s, generator on the same cores, scheduled "
          f"{args.generator_sched})\n")
    print("| operation | server | requests/s | p50 ms | p99 ms | errors | server CPU | generator CPU | vs dynalite |")
    print("|---|---|---|---|---|---|---|---|---|")
    for op in ops:
        base = results[(op, "dynalite")]["rps"]
        for name in ("nimbus", "dynalite"):
            r = results[(op, name)]
            ratio = f"{r['rps'] / base:.1f}x" if name == "nimbus" else "1.0x"
            print(f"| {op} | {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                  f"{r['errors']} | {r['srv_cpu']:.2f} cores | {r['gen_cpu']:.2f} cores | {ratio} |")


if __name__ == "__main__":
    sys.exit(main())

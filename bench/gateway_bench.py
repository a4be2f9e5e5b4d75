#!/usr/bin/python3
"""Gateway benchmark: an HTTP route in front of a function, under wrk.

In one run, with the same wrk settings (32 connections) and alternating
rounds, it measures:
  * a Node.js hello handler behind an `httpApi` route on `nimbus serve`
    (default, adaptive scale-out: a request waits for a busy warm instance
    when that is quicker than starting one), and the same with Lambda's
    scaling (--scale-out-delay-ms 0: an instance per concurrent request),
    and the same handler with several invocations per instance (Lambda
    Managed Instances' multi-concurrency: `capacityProvider.maxConcurrency`),
  * the same handler under serverless-offline (Serverless Framework v3, npm),
  * the same response from a bare Node.js `http` server,
  * a C++ handler (examples/hello-cpp) behind an `httpApi` route on Nimbus,
  * a static reply from nginx,
and prints requests/s, p50/p99 latency (medians over rounds) and the ratios
the issue asks about. Each target is warmed up to its steady state first,
except serverless-offline, which slows down the longer it runs and is measured
fresh in each round instead. A long run at the end shows requests/s and
resident memory over a minute of load for Nimbus and for serverless-offline.
Everything listens on 127.0.0.1 and stops by itself.

Needs: wrk, nginx (Debian's nginx-light or nginx), and the npm packages in
bench/package.json (`npm ci --prefix bench`). Usage:
  /usr/bin/python3 bench/gateway_bench.py [--duration 10] [--rounds 3] [--warmup 20]
                                          [--long-run 60]
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from functions_bench import free_port, wrk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
BIN = os.environ.get("NIMBUS_BIN", os.path.join(ROOT, "build", "nimbus"))
CPP_BOOTSTRAP = os.path.join(ROOT, "build", "examples", "hello-cpp", "bootstrap")

HANDLER = """exports.hello = async () => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: "hello" }),
});
"""

NIMBUS_SERVICE = """service: benchgw
provider:
  name: aws
  runtime: nodejs20.x
  memorySize: 1024
package:
  individually: true
  patterns: ['!**']
functions:
  node:
    handler: handler.hello
    package: {patterns: [handler.js]}
    events:
      - httpApi: 'GET /node'
  multi:
    handler: handler.hello
    package: {patterns: [handler.js]}
    capacityProvider: {maxConcurrency: 64}
    events:
      - httpApi: 'GET /multi'
  cpp:
    handler: bootstrap
    runtime: provided.al2023
    package: {patterns: [bootstrap]}
    events:
      - httpApi: 'GET /cpp'
"""

OFFLINE_SERVICE = """service: benchoffline
frameworkVersion: '3'
plugins: [serverless-offline]
provider:
  name: aws
  runtime: nodejs20.x
functions:
  node:
    handler: handler.hello
    events:
      - httpApi: 'GET /node'
"""

BARE_NODE = """require('http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ message: 'hello' }));
}).listen(+process.argv[1], '127.0.0.1');
"""

NGINX_CONF = """worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  server {{
    listen 127.0.0.1:{port};
    location / {{ default_type application/json; return 200 '{{"message":"hello"}}'; }}
  }}
}}
"""


OFFLINE = "serverless-offline node"
MULTI = "nimbus node, 64 per instance"


def wait_ok(url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


def tree_rss_mb(pid):
    """Resident memory of a process and all its descendants, in MB, and how
    many of those descendants are Node.js processes."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, nodes, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("Name:") and line.split()[1] == "node" and p != pid:
                        nodes += 1
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024, nodes


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--warmup", type=int, default=20,
                    help="seconds of load on each target before the measured rounds")
    ap.add_argument("--long-run", type=int, default=60,
                    help="seconds of the long run (0: none)")
    args = ap.parse_args()
    for tool in ("wrk", "node"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    sls = os.path.join(BENCH, "node_modules", ".bin", "serverless")
    if not os.path.exists(sls):
        sys.exit("serverless is not installed: npm ci --prefix bench")

    tmp = tempfile.mkdtemp(prefix="nimbus-gwbench-")
    procs = []
    try:
        # Nimbus, with the Node.js and C++ services.
        svc = os.path.join(tmp, "svc")
        os.makedirs(svc)
        with open(os.path.join(svc, "serverless.yml"), "w") as f:
            f.write(NIMBUS_SERVICE)
        with open(os.path.join(svc, "handler.js"), "w") as f:
            f.write(HANDLER)
        shutil.copy(CPP_BOOTSTRAP, os.path.join(svc, "bootstrap"))
        def nimbus_server(name, *flags):
            api_port, gw_port = free_port(), free_port()
            data = os.path.join(tmp, name)
            proc = subprocess.Popen([BIN, "serve", "--data-dir", data, "--api-port", str(api_port),
                                     "--gateway-port", str(gw_port), "--log-level", "warn",
                                     "--keep-alive", "900", *flags], stdout=subprocess.DEVNULL)
            procs.append(proc)
            wait_ok(f"http://127.0.0.1:{api_port}/_nimbus/health")
            subprocess.run([BIN, "deploy", "--config", os.path.join(svc, "serverless.yml"),
                            "--data-dir", data], check=True, capture_output=True,
                           env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
            return gw_port

        gw_port = nimbus_server("data")
        nimbus_proc = procs[-1]
        # The same with Lambda's scaling: a new instance whenever none is idle.
        gw_lambda_port = nimbus_server("data-lambda", "--scale-out-delay-ms", "0")

        # serverless-offline, in a folder under bench/ so that it finds bench/node_modules.
        off = tempfile.mkdtemp(prefix="offline-", dir=BENCH)
        with open(os.path.join(off, "serverless.yml"), "w") as f:
            f.write(OFFLINE_SERVICE)
        with open(os.path.join(off, "handler.js"), "w") as f:
            f.write(HANDLER)
        off_port = free_port()

        def start_offline():
            proc = subprocess.Popen(
                [sls, "offline", "start", "--httpPort", str(off_port), "--lambdaPort",
                 str(free_port()), "--host", "127.0.0.1", "--noPrependStageInUrl"],
                cwd=off, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off",
                     "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"})
            procs.append(proc)
            wait_ok(f"http://127.0.0.1:{off_port}/node")
            return proc
        offline = start_offline()

        node_port = free_port()
        bare = subprocess.Popen(["node", "-e", BARE_NODE, str(node_port)])
        procs.append(bare)

        nginx_port = free_port()
        prefix = os.path.join(tmp, "nginx")
        os.makedirs(prefix)
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(prefix=prefix, port=nginx_port))
        ngx = subprocess.Popen([nginx, "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"),
                                "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        procs.append(ngx)

        targets = {
            "nimbus node": f"http://127.0.0.1:{gw_port}/node",
            "nimbus node, lambda scaling": f"http://127.0.0.1:{gw_lambda_port}/node",
            MULTI: f"http://127.0.0.1:{gw_port}/multi",
            OFFLINE: f"http://127.0.0.1:{off_port}/node",
            "bare node http": f"http://127.0.0.1:{node_port}/",
            "nimbus c++": f"http://127.0.0.1:{gw_port}/cpp",
            "nginx static": f"http://127.0.0.1:{nginx_port}/",
        }
        for url in targets.values():
            wait_ok(url)
        # Warm-up until each target runs in its steady state: every instance
        # the load will use is started, JIT-compiled code is hot, and the heaps
        # have grown to their working size (V8 grows its young generation step
        # by step, and each step is paid for in page faults; so does the
        # server's first memtable). A few seconds are not enough: on this
        # machine Nimbus's Node.js route serves about a quarter less in its
        # first 30 s than afterwards. serverless-offline has no steady state:
        # it serves less and less the longer it runs (see the long run below),
        # so it is measured at its best instead: restarted before each of its
        # rounds and warmed for 3 s.
        for name, url in targets.items():
            if name != OFFLINE:
                wrk(url, args.connections, args.warmup)
        # In each round every target gets 5 s of load again before it is
        # measured: after a minute of waiting for the others, a process's
        # caches are cold and V8 has shrunk its idle heap.
        results = {name: [] for name in targets}
        for r in range(args.rounds):
            for name, url in targets.items():
                if name == OFFLINE:
                    stop(offline)
                    offline = start_offline()
                    wrk(url, args.connections, 3)
                else:
                    wrk(url, args.connections, 5)
                results[name].append(wrk(url, args.connections, args.duration))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

        def med(name, key):
            return statistics.median(x[key] for x in results[name])

        print(f"\nwrk, {args.connections} connections, {args.duration} s x {args.rounds} rounds "
              f"(medians) after {args.warmup} s of warm-up each and 5 s before each round "
              f"(serverless-offline: fresh each round, 3 s); every server on this "
              f"machine's 2 cores with wrk")
        print(f"{'target':30} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for name in targets:
            print(f"{name:30} {med(name, 'rps'):10.0f} {med(name, 'p50_ms'):8.2f} "
                  f"{med(name, 'p99_ms'):8.2f} {sum(x['non2xx'] for x in results[name]):8d}")
        n, o, b = med("nimbus node", "rps"), med(OFFLINE, "rps"), med("bare node http", "rps")
        c, x = med("nimbus c++", "rps"), med("nginx static", "rps")
        print(f"\nnimbus node / serverless-offline = {n / o:.1f}x   (target >= 10x)")
        print(f"nimbus node / bare node http     = {n / b:.2f}   (target >= 0.5)")
        w = med("nimbus node, lambda scaling", "rps")
        print(f"with --scale-out-delay-ms 0: {w / o:.1f}x serverless-offline, {w / b:.2f} of bare node")
        m = med(MULTI, "rps")
        print(f"with maxConcurrency 64: {m / o:.1f}x serverless-offline, {m / b:.2f} of bare node")
        print(f"nimbus c++  / nginx static       = {c / x:.2f}")

        # The long run: the same load for --long-run seconds on a fresh
        # serverless-offline and on Nimbus's Node.js route, in windows of 10 s,
        # with each one's requests/s and resident memory (the whole process
        # tree: the server and its function instances).
        if args.long_run > 0:
            stop(offline)
            offline = start_offline()
            windows = max(1, args.long_run // 10)
            print(f"\nlong run: {windows} x 10 s of the same load; after each window, "
                  f"requests/s / resident MB of the whole process tree (Nimbus: the server "
                  f"and its instances, their number in brackets)")
            for name, url, proc in (("nimbus node", targets["nimbus node"], nimbus_proc),
                                    (OFFLINE, targets[OFFLINE], offline)):
                rows = []
                for _ in range(windows):
                    r = wrk(url, args.connections, 10)
                    mb, nodes = tree_rss_mb(proc.pid)
                    rows.append(f"{r['rps']:.0f}/{mb:.0f}" + (f" ({nodes})" if proc is nimbus_proc else ""))
                print(f"{name:26} " + "  ".join(rows))
    finally:
        for p in reversed(procs):
            stop(p)
        for d in os.listdir(BENCH):
            if d.startswith("offline-"):
                shutil.rmtree(os.path.join(BENCH, d), ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

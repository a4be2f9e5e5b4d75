"""`nimbus dev`: a service is live at the gateway's root, every log line shows
in the terminal, and a saved change answers the next request while the
functions that did not change keep their warm instances.
"""

import os
import queue
import signal
import subprocess
import threading
import time

import pytest

from conftest import NIMBUS_BIN, free_port, http_call, write_service

SERVICE = r'''
service: devloop
package:
  individually: true
  patterns: ['!**']
provider:
  name: aws
  runtime: nodejs20.x
functions:
  hello:
    handler: hello.handler
    package: {patterns: [hello.js]}
    events:
      - httpApi: 'GET /hello'
  other:
    handler: other.handler
    package: {patterns: [other.js]}
    events:
      - httpApi: 'GET /other'
'''

HELLO = "exports.handler = async () => { console.log('hello says %s', 'v1'); return {version: 1}; };\n"
OTHER = ("let calls = 0;\n"
         "exports.handler = async () => ({calls: ++calls});\n")


class Dev:
    def __init__(self, directory, *args):
        self.port = free_port()
        self.api_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["NO_COLOR"] = "1"
        self.proc = subprocess.Popen(
            [str(NIMBUS_BIN), "dev", str(directory), "--gateway-port", str(self.port),
             "--api-port", str(self.api_port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        for line in self.seen:
            if needle in line:
                return line
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"'{needle}' not seen; output so far:\n" + "\n".join(self.seen))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return -9
        return self.proc.returncode


@pytest.fixture
def dev(tmp_path):
    d = write_service(tmp_path / "svc", {"serverless.yml": SERVICE, "hello.js": HELLO, "other.js": OTHER})
    running = Dev(d)
    running.dir = d
    yield running
    assert running.stop() == 0


def test_dev_serves_streams_logs_and_reloads_on_save(dev):
    ready = dev.wait_for("ready in")
    assert "devloop" in ready
    assert http_call("GET", dev.url("/hello")).json() == {"version": 1}
    line = dev.wait_for("hello says v1")  # the function's own log line, labelled
    assert line.startswith("hello │ ")
    dev.wait_for("hello │ REPORT RequestId")
    assert http_call("GET", dev.url("/other")).json() == {"calls": 1}
    assert http_call("GET", dev.url("/other")).json() == {"calls": 2}

    (dev.dir / "hello.js").write_text(HELLO.replace("v1", "v2").replace("version: 1", "version: 2"))
    line = dev.wait_for("reloaded")
    assert "hello" in line and "other" not in line
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = http_call("GET", dev.url("/hello")).json()
        if body == {"version": 2}:
            break
        time.sleep(0.05)
    assert body == {"version": 2}
    # the unchanged function kept its warm instance (and its state)
    assert http_call("GET", dev.url("/other")).json() == {"calls": 3}


def test_dev_reports_a_broken_file_and_recovers(dev):
    dev.wait_for("ready in")
    good = (dev.dir / "serverless.yml").read_text()
    (dev.dir / "serverless.yml").write_text(good + "\n  broken: [\n")
    dev.wait_for("error: serverless.yml")
    assert http_call("GET", dev.url("/hello")).status == 200  # the last good deploy still serves
    (dev.dir / "serverless.yml").write_text(good.replace("GET /hello", "GET /hi"))
    dev.wait_for("reloaded")
    assert http_call("GET", dev.url("/hi")).status == 200
    assert http_call("GET", dev.url("/hello")).status == 404

"""Test harness: a fake Runtime API server and a bootstrap process per test.

The fake server hands out queued events on GET next (blocking while the queue
is empty, as the real API does) and records every POST.  Each test starts
`/usr/bin/python3 -u bootstrap.py` with a temporary LAMBDA_TASK_ROOT holding
the function code it writes.
"""

import json
import os
import queue
import subprocess
import textwrap
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PYTHON = "/usr/bin/python3"
RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOTSTRAP = os.path.join(RUNTIME_DIR, "bootstrap.py")
WAIT_SECONDS = 15

NEXT_PATH = "/2018-06-01/runtime/invocation/next"
INIT_ERROR_PATH = "/2018-06-01/runtime/init/error"
INVOCATION_PREFIX = "/2018-06-01/runtime/invocation/"


class Record:
    """One POST received by the fake server."""

    def __init__(self, kind, request_id, headers, body, peer):
        self.kind = kind  # "response", "error" or "init_error"
        self.request_id = request_id
        self.headers = headers
        self.body = body
        self.peer = peer

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "Record(%s, %s, %r)" % (self.kind, self.request_id, self.body[:200])


class FakeRuntimeApi:
    def __init__(self):
        self.events = queue.Queue()
        self.records = []
        self.next_peers = []
        self.changed = threading.Condition()
        self.closing = threading.Event()
        # Test knobs: close the connection silently after each POST (as a
        # server dropping an idle keep-alive connection would), or answer
        # GET next with this status instead of an event.
        self.drop_after_post = False
        self.next_status = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != NEXT_PATH:
                    self._reply(404, b'{"errorType":"NotFound"}')
                    return
                if api.next_status is not None:
                    self._reply(api.next_status, b'{"errorType":"ContainerError"}')
                    return
                while not api.closing.is_set():
                    try:
                        request_id, body, headers = api.events.get(timeout=0.05)
                        break
                    except queue.Empty:
                        continue
                else:
                    self.close_connection = True
                    return
                with api.changed:
                    api.next_peers.append(self.client_address)
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == INIT_ERROR_PATH:
                    kind, request_id = "init_error", None
                elif self.path.startswith(INVOCATION_PREFIX):
                    request_id, _, kind = self.path[len(INVOCATION_PREFIX):].partition("/")
                else:
                    self._reply(404, b'{"errorType":"NotFound"}')
                    return
                record = Record(kind, request_id, dict(self.headers.items()), body,
                                self.client_address)
                with api.changed:
                    api.records.append(record)
                    api.changed.notify_all()
                self._reply(202, b'{"status":"OK"}')
                if api.drop_after_post:
                    self.close_connection = True

            def _reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def address(self):
        host, port = self.server.server_address[:2]
        return "%s:%d" % (host, port)

    def add_event(self, body, request_id=None, headers=None, deadline_ms=None):
        request_id = request_id or str(uuid.uuid4())
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        all_headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms or int(time.time() * 1000) + 30000),
            "Lambda-Runtime-Invoked-Function-Arn":
                "arn:aws:lambda:us-east-1:123456789012:function:testfn",
        }
        all_headers.update(headers or {})
        self.events.put((request_id, body, all_headers))
        return request_id

    def wait_records(self, count, timeout=WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.records) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("expected %d records, got %r" % (count, self.records))
                self.changed.wait(left)
            return list(self.records)

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


class Function:
    """A bootstrap process serving one function from a temporary task root."""

    def __init__(self, tmp_path):
        self.task_root = tmp_path / "task"
        self.task_root.mkdir()
        self.api = FakeRuntimeApi()
        self.process = None
        self.stdout = None
        self.stderr = None
        self._expected = 0

    def write(self, relative_path, source):
        path = self.task_root / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))

    def start(self, handler, env=None):
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "TZ": ":UTC",
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(self.task_root),
            "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            "AWS_LAMBDA_FUNCTION_NAME": "testfn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/testfn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIDTEST",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_SESSION_TOKEN": "token",
        }
        for name, value in (env or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        self.process = subprocess.Popen(
            [PYTHON, "-u", BOOTSTRAP],
            cwd=str(self.task_root),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return self

    def invoke(self, *events):
        """Queues events (body or (body, kwargs)) and waits for all their results."""
        ids = []
        for event in events:
            if isinstance(event, tuple):
                ids.append(self.api.add_event(event[0], **event[1]))
            else:
                ids.append(self.api.add_event(event))
        self._expected += len(ids)
        records = self.api.wait_records(self._expected)
        by_id = {r.request_id: r for r in records}
        return [by_id[i] for i in ids]

    def wait_exit(self, timeout=WAIT_SECONDS):
        """Waits for the process to end on its own; returns its exit code."""
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode

    def stop(self):
        """Ends the process (if still running) and returns (stdout, stderr) text."""
        if self.stdout is None:
            if self.process.poll() is None:
                self.process.kill()
            self.stdout, self.stderr = self.process.communicate(timeout=WAIT_SECONDS)
        return self.stdout.decode("utf-8"), self.stderr.decode("utf-8")

    def close(self):
        if self.process is not None:
            self.stop()
        self.api.close()


@pytest.fixture
def function(tmp_path):
    fn = Function(tmp_path)
    yield fn
    fn.close()

"""Tests of the runtime's own HTTP/1.1 client (HttpConnection in bootstrap.py).

The end-to-end tests talk to http.server, which always frames answers with
Content-Length.  Here a scripted server sends raw bytes, so the other ways a
server may frame an answer (chunked, up to the end of the connection,
interim 100 answers, Connection: close) are covered too.
"""

import importlib.util
import os
import socket
import threading

import pytest

from conftest import BOOTSTRAP


def _load_bootstrap():
    spec = importlib.util.spec_from_file_location("nimbus_bootstrap_under_test", BOOTSTRAP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bootstrap = _load_bootstrap()


class ScriptedServer:
    """Accepts connections and answers each request with the next scripted bytes.

    A script entry is (answer bytes, close_after).  Every request received is
    recorded as (connection number, head bytes, body bytes).
    """

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.script:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            number = self.connections
            with conn:
                reader = conn.makefile("rb")
                while self.script:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            break
                        head += line
                    if not head.endswith(b"\r\n\r\n"):
                        break  # client went away
                    length = 0
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":", 1)[1])
                    body = reader.read(length)
                    self.requests.append((number, head, body))
                    answer, close_after = self.script.pop(0)
                    conn.sendall(answer)
                    if close_after:
                        break
                reader.close()

    def close(self):
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def serve():
    servers = []

    def start(*script):
        server = ScriptedServer(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_content_length_answer_and_header_lookup(serve):
    server = serve((b"HTTP/1.1 200 OK\r\n"
                    b"content-length: 5\r\n"
                    b"X-Mixed-Case:   padded value \r\n"
                    b"X-Twice: first\r\n"
                    b"x-twice: second\r\n"
                    b"X-Folded: start\r\n"
                    b"\tcontinued\r\n"
                    b"X-Latin: caf\xe9\r\n"
                    b"\r\nhello", False))
    connection = bootstrap.HttpConnection(server.address)
    status, headers, body = connection.request("GET", "/next")
    assert (status, body) == (200, b"hello")
    assert type(body) is bytes
    assert headers.get("Content-Length") == "5"
    assert headers.get("x-mixed-case") == "padded value "
    assert headers.get("X-TWICE") == "first"
    assert headers.get("X-Folded") == "start continued"
    assert headers.get("X-Latin") == "caf\u00e9"
    assert headers.get("Missing") is None
    connection.close()


def test_request_format(serve):
    server = serve((b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", False),
                   (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", False))
    connection = bootstrap.HttpConnection(server.address)
    status, _, body = connection.request(
        "POST", "/post", b'{"a": 1}',
        {"Content-Type": "application/json", "X-Type": "Fehler\u00e4".encode("utf-8")})
    assert (status, body) == (202, b"")
    assert connection.request("GET", "/get")[2] == b"ok"
    (_, post_head, post_body), (_, get_head, get_body) = server.requests
    port = server.address.split(":")[1]
    assert post_head == ("POST /post HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
                         "Content-Type: application/json\r\n"
                         "X-Type: Fehler\u00e4\r\n"
                         "Content-Length: 8\r\n\r\n" % port).encode("utf-8")
    assert post_body == b'{"a": 1}'
    assert get_head == b"GET /get HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n" % port.encode()
    assert get_body == b""
    with pytest.raises(ValueError):
        connection.request("POST", "/post", b"", {"X-Bad": "a\r\nX-Injected: 1"})
    connection.close()


def test_chunked_answer_keeps_the_connection(serve):
    server = serve((b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                    b"5\r\nhello\r\n"
                    b"7;ext=1\r\n, world\r\n"
                    b"0\r\nX-Trailer: ignored\r\n\r\n", False),
                   (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext", False))
    connection = bootstrap.HttpConnection(server.address)
    assert connection.request("GET", "/a")[2] == b"hello, world"
    assert connection.request("GET", "/b")[2] == b"next"
    assert [number for number, _, _ in server.requests] == [1, 1]
    connection.close()


def test_connection_close_and_http10_answers_reopen(serve):
    server = serve((b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\none", True),
                   (b"HTTP/1.0 200 OK\r\n\r\nto the end", True),
                   (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nthree",
                    False),
                   (b"HTTP/1.1 204 No Content\r\n\r\n", False))
    connection = bootstrap.HttpConnection(server.address)
    assert connection.request("GET", "/1")[2] == b"one"
    assert connection.request("GET", "/2")[2] == b"to the end"
    assert connection.request("GET", "/3")[2] == b"three"
    assert connection.request("GET", "/4")[:3:2] == (204, b"")
    assert [number for number, _, _ in server.requests] == [1, 2, 3, 3]
    connection.close()


def test_interim_answers_are_skipped(serve):
    server = serve((b"HTTP/1.1 100 Continue\r\n\r\n"
                    b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nOK", False))
    connection = bootstrap.HttpConnection(server.address)
    assert connection.request("POST", "/p", b"x")[:3:2] == (202, b"OK")
    connection.close()


def test_large_bodies_both_ways(serve):
    big = os.urandom(3 * 1024 * 1024)
    server = serve((b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(big) + big, False),
                   (b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", False))
    connection = bootstrap.HttpConnection(server.address)
    assert connection.request("GET", "/big")[2] == big
    assert connection.request("POST", "/big", big[::-1])[0] == 202
    assert server.requests[1][2] == big[::-1]
    connection.close()


def test_socket_settings(serve):
    server = serve((b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", False))
    connection = bootstrap.HttpConnection(server.address)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.5)  # as function code might; must not apply
    try:
        connection.request("GET", "/")
    finally:
        socket.setdefaulttimeout(previous)
    sock = connection._sock
    assert sock.gettimeout() is None
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    assert not os.get_inheritable(sock.fileno())
    connection.close()


def test_server_closing_before_answer_is_a_connection_error(serve):
    server = serve((b"", True))
    connection = bootstrap.HttpConnection(server.address)
    with pytest.raises(ConnectionError):
        connection.request("GET", "/")
    assert connection._sock is None


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    b"HTTP/1.1 200 OK\r\nContent-",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"SPDY/3 200 OK\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
])
def test_broken_answers(serve, answer):
    server = serve((answer, True))
    connection = bootstrap.HttpConnection(server.address)
    with pytest.raises(bootstrap.RuntimeApiError):
        connection.request("GET", "/")
    assert connection._sock is None


def test_client_retries_once_on_a_new_connection(serve):
    # The first connection is closed by the server right after it reads the
    # request; RuntimeApiClient sends the request again on a new connection.
    server = serve((b"", True),
                   (b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", False))
    client = bootstrap.RuntimeApiClient(server.address)
    client.post_init_error(b"{}", "Runtime.Test")
    assert [number for number, _, _ in server.requests] == [1, 2]
    assert b"User-Agent: nimbus-python-runtime/" in server.requests[1][1]


NEXT_ANSWER = (b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r2\r\n"
               b"Content-Length: 2\r\n\r\n{}")
ACCEPTED = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"


def test_result_and_next_request_leave_together():
    # The server answers nothing until it holds both requests: a client that
    # waited for the result's answer before asking for more would stall here.
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve_once():
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            data = b""
            while data.count(b"\r\n\r\n") < 2:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            received.append(data)
            conn.sendall(ACCEPTED + NEXT_ANSWER)
            conn.recv(1)  # until the client closes

    thread = threading.Thread(target=serve_once, daemon=True)
    thread.start()
    client = bootstrap.RuntimeApiClient("127.0.0.1:%d" % listener.getsockname()[1])
    following = client.post_response("r1", b'"ok"', "application/json", then_next=True)
    assert following.request_id == "r2" and following.body == b"{}"
    client._connection.close()
    thread.join(10)
    listener.close()
    post, _, rest = received[0].partition(b'"ok"')
    assert post.startswith(b"POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\n")
    assert rest.startswith(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n")


def test_next_request_is_sent_again_when_the_server_closes_after_the_result(serve):
    server = serve((b"HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", True),
                   (NEXT_ANSWER, False))
    client = bootstrap.RuntimeApiClient(server.address)
    following = client.post_error("r1", b"{}", "Handler.Failed", None, then_next=True)
    assert following.request_id == "r2"
    assert [(number, head.split(b" ")[0]) for number, head, _ in server.requests] == \
        [(1, b"POST"), (2, b"GET")]


def test_split_host_port():
    assert bootstrap.split_host_port("127.0.0.1:9001") == ("127.0.0.1", 9001)
    assert bootstrap.split_host_port("[::1]:9001") == ("::1", 9001)
    assert bootstrap.split_host_port("localhost") == ("localhost", 80)
    assert bootstrap.split_host_port("localhost:") == ("localhost", 80)
    with pytest.raises(bootstrap.RuntimeApiError):
        bootstrap.split_host_port("localhost:http")


def test_quote_path_segment_matches_urllib():
    import urllib.parse

    for text in ["abc-_.~", "a/b c?d#e%f", "caf\u00e9", "\u2603 \U0001f600", "8f4c:1+2=3"]:
        assert bootstrap.quote_path_segment(text) == urllib.parse.quote(text, safe="")

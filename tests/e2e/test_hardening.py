"""The platform against its own functions and unauthenticated clients: bodies refused before
they are buffered, connection caps, and a host-network function that tries to take another
function's invocations. The server's memory and descriptors are watched."""
import os
import socket
import time

from conftest import make_zip, unique


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_large_unauthenticated_body_is_refused_unread(server):
    """A request announcing 512 MB without a signature is answered before its body is read,
    and the server does not grow by what the client sends."""
    before = rss_kb(server.pid)
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"POST /2015-03-31/functions/x/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\nContent-Length: 536870912\r\n\r\n")
    chunk = b"x" * (1 << 20)
    answer = b""
    s.settimeout(0.2)
    sent = 0
    for _ in range(64):  # up to 64 MB while looking for the answer
        try:
            s.sendall(chunk)
            sent += len(chunk)
        except OSError:
            break
        try:
            answer += s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if b"\r\n\r\n" in answer:
            break
    s.close()
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert b"MissingAuthenticationTokenException" in answer
    assert rss_kb(server.pid) - before < 32 * 1024, (before, rss_kb(server.pid), sent)
    assert server.health()["status"] == "ok"


def test_large_body_with_unknown_key_is_refused_unread(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    auth = ("AWS4-HMAC-SHA256 Credential=AKIANOSUCHKEY0000000/20260101/us-east-1/lambda/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    s.sendall(("POST /2015-03-31/functions/x/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"X-Amz-Date: {stamp}\r\nAuthorization: {auth.replace('20260101', stamp[:8])}\r\n"
               "Content-Length: 104857600\r\n\r\n").encode())
    s.settimeout(10)
    answer = s.recv(65536)
    s.close()
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert b"UnrecognizedClientException" in answer


HOG = r'''
import socket, time
def handler(event, context):
    held, refused = [], 0
    for _ in range(event["n"]):
        try:
            c = socket.create_connection(("127.0.0.1", 4566), timeout=2)
        except OSError:
            refused += 1
            continue
        held.append(c)
    time.sleep(0.5)
    closed = 0
    for c in held:
        c.setblocking(False)
        try:
            data = c.recv(4096)
            if data == b"" or data.startswith(b"HTTP/1.1 503"):
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    kept = len(held) - closed
    for c in held:
        c.close()
    return {"kept": kept, "refused": refused + closed}
'''


def test_a_function_cannot_take_the_servers_descriptors(server):
    name = unique("hog")
    server.create_function(name, "python3.12", "app.handler", {"app.py": HOG}, Timeout=60)
    baseline = fd_count(server.pid)
    resp, out = server.invoke_json(name, {"n": 600})
    assert "FunctionError" not in resp, out
    assert out["kept"] <= 64, out
    assert out["refused"] >= 600 - 64, out
    # The descriptors it held are given back, and the server still serves.
    deadline = time.monotonic() + 10
    while fd_count(server.pid) > baseline + 16 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fd_count(server.pid) <= baseline + 16
    assert server.health()["status"] == "ok"


VICTIM = r'''
import os
def handler(event, context):
    return {"me": "victim", "api": os.environ["AWS_LAMBDA_RUNTIME_API"]}
'''

THIEF = r'''
import http.client
def handler(event, context):
    host, port = event["api"].split(":")
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=3)
        c.request("GET", "/2018-06-01/runtime/invocation/next")
        r = c.getresponse()
        return {"stole": True, "status": r.status, "body": r.read().decode()[:200]}
    except Exception as e:
        return {"stole": False, "error": type(e).__name__}
'''


def test_host_network_function_cannot_take_anothers_invocations(server):
    victim, thief = unique("victim"), unique("thief")
    host = {"Tags": {"nimbus:network": "host"}}
    server.create_function(victim, "python3.12", "app.handler", {"app.py": VICTIM}, **host)
    server.create_function(thief, "python3.12", "app.handler", {"app.py": THIEF}, Timeout=10,
                           **host)
    first = server.invoke_json(victim)[1]
    assert first["me"] == "victim" and not first["api"].endswith(":9001"), first
    attempt = server.invoke_json(thief, {"api": first["api"]})[1]
    # Refused at once: not left waiting for the victim's next event.
    assert attempt["stole"] is False, attempt
    assert attempt["error"] in ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError",
                                "ConnectionRefusedError"), attempt
    # The victim's warm instance still gets its own next invocation.
    again = server.invoke_json(victim)[1]
    assert again == first

"""Escape attempts from inside functions. Each must fail while the function still
answers and the server stays healthy."""

import json
import os
import secrets
import socket
import threading

import pytest

from conftest import SANDBOX_UID, unique

ESCAPE_APP = r'''
import ctypes, ctypes.util, errno, json, os, signal, socket, time

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except BaseException as e:
        return {"ok": False, "error": type(e).__name__, "errno": getattr(e, "errno", None)}

def read(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")

def write(path):
    with open(path, "w") as f:
        f.write("pwned")
    return "written"

def c_call(name, *args):
    ctypes.set_errno(0)
    rc = getattr(libc, name)(*args)
    return {"rc": rc, "errno": errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())}

def status():
    fields = {}
    for line in read("/proc/self/status").splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return fields

def handler(event, context):
    a = event["action"]
    if a == "read":
        return {p: attempt(lambda p=p: read(p)) for p in event["paths"]}
    if a == "listdir":
        return {p: attempt(lambda p=p: sorted(os.listdir(p))) for p in event["paths"]}
    if a == "write":
        return {p: attempt(lambda p=p: write(p)) for p in event["paths"]}
    if a == "status":
        s = status()
        return {k: s.get(k) for k in ("Uid", "Gid", "NoNewPrivs", "Seccomp", "CapEff", "CapPrm", "CapBnd")}
    if a == "mount":
        os.makedirs("/tmp/mnt", exist_ok=True)
        return {
            "mount_tmpfs": c_call("mount", b"none", b"/tmp/mnt", b"tmpfs", 0, None),
            "mount_bind_root": c_call("mount", b"/", b"/tmp/mnt", None, 4096, None),  # MS_BIND
            "umount_task": c_call("umount2", b"/var/task", 2),  # MNT_DETACH
            "unshare_user_ns": c_call("unshare", 0x10000000),  # CLONE_NEWUSER
            "unshare_mnt_ns": c_call("unshare", 0x00020000),  # CLONE_NEWNS
            "chroot": c_call("chroot", b"/tmp"),
            "setuid_0": c_call("setuid", 0),
        }
    if a == "ptrace":
        child = os.fork()
        if child == 0:
            time.sleep(30)
            os._exit(0)
        try:
            return {
                "attach_own_child": c_call("ptrace", 16, child, None, None),  # PTRACE_ATTACH
                "attach_init": c_call("ptrace", 16, 1, None, None),
                "traceme": c_call("ptrace", 0, 0, None, None),  # PTRACE_TRACEME
                "process_vm_readv": c_call("process_vm_readv", child, None, 0, None, 0, 0),
            }
        finally:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
    if a == "connect":
        out = {}
        for port in event["ports"]:
            def go(port=port):
                s = socket.create_connection(("127.0.0.1", port), timeout=3)
                s.sendall(b"hello from the sandbox\n")
                s.close()
                return "connected"
            out[str(port)] = attempt(go)
        out["interfaces"] = sorted(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else None
        return out
    if a == "signal":
        pid = event["pid"]
        return {
            "sigterm_server": attempt(lambda: os.kill(pid, signal.SIGTERM)),
            "sigkill_server": attempt(lambda: os.kill(pid, signal.SIGKILL)),
            "probe_server": attempt(lambda: os.kill(pid, 0)),
            "kill_all": attempt(lambda: os.kill(-1, signal.SIGKILL)),
            "kill_init": attempt(lambda: os.kill(1, signal.SIGKILL)),
        }
    if a == "procs":
        out = {}
        for p in os.listdir("/proc"):
            if p.isdigit():
                out[p] = attempt(lambda p=p: read("/proc/%s/cmdline" % p).replace("\0", " "))
        return out
    if a == "forkbomb":
        children = []
        failure = None
        for _ in range(event["max"]):
            try:
                pid = os.fork()
            except OSError as e:
                failure = errno.errorcode.get(e.errno, e.errno)
                break
            if pid == 0:
                signal.pause()
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        for pid in children:
            os.waitpid(pid, 0)
        return {"forked": len(children), "failure": failure}
    if a == "syscalls":
        libc.syscall.restype = ctypes.c_long
        def sc(nr, *args):
            ctypes.set_errno(0)
            rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(x) for x in args])
            return rc if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())
        def sock(family, kind=socket.SOCK_STREAM, proto=0):
            try:
                socket.socket(family, kind, proto).close()
                return "ok"
            except OSError as e:
                return errno.errorcode.get(e.errno, e.errno)
        return {
            "socket_inet": sock(socket.AF_INET),
            "socket_unix": sock(socket.AF_UNIX),
            "socket_netlink_route": sock(16, socket.SOCK_RAW, 0),
            "socket_netlink_netfilter": sock(16, socket.SOCK_RAW, 12),
            "socket_vsock": sock(40),
            "socket_packet": sock(17, socket.SOCK_RAW),
            "memfd_secret": sc(447, 0),
            "fanotify_init": sc(300, 0, 0),
            "modify_ldt": sc(154, 0, 0, 0),
            "personality_no_aslr": sc(135, 0x0040000),
            "set_mempolicy": sc(238, 0, 0, 0),
            "unlisted_sysfs": sc(139, 3),
            "keyctl": sc(250, 0, 0, 0),
        }
    if a == "proc":
        out = {}
        for p in ("/proc/self/mountinfo", "/proc/self/cgroup", "/proc/self/uid_map",
                  "/proc/1/status", "/proc/config.gz", "/proc/sys/kernel/hostname",
                  "/proc/kcore", "/proc/meminfo"):
            out[p] = attempt(lambda p=p: read(p))
        return out
    if a == "tmp":
        if event.get("write"):
            with open("/tmp/" + event["file"], "w") as f:
                f.write(event["write"])
        return {"files": sorted(os.listdir("/tmp")),
                "statvfs_mb": os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize // (1 << 20)}
    return "unknown action"
'''


@pytest.fixture(scope="module")
def escape(server):
    name = unique("escape")
    server.create_function(name, "python3.12", "app.handler", {"app.py": ESCAPE_APP}, Timeout=30,
                           MemorySize=512)
    return name


def run(server, name, event):
    resp, out = server.invoke_json(name, event)
    assert resp["StatusCode"] == 200
    assert "FunctionError" not in resp, out
    return out


@pytest.fixture(autouse=True)
def server_survives(server):
    yield
    assert server.running(), "the server died"
    assert server.health()["status"] == "ok"


def test_runs_unprivileged_with_seccomp(server, escape):
    s = run(server, escape, {"action": "status"})
    assert s["Uid"].split()[0] == str(SANDBOX_UID)
    assert s["NoNewPrivs"] == "1"
    assert s["Seccomp"] == "2"  # filter mode
    assert int(s["CapEff"], 16) == 0
    assert int(s["CapPrm"], 16) == 0


def test_cannot_read_a_host_file(server, escape, host_tmp):
    os.chmod(host_tmp, 0o755)
    secret = "host-secret-" + secrets.token_hex(8)
    path = host_tmp / "secret.txt"
    path.write_text(secret)
    os.chmod(path, 0o644)
    out = run(server, escape, {"action": "read", "paths": [
        str(path), f"/proc/1/root{path}", f"/proc/self/root{path}", f"/var/task/../..{path}",
        "/etc/shadow"]})
    for p, r in out.items():
        assert not r["ok"], (p, r)
    assert secret not in json.dumps(out)


def test_cannot_read_the_server_data_dir(server, escape):
    d = server.data_dir
    out = run(server, escape, {"action": "read", "paths": [
        str(d / "credentials"), str(d / "server.json"), f"/proc/1/root{d}/credentials"]})
    for p, r in out.items():
        assert not r["ok"], (p, r)
    listing = run(server, escape, {"action": "listdir", "paths": [str(d), str(d / "code"), str(d / "db")]})
    for p, r in listing.items():
        assert not r["ok"], (p, r)
    # nothing the function can reach holds the root secret
    reachable = run(server, escape, {"action": "read", "paths": [
        "/proc/self/environ", "/proc/1/environ", "/proc/1/cmdline", "/var/task/app.py"]})
    assert server.secret_key not in json.dumps(reachable)


def test_cannot_see_host_processes(server, escape):
    procs = run(server, escape, {"action": "procs"})
    assert len(procs) < 10, procs  # its own pid namespace
    visible = json.dumps(procs)
    # nothing visible inside reveals the host side: the server's command line
    # (with its data directory and API port) must not be readable
    assert str(server.data_dir) not in visible, procs
    assert f"--api-port {server.port}" not in visible, procs


def test_cannot_write_outside_tmp(server, escape):
    out = run(server, escape, {"action": "write", "paths": [
        "/var/task/app.py", "/var/task/new.py", "/etc/passwd", "/usr/bin/evil", "/evil",
        "/var/runtime/bootstrap.py", "/tmp/allowed.txt"]})
    for p, r in out.items():
        if p == "/tmp/allowed.txt":
            assert r["ok"], r
        else:
            assert not r["ok"], (p, r)
            assert r["error"] in ("OSError", "PermissionError", "FileNotFoundError"), (p, r)
    # the code is unchanged
    assert run(server, escape, {"action": "status"})["NoNewPrivs"] == "1"


def test_mount_and_namespace_escapes_fail(server, escape):
    out = run(server, escape, {"action": "mount"})
    for k, r in out.items():
        assert r["rc"] == -1, (k, r)
        assert r["errno"] in ("EPERM", "EACCES", "EINVAL", "ENOSYS"), (k, r)


def test_ptrace_fails(server, escape):
    out = run(server, escape, {"action": "ptrace"})
    for k, r in out.items():
        assert r["rc"] == -1, (k, r)
        assert r["errno"] in ("EPERM", "EACCES", "ENOSYS", "ESRCH"), (k, r)
    assert out["attach_own_child"]["errno"] in ("EPERM", "EACCES", "ENOSYS")


def test_network_none_cannot_reach_the_host_loopback(server, escape):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn.recv(100))
                conn.close()
            except socket.timeout:
                continue
            except OSError:
                return

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        out = run(server, escape, {"action": "connect", "ports": [port, server.port]})
    finally:
        stop.set()
        t.join(5)
        listener.close()
    for p in (str(port), str(server.port)):
        assert not out[p]["ok"], out
        assert out[p]["error"] in ("ConnectionRefusedError", "OSError", "TimeoutError", "timeout"), out
    assert accepted == []
    assert out["interfaces"] in (None, ["lo"])


def test_cannot_signal_the_server(server, escape):
    other = unique("bystander")
    server.create_function(other, "python3.12", "app.handler",
                           {"app.py": "def handler(e, c):\n    return 'still here'\n"})
    assert server.invoke_json(other, {})[1] == "still here"
    out = run(server, escape, {"action": "signal", "pid": server.pid})
    for k in ("sigterm_server", "sigkill_server", "probe_server"):
        assert not out[k]["ok"], out  # no such process in its namespace, or not permitted
        assert out[k]["error"] in ("ProcessLookupError", "PermissionError"), out
    assert server.running()
    assert server.health()["status"] == "ok"
    # the warm instance of another function is untouched
    assert server.invoke_json(other, {})[1] == "still here"


def test_instances_do_not_share_tmp(server, escape):
    other = unique("escape2")
    server.create_function(other, "python3.12", "app.handler", {"app.py": ESCAPE_APP})
    token = secrets.token_hex(6)
    first = run(server, escape, {"action": "tmp", "file": f"mine-{token}", "write": "x"})
    assert f"mine-{token}" in first["files"]
    assert 400 <= first["statvfs_mb"] <= 600  # EphemeralStorage 512 MB
    second = run(server, other, {"action": "tmp"})
    assert f"mine-{token}" not in second["files"]


def test_fork_bomb_is_bounded(server):
    name = unique("forkbomb")
    server.create_function(name, "python3.12", "app.handler", {"app.py": ESCAPE_APP}, Timeout=60,
                           MemorySize=1024)
    resp, out = server.invoke_json(name, {"action": "forkbomb", "max": 4000})
    assert resp["StatusCode"] == 200
    if "FunctionError" not in resp:
        assert out["failure"] == "EAGAIN", out
        assert out["forked"] < 1100, out  # the instance's pids limit, well below 4000
    else:
        assert out["errorType"].startswith("Runtime."), out
    # the function answers again and the server is fine
    resp, out = server.invoke_json(name, {"action": "status"})
    assert "FunctionError" not in resp, out
    server.lambda_client().delete_function(FunctionName=name)


def test_allocating_past_memory_size_is_oom(server):
    name = unique("oom-node")
    app = ("exports.handler = async () => { const keep = []; "
           "for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); "
           "return keep.length; };\n")
    server.create_function(name, "nodejs20.x", "index.handler", {"index.js": app}, Timeout=30,
                           MemorySize=128)
    resp, out = server.invoke_json(name, {})
    assert resp["StatusCode"] == 200
    assert resp["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Runtime.OutOfMemory"
    assert out["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")


def test_seccomp_is_an_allow_list(server, escape):
    out = run(server, escape, {"action": "syscalls"})
    assert out["socket_inet"] == "ok" and out["socket_unix"] == "ok", out
    for family in ("netlink_route", "netlink_netfilter", "vsock", "packet"):
        assert out["socket_" + family] == "EAFNOSUPPORT", (family, out)
    # calls the filter does not list fail as on a kernel without them
    for call in ("memfd_secret", "fanotify_init", "modify_ldt", "personality_no_aslr",
                 "set_mempolicy", "unlisted_sysfs"):
        assert out[call] == "ENOSYS", (call, out)
    assert out["keyctl"] == "EPERM", out


def proc_fields(text):
    fields = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return fields


def test_init_is_unprivileged(server, escape):
    out = run(server, escape, {"action": "proc"})
    init = proc_fields(out["/proc/1/status"]["value"])
    assert init["Uid"].split()[0] == str(SANDBOX_UID), init
    for cap in ("CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(init[cap], 16) == 0, (cap, init)
    assert init["NoNewPrivs"] == "1" and init["Seccomp"] == "2", init


def test_proc_shows_no_host_detail(server, escape):
    out = run(server, escape, {"action": "proc"})
    mountinfo = out["/proc/self/mountinfo"]["value"]
    assert "/var/task" in mountinfo
    assert str(server.data_dir) not in mountinfo, mountinfo
    cgroups = out["/proc/self/cgroup"]["value"].splitlines()
    assert cgroups and all(line.endswith(":/") for line in cgroups), cgroups
    for p in ("/proc/config.gz", "/proc/sys/kernel/hostname", "/proc/kcore", "/proc/meminfo"):
        assert not out[p]["ok"], (p, out[p])


def host_uid_of(server, name):
    uid_map = run(server, name, {"action": "proc"})["/proc/self/uid_map"]["value"].split()
    assert uid_map[0] == str(SANDBOX_UID) and uid_map[2] == "1", uid_map
    return int(uid_map[1])


def test_each_instance_is_its_own_host_user(server, escape):
    other = unique("escape-uid")
    server.create_function(other, "python3.12", "app.handler", {"app.py": ESCAPE_APP})
    mine, theirs = host_uid_of(server, escape), host_uid_of(server, other)
    assert mine != theirs
    assert mine >= 2080000000 and theirs >= 2080000000, (mine, theirs)
    # the host sees the instance's processes as that uid, not as a shared one
    owners = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/status") as f:
                    owners.add(int(proc_fields(f.read())["Uid"].split()[0]))
            except (OSError, KeyError, ValueError):
                pass
    assert mine in owners and theirs in owners

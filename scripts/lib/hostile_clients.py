"""Hostile and unlucky clients of `shiplog serve`, for scripts/lib/hostile.sh.

Each subcommand checks one behaviour against a running service on 127.0.0.1, prints what it
measured on one line, and exits non-zero (naming what failed) when the behaviour is wrong.
Every wait is a poll of something observable with a deadline; nothing sleeps to assert.

    python3 hostile_clients.py slowloris --port P --connections 2000 --idle-timeout 3
    python3 hostile_clients.py descriptors --port P --pid PID --limit 64 --connections 200
    python3 hostile_clients.py http10 --port P --idle-timeout 3
    python3 hostile_clients.py error-bodies --port P --token T
    python3 hostile_clients.py append --port P --token T --expect 503
    python3 hostile_clients.py locked --port P --token T --db LEDGER
    python3 hostile_clients.py ready --port P --expect 503
"""

import argparse
import json
import os
import selectors
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.request

HOST = "127.0.0.1"


class Failure(Exception):
    pass


def request(port, method, path, body=None, headers=None, timeout=10):
    """(status, headers, body bytes) of one request; 4xx and 5xx are answers, not errors."""
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def raw_exchange(port, data, timeout=5):
    """Sends `data` on a new connection and reads until the server closes it.

    Returns (response bytes, seconds until the close); raises Failure when the server keeps the
    connection open past `timeout`.
    """
    started = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before reading everything; its answer is still there
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise Failure(f"the server kept the connection open for more than {timeout} s; got {received[:200]!r}")
            if not chunk:
                return received, time.monotonic() - started
            received += chunk


def parse_response(raw):
    """(status, lower-cased headers, body) of one HTTP/1.x response without chunked framing."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], status, headers, body


def check_error_body(what, status, content_type, body, expected_status):
    if status != expected_status:
        raise Failure(f"{what}: expected {expected_status}, got {status} {body[:200]!r}")
    if not (content_type or "").startswith("application/json"):
        raise Failure(f"{what}: {status} with content type {content_type!r}, not JSON: {body[:200]!r}")
    try:
        document = json.loads(body)
    except ValueError:
        raise Failure(f"{what}: {status} body is not JSON: {body[:200]!r}")
    error = document.get("error") if isinstance(document, dict) else None
    if set(document) != {"error"} or not isinstance(error, dict) or set(error) != {"message"} \
            or not isinstance(error["message"], str) or not error["message"]:
        raise Failure(f"{what}: {status} body is not {{\"error\": {{\"message\": ...}}}}: {document!r}")


def healthz_answers(port, timeout=2):
    try:
        status, _, _ = request(port, "GET", "/healthz", timeout=timeout)
        return status == 200
    except OSError:
        return False


def poll(condition, deadline_seconds, what):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise Failure(f"{what} within {deadline_seconds} s")


def open_connections(port, count, batch=100, timeout=10):
    """`count` non-blocking sockets connected to the port, each with when it connected; they
    connect a batch at a time in parallel, so a SYN the listen queue drops delays its batch, not
    every connection after it."""
    connected = []
    deadline = time.monotonic() + timeout
    while len(connected) < count:
        selector = selectors.DefaultSelector()
        for _ in range(min(batch, count - len(connected))):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((HOST, port))
            selector.register(sock, selectors.EVENT_WRITE)
        while selector.get_map():
            if time.monotonic() > deadline:
                raise Failure(f"could not open {count} connections in {timeout} s ({len(connected)} open)")
            for key, _ in selector.select(timeout=0.1):
                sock = key.fileobj
                selector.unregister(sock)
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    raise Failure(f"connecting failed: {os.strerror(error)}")
                connected.append((sock, time.monotonic()))
        selector.close()
    return connected


def slowloris(args):
    """Connections that trickle a request head byte by byte are closed within the idle timeout,
    and /healthz answers meanwhile."""
    selector = selectors.DefaultSelector()
    opened = {}
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    healthz_latencies = []
    started = time.monotonic()
    for sock, connected_at in open_connections(args.port, args.connections, timeout=args.idle_timeout):
        sock.send(head[:1])
        opened[sock] = [connected_at, 1, None]
        selector.register(sock, selectors.EVENT_READ)
    opening = time.monotonic() - started
    # A close that happened while the others were opening is seen only now: lifetimes are upper bounds.
    peak = args.connections - len(selector.select(timeout=0))
    deadline = time.monotonic() + args.idle_timeout + args.slack
    next_healthz = time.monotonic()
    while any(state[2] is None for state in opened.values()) and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.02):
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if data:
                raise Failure(f"slowloris: the server answered an incomplete request: {data[:200]!r}")
            opened[sock][2] = time.monotonic()
            selector.unregister(sock)
        now = time.monotonic()
        for sock, state in opened.items():
            if state[2] is None and now - state[0] >= state[1] * args.interval and state[1] < len(head):
                try:
                    sock.send(head[state[1]:state[1] + 1])
                    state[1] += 1
                except (BrokenPipeError, ConnectionResetError):
                    pass
        if now >= next_healthz:
            started = time.monotonic()
            if not healthz_answers(args.port, timeout=2):
                raise Failure("slowloris: /healthz did not answer within 2 s while the slow connections were open")
            healthz_latencies.append(time.monotonic() - started)
            next_healthz = now + 0.5
    still_open = [state for state in opened.values() if state[2] is None]
    if still_open:
        raise Failure(f"slowloris: {len(still_open)} of {len(opened)} connections still open "
                      f"{args.idle_timeout + args.slack:g} s after the last opened (idle timeout {args.idle_timeout:g} s)")
    if peak < args.connections:
        raise Failure(f"slowloris: only {peak} of {args.connections} connections were open at once (opening them took "
                      f"{opening:.1f} s); the test did not reach its load")
    lifetimes = sorted(state[2] - state[0] for state in opened.values())
    if lifetimes[-1] > args.idle_timeout + args.slack:
        raise Failure(f"slowloris: a connection stayed open {lifetimes[-1]:.2f} s (idle timeout {args.idle_timeout:g} s)")
    if lifetimes[0] < args.idle_timeout * 0.8:
        raise Failure(f"slowloris: a connection was closed after {lifetimes[0]:.2f} s, before the idle timeout")
    for sock in opened:
        sock.close()
    print(f"slowloris: {peak} slow connections open at once (opened in {opening:.1f} s), each sending a byte every "
          f"{args.interval:g} s; the server closed each {lifetimes[0]:.2f}–{lifetimes[-1]:.2f} s after it opened "
          f"(idle timeout {args.idle_timeout:g} s); /healthz answered {len(healthz_latencies)} times meanwhile, "
          f"slowest {max(healthz_latencies) * 1000:.0f} ms")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rpartition(")")[2].split()
    # utime and stime are fields 14 and 15 of proc(5); fields[0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def descriptors(args):
    """With more clients than file descriptors, the server stops accepting instead of spinning
    on a failing accept, stays within its limit, and answers again once the clients close."""
    clients = [sock for sock, _ in open_connections(args.port, args.connections)]
    # Saturated: a new connection waits in the listen queue, unanswered.
    poll(lambda: not healthz_answers(args.port, timeout=1), 10,
         f"descriptors: the server still answered with {args.connections} clients connected; the test did not saturate it")
    before, started = cpu_seconds(args.pid), time.monotonic()
    # The measurement window: CPU time is measured as a share of this span of wall time.
    while time.monotonic() - started < args.window:
        time.sleep(args.window - (time.monotonic() - started))
    used = cpu_seconds(args.pid) - before
    share = used / args.window
    in_use = open_descriptors(args.pid)
    if share > args.max_share:
        raise Failure(f"descriptors: the server used {share:.0%} of a core ({used:.2f} s in {args.window:g} s) with "
                      f"{len(clients)} clients and {in_use} of {args.limit} descriptors in use (at most {args.max_share:.0%} "
                      f"allowed): the accept loop spins")
    for sock in clients:
        sock.close()
    closed = time.monotonic()
    poll(lambda: healthz_answers(args.port, timeout=1), 20, "descriptors: /healthz did not answer again after the clients closed")
    print(f"descriptors: {len(clients)} clients against a limit of {args.limit} descriptors ({in_use} in use): the server "
          f"used {used:.2f} s of CPU in {args.window:g} s ({share:.1%} of a core); /healthz answered again "
          f"{time.monotonic() - closed:.1f} s after the clients closed")


def http10(args):
    """HTTP/1.0 requests get an HTTP/1.0 answer and the connection closes after it; so does
    HTTP/1.1 with Connection: close; HTTP/1.1 keeps alive."""
    cases = [
        ("HTTP/1.0", b"GET /healthz HTTP/1.0\r\n\r\n"),
        ("HTTP/1.0 asking for keep-alive", b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
        ("HTTP/1.0, a large body", b"GET /openapi.json HTTP/1.0\r\n\r\n"),
        ("HTTP/1.1 with Connection: close", b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    ]
    # Well under the idle timeout, so the close is the response's, not the timeout's.
    within = args.idle_timeout / 3
    timings = []
    for name, data in cases:
        raw, seconds = raw_exchange(args.port, data, timeout=within)
        status_line, status, headers, body = parse_response(raw)
        if status != 200:
            raise Failure(f"http10: {name}: {status_line}")
        if "chunked" in headers.get("transfer-encoding", ""):
            raise Failure(f"http10: {name}: a chunked response")
        if headers.get("connection", "").lower() != "close":
            raise Failure(f"http10: {name}: the response does not say Connection: close ({headers})")
        if name.startswith("HTTP/1.0") and not status_line.startswith("HTTP/1.0 "):
            raise Failure(f"http10: {name}: answered as {status_line!r}")
        if "content-length" in headers and int(headers["content-length"]) != len(body):
            raise Failure(f"http10: {name}: {len(body)} body bytes, Content-Length {headers['content-length']}")
        timings.append(seconds)
    # HTTP/1.1 without Connection: close keeps the connection for a second request.
    with socket.create_connection((HOST, args.port), timeout=within) as sock:
        for _ in range(2):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = sock.recv(65536)
            if not answer.startswith(b"HTTP/1.1 200"):
                raise Failure(f"http10: HTTP/1.1 keep-alive: {answer[:200]!r}")
    print(f"http10: HTTP/1.0 and Connection: close answered and closed in {max(timings) * 1000:.0f} ms at most; HTTP/1.1 kept alive")


def error_bodies(args):
    """Every refusal, from the HTTP parser to the handlers, has the JSON error body."""
    bearer = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
    raw_cases = [
        ("headers over the limit", 431,
         b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Large: " + b"a" * 100_000 + b"\r\n\r\n"),
        ("too many headers", 431, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 2000 + b"\r\n"),
        ("a malformed request line", 400, b"NOT HTTP AT ALL\r\n\r\n"),
        ("a malformed header", 400, b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n"),
        ("a broken chunked body", 400,
         b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + args.token.encode()
         + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n"),
    ]
    for what, expected, data in raw_cases:
        raw, _ = raw_exchange(args.port, data, timeout=10)
        if not raw:
            raise Failure(f"error bodies: {what}: the server closed without an answer")
        _, status, headers, body = parse_response(raw)
        check_error_body(what, status, headers.get("content-type"), body, expected)
    cases = [
        ("an unknown route", 404, "GET", "/no/such/route", None, {}),
        ("an unknown API route", 404, "GET", "/api/v1/nothing-here", None, bearer),
        ("a method the route does not take", 405, "DELETE", "/healthz", None, {}),
        ("no token", 401, "GET", "/api/v1/environments", None, {}),
        ("a body over 1 MiB", 413, "POST", "/api/v1/events", b"{" + b" " * (2 << 20) + b"}", bearer),
        ("malformed JSON", 400, "POST", "/api/v1/events", b"{\"stream\": ", bearer),
        ("JSON of the wrong shape", 400, "POST", "/api/v1/events", b"[1, 2, 3]", bearer),
    ]
    for what, expected, method, path, body, headers in cases:
        status, response_headers, response_body = request(args.port, method, path, body=body, headers=headers)
        check_error_body(what, status, response_headers.get("Content-Type"), response_body, expected)
    print(f"error bodies: {len(raw_cases) + len(cases)} refusals, each with the JSON error body")


def append(port, token, timeout=30):
    body = json.dumps({"stream": "build-hostile", "type": "ImageBuilt",
                       "data": {"image": "ghcr.io/example/api", "tag": "x" * 64}}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return request(port, "POST", "/api/v1/events", body=body, headers=headers, timeout=timeout)


def check_unavailable(what, status, headers, body):
    check_error_body(what, status, headers.get("Content-Type"), body, 503)
    retry_after = headers.get("Retry-After", "")
    if not retry_after.isdigit() or int(retry_after) < 1:
        raise Failure(f"{what}: 503 without a Retry-After in seconds (got {retry_after!r})")
    return retry_after


def append_command(args):
    status, headers, body = append(args.port, args.token)
    if args.expect == 503:
        retry_after = check_unavailable("append", status, headers, body)
        print(f"append: 503, Retry-After {retry_after}: {json.loads(body)['error']['message']}")
    elif status != args.expect:
        raise Failure(f"append: expected {args.expect}, got {status} {body[:300]!r}")
    else:
        print(f"append: {status}")


def locked(args):
    """An append while another process holds the write lock past the busy timeout is a 503 with
    Retry-After; once the lock is let go, appends succeed again."""
    holder = sqlite3.connect(args.db, isolation_level=None, timeout=10)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        status, headers, body = append(args.port, args.token, timeout=60)
        seconds = time.monotonic() - started
        retry_after = check_unavailable("append with the ledger locked by another process", status, headers, body)
        ready, _, _ = request(args.port, "GET", "/readyz")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    status, _, body = append(args.port, args.token)
    if status != 201:
        raise Failure(f"locked: after the lock was let go, an append got {status} {body[:300]!r}")
    print(f"locked: 503 with Retry-After {retry_after} after {seconds:.1f} s (the busy timeout); "
          f"/readyz {ready} meanwhile; 201 once the lock was let go")


def ready(args):
    status, headers, body = request(args.port, "GET", "/readyz")
    if status != args.expect:
        raise Failure(f"readyz ({args.why}): expected {args.expect}, got {status} {body[:300]!r}")
    print(f"readyz ({args.why}): {status} {body.decode(errors='replace')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("slowloris")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--connections", type=int, default=2000)
    command.add_argument("--idle-timeout", type=float, required=True)
    command.add_argument("--interval", type=float, default=1.0, help="seconds between the bytes of each connection")
    command.add_argument("--slack", type=float, default=2.0, help="seconds past the idle timeout a close may take")
    command.set_defaults(run=slowloris)
    command = commands.add_parser("descriptors")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--pid", type=int, required=True)
    command.add_argument("--limit", type=int, required=True)
    command.add_argument("--connections", type=int, default=200)
    command.add_argument("--window", type=float, default=3.0)
    command.add_argument("--max-share", type=float, default=0.2)
    command.set_defaults(run=descriptors)
    command = commands.add_parser("http10")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--idle-timeout", type=float, required=True)
    command.set_defaults(run=http10)
    command = commands.add_parser("error-bodies")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--token", required=True)
    command.set_defaults(run=error_bodies)
    command = commands.add_parser("append")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--token", required=True)
    command.add_argument("--expect", type=int, required=True)
    command.set_defaults(run=append_command)
    command = commands.add_parser("locked")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--token", required=True)
    command.add_argument("--db", required=True)
    command.set_defaults(run=locked)
    command = commands.add_parser("ready")
    command.add_argument("--port", type=int, required=True)
    command.add_argument("--expect", type=int, required=True)
    command.add_argument("--why", default="", help="the condition, for the report")
    command.set_defaults(run=ready)
    args = parser.parse_args()
    try:
        args.run(args)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Backends and clients for tern-proxy's timeouts and least-conn (stdlib only).

server --bind IP --ports P[,P...] --log FILE
    A backend on every port. Each connection is greeted with "hello PORT\\n"; then:
      a line "talk INTERVAL COUNT": send "tick\\n" every INTERVAL seconds COUNT times,
      then "done\\n" (the client stays silent meanwhile);
      anything else is read and counted.
    The end of every connection is logged as "end PORT eof BYTES" (FIN) or
    "end PORT reset BYTES" (RST) (flushed, one line each).

blackhole --bind IP --port P
    A listener that never answers a SYN: listen(0), one local connection fills its accept
    queue and is never accepted, so Linux drops every further SYN. Checks that a second
    local connect gets no answer, prints "ready", then sleeps until killed.

client --host IP --port P --mode MODE [options]; prints "ok MODE ..." or "FAIL ..." (exit 1)
    served --want-port P --min S --max S
        the greeting must come from backend port P, between --min and --max seconds
        after connect() started; then a graceful close (EOF back from the backend).
    reset --min S --max S
        expect a RST (during connect or on the first read) between --min and --max s.
    idle --min S --max S
        read the greeting, then stay silent: the RST must come --min..--max s after it.
    send --interval S --count N
        read the greeting, send a line every S seconds N times (nothing comes back),
        then half-close: the backend's FIN must follow (no RST on the way).
    listen --interval S --count N
        read the greeting, send "talk S N", stay silent while the backend ticks, expect
        all N ticks and "done", then close gracefully.
    least-conn --ports A,B --n N --go FILE
        open N connections one after the other (each greeted); print "phase1 A=a B=b" and
        check |a-b| <= 1; wait for FILE.1; close every connection to A (gracefully); open
        as many new ones: all must land on A (it has the fewest). Print "phase2 A=a B=b",
        wait for FILE.2, close everything. A phase line is printed only when its check
        passed.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time


def log_line(log, lock, msg):
    with lock:
        log.write(msg + "\n")
        log.flush()


def serve_one(s, port, log, lock):
    total = 0
    how = "eof"
    try:
        s.sendall(b"hello %d\n" % port)
        buf = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            total += len(d)
            buf = (buf + d)[-256:]
            if buf.startswith(b"talk ") and b"\n" in buf:
                _, interval, count = buf.split(b"\n")[0].split()
                buf = b""
                for _ in range(int(count)):
                    time.sleep(float(interval))
                    s.sendall(b"tick\n")
                s.sendall(b"done\n")
    except ConnectionResetError:
        how = "reset"
    except OSError as e:
        how = "error-%s" % e.__class__.__name__
    finally:
        s.close()
        log_line(log, lock, "end %d %s %d" % (port, how, total))


def listen_loop(ls, port, log, lock):
    while True:
        s, _ = ls.accept()
        s.settimeout(60)
        threading.Thread(target=serve_one, args=(s, port, log, lock), daemon=True).start()


def server(a):
    log = open(a.log, "a")
    lock = threading.Lock()
    threads = []
    for p in (int(x) for x in a.ports.split(",")):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.bind, p))
        ls.listen(128)
        t = threading.Thread(target=listen_loop, args=(ls, p, log, lock), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


def blackhole(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(0)
    # Linux takes one connection into a backlog-0 accept queue; then the queue is full.
    filler = socket.create_connection((a.bind, a.port), timeout=5)
    probe = socket.socket()
    probe.settimeout(1.5)
    try:
        probe.connect((a.bind, a.port))
        print("FAIL blackhole: a second connect was answered")
        sys.exit(1)
    except (socket.timeout, TimeoutError):
        pass
    probe.close()
    print("ready blackhole on %d" % a.port, flush=True)
    while True:
        time.sleep(3600)
        filler.send(b"")


T0 = time.monotonic()


def fail(msg):
    print("FAIL %s (%.2f s after the start)" % (msg, time.monotonic() - T0), flush=True)
    sys.exit(1)


def greeting(s):
    line = b""
    while not line.endswith(b"\n"):
        try:
            d = s.recv(1)
        except ConnectionResetError:
            fail("reset before the greeting (got %r)" % line)
        except (socket.timeout, TimeoutError):
            fail("no greeting in time (got %r)" % line)
        if not d:
            fail("EOF before the greeting (got %r)" % line)
        line += d
    w = line.split()
    if len(w) != 2 or w[0] != b"hello":
        fail("bad greeting %r" % line)
    return int(w[1])


def close_gracefully(s, what):
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(65536):
            pass
    except ConnectionResetError:
        fail("%s: reset instead of the backend's FIN" % what)
    s.close()


def expect_reset(s, t0, a, what):
    s.settimeout(a.max + 1)
    try:
        d = s.recv(100)
        fail("%s: got %r after %.2f s, want a reset" % (what, d, time.monotonic() - t0))
    except ConnectionResetError:
        pass
    except (socket.timeout, TimeoutError):
        fail("%s: no reset within %.2f s" % (what, time.monotonic() - t0))
    dt = time.monotonic() - t0
    if not a.min <= dt <= a.max:
        fail("%s: reset after %.2f s, want %.2f..%.2f s" % (what, dt, a.min, a.max))
    return dt


def wait_file(path, secs=30):
    end = time.monotonic() + secs
    while not os.path.exists(path):
        if time.monotonic() > end:
            fail("no go-ahead %s within %d s" % (path, secs))
        time.sleep(0.1)


def least_conn(a):
    pa, pb = (int(x) for x in a.ports.split(","))
    conns = []

    def open_one():
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
        p = greeting(s)
        if p not in (pa, pb):
            fail("least-conn: greeting from port %d" % p)
        conns.append((s, p))
        return p

    def counts():
        return sum(p == pa for _, p in conns), sum(p == pb for _, p in conns)

    for _ in range(a.n):
        open_one()
    ca, cb = counts()
    if abs(ca - cb) > 1:
        fail("least-conn: %d connections spread %d/%d" % (a.n, ca, cb))
    print("phase1 A=%d B=%d" % (ca, cb), flush=True)
    wait_file(a.go + ".1")
    gone = [c for c in conns if c[1] == pa]
    conns[:] = [c for c in conns if c[1] != pa]
    for s, _ in gone:
        close_gracefully(s, "least-conn")
    time.sleep(0.5)  # the proxy sees both FINs through
    order = [open_one() for _ in gone]
    ca, cb = counts()
    if any(p != pa for p in order):
        fail("least-conn: with %d held on %d and none on %d, new ones went to %s"
             % (len(conns) - len(order), pb, pa, order))
    print("phase2 A=%d B=%d (new ones to %s)" % (ca, cb, ",".join(map(str, order))),
          flush=True)
    wait_file(a.go + ".2")
    for s, _ in conns:
        close_gracefully(s, "least-conn")
    print("ok least-conn: %d spread evenly, then %d new ones all to the emptier backend"
          % (a.n, len(gone)))


def client(a):
    global T0
    T0 = time.monotonic()
    if a.mode == "least-conn":
        least_conn(a)
        return
    t0 = time.monotonic()
    try:
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
    except ConnectionResetError:
        # With every backend known down the RST can overtake connect()'s return.
        if a.mode == "reset":
            dt = time.monotonic() - t0
            if not a.min <= dt <= a.max:
                fail("reset: reset after %.2f s, want %.2f..%.2f s" % (dt, a.min, a.max))
            print("ok reset: during connect after %.2f s" % dt)
            return
        raise
    if a.mode == "reset":
        print("ok reset: after %.2f s" % expect_reset(s, t0, a, "reset"))
        return
    p = greeting(s)
    dt = time.monotonic() - t0
    if a.mode == "served":
        if p != a.want_port:
            fail("served: greeting from port %d, want %d" % (p, a.want_port))
        if not a.min <= dt <= a.max:
            fail("served: greeting after %.2f s, want %.2f..%.2f s" % (dt, a.min, a.max))
        close_gracefully(s, "served")
        print("ok served: by %d after %.2f s" % (p, dt))
    elif a.mode == "idle":
        dt = expect_reset(s, time.monotonic(), a, "idle")
        print("ok idle: reset %.2f s after the greeting from %d" % (dt, p))
    elif a.mode == "send":
        for i in range(a.count):
            time.sleep(a.interval)
            try:
                s.sendall(b"line %d\n" % i)
            except (ConnectionResetError, BrokenPipeError):
                fail("send: reset after %d lines (%.2f s)" % (i, time.monotonic() - t0))
        close_gracefully(s, "send")
        print("ok send: %d lines over %.2f s, not cut" % (a.count, time.monotonic() - t0))
    elif a.mode == "listen":
        s.sendall(b"talk %s %d\n" % (str(a.interval).encode(), a.count))
        want = b"tick\n" * a.count + b"done\n"
        got = b""
        try:
            while len(got) < len(want):
                d = s.recv(100)
                if not d:
                    break
                got += d
        except ConnectionResetError:
            fail("listen: reset after %d ticks (%.2f s)"
                 % (got.count(b"tick"), time.monotonic() - t0))
        if got != want:
            fail("listen: got %r" % got[-100:])
        close_gracefully(s, "listen")
        print("ok listen: %d ticks over %.2f s, not cut" % (a.count, time.monotonic() - t0))
    else:
        fail("unknown mode " + a.mode)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("server")
    sv.add_argument("--bind", required=True)
    sv.add_argument("--ports", required=True)
    sv.add_argument("--log", required=True)
    bh = sub.add_parser("blackhole")
    bh.add_argument("--bind", required=True)
    bh.add_argument("--port", type=int, required=True)
    cl = sub.add_parser("client")
    cl.add_argument("--host", required=True)
    cl.add_argument("--port", type=int, required=True)
    cl.add_argument("--mode", required=True)
    cl.add_argument("--want-port", type=int)
    cl.add_argument("--min", type=float, default=0)
    cl.add_argument("--max", type=float, default=20)
    cl.add_argument("--interval", type=float, default=0.25)
    cl.add_argument("--count", type=int, default=12)
    cl.add_argument("--ports")
    cl.add_argument("--n", type=int, default=6)
    cl.add_argument("--go")
    cl.add_argument("--timeout", type=float, default=20)
    a = ap.parse_args()
    {"server": server, "blackhole": blackhole, "client": client}[a.cmd](a)


if __name__ == "__main__":
    main()

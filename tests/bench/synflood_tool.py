#!/usr/bin/python3
"""Linux-side helpers of the lab SYN flood benchmark (tests/bench/lab_synflood.sh).

  synflood_tool.py server --host IP --port P [--backlog N]
      TCP echo server (one thread, selectors): accepts everything, echoes, closes on EOF.
      Prints "ready" once listening; on SIGTERM prints {"accepted": N} and exits 0.
  synflood_tool.py client --host IP --port P --count N --rate R [--timeout S]
      N connections started at R per second (non-blocking, a fixed schedule that does not
      wait for earlier ones). Each: connect, send one byte, read the echo, close. A
      connection that has not got its echo TIMEOUT seconds after its connect() started
      fails as "timeout". Prints one JSON line: attempted, ok, failed by reason, connect
      latency (connect() start to writable: the handshake, SYN retransmissions included)
      in ms as p50 / p90 / p99 / max over the connections that connected, and how many
      took 1 s or more (their first SYN went unanswered).
Stdlib only; everything bounded by --timeout.
"""
import argparse
import errno
import json
import selectors
import signal
import socket
import sys
import time


def server(a):
    sel = selectors.DefaultSelector()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(a.backlog)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, None)
    accepted = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)
    while not stop:
        for key, _ in sel.select(timeout=0.2):
            if key.data is None:
                while True:
                    try:
                        c, _ = ls.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break
                    accepted += 1
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, True)
                continue
            c = key.fileobj
            try:
                d = c.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                d = b""
            if d:
                try:
                    c.send(d)
                except OSError:
                    pass
            else:
                sel.unregister(c)
                c.close()
    print(json.dumps({"accepted": accepted}), flush=True)


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


def client(a):
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    started = 0
    live = {}  # socket -> [start, state, connect_latency]
    lat = []
    fails = {}
    ok = 0

    def fail(s, why):
        fails[why] = fails.get(why, 0) + 1
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
        live.pop(s, None)

    while started < a.count or live:
        now = time.monotonic()
        while started < a.count and now >= t0 + started / a.rate:
            s = socket.socket()
            s.setblocking(False)
            start = time.monotonic()
            rc = s.connect_ex((a.host, a.port))
            started += 1
            if rc not in (0, errno.EINPROGRESS):
                fails[errno.errorcode.get(rc, str(rc))] = fails.get(
                    errno.errorcode.get(rc, str(rc)), 0) + 1
                s.close()
                continue
            live[s] = [start, "connecting", None]
            sel.register(s, selectors.EVENT_WRITE)
        # Deadlines.
        for s in [s for s, st in live.items() if now - st[0] > a.timeout]:
            fail(s, "timeout")
        next_start = t0 + started / a.rate if started < a.count else now + 0.05
        wait = max(0.0, min(next_start - time.monotonic(), 0.05))
        for key, ev in sel.select(timeout=wait):
            s = key.fileobj
            st = live.get(s)
            if st is None:
                continue
            if st[1] == "connecting":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(s, errno.errorcode.get(err, str(err)))
                    continue
                st[2] = time.monotonic() - st[0]
                lat.append(st[2])
                try:
                    s.send(b"x")
                except OSError as e:
                    fail(s, errno.errorcode.get(e.errno, "send"))
                    continue
                st[1] = "echo"
                sel.modify(s, selectors.EVENT_READ)
            else:
                try:
                    d = s.recv(16)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as e:
                    fail(s, errno.errorcode.get(e.errno, "recv"))
                    continue
                if d == b"x":
                    ok += 1
                    sel.unregister(s)
                    s.close()
                    live.pop(s, None)
                else:
                    fail(s, "eof")
    ms = [x * 1000 for x in lat]
    print(json.dumps({
        "attempted": started, "ok": ok, "failed": started - ok, "failures": fails,
        "connected": len(lat),
        "connect_ms": {"p50": pct(ms, 50), "p90": pct(ms, 90), "p99": pct(ms, 99),
                       "max": max(ms) if ms else None},
        "slow_1s": sum(1 for x in lat if x >= 1.0),
        "elapsed_s": round(time.monotonic() - t0, 3)}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--host", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--backlog", type=int, default=1024)
    c = sub.add_parser("client")
    c.add_argument("--host", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--rate", type=float, required=True)
    c.add_argument("--timeout", type=float, default=3.5)
    a = p.parse_args()
    if a.cmd == "server":
        server(a)
    else:
        if a.count < 1 or a.rate <= 0 or a.timeout <= 0:
            print("synflood_tool.py: --count, --rate and --timeout must be > 0", file=sys.stderr)
            return 2
        client(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())

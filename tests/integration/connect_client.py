#!/usr/bin/python3
"""Many short connections: connect, send 16 bytes, read the echo, close; --count in all,
--concurrency at a time, paced to at most --rate connects per second (0 = as fast as they
go). Each connection is bounded by --timeout (connect + echo). The whole run is bounded by
--deadline. Prints one JSON line:

  {"count": N, "ok": N, "failed": {"reason": n, ...}, "connect_ms": {"p50": .., "p99": ..,
   "max": ..}, "secs": .., "first": t0, "last": t1}

first/last: CLOCK_REALTIME of the first connect and the last completion, to line the run up
with a flood. Exit status 0 when it ran (whatever the failures), 2 on a usage error.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time


def one(host, port, timeout):
    """One connection. Returns (error or None, connect seconds)."""
    msg = os.urandom(8).hex().encode()
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        return "connect_timeout", 0.0
    except ConnectionRefusedError:
        return "refused", 0.0
    except OSError as e:
        return "connect_" + (e.__class__.__name__), 0.0
    dt = time.monotonic() - t0
    try:
        s.settimeout(max(0.1, timeout - dt))
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            b = s.recv(len(msg) - len(got))
            if not b:
                return "eof", dt
            got += b
        if got != msg:
            return "mismatch", dt
        return None, dt
    except socket.timeout:
        return "echo_timeout", dt
    except OSError as e:
        return "echo_" + e.__class__.__name__, dt
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--deadline", type=float, default=120.0)
    a = ap.parse_args()
    if a.count < 1 or a.concurrency < 1:
        ap.error("--count and --concurrency must be >= 1")

    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "failed": {}, "lat": [], "first": None, "last": None}
    start = time.monotonic()
    stop_at = start + a.deadline

    def take():
        with lock:
            i = state["next"]
            if i >= a.count or time.monotonic() > stop_at:
                return None
            state["next"] = i + 1
            return i

    def worker():
        while True:
            i = take()
            if i is None:
                return
            if a.rate > 0:
                due = start + i / a.rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
            t_real = time.time()
            err, dt = one(a.host, a.port, a.timeout)
            with lock:
                if state["first"] is None or t_real < state["first"]:
                    state["first"] = t_real
                state["last"] = time.time()
                if err is None:
                    state["ok"] += 1
                    state["lat"].append(dt * 1000)
                else:
                    state["failed"][err] = state["failed"].get(err, 0) + 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, stop_at - time.monotonic()) + a.timeout + 1)
    lat = sorted(state["lat"])

    def pct(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

    done = state["ok"] + sum(state["failed"].values())
    if done < a.count:
        state["failed"]["not_run"] = a.count - done
    print(json.dumps({
        "count": a.count, "ok": state["ok"], "failed": state["failed"],
        "connect_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": pct(1.0) if lat else None},
        "secs": round(time.monotonic() - start, 3), "first": state["first"], "last": state["last"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

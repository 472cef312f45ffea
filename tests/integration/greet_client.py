#!/usr/bin/python3
"""Connections to tern-proxy in front of backends that greet with their port ("hello PORT\n",
proxy_peer.py server): which backend served each.
greet_client.py HOST PORT N [--bind A[,A...]] [--hold FILE] [--timeout S] [--gap S]
  Opens N connections (addresses from --bind in turn), one after another; prints the
  backend port of each in order ("order p p p ..."), then "count p=n ...".
  --hold FILE: keep them open until FILE exists (bounded by --timeout), then close.
  Connections that fail count as "err:<exception class>".
  --gap S: sleep S seconds after each connection.
"""
import argparse, os, socket, sys, time, collections
ap = argparse.ArgumentParser()
ap.add_argument("host"); ap.add_argument("port", type=int); ap.add_argument("n", type=int)
ap.add_argument("--bind", default="")
ap.add_argument("--hold", default="")
ap.add_argument("--timeout", type=float, default=30)
ap.add_argument("--gap", type=float, default=0)
a = ap.parse_args()
binds = a.bind.split(",") if a.bind else [None]
fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
order, socks = [], []
t0 = time.time()
for i in range(a.n):
    b = binds[i % len(binds)]
    s = socket.socket(fam)
    s.settimeout(10)
    try:
        if b:
            s.bind((b, 0))
        s.connect((a.host, a.port))
        g = b""
        while not g.endswith(b"\n"):
            d = s.recv(100)
            if not d:
                raise ConnectionError("eof before greeting")
            g += d
        p = g.split()[1].decode()
        order.append((b or "-") + ">" + p if len(binds) > 1 else p)
        socks.append(s)
    except Exception as e:
        order.append("err:" + type(e).__name__)
        s.close()
    if not a.hold:
        if socks:
            socks.pop().close()
    if a.gap:
        time.sleep(a.gap)
print("order", " ".join(order), flush=True)
print("count", " ".join("%s=%d" % kv for kv in sorted(collections.Counter(order).items())), flush=True)
if a.hold:
    while not os.path.exists(a.hold) and time.time() - t0 < a.timeout:
        time.sleep(0.05)
    # check the held ones are alive: nothing should have come (no EOF/RST)
    dead = 0
    for s in socks:
        s.setblocking(False)
        try:
            d = s.recv(100)
            if d == b"":
                dead += 1
        except BlockingIOError:
            pass
        except Exception:
            dead += 1
    print("held", len(socks), "dead", dead, flush=True)
    for s in socks:
        s.close()

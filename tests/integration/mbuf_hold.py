#!/usr/bin/python3
"""Fill a tern echo server's mbuf pool step by step, hold it, then let go (stdlib only).

usage: mbuf_hold.py --host IP --port P --steps FILE --done FILE --release FILE
                    [--conns 4] [--step 16384] [--max-secs 30]

Each connection has a small receive buffer (4 KiB, set before connect) and is never read,
so the echo comes back into a closed window: tern's send buffer fills, then its receive
buffer, each holding received mbufs. The caller paces the filling: whenever the number in
--steps grows, that many steps in all are sent (one step: --step bytes to the next
connection, without blocking) and the count sent so far is written to --done. So the
caller can look at the pool between steps and stop before it is dry, with no timing
involved. Once --release exists (or --max-secs passed) every connection is closed by RST
(SO_LINGER 0), which frees what tern held at once; then "released" is printed.
"""
import argparse
import os
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--host", required=True)
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--steps", required=True)
ap.add_argument("--done", required=True)
ap.add_argument("--release", required=True)
ap.add_argument("--conns", type=int, default=4)
ap.add_argument("--step", type=int, default=16384)
ap.add_argument("--max-secs", type=float, default=30)
a = ap.parse_args()


def wanted():
    try:
        with open(a.steps) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


socks = []
for _ in range(a.conns):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5)
    s.connect((a.host, a.port))
    s.setblocking(False)
    socks.append(s)
print("connected %d" % len(socks), flush=True)
end = time.monotonic() + a.max_secs
done, sent = 0, 0
chunk = b"x" * a.step
while time.monotonic() < end and not os.path.exists(a.release):
    w = wanted()
    if done >= w:
        time.sleep(0.01)
        continue
    while done < w:
        try:
            sent += socks[done % len(socks)].send(chunk)
        except BlockingIOError:
            pass
        done += 1
    with open(a.done + ".tmp", "w") as f:
        f.write("%d\n" % done)
    os.replace(a.done + ".tmp", a.done)
print("sent %d bytes in %d steps" % (sent, done), flush=True)
for s in socks:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
print("released", flush=True)

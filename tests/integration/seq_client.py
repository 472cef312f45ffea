#!/usr/bin/python3
"""Sequential connections: COUNT connections one after the other; each sends a small message,
checks the echo byte-exact and closes (the client closes first).

  seq_client.py --host 198.18.0.1 --port 7002 --count 200 [--size 64] [--timeout 120]

Exit status: 0 all ok, 1 a connection failed (the first failure is printed), 2 overall timeout.
"""
import argparse
import os
import socket
import sys
import time


def one(host, port, i, size, timeout):
    msg = (f"tern-seq {i:06d} ".encode() + os.urandom(size))[:max(size, 16)]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(msg)
        got = bytearray()
        while len(got) < len(msg):
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError(f"EOF after {len(got)} of {len(msg)} bytes")
            got += chunk
        if got != msg:
            raise ValueError("echo differs from what was sent")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--host", default="198.18.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--size", type=int, default=64, help="message bytes (>= 16)")
    ap.add_argument("--conn-timeout", type=float, default=5.0, help="per connection (s)")
    ap.add_argument("--timeout", type=float, default=120.0, help="whole run (s)")
    args = ap.parse_args()
    t0 = time.monotonic()
    for i in range(args.count):
        if time.monotonic() - t0 > args.timeout:
            print(f"seq_client: timeout after {i} of {args.count} connections")
            return 2
        try:
            one(args.host, args.port, i, args.size, args.conn_timeout)
        except (OSError, ValueError) as e:
            print(f"seq_client: connection {i} of {args.count} failed: {e!r}")
            return 1
    dt = time.monotonic() - t0
    print(f"seq_client: ok {args.count} connections in {dt:.2f}s ({args.count / dt:.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

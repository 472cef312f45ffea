#!/usr/bin/python3
"""Echo client: send N bytes of random data, read them back, compare byte-exact.

  echo_client.py --host 198.18.0.1 --port 7001 --bytes 10485760 [--half-close] [--expect-eof]

Sends and receives at the same time (non-blocking), so any N works without deadlock.
--half-close  shutdown(SHUT_WR) once everything is sent, then expect the echo and EOF:
              Linux closes first and ends in TIME_WAIT.
--expect-eof  after the echo, expect the server to close (EOF) without us closing first:
              the server closes first (tern-echo --close-after N).
Whole run bounded by --timeout. Exit status: 0 ok, 1 mismatch / protocol error, 2 timeout,
3 connect failure. Prints one summary line.
"""
import argparse
import os
import random
import selectors
import socket
import sys
import time


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def run(args):
    if args.seed is None:
        data = os.urandom(args.bytes)
    else:
        data = random.Random(args.seed).randbytes(args.bytes)
    deadline = time.monotonic() + args.timeout
    t0 = time.monotonic()
    try:
        sock = socket.create_connection((args.host, args.port), timeout=min(args.timeout, 10))
    except OSError as e:
        print(f"echo_client: connect {args.host}:{args.port}: {e}")
        return 3
    local = "%s:%d" % sock.getsockname()[:2]
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    sent = 0
    got = bytearray()
    shut = False
    eof = False
    want_eof = args.half_close or args.expect_eof
    try:
        while True:
            if len(got) >= args.bytes and (not want_eof or eof):
                break
            if eof:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"echo_client: timeout after {args.timeout}s: sent {sent}/{args.bytes}, "
                      f"received {len(got)}/{args.bytes}, eof={eof}")
                return 2
            events = sel.select(timeout=min(left, 1.0))
            for _key, mask in events:
                if mask & selectors.EVENT_WRITE:
                    if sent < args.bytes:
                        try:
                            sent += sock.send(data[sent:sent + args.chunk])
                        except BlockingIOError:
                            pass
                    if sent >= args.bytes:
                        if args.half_close and not shut:
                            sock.shutdown(socket.SHUT_WR)
                            shut = True
                        sel.modify(sock, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = sock.recv(262144)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        eof = True
                    else:
                        got += chunk
                        if len(got) > args.bytes:
                            print(f"echo_client: received {len(got)} bytes, more than the "
                                  f"{args.bytes} sent")
                            return 1
    except OSError as e:
        print(f"echo_client: socket error after sent {sent}, received {len(got)}: {e}")
        return 1
    finally:
        sel.close()
        sock.close()
    if len(got) != args.bytes:
        print(f"echo_client: EOF after {len(got)} of {args.bytes} bytes")
        return 1
    if got != data:
        i = first_diff(got, data)
        print(f"echo_client: data mismatch at offset {i} of {args.bytes}")
        return 1
    if want_eof and not eof:
        print("echo_client: no EOF from the server")
        return 1
    dt = time.monotonic() - t0
    print(f"echo_client: ok {args.bytes} bytes echoed byte-exact in {dt:.2f}s "
          f"({args.bytes * 8 / dt / 1e6:.1f} Mbit/s each way) local {local}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--host", default="198.18.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--chunk", type=int, default=65536, help="bytes per send()")
    ap.add_argument("--timeout", type=float, default=60.0, help="whole run (s)")
    ap.add_argument("--seed", type=int, help="deterministic data instead of os.urandom")
    ap.add_argument("--half-close", action="store_true")
    ap.add_argument("--expect-eof", action="store_true")
    args = ap.parse_args()
    if args.bytes < 0 or args.chunk <= 0:
        ap.error("bad --bytes/--chunk")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A slow HTTP/1.0 download with a small receive buffer, so that the data waits in the
sender (tern-proxy) rather than in this host's socket buffer: the transfer really is in
flight at the proxy for as long as it lasts.

usage: slow_get.py HOST PORT PATH RATE_BYTES_PER_S OUT_FILE
Prints "ok BYTES" when the body is complete (Content-Length) and saved; exits 1 with the
reason on stderr otherwise (refused, reset, short body)."""
import socket
import sys
import time


def main():
    host, port, path, rate, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.settimeout(10)
    s.connect((host, port))
    s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, host)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            sys.exit("closed before the header's end")
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    length = None
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    if length is None:
        sys.exit("no Content-Length")
    t0 = time.monotonic()
    with open(out, "wb") as f:
        f.write(body)
        got = len(body)
        while got < length:
            d = s.recv(min(16384, length - got))
            if not d:
                sys.exit("closed after %d of %d bytes" % (got, length))
            f.write(d)
            got += len(d)
            ahead = got / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    print("ok", got, flush=True)


try:
    main()
except OSError as e:
    sys.exit("error: %s" % e)

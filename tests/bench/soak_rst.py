#!/usr/bin/python3
"""Clients that reset mid-transfer, for soak_proxy.sh (stdlib only).

usage: soak_rst.py HOST PORT COUNT MAX_SECS
Each connection, in turn: either a GET of /big.bin that reads a random 10 KB .. 4 MB of the
answer, or a PUT of /up/rst_N with a declared 8 MB body of which a random 10 KB .. 2 MB is
sent; then SO_LINGER 0 and close: a RST in the middle of the transfer. One line at the
end: "rst N get G put P errors E".
"""
import random
import socket
import struct
import sys
import time

host, port, count, max_secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
rng = random.Random(7)
t_end = time.monotonic() + max_secs
n = g = p = err = 0
blk = bytes(range(256)) * 64
while n < count and time.monotonic() < t_end:
    n += 1
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
        if rng.random() < 0.6:
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            want = rng.randint(10_000, 4_000_000)
            got = 0
            while got < want:
                d = s.recv(65536)
                if not d:
                    break
                got += len(d)
            g += 1
        else:
            s.sendall(b"PUT /up/rst_%d HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n" % n)
            want = rng.randint(10_000, 2_000_000)
            sent = 0
            while sent < want:
                sent += s.send(blk)
            p += 1
    except OSError:
        err += 1
    finally:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        s.close()
print("rst %d get %d put %d errors %d" % (n, g, p, err), flush=True)

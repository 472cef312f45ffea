#!/usr/bin/python3
"""Clients that ask for a big body and do not read it, for soak_proxy.sh (stdlib only).

usage: soak_hog.py HOST PORT CONNS HOLD_SECS [rst|fin|read]
CONNS connections each send "GET /big.bin" (a 4 KB receive buffer), then sit for HOLD_SECS
without reading, so the proxy's buffers toward them fill; then each one either resets
(rst: SO_LINGER 0), closes with the body unread (fin: the kernel resets it, unread data),
or reads the rest of the body and checks its length (read). One line: "hog N connected C
... ".
"""
import socket
import struct
import sys
import time

host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
how = sys.argv[5] if len(sys.argv) > 5 else "rst"
socks, err = [], 0
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5)
    try:
        s.connect((host, port))
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        socks.append(s)
    except OSError:
        err += 1
        s.close()
time.sleep(hold)
full = short = 0
for s in socks:
    if how == "read":
        got = 0
        s.settimeout(60)
        try:
            while True:
                d = s.recv(1 << 16)
                if not d:
                    break
                got += len(d)
        except OSError:
            pass
        if got > 16 << 20:
            full += 1
        else:
            short += 1
    elif how == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
print("hog %d connected %d errors %d %s full %d short %d" % (n, len(socks), err, how, full, short), flush=True)

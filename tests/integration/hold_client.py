#!/usr/bin/python3
"""A client that goes silent: connect, send "ping", read the echo (with --until-eof, read
up to the server's FIN), print "echo ping" (" eof"), then hold the connection open without
a word for --hold seconds (the test ends it earlier)."""
import argparse
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--host", required=True)
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--until-eof", action="store_true")
ap.add_argument("--hold", type=float, default=30)
a = ap.parse_args()
s = socket.create_connection((a.host, a.port), timeout=10)
s.sendall(b"ping")
got = b""
while True:
    b = s.recv(100)
    if not b or (not a.until_eof and len(got + b) >= 4):
        got += b
        break
    got += b
print("echo", got.decode(), "eof" if a.until_eof else "", flush=True)
time.sleep(a.hold)

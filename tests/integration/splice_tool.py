#!/usr/bin/python3
"""Half-close and reset through tern-proxy (stdlib only).

server --bind IP --port P --log FILE
    A backend. Each connection starts with one line "MODE ARG\\n" from the client:
      client-half N   read until EOF (the client's FIN, passed on by the proxy), check the
                      N pattern bytes, then answer "got N sha256\\n" plus N pattern bytes
                      and close: data flows back after the client's half-close.
      backend-half N  send N pattern bytes, shutdown(SHUT_WR); then read what the client
                      sends after that until EOF and log "backend-half got K sha256".
      backend-rst     close with SO_LINGER 0 (RST) at once.
      client-rst      wait for the client's reset to arrive (proxy aborts us): log
                      "client-rst seen reset" or "client-rst seen eof".
    One line per finished connection goes to FILE (flushed).

client --host IP --port P --mode MODE [--bytes N]
    The other end of each MODE; prints "ok MODE ..." or "FAIL ..." and exits 1.
    refused: the proxy has no backend to give: expect a reset (or EOF) with no data.
"""
import argparse
import hashlib
import socket
import struct
import sys
import threading


def pattern(n, salt):
    blk = bytes((i * 7 + salt) & 0xFF for i in range(256))
    return (blk * (n // 256 + 1))[:n]


def recv_all(s):
    out = bytearray()
    while True:
        d = s.recv(65536)
        if not d:
            return bytes(out)
        out += d


def read_line(s):
    line = b""
    while not line.endswith(b"\n"):
        d = s.recv(1)
        if not d:
            break
        line += d
    return line.decode().strip()


def serve_one(s, log, lock):
    def note(msg):
        with lock:
            log.write(msg + "\n")
            log.flush()

    try:
        words = read_line(s).split()
        mode = words[0] if words else ""
        if mode == "client-half":
            n = int(words[1])
            data = recv_all(s)
            ok = data == pattern(n, 1)
            s.sendall(b"got %d %s %s\n" % (len(data), hashlib.sha256(data).hexdigest().encode(),
                                           b"match" if ok else b"MISMATCH"))
            s.sendall(pattern(n, 2))
            note("client-half got %d %s" % (len(data), "match" if ok else "MISMATCH"))
        elif mode == "backend-half":
            n = int(words[1])
            s.sendall(pattern(n, 3))
            s.shutdown(socket.SHUT_WR)
            data = recv_all(s)
            note("backend-half got %d %s" % (len(data), hashlib.sha256(data).hexdigest()))
        elif mode == "backend-rst":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            note("backend-rst sent")
        elif mode == "client-rst":
            s.sendall(b"ready\n")
            try:
                d = s.recv(100)
                note("client-rst seen " + ("eof" if not d else "data"))
            except ConnectionResetError:
                note("client-rst seen reset")
        else:
            note("unknown mode %r" % mode)
    except Exception as e:  # noqa: BLE001 - reported through the log
        note("error %r" % e)
    finally:
        s.close()


def server(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(64)
    log = open(a.log, "a")
    lock = threading.Lock()
    while True:
        s, _ = ls.accept()
        s.settimeout(30)
        threading.Thread(target=serve_one, args=(s, log, lock), daemon=True).start()


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def client(a):
    try:
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
    except ConnectionResetError:
        # With every backend known down the proxy resets at once: the RST can overtake
        # connect()'s return.
        if a.mode == "refused":
            print("ok refused: reset (during connect)")
            return
        raise
    n = a.bytes
    if a.mode == "client-half":
        s.sendall(b"client-half %d\n" % n)
        s.sendall(pattern(n, 1))
        s.shutdown(socket.SHUT_WR)  # our FIN: the backend must see EOF, then answer
        data = recv_all(s)
        line, _, rest = data.partition(b"\n")
        want = b"got %d %s match" % (n, hashlib.sha256(pattern(n, 1)).hexdigest().encode())
        if line != want:
            fail("client-half: backend said %r" % line[:200])
        if rest != pattern(n, 2):
            fail("client-half: %d bytes after our FIN, want %d pattern bytes" % (len(rest), n))
        print("ok client-half: %d bytes each way, %d after our FIN" % (n, len(rest)))
    elif a.mode == "backend-half":
        s.sendall(b"backend-half %d\n" % n)
        data = recv_all(s)  # ends with the backend's FIN
        if data != pattern(n, 3):
            fail("backend-half: got %d bytes before EOF, want %d pattern bytes" % (len(data), n))
        more = pattern(n, 4)
        s.sendall(more)  # still flows towards the half-closed backend
        s.shutdown(socket.SHUT_WR)
        rest = recv_all(s)
        if rest:
            fail("backend-half: data after EOF")
        print("ok backend-half: %d bytes then EOF; sent %d after it, sha256 %s"
              % (len(data), n, hashlib.sha256(more).hexdigest()))
    elif a.mode == "backend-rst":
        s.sendall(b"backend-rst\n")
        try:
            d = s.recv(100)
            fail("backend-rst: got %r instead of a reset" % d)
        except ConnectionResetError:
            print("ok backend-rst: reset")
    elif a.mode == "client-rst":
        s.sendall(b"client-rst\n")
        if read_line(s) != "ready":
            fail("client-rst: backend not ready")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        print("ok client-rst: reset sent")
        return
    elif a.mode == "refused":
        try:
            d = s.recv(100)
            fail("refused: got %r, want a reset" % d)
        except ConnectionResetError:
            print("ok refused: reset")
    else:
        fail("unknown mode " + a.mode)
    s.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("server")
    sv.add_argument("--bind", required=True)
    sv.add_argument("--port", type=int, required=True)
    sv.add_argument("--log", required=True)
    cl = sub.add_parser("client")
    cl.add_argument("--host", required=True)
    cl.add_argument("--port", type=int, required=True)
    cl.add_argument("--mode", required=True)
    cl.add_argument("--bytes", type=int, default=100000)
    cl.add_argument("--timeout", type=float, default=20)
    a = ap.parse_args()
    server(a) if a.cmd == "server" else client(a)


if __name__ == "__main__":
    main()

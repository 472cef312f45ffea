#!/usr/bin/python3
"""Raw-socket checks of tern-http that curl and wrk do not make (stdlib only).

  body        one GET, the body must be the pattern (byte i = PATTERN[i % 64]), byte-exact
  pipeline    N requests in one send, N responses in order on one connection
  split       a request sent one byte at a time (headers split across segments)
  http10      HTTP/1.0 closes; HTTP/1.0 with keep-alive persists
  close       HTTP/1.1 with Connection: close gets it and then EOF
  garbage     a malformed request line gets 400 and the connection closes
  bigheader   a head beyond --max-header gets 431 and the connection closes
  head        HEAD gets Content-Length but no body
  post        a request body (Content-Length) is skipped, the next request is answered
  postclose   a 300 KB body with Connection: close, sent in one write: 200, then a FIN,
              never a RST (the body is read before the close, not reset as unread data)
  bigclose    a 300 KB head (beyond --max-header) in one write: 431, then a FIN, no RST
Prints one line per check; exits 1 at the first failure.
"""
import argparse
import socket
import sys

PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n"


def expect_body(n):
    return (PATTERN * (n // 64 + 1))[:n]


class Conn:
    def __init__(self, host, port, timeout):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed by tern-http")
        self.buf += d

    def response(self, head_request=False):
        """One response: (status, headers dict, body)."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1])
        hdrs = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        n = 0 if head_request else int(hdrs.get("content-length", "0"))
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, hdrs, body

    def at_eof(self):
        """True when the server closed (EOF or reset) with nothing more sent."""
        try:
            d = self.s.recv(1)
        except ConnectionResetError:
            return True
        return d == b""

    def clean_eof(self):
        """True when the server closed with a FIN (EOF), False on a reset."""
        try:
            return self.s.recv(1) == b""
        except ConnectionResetError:
            return False

    def close(self):
        self.s.close()


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--body-size", type=int, required=True)
    ap.add_argument("--max-header", type=int, default=8192)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("checks", nargs="+")
    a = ap.parse_args()
    n = a.body_size
    want = expect_body(n)
    get = b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n"
    for chk in a.checks:
        c = Conn(a.host, a.port, a.timeout)
        if chk == "body":
            c.send(get)
            st, h, body = c.response()
            check(st == 200, "body: status %d" % st)
            check(body == want, "body: %d bytes, not the pattern of %d" % (len(body), n))
        elif chk == "pipeline":
            k = 50
            c.send(get * k)
            for i in range(k):
                st, h, body = c.response()
                check(st == 200 and body == want, "pipeline: response %d wrong" % i)
            c.send(get)  # still alive afterwards
            st, h, body = c.response()
            check(st == 200, "pipeline: connection not kept")
        elif chk == "split":
            req = b"GET /split HTTP/1.1\r\nHost: tern\r\nX-Long: " + b"a" * 300 + b"\r\n\r\n"
            c.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(len(req)):
                c.send(req[i:i + 1])
            st, h, body = c.response()
            check(st == 200 and body == want, "split: status %d" % st)
        elif chk == "http10":
            c.send(b"GET / HTTP/1.0\r\n\r\n")
            st, h, body = c.response()
            check(st == 200 and h.get("connection") == "close", "http10: %d %s" % (st, h))
            check(c.at_eof(), "http10: not closed after the response")
            c.close()
            c = Conn(a.host, a.port, a.timeout)
            c.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" * 2)
            for i in range(2):
                st, h, body = c.response()
                check(st == 200 and h.get("connection") == "keep-alive" and body == want,
                      "http10 keep-alive: response %d: %d %s" % (i, st, h))
        elif chk == "close":
            c.send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            st, h, body = c.response()
            check(st == 200 and h.get("connection") == "close" and body == want,
                  "close: %d %s" % (st, h))
            check(c.at_eof(), "close: not closed after the response")
        elif chk == "garbage":
            c.send(b"\x16\x03\x01 this is not http\r\n\r\n")
            st, h, body = c.response()
            check(st == 400, "garbage: status %d, want 400" % st)
            check(c.at_eof(), "garbage: not closed after 400")
        elif chk == "bigheader":
            c.send(b"GET / HTTP/1.1\r\nX-Big: " + b"b" * (a.max_header + 100))
            st, h, body = c.response()
            check(st == 431, "bigheader: status %d, want 431" % st)
            check(c.at_eof(), "bigheader: not closed after 431")
        elif chk == "head":
            c.send(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + get)
            st, h, body = c.response(head_request=True)
            check(st == 200 and h.get("content-length") == str(n) and body == b"",
                  "head: %d %s" % (st, h))
            st, h, body = c.response()
            check(st == 200 and body == want, "head: the next response is wrong")
        elif chk == "post":
            c.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + b"p" * 5000 + get)
            for i in range(2):
                st, h, body = c.response()
                check(st == 200 and body == want, "post: response %d wrong" % i)
        elif chk == "postclose":
            try:
                c.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n"
                       b"Connection: close\r\n\r\n" + b"x" * 300000)
            except OSError as e:
                fail("postclose: sending the body: %s" % e)
            st, h, body = c.response()
            check(st == 200 and body == want, "postclose: status %d" % st)
            check(c.clean_eof(), "postclose: reset after the response, not closed")
        elif chk == "bigclose":
            try:
                c.send(b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 300000)
            except OSError as e:
                fail("bigclose: sending the head: %s" % e)
            st, h, body = c.response()
            check(st == 431, "bigclose: status %d, want 431" % st)
            check(c.clean_eof(), "bigclose: reset after 431, not closed")
        else:
            fail("unknown check " + chk)
        c.close()
        print("ok " + chk)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Bulk echo client with byte-exact streaming check, stall detection and a deadline.

  bulk_client.py --host 198.18.0.1 --port 7010 --bytes 52428800 [--stall 20] [--timeout 120]

Sends N bytes of a deterministic pseudo-random stream and reads the echo at the same time
(non-blocking, so both directions run concurrently), comparing every received byte with
the stream as it arrives: the first wrong byte ends the run with its offset. The stream is
64 KiB blocks, block i = random.Random(seed << 32 | i).randbytes(65536): not periodic, so
a duplicated, lost or misplaced block shows. After the last byte is sent the client
half-closes (SHUT_WR); it then wants the whole echo and EOF (tern-echo closes once it has
echoed everything).

Deadlines: --stall S fails the run when neither a byte was sent nor received for S seconds;
--timeout T bounds the whole run. --progress S prints sent/received every S seconds on
stderr.

Exit status: 0 ok, 1 mismatch / short echo / protocol error, 2 stall or timeout,
3 connect failure. Prints one summary line; with --json one JSON object instead:
{"ok": bool, "bytes": N, "sent": n, "received": n, "secs": s, "send_secs": s,
 "tx_MBps": x, "rx_MBps": x, "error": "..."}  (MB = 10^6 bytes; tx_MBps over send_secs,
rx_MBps over secs, both measured from the completed connect).
"""
import argparse
import json
import random
import selectors
import socket
import sys
import time

BLOCK = 65536


class Stream:
    """The deterministic byte stream, read at increasing offsets (one cached block)."""

    def __init__(self, seed):
        self.seed = seed
        self.idx = -1
        self.buf = b""

    def block(self, i):
        if i != self.idx:
            self.buf = random.Random(self.seed << 32 | i).randbytes(BLOCK)
            self.idx = i
        return self.buf

    def view(self, off, n):
        """n bytes from offset off, no copy (n must not cross a block end)."""
        i, o = divmod(off, BLOCK)
        return memoryview(self.block(i))[o:o + n]

    def bytes(self, off, n):
        """The same as a bytes copy (bytes compare with memcmp; memoryviews do not)."""
        i, o = divmod(off, BLOCK)
        return self.block(i)[o:o + n]


def run(args):
    res = {"ok": False, "bytes": args.bytes, "sent": 0, "received": 0, "secs": 0.0,
           "send_secs": 0.0, "tx_MBps": 0.0, "rx_MBps": 0.0, "error": ""}
    t_start = time.monotonic()
    try:
        sock = socket.create_connection((args.host, args.port), timeout=min(args.timeout, 10))
    except OSError as e:
        res["error"] = f"connect {args.host}:{args.port}: {e}"
        return 3, res
    t0 = time.monotonic()
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    tx, rx = Stream(args.seed), Stream(args.seed)
    sent = got = 0
    eof = shut = False
    last_progress = t0
    next_report = t0 + args.progress if args.progress else None
    deadline = t_start + args.timeout
    rc = 0
    try:
        while not (got >= args.bytes and eof):
            now = time.monotonic()
            if now >= deadline:
                res["error"] = f"timeout after {args.timeout:.0f}s"
                rc = 2
                break
            if now - last_progress >= args.stall:
                res["error"] = f"stall: no byte sent or received for {args.stall:.0f}s"
                rc = 2
                break
            if next_report is not None and now >= next_report:
                print(f"bulk_client: {now - t0:6.1f}s sent {sent / 1e6:8.2f} MB received "
                      f"{got / 1e6:8.2f} MB", file=sys.stderr, flush=True)
                next_report = now + args.progress
            for _key, mask in sel.select(timeout=0.5):
                if mask & selectors.EVENT_WRITE and sent < args.bytes:
                    # Up to --chunk bytes, in slices that never cross a stream block.
                    n = 0
                    try:
                        while n < args.chunk and sent < args.bytes:
                            want = min(BLOCK - sent % BLOCK, args.bytes - sent)
                            k = sock.send(tx.view(sent, want))
                            sent += k
                            n += k
                            if k < want:
                                break
                    except BlockingIOError:
                        pass
                    if n:
                        last_progress = time.monotonic()
                    if sent >= args.bytes:
                        res["send_secs"] = time.monotonic() - t0
                        if not shut:
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
                        if got < args.bytes:
                            res["error"] = f"EOF after {got} of {args.bytes} echoed bytes"
                            rc = 1
                        break
                    last_progress = time.monotonic()
                    if got + len(chunk) > args.bytes:
                        res["error"] = f"received {got + len(chunk)} bytes, more than sent"
                        rc = 1
                        break
                    p = 0
                    while p < len(chunk):
                        k = min(BLOCK - (got + p) % BLOCK, len(chunk) - p)
                        exp = rx.bytes(got + p, k)
                        if chunk[p:p + k] != exp:
                            j = next(x for x in range(k) if chunk[p + x] != exp[x])
                            res["error"] = f"data mismatch at offset {got + p + j}"
                            rc = 1
                            break
                        p += k
                    got += len(chunk)
                    if rc:
                        break
            if rc or (eof and got < args.bytes):
                break
    except OSError as e:
        res["error"] = f"socket error: {e}"
        rc = 1
    finally:
        sel.close()
        sock.close()
    secs = time.monotonic() - t0
    res.update(sent=sent, received=got, secs=round(secs, 3))
    if not res["send_secs"]:
        res["send_secs"] = secs
    res["send_secs"] = round(res["send_secs"], 3)
    res["tx_MBps"] = round(sent / res["send_secs"] / 1e6, 2) if res["send_secs"] else 0.0
    res["rx_MBps"] = round(got / secs / 1e6, 2) if secs else 0.0
    res["ok"] = rc == 0
    return rc, res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--host", default="198.18.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bytes", type=int, default=50 << 20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=262144, help="bytes per writable event")
    ap.add_argument("--stall", type=float, default=20.0, help="seconds without progress")
    ap.add_argument("--timeout", type=float, default=300.0, help="whole run (s)")
    ap.add_argument("--progress", type=float, default=0.0, help="report period (s), 0 = off")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args()
    if args.bytes <= 0 or args.chunk <= 0 or args.stall <= 0 or args.timeout <= 0:
        ap.error("--bytes, --chunk, --stall and --timeout must be positive")
    rc, res = run(args)
    if args.json:
        print(json.dumps(res))
    elif rc == 0:
        print(f"bulk_client: ok {args.bytes} bytes echoed byte-exact in {res['secs']:.2f}s "
              f"(send {res['tx_MBps']:.1f} MB/s, echo {res['rx_MBps']:.1f} MB/s)")
    else:
        print(f"bulk_client: {res['error']} (sent {res['sent']}, received {res['received']} "
              f"of {args.bytes}, {res['secs']:.1f}s)")
    return rc


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Scripted TCP connections for the conformance cases (see wire.py for the link)."""
import os
import random
import sys
import time

from wire import Wire, fmt_opts, seq_add, seq_diff

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import telemetry  # noqa: E402  (tests/integration/telemetry.py)

MASK = 0xFFFFFFFF
MSS4 = 1460  # tern's MSS in the lab (MTU 1500): MTU - 40 over IPv4
MSS6 = 1440  # MTU - 60 over IPv6


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class Suite:
    """What every case gets: the wire, tern's ports, telemetry, the case's trace."""

    def __init__(self, args):
        self.args = args
        self.port = args.port
        self.closed_port = args.closed_port
        self.w = Wire(args.iface, args.tern_ip, args.my_ip, args.my_mac,
                      getattr(args, "tern_ip6", None), getattr(args, "my_ip6", None))
        self.fam = 4  # of the running case: 4, or 6 for the v6_ cases (set by the runner)
        self.prefix = args.prefix
        self.trace = []
        self.conns = []
        self.case_t0 = 0.0
        self._next_port = random.randrange(20000, 40000)

    @property
    def mss(self):
        """tern's MSS on the running case's family: MTU 1500 - 40 over IPv4, - 60 over IPv6."""
        return MSS6 if self.fam == 6 else MSS4

    def next_port(self):
        self._next_port += 1
        if self._next_port > 60000:
            self._next_port = 20001
        return self._next_port

    def conn(self, **kw):
        c = Conn(self, **kw)
        self.conns.append(c)
        return c

    def note(self, text):
        self.trace.append("%8.3f    %s" % (self.w.now() - self.case_t0, text))

    # ---- telemetry ----
    def _tel(self, cmd):
        try:
            with telemetry.Telemetry(telemetry.socket_path(self.prefix), 5.0, 2.0) as t:
                v = t.query(cmd)
        except (OSError, ValueError, ConnectionError) as e:
            raise Fail("telemetry %s: %s" % (cmd, e))
        if not isinstance(v, dict):
            raise Fail("telemetry %s: unexpected reply %r" % (cmd, v))
        return v

    def stats(self):
        return self._tel("/tern/stats")

    def gauges(self):
        return self._tel("/tern/gauges")

    def counters(self):
        return Counters(self)


class Counters:
    """Counter and gauge deltas since creation."""

    def __init__(self, s):
        self.s = s
        self.b = s.stats()
        self.g = s.gauges()

    @staticmethod
    def _key(stats, key):
        """Counters by name (tcp_rst_rx), drop reasons by name too (tcp_paws: the telemetry
        key is drop_tcp_paws)."""
        return key if key in stats or "drop_" + key not in stats else "drop_" + key

    def d(self, key):
        now = self.s.stats()
        k = self._key(now, key)
        return now.get(k, 0) - self.b.get(k, 0)

    def gd(self, key):
        return self.s.gauges().get(key, 0) - self.g.get(key, 0)

    def drops(self):
        """Drop reasons that grew, {name: delta}."""
        now = self.s.stats()
        return {k[5:]: now[k] - self.b.get(k, 0) for k in now
                if k.startswith("drop_") and now[k] != self.b.get(k, 0)}

    def want(self, key, n=1, op=">="):
        v = self.d(key)
        ok = v >= n if op == ">=" else v == n
        if not ok:
            raise Fail("counter %s grew by %d, want %s %d (drop reasons that grew: %s)" % (
                key, v, op, n, self.drops() or "none"))
        return v

    def wait_gauge(self, key, delta, timeout=2.0):
        deadline = time.monotonic() + timeout
        while True:
            v = self.gd(key)
            if v == delta:
                return
            if time.monotonic() > deadline:
                raise Fail("gauge %s moved by %d, want %d" % (key, v, delta))
            time.sleep(0.05)


class Conn:
    """One scripted connection from SCRIPT_IP:sport (SCRIPT_IP6 for fam 6) to tern:dport;
    the family is the running case's (Suite.fam) unless given.

    Sequence numbers in the trace are relative: ours to our ISS, tern's to its ISN (IRS),
    absolute (#n) while tern's ISN is unknown.
    """

    def __init__(self, s, dport=None, sport=None, mss=1460, sack=True, ts=True, wscale=7,
                 win=65535, ts_base=None, syn_opts=None, fam=None):
        self.s = s
        self.w = s.w
        self.fam = fam or s.fam
        self.mss = MSS6 if self.fam == 6 else MSS4
        self.dport = dport or s.port
        self.sport = sport or s.next_port()
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss
        self.irs = None
        self.rcv_nxt = None
        self.win = win
        self.offer = dict(mss=mss, sack=sack, ts=ts, wscale=wscale)
        self.syn_opts_override = syn_opts
        self.ts_base = random.getrandbits(32) if ts_base is None else ts_base
        self.use_ts = False
        self.use_sack = False
        self.ts_recent = 0
        self.idx = len(self.w.segs)
        self.rx = bytearray()      # in-order data received from tern
        self.rx_taken = 0          # bytes of rx handed out by read()
        self.fin_seq = None        # sequence number of tern's FIN once seen
        self.retrans = 0           # data segments from tern below rcv_nxt
        self.established = False
        self.reset_done = False
        self.segs = []             # every segment of this connection from tern
        self.sent_syn_tsval = None
        self.t_created = self.w.now()

    # ---- numbers ----
    def tsval(self):
        """Our TS clock: ts_base at the connection's creation, then milliseconds."""
        return (self.ts_base + int((self.w.now() - self.t_created) * 1000)) & MASK

    @property
    def max_payload(self):
        """Largest payload we may put in a segment (tern's MSS less our options)."""
        return self.mss - (12 if self.use_ts else 0)

    def syn_options(self):
        if self.syn_opts_override is not None:
            return self.syn_opts_override
        o = self.offer
        opts = []
        if o["mss"]:
            opts.append(("MSS", o["mss"]))
        if o["sack"]:
            opts.append(("SAckOK", b""))
        if o["ts"]:
            self.sent_syn_tsval = self.tsval()
            opts.append(("Timestamp", (self.sent_syn_tsval, 0)))
        if o["wscale"] is not None:
            opts += [("NOP", None), ("WScale", o["wscale"])]
        return opts

    def _rel_ours(self, v):
        return "%d" % seq_diff(v, self.iss)

    def _rel_tern(self, v):
        return "#%d" % v if self.irs is None else "%d" % seq_diff(v, self.irs)

    # ---- sending ----
    def send(self, flags, data=b"", seq=None, ack=None, win=None, ts=None, tsval=None,
             tsecr=None, opts=None, advance=None, note=""):
        """Send one segment. Defaults: seq = snd_nxt (then snd_nxt advances), ack = rcv_nxt
        when the A flag is set, our window, TSopt when negotiated (ts=False leaves it out)."""
        if seq is None:
            seq = self.snd_nxt
            if advance is None:
                advance = True
        if ack is None:
            ack = self.rcv_nxt if ("A" in flags and self.rcv_nxt is not None) else 0
        if win is None:
            win = self.win
        if opts is None:
            opts = []
            if (self.use_ts and ts is not False) or ts is True:
                opts = [("NOP", None), ("NOP", None),
                        ("Timestamp", (self.tsval() if tsval is None else tsval,
                                       self.ts_recent if tsecr is None else tsecr))]
        frame = self.w.build(self.sport, self.dport, flags, seq, ack, win, opts, data, self.fam)
        self.w.send_raw(frame)
        self.s.note("us > tern  %-3s seq=%s ack=%s win=%d len=%d %s%s" % (
            flags or ".", self._rel_ours(seq), self._rel_tern(ack) if "A" in flags else "-",
            win, len(data), fmt_opts(opts), ("   # " + note) if note else ""))
        if advance:
            self.snd_nxt = seq_add(seq, len(data) + ("S" in flags) + ("F" in flags))
        return seq

    def ack(self, win=None, note=""):
        return self.send("A", win=win, note=note)

    def reset(self):
        """Exact-sequence RST (ends tern's connection, RFC 5961 §3)."""
        self.send("R", seq=self.snd_nxt, advance=False, note="cleanup")
        self.reset_done = True

    # ---- receiving ----
    def recv(self, timeout):
        """Next segment of this connection from tern, or None. Takes in-order data into
        self.rx (rcv_nxt advances over data, not over FIN: see take_fin)."""
        mine = lambda x: (x.sport == self.dport and x.dport == self.sport  # noqa: E731
                          and x.fam == self.fam)
        seg, self.idx = self.w.wait_seg(self.idx, mine, timeout)
        if seg is None:
            return None
        self.segs.append(seg)
        note = ""
        if seg.tsval is not None:
            self.ts_recent = seg.tsval
        if self.rcv_nxt is not None and "S" not in seg.flags:
            if seg.data:
                off = seq_diff(self.rcv_nxt, seg.seq)
                if off < 0:
                    note = "out of order / beyond what we had"
                elif off >= len(seg.data):
                    self.retrans += 1
                    note = "retransmission"
                else:
                    self.rx += seg.data[off:]
                    self.rcv_nxt = seq_add(self.rcv_nxt, len(seg.data) - off)
            if "F" in seg.flags:
                fs = seq_add(seg.seq, len(seg.data))
                if self.fin_seq is None and fs == self.rcv_nxt:
                    self.fin_seq = fs
                elif self.fin_seq is not None:
                    note = (note + " FIN again").strip()
        self.s.note("tern > us  %-3s seq=%s ack=%s win=%d len=%d %s%s" % (
            seg.flags or ".", self._rel_tern(seg.seq),
            self._rel_ours(seg.ack) if "A" in seg.flags else "-", seg.win, len(seg.data),
            fmt_opts(seg.opts), ("   # " + note) if note else ""))
        return seg

    def expect(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            seg = self.recv(max(left, 0))
            if seg is None:
                raise Fail("no %s within %.1fs" % (what, timeout))
            if pred(seg):
                return seg

    def quiet(self, duration, pred=lambda x: True):
        """Segments matching pred that arrive within duration (all are traced)."""
        got = []
        deadline = time.monotonic() + duration
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return got
            seg = self.recv(left)
            if seg is not None and pred(seg):
                got.append(seg)

    def expect_nothing(self, duration, pred=lambda x: True, what="segment"):
        got = self.quiet(duration, pred)
        check(not got, "unexpected %s from tern: %s seq=%s ack=%s len=%d" % (
            what, got[0].flags, self._rel_tern(got[0].seq), self._rel_ours(got[0].ack),
            len(got[0].data)) if got else "")

    # ---- connection steps ----
    def syn(self, data=b""):
        """Send our SYN (with data if given), return tern's SYN-ACK (not yet acknowledged)."""
        self.send("S", data=data, seq=self.iss, opts=self.syn_options(), advance=False)
        self.snd_nxt = seq_add(self.iss, 1)
        sa = self.expect(lambda x: x.has("S"), 3.0, "SYN-ACK")
        check(sa.has("SA"), "answer to SYN has flags %s, want SA" % sa.flags)
        check(sa.ack == seq_add(self.iss, 1) or (data and sa.ack == seq_add(self.iss, 1 + len(data))),
              "SYN-ACK acknowledges %s, want 1" % self._rel_ours(sa.ack))
        self.irs = sa.seq
        self.rcv_nxt = seq_add(sa.seq, 1)
        self.use_ts = bool(self.offer["ts"]) and "Timestamp" in sa.optd
        self.use_sack = bool(self.offer["sack"]) and "SAckOK" in sa.optd
        self.synack = sa
        return sa

    def handshake(self):
        sa = self.syn()
        self.ack()
        self.established = True
        return sa

    def read(self, n, timeout=3.0, ack=True):
        """n more bytes of in-order data from tern (ACKing each data segment)."""
        deadline = time.monotonic() + timeout
        while len(self.rx) - self.rx_taken < n:
            left = deadline - time.monotonic()
            seg = self.recv(max(left, 0)) if left > 0 else None
            if seg is None:
                raise Fail("echo: got %d of %d bytes within %.1fs" % (
                    len(self.rx) - self.rx_taken, n, timeout))
            check("R" not in seg.flags, "RST from tern while reading data")
            if ack and seg.data:
                self.ack()
        out = bytes(self.rx[self.rx_taken:self.rx_taken + n])
        self.rx_taken += n
        return out

    def echo(self, data, timeout=3.0, note=""):
        """Send data (full-sized segments), read the same bytes back."""
        for i in range(0, len(data), self.max_payload):
            self.send("PA", data=data[i:i + self.max_payload], note=note)
        got = self.read(len(data), timeout)
        check(got == data, "echo differs: sent %d bytes, got back %r..." % (len(data), got[:40]))
        return got

    def wait_fin(self, timeout=3.0):
        """Read (and ACK) data until tern's FIN shows up; the FIN itself is not acknowledged."""
        deadline = time.monotonic() + timeout
        while self.fin_seq is None:
            left = deadline - time.monotonic()
            seg = self.recv(left) if left > 0 else None
            if seg is None:
                raise Fail("no FIN from tern within %.1fs" % timeout)
            check("R" not in seg.flags, "RST from tern while waiting for its FIN")
            if seg.data and self.fin_seq is None:
                self.ack()
        return self.fin_seq

    def take_fin(self):
        """Count tern's FIN into rcv_nxt (the next ACK acknowledges it)."""
        assert self.fin_seq is not None
        self.rcv_nxt = seq_add(self.fin_seq, 1)

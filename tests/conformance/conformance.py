#!/usr/bin/python3
"""tern TCP conformance cases (docs/TCP.md, docs/CONFORMANCE.md), run against tern-echo from
the peer namespace with a scripted source address. Started by run.sh, one phase at a time:

  conformance.py --phase echo  --port P --closed-port Q --prefix PFX ...   tern-echo plain
  conformance.py --phase close --port P ...                 tern-echo --close-after 1000
  conformance.py --phase cookie --port P ...                tern-echo --syncookies always
  conformance.py --list PHASE                               case names of a phase

Every case runs over IPv4; most run again over IPv6 as v6_NAME (from SCRIPT_IP6 to tern's
IPv6 address, same phase, same tern-echo); `@case(..., v6="why not")` keeps a case IPv4-only
and says why (--describe, docs/CONFORMANCE.md).

Prints "PASS name" or "FAIL name: reason" per case; the packet exchange of every case goes
to --log-dir/NAME.trace (and to stdout after a FAIL line with -v).
"""
import argparse
import os
import random
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import Fail, Suite, check  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from wire import default_ip6, default_mac, patch_seq, seq_add, seq_diff  # noqa: E402

CASES = []  # (name, phase, timeout, fn, family, last)
NOT_V6 = {}  # name: why the case does not run over IPv6
CLOSE_AFTER = 1000  # run.sh starts tern-echo --close-after with this for phase "close"
DELACK = 0.2  # run.sh starts tern-echo --delack-ms 200 for phase "echo": "immediate" is clear


def case(name, phase="echo", timeout=20, v6=True, last=False):
    """Register a case over IPv4 and, unless v6 is a reason string, as v6_NAME over IPv6.
    last: after every other case of the phase (both families)."""
    def reg(fn):
        CASES.append((name, phase, timeout, fn, 4, last))
        if v6 is True:
            CASES.append(("v6_" + name, phase, timeout, fn, 6, last))
        else:
            NOT_V6[name] = v6
        return fn
    return reg


def phase_cases(phase):
    """A phase's cases in running order: IPv4, then IPv6, then the "last" ones."""
    cs = [c for c in CASES if c[1] == phase]
    return sorted(cs, key=lambda c: (c[5], c[4] if not c[5] else 0))


def rnd(n):
    return bytes(random.getrandbits(8) for _ in range(n))


def is_rst(x):
    return "R" in x.flags


def is_data(x):
    return len(x.data) > 0


def tdelta(a, b):
    """Seconds between two of tern's segments: by tern's own clock (TSval, milliseconds)
    when both carry one, so that our scheduling delays do not count; else arrival times."""
    if a.tsval is not None and b.tsval is not None:
        return seq_diff(b.tsval, a.tsval) / 1000.0
    return b.t - a.t


def sack_blocks(seg):
    v = seg.optd.get("SAck")
    if not v:
        return []
    return [(v[i], v[i + 1]) for i in range(0, len(v) - 1, 2)]


# =============================================================================================
# SYN cookies (RFC 4987 §3.6): phase "cookie", tern-echo --syncookies always
# =============================================================================================

@case("cookie_ts_carries_options", phase="cookie")
def _(s):
    """Cookie SYN-ACK to a SYN with MSS, SACK, TS, wscale 7: all options answered; the low
    6 bits of its TSval carry SACK (bit 4) and the peer's shift (bits 3..0); the ACK brings
    the connection to life with window scaling in use: a raw window of 40 (5120 bytes at
    shift 7) lets segments far larger than 40 bytes through."""
    k = s.counters()
    c = s.conn(mss=1460, sack=True, ts=True, wscale=7)
    sa = c.syn()
    o = sa.optd
    check(sorted(o) == ["MSS", "SAckOK", "Timestamp", "WScale"], "SYN-ACK options %s" % sorted(o))
    check(sa.tsecr == c.sent_syn_tsval, "TSecr %d, want %d" % (sa.tsecr, c.sent_syn_tsval))
    check((sa.tsval & 0x3f) == ((1 << 4) | 7), "TSval low bits 0x%02x, want 0x17 (SACK, shift 7)"
          % (sa.tsval & 0x3f))
    check(k.gd("syn_queue") == 0, "a SYN queue entry was made")
    k.want("tcp_syncookie_sent", 1, "==")
    c.win = 40
    c.ack()
    c.established = True
    data = bytes(random.getrandbits(8) for _ in range(6000))
    c.echo(data, timeout=5.0)
    big = max(len(x.data) for x in c.segs if x.data)
    check(big > 40, "largest echoed segment %d bytes: window scaling not in use" % big)
    k.want("tcp_syncookie_ok", 1, "==")
    k.want("tcp_passive_open", 1, "==")


@case("cookie_no_ts", phase="cookie")
def _(s):
    """Without timestamps a cookie keeps only the MSS: the SYN-ACK offers no wscale and no
    sackOK even though the SYN did, and the connection works unscaled."""
    k = s.counters()
    c = s.conn(mss=1460, sack=True, ts=False, wscale=7)
    sa = c.syn()
    check(sorted(sa.optd) == ["MSS"], "SYN-ACK options %s, want MSS only" % sorted(sa.optd))
    c.ack()
    c.established = True
    c.echo(b"z" * 3000)
    for seg in c.segs[1:]:
        check(seg.win <= 65535 and "Timestamp" not in seg.optd, "unexpected options/window")
    k.want("tcp_syncookie_ok", 1, "==")


@case("cookie_mss_class", phase="cookie")
def _(s):
    """The cookie carries the MSS as a class: a SYN with MSS 1400 gets class 1380, so tern's
    data segments carry at most 1380 - 12 (timestamps) = 1368 bytes. Over IPv6 (classes 64,
    536, 1220, 1360, 1400, 1420, 1440, 8940) a SYN with MSS 1430 gets class 1420: 1408."""
    mss, cls = (1430, 1420) if s.fam == 6 else (1400, 1380)
    c = s.conn(mss=mss, sack=True, ts=True, wscale=7)
    c.handshake()
    c.echo(bytes(range(256)) * 24, timeout=5.0)
    big = max(len(x.data) for x in c.segs if x.data)
    check(big == cls - 12, "largest echoed segment %d bytes, want %d" % (big, cls - 12))


@case("cookie_bogus_ack", phase="cookie")
def _(s):
    """An ACK whose cookie is wrong creates nothing and draws <SEQ=SEG.ACK><CTL=RST>; the
    right ACK afterwards still works."""
    c = s.conn()
    sa = c.syn()
    k = s.counters()
    bad = seq_add(sa.seq, 1 + (1 << 12))
    c.send("A", ack=bad)
    r = c.expect(is_rst, 1.0, "RST")
    check(r.seq == bad and r.flags == "R", "RST seq/flags %s/%s" % (r.seq, r.flags))
    k.want("tcp_cookie_bad", 1, "==")
    k.want("tcp_syncookie_failed", 1, "==")
    check(k.d("tcp_passive_open") == 0, "a connection was created")
    c.ack()
    c.established = True
    c.echo(b"the real ACK")


@case("cookie_synack_not_retransmitted", phase="cookie",
      v6="stateless, family-blind path; 2.5 s of the time budget")
def _(s):
    """A cookie SYN-ACK is never retransmitted (no state): nothing for 2.5 s; the peer's SYN
    retransmission gets a fresh SYN-ACK."""
    c = s.conn()
    sa = c.syn()
    c.expect_nothing(2.5)
    c.send("S", seq=c.iss, opts=c.syn_options(), advance=False, note="SYN again")
    sa2 = c.expect(lambda x: x.has("S"), 2.0, "second SYN-ACK")
    check(sa2.ack == sa.ack, "second SYN-ACK acknowledges something else")
    c.irs = sa2.seq
    c.rcv_nxt = seq_add(sa2.seq, 1)
    c.ack()
    c.established = True
    c.echo(b"after a fresh cookie")


# =============================================================================================
# Segments to a listener (RFC 9293 §3.10.7.2) and to a closed port (§3.10.7.1)
# =============================================================================================

@case("listen_ack_rst")
def _(s):
    """ACK to a listener: <SEQ=SEG.ACK><CTL=RST>."""
    c = s.conn()
    a = random.getrandbits(32)
    c.send("A", seq=c.iss, ack=a)
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "R", "flags %s, want R alone" % r.flags)
    check(r.seq == a, "RST seq %d, want SEG.ACK %d" % (r.seq, a))


@case("listen_synack_rst")
def _(s):
    """SYN-ACK to a listener: <SEQ=SEG.ACK><CTL=RST>, no connection."""
    c = s.conn()
    a = random.getrandbits(32)
    k = s.counters()
    c.send("SA", seq=c.iss, ack=a, opts=[("MSS", 1460)])
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "R", "flags %s, want R alone" % r.flags)
    check(r.seq == a, "RST seq %d, want SEG.ACK %d" % (r.seq, a))
    check(k.d("tcp_passive_open") == 0, "a connection was accepted")


def _listen_ignored(s, flags, data=b""):
    c = s.conn()
    k = s.counters()
    c.send(flags, seq=c.iss, data=data)
    c.expect_nothing(0.4)
    check(k.d("tcp_rst_tx") == 0, "tcp_rst_tx grew")
    drops = k.drops()
    check(sum(drops.values()) == 1, "want exactly one counted drop, got %r" % drops)
    s.note("drop reasons: %r" % drops)


@case("listen_rst_ignored")
def _(s):
    """RST to a listener: ignored, nothing sent, counted as a drop."""
    _listen_ignored(s, "R")


@case("listen_fin_ignored")
def _(s):
    """FIN without ACK to a listener: dropped silently (§3.10.7.2 'fourth other')."""
    _listen_ignored(s, "F")


@case("listen_noflags_ignored")
def _(s):
    """Segment without flags (with data) to a listener: dropped silently."""
    _listen_ignored(s, "", b"no flags at all")


@case("listen_syn_data")
def _(s):
    """SYN carrying data: the SYN-ACK acknowledges the SYN (and the data if tern queued it);
    the data is delivered exactly once."""
    c = s.conn()
    data = b"data in the SYN " + rnd(20)
    sa = c.syn(data)
    took = sa.ack == seq_add(c.iss, 1 + len(data))
    s.note("tern %s the SYN's data" % ("accepted" if took else "did not accept"))
    if took:
        c.snd_nxt = sa.ack
        c.ack()
    else:
        c.ack()
        c.send("PA", data=data, note="data again")
    got = c.read(len(data))
    check(got == data, "echo %r, want %r" % (got, data))
    extra = c.quiet(0.3, is_data)
    check(not extra or c.retrans == len(extra),
          "more data than sent: %d extra bytes" % (len(c.rx) - len(data)))
    check(len(c.rx) == len(data), "echoed %d bytes, sent %d" % (len(c.rx), len(data)))


@case("closed_syn_rst")
def _(s):
    """SYN to a closed port: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>."""
    c = s.conn(dport=s.closed_port)
    k = s.counters()
    c.send("S", seq=c.iss, opts=c.syn_options())
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "RA", "flags %s, want RA" % r.flags)
    check(r.seq == 0, "RST seq %d, want 0" % r.seq)
    check(r.ack == seq_add(c.iss, 1), "RST ack %s, want 1" % c._rel_ours(r.ack))
    k.want("tcp_no_listener_rst", 1)


@case("closed_data_noack_rst")
def _(s):
    """Data without ACK to a closed port: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>."""
    c = s.conn(dport=s.closed_port)
    c.send("P", seq=c.iss, data=b"12345")
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "RA", "flags %s, want RA" % r.flags)
    check(r.seq == 0, "RST seq %d, want 0" % r.seq)
    check(r.ack == seq_add(c.iss, 5), "RST ack %s, want 5" % c._rel_ours(r.ack))


@case("closed_fin_rst")
def _(s):
    """FIN without ACK to a closed port: RST,ACK acknowledging the FIN (SEG.LEN counts it)."""
    c = s.conn(dport=s.closed_port)
    c.send("F", seq=c.iss)
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "RA", "flags %s, want RA" % r.flags)
    check(r.seq == 0 and r.ack == seq_add(c.iss, 1),
          "RST seq %d ack %s, want 0 / 1" % (r.seq, c._rel_ours(r.ack)))


@case("closed_ack_rst")
def _(s):
    """ACK with data to a closed port: <SEQ=SEG.ACK><CTL=RST>."""
    c = s.conn(dport=s.closed_port)
    a = random.getrandbits(32)
    c.send("PA", seq=c.iss, ack=a, data=b"hello")
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "R", "flags %s, want R alone" % r.flags)
    check(r.seq == a, "RST seq %d, want SEG.ACK %d" % (r.seq, a))


@case("closed_rst_ignored")
def _(s):
    """RST to a closed port: never answered."""
    c = s.conn(dport=s.closed_port)
    k = s.counters()
    c.send("R", seq=c.iss)
    c.expect_nothing(0.4)
    k.want("tcp_no_listener", 1)


# =============================================================================================
# Handshake options (RFC 9293 §3.7.1, RFC 7323, RFC 2018, RFC 6691)
# =============================================================================================

@case("syn_options_all")
def _(s):
    """SYN with MSS, SACK-permitted, TS, window scale: the SYN-ACK carries MSS (mtu-40; over
    IPv6 mtu-60), wscale, sackOK and TS with TSecr = our TSval; its window is not scaled."""
    c = s.conn(mss=1460, sack=True, ts=True, wscale=7)
    sa = c.syn()
    o = sa.optd
    check(o.get("MSS") == s.mss, "MSS %r, want %d" % (o.get("MSS"), s.mss))
    check("WScale" in o, "no window scale option")
    check(0 <= o["WScale"] <= 14, "window scale %d out of 0..14" % o["WScale"])
    check("SAckOK" in o, "no SACK-permitted option")
    check("Timestamp" in o, "no timestamp option")
    check(sa.tsecr == c.sent_syn_tsval, "TSecr %d, want our TSval %d" % (sa.tsecr, c.sent_syn_tsval))
    # tern-echo's receive buffer (262144) is larger than 65535: unscaled, the field is full.
    check(sa.win == 65535, "SYN-ACK window %d, want 65535 (never scaled)" % sa.win)
    c.ack()
    # Data segments then carry TSopt echoing our latest TSval.
    last = seq_add(c.tsval(), 7)
    c.send("PA", data=b"ts please", tsval=last)
    d = c.expect(is_data, 2.0, "echo")
    check(d.tsval is not None, "echoed data without TSopt")
    check(seq_diff(d.tsval, sa.tsval) >= 0, "TSval went backwards: %d after %d" % (d.tsval, sa.tsval))
    check(d.tsecr == last, "echo TSecr %d, want our TSval %d" % (d.tsecr, last))


@case("syn_options_none")
def _(s):
    """SYN without options: the SYN-ACK has only MSS; later segments carry no options and
    the window is not scaled (at most 65535)."""
    c = s.conn(syn_opts=[])
    sa = c.syn()
    keys = sorted(sa.optd)
    check(keys == ["MSS"], "SYN-ACK options %s, want MSS only" % keys)
    check(sa.optlen == 4, "SYN-ACK option bytes %d, want 4" % sa.optlen)
    c.ack()
    c.echo(b"x" * 100)
    for seg in c.segs[1:]:
        check(seg.optlen == 0, "segment after the handshake carries options %s" % seg.opts)
        check(seg.win == 65535, "window %d without scaling, want 65535 (receive buffer 262144, "
              "capped, not shifted)" % seg.win)


@case("syn_options_mss_ts")
def _(s):
    """SYN with MSS and TS only: SYN-ACK with MSS and TS, no wscale, no sackOK."""
    c = s.conn(sack=False, wscale=None)
    sa = c.syn()
    keys = sorted(sa.optd)
    check(keys == ["MSS", "Timestamp"], "SYN-ACK options %s, want MSS + Timestamp" % keys)
    check(sa.tsecr == c.sent_syn_tsval, "TSecr %d, want %d" % (sa.tsecr, c.sent_syn_tsval))


@case("syn_options_ws_sack")
def _(s):
    """SYN with MSS, wscale and sackOK, no TS: SYN-ACK without TS; no TSopt afterwards."""
    c = s.conn(ts=False)
    sa = c.syn()
    keys = sorted(sa.optd)
    check(keys == ["MSS", "SAckOK", "WScale"], "SYN-ACK options %s, want MSS SAckOK WScale" % keys)
    c.ack()
    c.echo(b"y" * 50)
    for seg in c.segs[1:]:
        check("Timestamp" not in seg.optd, "TSopt on a connection without timestamps")


def _mss_case(s, conn, want_mss, nbytes=3000):
    c = conn
    c.handshake()
    data = rnd(nbytes)
    for i in range(0, len(data), c.max_payload):
        c.send("PA", data=data[i:i + c.max_payload])
    got = c.read(len(data))
    check(got == data, "echo differs")
    sizes = [(len(x.data), x.optlen) for x in c.segs if x.data]
    s.note("echo segments (payload, option bytes): %s" % sizes)
    for ln, ol in sizes:
        check(ln + ol <= want_mss, "data segment with %d payload + %d option bytes > MSS %d" % (
            ln, ol, want_mss))
    check(max(ln for ln, _ in sizes) + max(ol for _, ol in sizes) >= want_mss - 12,
          "segments smaller than needed: largest payload %d" % max(ln for ln, _ in sizes))


@case("mss_clamp_536")
def _(s):
    """Peer MSS 536 with timestamps: echoed data segments carry at most 536 - options."""
    _mss_case(s, s.conn(mss=536), 536)


@case("mss_default_536")
def _(s):
    """No MSS option: the send MSS is 536; over IPv6 1220 (RFC 9293 §3.7.1, MUST-15)."""
    _mss_case(s, s.conn(syn_opts=[]), 1220 if s.fam == 6 else 536)


@case("mss_clamp_mtu")
def _(s):
    """Peer MSS 9000: tern's own limit (mtu - 40 = 1460, over IPv6 mtu - 60 = 1440,
    options included) applies."""
    _mss_case(s, s.conn(mss=9000), s.mss, 6000)


@case("synrcvd_syn_retransmit")
def _(s):
    """A retransmitted SYN in SYN_RCVD (same ISN) draws the same SYN-ACK again."""
    c = s.conn()
    sa1 = c.syn()
    c.send("S", seq=c.iss, opts=c.syn_options(), advance=False, note="SYN again")
    sa2 = c.expect(lambda x: x.has("S"), 2.0, "second SYN-ACK")
    check(sa2.has("SA"), "flags %s, want SA" % sa2.flags)
    check(sa2.seq == sa1.seq and sa2.ack == sa1.ack, "second SYN-ACK seq/ack differ")
    c.ack()
    c.echo(b"after retransmitted SYN")


@case("synrcvd_bad_ack_rst")
def _(s):
    """ACK of something never sent in SYN_RCVD: <SEQ=SEG.ACK><CTL=RST> (§3.10.7.4)."""
    c = s.conn()
    sa = c.syn()
    bad = seq_add(sa.seq, 1 + 100000)
    c.send("A", ack=bad)
    r = c.expect(is_rst, 1.0, "RST")
    check(r.seq == bad, "RST seq %s, want SEG.ACK %s" % (c._rel_tern(r.seq), c._rel_tern(bad)))
    check("A" not in r.flags, "RST has ACK flag")


@case("handshake_ack_with_data")
def _(s):
    """Data on the ACK that completes the handshake is accepted and echoed."""
    c = s.conn()
    c.syn()
    c.send("PA", data=b"data with the third segment")
    check(c.read(27) == b"data with the third segment", "wrong echo")


@case("synack_retransmit", timeout=15)
def _(s):
    """No ACK for the SYN-ACK: it is retransmitted (same ISN) after the initial RTO (1 s)."""
    c = s.conn()
    sa = c.syn()
    r = c.expect(lambda x: x.has("S"), 3.0, "retransmitted SYN-ACK")
    check(r.has("SA") and r.seq == sa.seq and r.ack == sa.ack, "retransmitted SYN-ACK differs")
    dt = tdelta(sa, r)
    s.note("SYN-ACK retransmitted after %.3f s" % dt)
    check(dt >= 0.9, "SYN-ACK retransmitted after %.3f s, initial RTO is 1 s" % dt)
    c.ack()
    c.echo(b"late ACK")


@case("ts_missing_dropped")
def _(s):
    """On a timestamp connection a data segment without TSopt is dropped (tcp_no_ts)."""
    c = s.conn()
    c.handshake()
    check(c.use_ts, "timestamps not negotiated")
    k = s.counters()
    seq0 = c.send("PA", data=b"no timestamp here", ts=False)
    c.expect_nothing(0.4, is_data, "echo")
    k.want("tcp_no_ts", 1)
    c.snd_nxt = seq0
    c.echo(b"with timestamp")


# =============================================================================================
# RFC 5961
# =============================================================================================

@case("rst_exact_resets")
def _(s):
    """RST with seq = rcv_nxt resets; the next segment finds no connection and draws
    <SEQ=SEG.ACK><CTL=RST>."""
    c = s.conn()
    c.handshake()
    c.echo(b"before reset")
    k = s.counters()
    c.send("R", advance=False)
    c.expect_nothing(0.3)
    k.want("tcp_rst_rx", 1)
    c.send("PA", data=b"anyone there?")
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "R", "flags %s, want R" % r.flags)
    check(r.seq == c.rcv_nxt, "RST seq %s, want our ACK %s" % (
        c._rel_tern(r.seq), c._rel_tern(c.rcv_nxt)))


@case("rst_in_window_challenge")
def _(s):
    """In-window RST not at rcv_nxt: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>; the
    connection survives; an exact RST after it resets."""
    c = s.conn()
    c.handshake()
    c.echo(b"abc")
    k = s.counters()
    c.send("R", seq=seq_add(c.snd_nxt, 1000), advance=False)
    a = c.expect(lambda x: True, 1.0, "challenge ACK")
    check(a.flags == "A", "flags %s, want A" % a.flags)
    check(a.seq == c.rcv_nxt and a.ack == c.snd_nxt, "challenge ACK seq %s ack %s, want %s %s" % (
        c._rel_tern(a.seq), c._rel_ours(a.ack), c._rel_tern(c.rcv_nxt), c._rel_ours(c.snd_nxt)))
    k.want("tcp_rst_challenge", 1)
    k.want("tcp_challenge_ack", 1)
    check(k.d("tcp_rst_rx") == 0, "RST accepted")
    c.echo(b"still here")
    c.send("R", advance=False, note="exact RST")
    c.expect_nothing(0.2)
    k.want("tcp_rst_rx", 1)


@case("rst_out_of_window_ignored")
def _(s):
    """RST outside the window: dropped silently, the connection survives."""
    c = s.conn()
    c.handshake()
    k = s.counters()
    c.send("R", seq=seq_add(c.snd_nxt, 1 << 30), advance=False)
    c.send("R", seq=seq_add(c.snd_nxt, -(1 << 20)), advance=False)
    c.expect_nothing(0.4)
    check(k.d("tcp_rst_rx") == 0, "RST accepted")
    c.echo(b"still alive")


@case("syn_established_challenge")
def _(s):
    """SYN in ESTABLISHED (in window and not): challenge ACK, never a reset; the connection
    survives."""
    c = s.conn()
    c.handshake()
    c.echo(b"123")
    for off, where in ((500, "in window"), (1 << 30, "out of window")):
        k = s.counters()
        c.send("S", seq=seq_add(c.snd_nxt, off), opts=c.syn_options(), advance=False, note=where)
        a = c.expect(lambda x: True, 1.0, "challenge ACK (SYN %s)" % where)
        check(a.flags == "A", "answer to SYN %s has flags %s, want A" % (where, a.flags))
        check(a.seq == c.rcv_nxt and a.ack == c.snd_nxt, "challenge ACK numbers wrong")
        check(k.d("tcp_rst_tx") == 0, "RST sent")
        if k.d("tcp_syn_challenge") != 1:
            raise Fail("SYN %s: tcp_syn_challenge grew by %d, want 1 (drop reasons that grew: "
                       "%s)" % (where, k.d("tcp_syn_challenge"), k.drops()))
    c.echo(b"survived the SYNs")


def _bad_ack_case(s, ackno, counter, what):
    c = s.conn()
    c.handshake()
    c.echo(b"warm-up")
    k = s.counters()
    seq0 = c.send("PA", data=b"must not be delivered", ack=ackno(c))
    a = c.expect(lambda x: True, 1.0, "ACK for the %s" % what)
    check(a.flags == "A", "flags %s, want A" % a.flags)
    check(a.ack == seq0, "ACK acknowledges %s, want %s (data dropped)" % (
        c._rel_ours(a.ack), c._rel_ours(seq0)))
    c.expect_nothing(0.3, is_data, "echo of dropped data")
    k.want(counter, 1)
    check(k.d("tcp_data_rx") == 0, "data was delivered")
    c.snd_nxt = seq0
    c.echo(b"good data")


@case("ack_too_old")
def _(s):
    """SEG.ACK below snd_una - max window (RFC 5961 §5): ACK sent, segment dropped."""
    _bad_ack_case(s, lambda c: seq_add(c.rcv_nxt, -(1 << 30)), "tcp_ack_too_old", "old ACK")


@case("ack_beyond_snd_max")
def _(s):
    """SEG.ACK above snd_max: ACK sent, segment dropped (tcp_bad_ack)."""
    _bad_ack_case(s, lambda c: seq_add(c.rcv_nxt, 1 << 20), "tcp_bad_ack", "ACK of unsent data")


@case("ack_old_acceptable")
def _(s):
    """SEG.ACK a little below snd_una (within the max window): data accepted."""
    c = s.conn()
    c.handshake()
    c.echo(b"x" * 300)
    c.send("PA", data=b"old but fine", ack=seq_add(c.rcv_nxt, -200))
    check(c.read(12) == b"old but fine", "wrong echo")


# =============================================================================================
# PAWS (RFC 7323 §5)
# =============================================================================================

@case("paws_old_tsval_dropped")
def _(s):
    """Data with TSval < TS.Recent: dropped, ACK sent (TSecr stays TS.Recent), not echoed."""
    c = s.conn()
    c.handshake()
    check(c.use_ts, "timestamps not negotiated")
    t1 = c.tsval()
    c.send("PA", data=b"fresh", tsval=t1)
    check(c.read(5) == b"fresh", "wrong echo")
    k = s.counters()
    seq0 = c.send("PA", data=b"stale", tsval=seq_add(t1, -100000))
    a = c.expect(lambda x: True, 1.0, "ACK for the PAWS-failed segment")
    check(a.flags == "A" and not a.data, "flags %s len %d, want a bare ACK" % (a.flags, len(a.data)))
    check(a.ack == seq0, "ACK acknowledges %s, want %s" % (c._rel_ours(a.ack), c._rel_ours(seq0)))
    check(a.tsecr is not None and seq_diff(a.tsecr, t1) >= 0,
          "TSecr %r: TS.Recent was taken from the stale segment" % a.tsecr)
    c.expect_nothing(0.3, is_data, "echo of the stale segment")
    k.want("tcp_paws", 1)
    c.snd_nxt = seq0
    c.echo(b"stale no more")


@case("paws_rst_exempt")
def _(s):
    """A RST with an old TSval at rcv_nxt still resets (RFC 7323 §5.3 R1)."""
    c = s.conn()
    c.handshake()
    t1 = c.tsval()
    c.send("PA", data=b"tick", tsval=t1)
    c.read(4)
    k = s.counters()
    c.send("R", tsval=seq_add(t1, -100000), advance=False)
    c.expect_nothing(0.3)
    k.want("tcp_rst_rx", 1)


@case("paws_tsval_wraps")
def _(s):
    """TSval compared modulo 2^32: values wrapping through 0 (0 included) are newer."""
    c = s.conn(ts_base=0xFFFFFF00)
    c.handshake()
    for v in (0xFFFFFFF0, 0x00000000, 0x00000010):
        c.send("PA", data=b"ts %08x" % v, tsval=v)
        got = c.read(11, 2.0)
        check(got == b"ts %08x" % v, "wrong echo for TSval %08x" % v)


# =============================================================================================
# Sequence acceptability (RFC 9293 §3.10.7.4)
# =============================================================================================

@case("data_beyond_window")
def _(s):
    """Data far beyond the window: ACK <SEQ=SND.NXT><ACK=RCV.NXT>, nothing delivered."""
    c = s.conn()
    c.handshake()
    k = s.counters()
    seq0 = c.snd_nxt
    c.send("PA", data=b"far away", seq=seq_add(seq0, 1 << 28))
    a = c.expect(lambda x: True, 1.0, "ACK")
    check(a.flags == "A" and a.ack == seq0, "got %s ack %s, want A ack %s" % (
        a.flags, c._rel_ours(a.ack), c._rel_ours(seq0)))
    c.expect_nothing(0.3, is_data, "echo")
    k.want("tcp_out_of_window", 1)
    check(k.d("tcp_data_rx") == 0, "data delivered")


@case("data_old_duplicate")
def _(s):
    """A retransmission of data already received: ACK of rcv_nxt, not delivered again."""
    c = s.conn()
    c.handshake()
    seq0 = c.snd_nxt
    c.echo(b"only once")
    k = s.counters()
    c.send("PA", data=b"only once", seq=seq0)
    a = c.expect(lambda x: True, 1.0, "duplicate ACK")
    check(a.ack == c.snd_nxt, "ACK %s, want %s" % (c._rel_ours(a.ack), c._rel_ours(c.snd_nxt)))
    c.expect_nothing(0.3, is_data, "second echo")
    # TCP.md: wholly old data is counted as tcp_dup_data (not tcp_out_of_window).
    drops = k.drops()
    check(drops == {"tcp_dup_data": 1}, "drop reasons %s, want tcp_dup_data once" % drops)


@case("data_partial_overlap")
def _(s):
    """A segment overlapping rcv_nxt: only the new bytes are delivered."""
    c = s.conn()
    c.handshake()
    seq0 = c.snd_nxt
    c.echo(b"0123456789")
    c.send("PA", data=b"56789ABCDE", seq=seq_add(seq0, 5), advance=False)
    c.snd_nxt = seq_add(seq0, 15)
    check(c.read(5) == b"ABCDE", "overlap delivered twice or not at all")
    c.expect_nothing(0.3, is_data, "more echo")


@case("oow_pure_ack_limited")
def _(s):
    """Pure ACKs outside the window: answered with an ACK at most once per 500 ms per
    connection (TCP.md, as Linux); a data segment outside the window always is."""
    c = s.conn()
    c.handshake()
    far = seq_add(c.snd_nxt, 1 << 28)
    for i in range(3):
        c.send("A", seq=far, advance=False, note="pure ACK out of window")
    got = c.quiet(0.3, lambda x: x.flags == "A")
    check(len(got) == 1, "%d ACKs for 3 out-of-window pure ACKs within 0.3 s, want 1" % len(got))
    c.send("PA", data=b"far data", seq=far, advance=False, note="data out of window")
    a = c.expect(lambda x: True, 0.3, "ACK for out-of-window data (never limited)")
    check(a.flags == "A" and a.ack == c.snd_nxt, "got %s ack %s" % (a.flags, c._rel_ours(a.ack)))
    time.sleep(max(0.0, 0.55 - (s.w.now() - got[0].t)))
    c.send("A", seq=far, advance=False, note="pure ACK out of window, 500 ms later")
    c.expect(lambda x: x.flags == "A", 0.5, "ACK after 500 ms")
    c.echo(b"fine")


@case("nagle_small_writes")
def _(s):
    """Nagle (Minshall, TCP.md): the first short echo goes at once; the next short ones wait
    while it is unacknowledged, then go together. A bulk write's short tail is not held."""
    c = s.conn()
    c.handshake()
    for part in (b"aaaaaaaaaa", b"bbbbbbbbbb", b"cccccccccc"):
        c.send("PA", data=part)
        time.sleep(0.01)
    got = c.quiet(0.12, is_data)
    check(got and got[0].data == b"aaaaaaaaaa", "first short echo %r, want it at once" % (
        got[0].data if got else None))
    first = got[0]
    # A retransmission at RTO (from first.seq, possibly repacketized) is fine on a slow
    # machine; a new short segment while the first is unacknowledged is not.
    new = [x for x in got if seq_diff(x.seq, first.seq) > 0]
    check(not new, "short segment %r sent while %r was unacknowledged" % (new[0].data, first.data)
          if new else "")
    c.ack(note="first echo acknowledged")
    check(c.read(30, 1.0) == b"aaaaaaaaaabbbbbbbbbbcccccccccc", "echo differs")
    check(not any(x.data == b"bbbbbbbbbb" for x in c.segs), "held-back echoes went one by one")
    # Bulk: 2 full segments and a short tail, no ACK from us: the tail is not held back (it
    # arrives without an RTO).
    k = s.counters()
    d = rnd(2 * c.max_payload + 100)
    c.send("PA", data=d[:c.max_payload])
    c.send("PA", data=d[c.max_payload:2 * c.max_payload])
    c.send("PA", data=d[2 * c.max_payload:])
    check(c.read(len(d), 1.0, ack=False) == d, "bulk echo differs")
    check(k.d("tcp_rto") == 0, "bulk echo's short tail came only by RTO")
    c.ack()


@case("bad_checksum_dropped")
def _(s):
    """A data segment with a bad TCP checksum is dropped silently (tcp_csum)."""
    c = s.conn()
    c.handshake()
    k = s.counters()
    seq0 = c.snd_nxt
    f = bytearray(s.w.build(c.sport, c.dport, "PA", seq0, c.rcv_nxt, c.win,
                            [("NOP", None), ("NOP", None), ("Timestamp", (c.tsval(), c.ts_recent))]
                            if c.use_ts else [], b"corrupted", c.fam))
    f[14 + (40 if c.fam == 6 else 20) + 16] ^= 0x5A  # TCP checksum
    s.w.send_raw(bytes(f))
    s.note("us > tern  PA  seq=%s len=9 with a bad checksum" % c._rel_ours(seq0))
    c.expect_nothing(0.3)
    k.want("tcp_csum", 1)
    c.echo(b"good one")


@case("syn_unknown_option")
def _(s):
    """Unknown options in a SYN are ignored (RFC 9293 §3.1): normal SYN-ACK."""
    opts = [("MSS", 1460), (253, b"\x12\x34"), ("SAckOK", b""), ("NOP", None), ("NOP", None),
            (0x4c, b"abcdef")]
    c = s.conn(syn_opts=opts)
    sa = c.syn()
    check(sa.optd.get("MSS") == s.mss and "SAckOK" in sa.optd,
          "SYN-ACK options %s" % sorted(str(x) for x in sa.optd))
    c.ack()
    c.echo(b"unknown options are fine")


@case("syn_malformed_option")
def _(s):
    """A SYN whose option length runs past the header draws no SYN-ACK (RFC 9293 §3.1:
    handle illegal option lengths), and tern carries on."""
    c = s.conn()
    k = s.counters()
    # MSS option claiming 40 bytes in a 4-byte option area: data offset 6, the option bytes
    # given as payload so that scapy leaves them alone.
    from scapy.layers.inet import TCP
    p = Ether(src=s.w.my_mac, dst=s.w.tern_mac6 if s.fam == 6 else s.w.tern_mac) / \
        s.w.ip(s.fam) / TCP(
        sport=c.sport, dport=c.dport, flags="S", seq=c.iss, window=65535, dataofs=6) / \
        b"\x02\x28\x05\xb4"
    s.w.send_raw(bytes(p))
    s.note("us > tern  S   seq=0 <MSS option with length 40>")
    got = c.quiet(0.3)
    check(not any(x.has("SA") for x in got), "SYN-ACK for a SYN with a malformed option")
    check(k.d("tcp_passive_open") == 0, "connection accepted")
    c2 = s.conn()
    c2.handshake()
    c2.echo(b"still serving")


@case("peer_wscale_applied")
def _(s):
    """Our window scale (7) is applied to our windows after the handshake: window field 12
    means 1536 bytes, room for one full segment and no more."""
    c = s.conn(wscale=7)
    c.handshake()
    check("WScale" in c.synack.optd, "window scaling not negotiated")
    d = rnd(3 * c.max_payload)
    c.win = 12
    for i in range(0, len(d), c.max_payload):
        c.send("PA", data=d[i:i + c.max_payload])
    una = c.rcv_nxt
    got = c.quiet(0.5, is_data)
    sent = max([seq_diff(seq_add(x.seq, len(x.data)), una) for x in got] or [0])
    check(sent > 12, "tern sent %d bytes: window field 12 taken unscaled" % sent)
    check(sent <= 1536, "tern sent %d bytes into a window of 1536" % sent)
    c.win = 65535
    c.ack(note="window opens")
    check(c.read(len(d), 3.0) == d, "echo differs")


def _rto_case(s, data):
    c = s.conn()
    c.handshake()
    k = s.counters()
    c.send("PA", data=data)
    first = c.expect(is_data, 1.0, "echo")
    check(first.data == data, "echo in more than one segment")
    times = [first]
    while len(times) < 3:
        try:
            x = c.expect(is_data, 3.0, "retransmission %d" % len(times))
        except Fail as e:
            raise Fail("%s (meanwhile tcp_rto grew by %d, tcp_retrans by %d)" % (
                e, k.d("tcp_rto"), k.d("tcp_retrans")))
        check(x.seq == first.seq and x.data == first.data, "retransmission differs")
        times.append(x)
    i1, i2 = tdelta(times[0], times[1]), tdelta(times[1], times[2])
    s.note("retransmission intervals %.3f s, %.3f s" % (i1, i2))
    check(i1 >= 0.19, "first retransmission after %.3f s, RTO is at least 200 ms" % i1)
    check(i2 >= 1.5 * i1, "RTO did not back off: %.3f s then %.3f s" % (i1, i2))
    k.want("tcp_rto", 2)
    c.ack()
    c.expect_nothing(min(2 * i2, 1.5), is_data, "retransmission after the ACK")


@case("rto_backoff")
def _(s):
    """An unacknowledged full-sized segment is retransmitted at RTO (>= 200 ms), the
    interval doubling (RFC 6298 §5)."""
    _rto_case(s, rnd(s.mss - 12))


@case("rto_short_segment", v6="Nagle and the RTO are family-blind (rto_backoff runs over "
      "IPv6); 2.4 s of the time budget")
def _(s):
    """The same for a short segment (20 bytes): Nagle must not hold back its own
    retransmission."""
    _rto_case(s, b"please retransmit me")


def _fast_retransmit(s, sack):
    c = s.conn(sack=sack)
    c.handshake()
    m = c.max_payload
    d = rnd(8 * m)
    for i in range(0, len(d), m):
        c.send("PA", data=d[i:i + m])
    # Collect the echo without acknowledging anything, then the duplicate ACKs at once
    # (well before the RTO of 200 ms or more).
    segs = []
    while len(segs) < 8:
        x = c.recv(0.1)
        if x is None:
            break
        if x.data:
            segs.append(x)
    check(len(segs) >= 5, "only %d echo segments before any ACK (IW10 allows 8)" % len(segs))
    k = s.counters()
    lost = segs[0]
    una = lost.seq
    for n_dup in range(1, 4):
        right = seq_add(segs[n_dup].seq, len(segs[n_dup].data))
        opts = [("NOP", None), ("NOP", None), ("Timestamp", (c.tsval(), c.ts_recent))] if c.use_ts else []
        if sack:
            opts += [("NOP", None), ("NOP", None), ("SAck", (segs[1].seq, right))]
        c.send("A", ack=una, opts=opts, note="duplicate ACK %d" % n_dup)
    c.expect(lambda x: x.data and x.seq == una, 0.5, "retransmission of the first segment")
    check(k.d("tcp_rto") == 0, "retransmitted by RTO, not fast retransmit")
    k.want("tcp_fast_retrans", 1)
    k.want("tcp_recovery", 1)
    c.ack(note="everything")
    check(c.read(len(d), 3.0) == d, "echo differs")


@case("fast_retransmit_sack")
def _(s):
    """With SACK: three duplicate ACKs with SACK blocks above a hole: the hole is
    retransmitted at once (RFC 6675), not at RTO."""
    _fast_retransmit(s, True)


@case("fast_retransmit_dupacks")
def _(s):
    """Without SACK: three duplicate ACKs: fast retransmit (RFC 5681 / 6582)."""
    _fast_retransmit(s, False)


@case("rcv_window_full_and_update", timeout=30)
def _(s):
    """We advertise window 0 and keep sending: tern-echo fills its send buffer, then tern's
    receive window closes. The right edge never moves left (RFC 9293 §3.8.6), data beyond
    the window is not accepted, a probe at the edge is answered at once with window 0. Once
    our window opens, tern sends a window update by itself, and every byte comes back."""
    c = s.conn()
    c.handshake()
    ws = c.synack.optd.get("WScale", 0)
    m = c.max_payload
    edges = []

    def edge(x):
        return seq_add(x.ack, x.win << ws)

    def take(x):
        if "A" in x.flags and not x.has("S"):
            edges.append((x.t, edge(x), x.win))

    c.win = 0
    sent = bytearray()
    right = seq_add(c.snd_nxt, c.synack.win)  # SYN-ACK window: not scaled
    deadline = time.monotonic() + 8
    while True:
        check(time.monotonic() < deadline, "tern's window did not close within 8 s "
              "(%d bytes sent)" % len(sent))
        room = seq_diff(right, c.snd_nxt)
        if room > 0:
            d = rnd(min(m, room)) if len(sent) < 4096 else bytes(min(m, room))
            c.send("PA", data=d)
            sent += d
            x = c.recv(0)
        else:
            x = c.recv(DELACK + 0.3)
            if x is None:
                break  # window closed and quiet
        while x is not None:
            take(x)
            if "A" in x.flags and not x.data:
                right = edge(x)
            x = c.recv(0)
    s.note("tern took %d bytes before closing its window" % len(sent))
    for (t1, e1, w1), (t2, e2, w2) in zip(edges, edges[1:]):
        check(seq_diff(e2, e1) >= 0, "right edge moved left by %d bytes" % seq_diff(e1, e2))
    check(edges and edges[-1][2] == 0, "last window advertised %r, want 0" % (
        edges[-1][2] if edges else None))
    k = s.counters()
    c.send("PA", data=b"Z", advance=False, note="probe beyond the closed window")
    a = c.expect(lambda x: "A" in x.flags and not x.data, 0.5, "ACK to our window probe")
    check(a.ack == c.snd_nxt and a.win == 0, "probe answered with ack %s win %d, want %s win 0" % (
        c._rel_ours(a.ack), a.win, c._rel_ours(c.snd_nxt)))
    check(k.d("tcp_data_rx") == 0, "the probe byte was accepted into a zero window")
    # Open our window: the echo flows; ACK it as it comes. tern must reopen its window.
    c.win = 65535
    c.ack(note="our window opens")
    got = c.read(len(sent), 15.0)
    check(got == bytes(sent), "echo differs")
    opened = [x for x in c.segs if "A" in x.flags and x.win > 0 and x.t > a.t]
    check(opened, "tern never reopened its window")
    s.note("tern reopened its window to %d (scaled by %d)" % (opened[0].win, 1 << ws))


# =============================================================================================
# Zero window (RFC 9293 §3.8.6.1)
# =============================================================================================

@case("zero_window_probes", timeout=30)
def _(s):
    """Peer window 0 with echo data pending: probes <SEQ=snd_una-1><ACK=rcv_nxt> at RTO,
    doubling; no data into the closed window; once it opens the data flows."""
    c = s.conn()
    c.handshake()
    k = s.counters()
    data = rnd(100)
    c.send("PA", data=data, win=0)
    probes = []
    una = c.rcv_nxt
    deadline = time.monotonic() + 10
    while len(probes) < 3:
        left = deadline - time.monotonic()
        check(left > 0, "%d zero-window probes within 10s, want 3" % len(probes))
        seg = c.recv(left)
        if seg is None:
            continue
        check(not (seg.data and seq_diff(seg.seq, una) >= 0),
              "sent %d bytes of new data into a zero window" % len(seg.data))
        if seg.seq == seq_add(una, -1):
            probes.append(seg)
            check(not seg.data, "probe carries %d bytes (want none: seq snd_una-1)" % len(seg.data))
            check(seg.ack == c.snd_nxt, "probe ACK %s, want rcv_nxt" % c._rel_ours(seg.ack))
            c.send("A", win=0, note="still zero")
    i1, i2 = tdelta(probes[0], probes[1]), tdelta(probes[1], probes[2])
    s.note("probe intervals %.3f s, %.3f s" % (i1, i2))
    check(i2 >= 1.5 * i1, "probe interval does not grow: %.3f s then %.3f s" % (i1, i2))
    k.want("tcp_zero_window_probe", 3)
    c.send("A", win=65535, note="window opens")
    got = c.read(len(data), 3.0)
    check(got == data, "echo after the window opened differs")


# =============================================================================================
# Out of order data, SACK (RFC 9293 §3.10.7.4, RFC 2018, RFC 5681 §4.2)
# =============================================================================================

def _is_pure_ack(x):
    return x.flags == "A" and not x.data


@case("ooo_sack")
def _(s):
    """Out-of-order data: immediate ACK with SACK blocks (most recent first); filling the
    holes delivers everything in order."""
    c = s.conn()
    c.handshake()
    check(c.use_sack, "SACK not negotiated")
    k = s.counters()
    b = c.snd_nxt
    d = rnd(400)
    part = lambda i: d[i * 100:(i + 1) * 100]  # noqa: E731
    at = lambda i: seq_add(b, i * 100)  # noqa: E731

    t = s.w.now()
    c.send("PA", data=part(1), seq=at(1), advance=False, note="[100,200) hole before")
    a = c.expect(lambda x: x.ack == b, 1.0, "duplicate ACK for out-of-order data")
    s.note("ACK after %.1f ms" % ((a.t - t) * 1000))
    check(sack_blocks(a) == [(at(1), at(2))], "SACK blocks %s, want [100,200)" % [
        (seq_diff(l, b), seq_diff(r, b)) for l, r in sack_blocks(a)])
    check(a.t - t < DELACK / 2, "ACK after %.0f ms: not immediate (delayed ACK: %.0f ms)" % (
        (a.t - t) * 1000, DELACK * 1000))

    c.send("PA", data=part(3), seq=at(3), advance=False, note="[300,400)")
    a = c.expect(lambda x: x.ack == b, 1.0, "second duplicate ACK")
    check(sack_blocks(a) == [(at(3), at(4)), (at(1), at(2))],
          "SACK blocks %s, want [300,400) [100,200)" % [
              (seq_diff(l, b), seq_diff(r, b)) for l, r in sack_blocks(a)])

    c.send("PA", data=part(0), seq=at(0), advance=False, note="fills the first hole")
    # TCP.md: full-sized data segments go without SACK blocks; the first other segment
    # acknowledging 200 (pure ACK or short echo) carries [300,400).
    full = c.max_payload
    a = c.expect(lambda x: seq_diff(x.ack, b) > 0 and len(x.data) < full, 1.0,
                 "ACK after filling the first hole")
    check(a.ack == at(2), "ACK %d, want 200" % seq_diff(a.ack, b))
    check(sack_blocks(a) == [(at(3), at(4))], "SACK blocks %s, want [300,400)" % [
        (seq_diff(l, b), seq_diff(r, b)) for l, r in sack_blocks(a)])

    c.send("PA", data=part(2), seq=at(2), advance=False, note="fills the second hole")
    c.snd_nxt = at(4)
    got = c.read(400)
    check(got == d, "echo out of order")
    last = [x for x in c.segs if x.ack == at(4)]
    check(last and not sack_blocks(last[0]), "SACK blocks after the queue emptied")
    k.want("tcp_ooo_queued", 2)


@case("ooo_no_sack")
def _(s):
    """Out-of-order data without SACK: immediate duplicate ACK without SACK option; filling
    the hole delivers in order."""
    c = s.conn(sack=False)
    c.handshake()
    b = c.snd_nxt
    d = rnd(200)
    c.send("PA", data=d[100:], seq=seq_add(b, 100), advance=False)
    a = c.expect(lambda x: x.ack == b, 1.0, "duplicate ACK")
    check("SAck" not in a.optd, "SACK option without SACK-permitted")
    c.send("PA", data=d[:100], seq=b, advance=False)
    c.snd_nxt = seq_add(b, 200)
    check(c.read(200) == d, "echo out of order")


# =============================================================================================
# Closing (RFC 9293 §3.6) with tern-echo closing after the peer
# =============================================================================================

@case("close_by_peer")
def _(s):
    """Peer FIN: ACKed; tern-echo closes -> FIN (LAST_ACK); our ACK ends the connection
    without TIME_WAIT on tern; the 4-tuple is then closed (RST)."""
    c = s.conn()
    c.handshake()
    c.echo(b"goodbye")
    k = s.counters()
    fin = c.send("FA")
    c.expect(lambda x: x.ack == seq_add(fin, 1), 1.0, "ACK of our FIN")
    c.wait_fin(2.0)
    k.wait_gauge("last_ack", 1)
    c.take_fin()
    c.ack()
    k.wait_gauge("last_ack", 0)
    check(k.d("tcp_tw_enter") == 0, "tern entered TIME_WAIT (the peer closed first)")
    c.send("A", note="after close")
    r = c.expect(lambda x: True, 1.0, "RST for the closed connection")
    check(r.flags == "R" and r.seq == c.rcv_nxt, "got %s seq %s, want R at our ACK" % (
        r.flags, c._rel_tern(r.seq)))
    c.reset_done = True


@case("close_last_ack_retransmit")
def _(s):
    """In LAST_ACK an unacknowledged FIN is retransmitted (same sequence number)."""
    c = s.conn()
    c.handshake()
    c.send("FA")
    f = c.wait_fin(2.0)
    r = c.expect(lambda x: "F" in x.flags and seq_add(x.seq, len(x.data)) == f, 4.0,
                 "retransmitted FIN")
    c.take_fin()
    c.ack()
    c.reset_done = True
    s.note("FIN retransmitted after %.3f s" % (r.t - c.segs[0].t))


@case("close_half")
def _(s):
    """Half-close: the peer sends data and FIN at once; the echo still arrives in full,
    then tern's FIN."""
    c = s.conn()
    c.handshake()
    d = rnd(3000)
    m = c.max_payload
    c.send("PA", data=d[:m])
    c.send("PA", data=d[m:2 * m])
    c.send("FPA", data=d[2 * m:])
    got = c.read(len(d), 3.0)
    check(got == d, "echo after our FIN differs")
    c.wait_fin(2.0)
    check(any(x.ack == c.snd_nxt for x in c.segs), "our FIN never acknowledged")
    k = s.counters()
    c.take_fin()
    c.ack()
    c.reset_done = True
    time.sleep(0.1)
    check(k.d("tcp_rst_tx") == 0, "RST sent")


@case("close_rst_last_ack")
def _(s):
    """RST (at rcv_nxt) in LAST_ACK ends the connection silently."""
    c = s.conn()
    c.handshake()
    k = s.counters()
    c.send("FA")
    c.wait_fin(2.0)
    k.wait_gauge("last_ack", 1)
    c.send("R", advance=False)
    c.expect_nothing(0.2, lambda x: "F" not in x.flags)
    k.wait_gauge("last_ack", 0)
    k.want("tcp_rst_rx", 1)


# =============================================================================================
# RFC 5961 §7: challenge ACK rate limit (last in its phase: it spends the second's budget)
# =============================================================================================

@case("challenge_ack_rate_limit", timeout=30, last=True,
      v6="one engine-wide budget for both families (rst_in_window_challenge and "
      "syn_established_challenge run over IPv6); 3 s of the time budget")
def _(s):
    """3000 in-window RSTs within 0.85 s, round robin over 50 connections (so that tern
    cannot fold several into one ACK): at most challenge_ack_limit (1000) challenge ACKs per
    second go out, so at most 2000 here; the rest are counted as tcp_challenge_limited."""
    conns = []
    for _ in range(50):
        c = s.conn()
        c.handshake()
        conns.append(c)
    n, gap = 3000, 0.00028
    frames = []
    for i in range(n):
        c = conns[i % len(conns)]
        if i < len(conns):
            opts = [("NOP", None), ("NOP", None), ("Timestamp", (c.tsval(), c.ts_recent))] if c.use_ts else []
            c.tmpl = s.w.build(c.sport, c.dport, "R", c.snd_nxt, 0, c.win, opts, fam=c.fam)
        frames.append(patch_seq(c.tmpl, seq_add(c.snd_nxt, 1 + i)))
    k = s.counters()
    t0 = time.perf_counter()
    for i, f in enumerate(frames):
        nxt = t0 + i * gap
        while time.perf_counter() < nxt:
            pass
        s.w.send_raw(f)
    sent_in = time.perf_counter() - t0
    s.note("sent %d in-window RSTs in %.3f s" % (n, sent_in))
    check(sent_in < 0.98, "sending took %.2f s: too long for the test to mean anything" % sent_in)
    time.sleep(0.3)
    rx, tx, got = k.d("tcp_seg_rx"), k.d("tcp_seg_tx"), k.d("tcp_rst_challenge")
    ca, lim = k.d("tcp_challenge_ack"), k.d("tcp_challenge_limited")
    wire = 0
    for c in conns:
        wire += len(c.quiet(0.01, lambda x: x.flags == "A"))
    s.note("tern received %d segments, sent %d; tcp_rst_challenge %d, challenge ACKs %d "
           "(on the wire %d), limited %d" % (rx, tx, got, ca, wire, lim))
    check(rx >= 0.9 * n, "tern received only %d of %d RSTs (ring overflow?)" % (rx, n))
    check(wire <= 2000, "%d challenge ACKs on the wire for %d RSTs within %.2f s: not limited" % (
        wire, n, sent_in))
    check(lim > 0, "no challenge ACK limited (counter tcp_challenge_limited 0)")
    check(ca + lim <= got, "challenge ACKs %d + limited %d > tcp_rst_challenge %d" % (ca, lim, got))
    time.sleep(1.1)  # let the budget refill for whatever runs next
    for c in conns:
        c.echo(b"survived")


# =============================================================================================
# Closing with tern-echo --close-after 1000 (tern closes first)
# =============================================================================================

def _tern_closes(s, c):
    """Handshake, send CLOSE_AFTER bytes, read the echo; tern's FIN follows (not ACKed)."""
    c.handshake()
    d = rnd(CLOSE_AFTER)
    c.send("PA", data=d)
    got = c.read(len(d))
    check(got == d, "echo differs")
    return c.wait_fin(2.0)


@case("close_by_tern", phase="close")
def _(s):
    """tern closes first: FIN_WAIT_1 -> (our ACK) FIN_WAIT_2 -> (our FIN) TIME_WAIT; a
    retransmitted FIN in TIME_WAIT is ACKed again."""
    c = s.conn()
    k = s.counters()
    f = _tern_closes(s, c)
    c.take_fin()
    c.ack(note="ACK of tern's FIN")
    k.wait_gauge("fin_wait_2", 1)
    fin = c.send("FA")
    a = c.expect(lambda x: "A" in x.flags, 1.0, "ACK of our FIN")
    check(a.flags == "A" and a.ack == seq_add(fin, 1) and a.seq == seq_add(f, 1),
          "got %s seq %s ack %s, want A seq %s ack %s" % (
              a.flags, c._rel_tern(a.seq), c._rel_ours(a.ack), c._rel_tern(seq_add(f, 1)),
              c._rel_ours(seq_add(fin, 1))))
    k.wait_gauge("fin_wait_2", 0)
    k.wait_gauge("time_wait", 1)
    k.want("tcp_tw_enter", 1)
    c.send("FA", seq=fin, advance=False, note="FIN retransmitted")
    a2 = c.expect(lambda x: True, 1.0, "ACK in TIME_WAIT")
    check(a2.flags == "A" and a2.ack == a.ack and a2.seq == a.seq,
          "TIME_WAIT answered %s seq %s ack %s" % (a2.flags, c._rel_tern(a2.seq), c._rel_ours(a2.ack)))
    k.want("tcp_tw_ack", 1)
    c.send("R", advance=False, note="RST at rcv_nxt ends the TIME_WAIT entry")
    k.wait_gauge("time_wait", 0)  # its expiry must not move the gauge under a later case
    c.reset_done = True


@case("close_simultaneous", phase="close")
def _(s):
    """Both FINs cross: FIN_WAIT_1 -> CLOSING (ACK of our FIN) -> TIME_WAIT."""
    c = s.conn()
    k = s.counters()
    f = _tern_closes(s, c)
    fin = c.send("FA", ack=f, note="our FIN, tern's not yet acknowledged")
    a = c.expect(lambda x: x.ack == seq_add(fin, 1), 1.0, "ACK of our FIN")
    check(a.seq == seq_add(f, 1), "ACK seq %s, want after tern's FIN" % c._rel_tern(a.seq))
    k.wait_gauge("closing", 1)
    c.take_fin()
    c.ack()
    k.wait_gauge("closing", 0)
    k.wait_gauge("time_wait", 1)
    k.want("tcp_tw_enter", 1)
    c.send("R", advance=False, note="RST at rcv_nxt ends the TIME_WAIT entry")
    k.wait_gauge("time_wait", 0)  # its expiry must not move the gauge under a later case
    c.reset_done = True


@case("close_rst_fin_wait_1", phase="close")
def _(s):
    """RST at rcv_nxt in FIN_WAIT_1 ends the connection, no TIME_WAIT."""
    c = s.conn()
    k = s.counters()
    _tern_closes(s, c)
    k.wait_gauge("fin_wait_1", 1)
    c.send("R", advance=False)
    c.expect_nothing(0.2, lambda x: "F" not in x.flags)
    k.wait_gauge("fin_wait_1", 0)
    k.want("tcp_rst_rx", 1)
    check(k.d("tcp_tw_enter") == 0, "TIME_WAIT entered")
    c.reset_done = True


@case("close_rst_fin_wait_2", phase="close")
def _(s):
    """RST at rcv_nxt in FIN_WAIT_2 ends the connection, no TIME_WAIT."""
    c = s.conn()
    k = s.counters()
    _tern_closes(s, c)
    c.take_fin()
    c.ack()
    k.wait_gauge("fin_wait_2", 1)
    c.send("R", advance=False)
    c.expect_nothing(0.2)
    k.wait_gauge("fin_wait_2", 0)
    k.want("tcp_rst_rx", 1)
    check(k.d("tcp_tw_enter") == 0, "TIME_WAIT entered")
    c.reset_done = True


@case("close_data_after_close", phase="close")
def _(s):
    """Data after tern-echo closed (FIN_WAIT_2): RST, connection ends (tcp_closed_data)."""
    c = s.conn()
    k = s.counters()
    _tern_closes(s, c)
    c.take_fin()
    c.ack()
    k.wait_gauge("fin_wait_2", 1)
    c.send("PA", data=b"too late")
    r = c.expect(lambda x: True, 1.0, "RST")
    check("R" in r.flags, "got %s, want RST" % r.flags)
    check(r.seq == c.rcv_nxt, "RST seq %s, want %s" % (c._rel_tern(r.seq), c._rel_tern(c.rcv_nxt)))
    k.wait_gauge("fin_wait_2", 0)
    k.want("tcp_closed_data", 1)
    c.reset_done = True


@case("close_fin_wait_2_timeout", phase="close",
      v6="the FIN_WAIT_2 timer is family-blind (close_data_after_close and "
      "close_rst_fin_wait_2 reach FIN_WAIT_2 over IPv6); 1.5 s of the time budget")
def _(s):
    """After close(), FIN_WAIT_2 lasts fin_timeout_ms (run.sh: 1500): then a RST and the
    connection ends (tcp_fin_timeout)."""
    c = s.conn()
    k = s.counters()
    _tern_closes(s, c)
    c.take_fin()
    c.ack()
    t = s.w.now()
    k.wait_gauge("fin_wait_2", 1)
    r = c.expect(is_rst, 4.0, "RST at the FIN_WAIT_2 timeout")
    dt = r.t - t
    s.note("RST after %.3f s in FIN_WAIT_2" % dt)
    check(1.3 <= dt <= 3.0, "RST after %.3f s, want about 1.5 s" % dt)
    check(r.seq == seq_add(c.fin_seq, 1), "RST seq %s, want snd_nxt %s" % (
        c._rel_tern(r.seq), c._rel_tern(seq_add(c.fin_seq, 1))))
    k.wait_gauge("fin_wait_2", 0)
    k.want("tcp_fin_timeout", 1)
    c.reset_done = True


@case("close_time_wait_expires", phase="close")
def _(s):
    """TIME_WAIT lasts 2*MSL (run.sh: --msl 1000, so 2 s), then the entry is gone and the
    4-tuple answers with RST."""
    c = s.conn()
    k = s.counters()
    _tern_closes(s, c)
    c.take_fin()
    c.send("FA")
    c.expect(lambda x: x.ack == c.snd_nxt, 1.0, "ACK of our FIN")
    k.wait_gauge("time_wait", 1)
    t = time.monotonic()
    k.wait_gauge("time_wait", 0, 4.0)
    dt = time.monotonic() - t
    s.note("TIME_WAIT ended after %.2f s" % dt)
    check(dt >= 1.5, "TIME_WAIT ended after %.2f s, want 2*MSL = 2 s" % dt)
    k.want("tcp_tw_expire", 1)
    c.send("A", note="after TIME_WAIT")
    r = c.expect(lambda x: True, 1.0, "RST")
    check(r.flags == "R" and r.seq == c.rcv_nxt, "got %s seq %s, want RST at our ACK" % (
        r.flags, c._rel_tern(r.seq)))
    c.reset_done = True


def _into_time_wait(s, c, k):
    """tern closes first, we ACK its FIN and send ours: tern holds the tuple in TIME_WAIT.
    (Cases in this phase end their TIME_WAIT entries with an exact RST, or let them expire:
    an entry left to expire 2 s later would move the time_wait gauge under another case.)"""
    _tern_closes(s, c)
    c.take_fin()
    c.send("FA")
    c.expect(lambda x: x.ack == c.snd_nxt, 1.0, "ACK of our FIN")
    k.wait_gauge("time_wait", 1)
    c.reset_done = True


@case("tw_reopen_6191", phase="close")
def _(s):
    """RFC 6191 §2 (TCP.md, passive reuse): a SYN for a 4-tuple in TIME_WAIT whose TSval is
    newer than TS.Recent opens a new incarnation even with its sequence number below the old
    connection's (the entry goes, tcp_tw_reuse_passive); tern's new ISN lies beyond the old
    snd_nxt; the new connection echoes."""
    c = s.conn()
    k = s.counters()
    _into_time_wait(s, c, k)
    old_snd_nxt = c.rcv_nxt
    c2 = s.conn(sport=c.sport, ts_base=seq_add(c.tsval(), 1000))
    c2.iss = c2.snd_nxt = seq_add(c.iss, -100000)
    sa = c2.syn()
    check(seq_diff(sa.seq, old_snd_nxt) > 0, "new ISN %d not beyond the old snd_nxt %d" % (
        sa.seq, old_snd_nxt))
    k.want("tcp_tw_reuse_passive", 1, "==")
    k.wait_gauge("time_wait", 0)
    c2.ack()
    c2.established = True
    c2.echo(b"second incarnation")


@case("tw_syn_old_ts_refused", phase="close")
def _(s):
    """RFC 6191 §2: a SYN for a 4-tuple in TIME_WAIT with a TSval older than TS.Recent does
    not reopen it: no SYN-ACK, an ACK of the old connection <SEQ=old SND.NXT><ACK=old
    RCV.NXT> (TCP.md), dropped as tcp_tw_syn; the entry stays."""
    c = s.conn()
    k = s.counters()
    _into_time_wait(s, c, k)
    c2 = s.conn(sport=c.sport, ts_base=seq_add(c.tsval(), -100000))
    c2.iss = c2.snd_nxt = seq_add(c.snd_nxt, 100000)
    c2.send("S", seq=c2.iss, opts=c2.syn_options(), advance=False, note="old TSval")
    a = c2.expect(lambda x: True, 1.0, "ACK from TIME_WAIT")
    check(a.flags == "A" and a.seq == c.rcv_nxt and a.ack == c.snd_nxt,
          "got %s seq %d ack %d, want A seq %d ack %d (the old connection's)" % (
              a.flags, a.seq, a.ack, c.rcv_nxt, c.snd_nxt))
    k.want("tcp_tw_syn", 1, "==")
    check(k.d("tcp_tw_reuse_passive") == 0, "the tuple was reopened")
    check(k.gd("time_wait") == 1, "TIME_WAIT entry gone")
    c.send("R", advance=False, note="RST at rcv_nxt ends the TIME_WAIT entry")
    k.wait_gauge("time_wait", 0)  # its expiry must not move the gauge under a later case
    c.reset_done = True


# =============================================================================================

def checksum_case(phase):
    @case("checksums_" + phase, phase=phase, last=True)
    def _(s):
        """Every segment tern sent during the phase had valid IPv4 and TCP checksums (over
        IPv6: valid TCP checksums, IPv6 pseudo header)."""
        segs = [x for x in s.w.segs if x.fam == s.fam]
        bad = [x for x in s.w.bad_csum if x.fam == s.fam]
        check(segs, "no segment seen at all")
        check(not bad, "%d of %d segments with a bad checksum (first: %s seq %d)" % (
            len(bad), len(segs), bad[0].flags, bad[0].seq) if bad else "")
        s.note("%d segments checked, %d ARP requests and %d Neighbour Solicitations answered"
               % (len(segs), s.w.arp_answered, s.w.nd_answered))

    @case("peer_kernel_silent_" + phase, phase=phase, last=True,
          v6="one check covers both families (the kernel's frames of the whole phase)")
    def _(s):
        """The peer namespace's kernel sent nothing during the phase (it never saw our
        connections: scripted address and MAC)."""
        k = s.w.kernel_frames
        check(not k, "%d frames from the peer kernel, first: %s" % (
            len(k), Ether(k[0]).summary()) if k else "")


checksum_case("echo")
checksum_case("close")
checksum_case("cookie")


# =============================================================================================

class CaseTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CaseTimeout()


def run_phase(args):
    cases = phase_cases(args.phase)
    if args.only:
        want = set(args.only.split(","))
        cases = [c for c in cases if c[0] in want]
    if not args.tern_ip6:
        cases = [c for c in cases if c[4] == 4]
    s = Suite(args)
    signal.signal(signal.SIGALRM, _alarm)
    failed = 0
    try:
        if s.w.resolve() is None:
            for name, _, _, _, _, _ in cases:
                print("FAIL %s: tern does not answer ARP for %s" % (name, args.tern_ip), flush=True)
            return 1
        nd_failed = False
        for name, _, tmo, fn, fam, _ in cases:
            # Neighbour Discovery before the first IPv6 case (by then tern's DAD, about 1 s
            # from its start, is long over; resolve6 retries for 5 s anyway).
            if fam == 6 and s.w.tern_mac6 is None and not nd_failed:
                nd_failed = s.w.resolve6() is None
            if fam == 6 and nd_failed:
                print("FAIL %s: tern does not answer a Neighbour Solicitation for %s" % (
                    name, args.tern_ip6), flush=True)
                failed += 1
                continue
            s.fam = fam
            s.trace = []
            s.conns = []
            s.case_t0 = s.w.now()
            s.note("case %s: %s" % (name, (fn.__doc__ or "").strip().split("\n")[0]))
            t0 = time.monotonic()
            reason = None
            signal.alarm(tmo)
            try:
                fn(s)
            except Fail as e:
                reason = str(e)
            except CaseTimeout:
                reason = "case timed out after %ds" % tmo
            except Exception as e:  # a harness bug: report, go on with the next case
                reason = "harness error: %r" % e
                s.trace.append(traceback.format_exc())
            finally:
                signal.alarm(0)
            # Leave no connection behind: exact RST for every connection still open.
            for c in s.conns:
                if c.irs is not None and not c.reset_done:
                    try:
                        c.reset()
                    except Exception:
                        pass
            dt = time.monotonic() - t0
            line = ("PASS %s" % name) if reason is None else ("FAIL %s: %s" % (name, reason))
            print(line, flush=True)
            s.note("%s (%.2f s)" % (line, dt))
            if args.log_dir:
                with open(os.path.join(args.log_dir, "%s.trace" % name), "w") as f:
                    f.write("\n".join(s.trace) + "\n")
            if reason is not None:
                failed += 1
                if args.verbose:
                    for ln in s.trace[-40:]:
                        print("    " + ln, flush=True)
            time.sleep(0.05)
    finally:
        s.w.close()
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description="tern TCP conformance cases")
    ap.add_argument("--list", metavar="PHASE", help="print the case names of PHASE and exit")
    ap.add_argument("--describe", action="store_true", help="print every case with its "
                    "description (a Markdown table) and exit")
    ap.add_argument("--phase", choices=["echo", "close", "cookie"])
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--iface", default=os.environ.get("TERNLAB_IF_P", "tern-p"))
    ap.add_argument("--tern-ip", default=os.environ.get("TERNLAB_TERN_IP", "198.18.0.1"))
    ap.add_argument("--my-ip", default=os.environ.get("TERNCF_SCRIPT_IP", "198.18.0.3"))
    ap.add_argument("--my-mac", default=default_mac())
    ap.add_argument("--tern-ip6", default=os.environ.get("TERNLAB_TERN_IP6", "2001:2::1"),
                    help="tern's IPv6 address (empty: IPv4 cases only)")
    ap.add_argument("--my-ip6", default=default_ip6())
    ap.add_argument("--port", type=int, default=7)
    ap.add_argument("--closed-port", type=int, default=9)
    ap.add_argument("--prefix", help="tern-echo's EAL --file-prefix (telemetry)")
    ap.add_argument("--log-dir")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.describe:
        print("| case | phase | v6 | checks |\n|---|---|---|---|")
        for name, phase, _, fn, fam, _ in CASES:
            if fam == 6:
                continue
            doc = " ".join((fn.__doc__ or "").split())
            v6 = "`v6_%s`" % name if name not in NOT_V6 else "no: " + NOT_V6[name]
            print("| `%s` | %s | %s | %s |" % (name, phase, v6, doc.replace("|", "\\|")))
        return 0
    if args.list:
        for name, _, _, _, _, _ in phase_cases(args.list):
            print(name)
        return 0
    if not args.phase or not args.prefix:
        ap.error("--phase and --prefix are required")
    return run_phase(args)


if __name__ == "__main__":
    sys.exit(main())

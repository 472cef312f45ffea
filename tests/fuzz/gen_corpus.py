#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the tern fuzz targets to tests/fuzz/corpus/<target>/.

Parser seeds are packets made with scapy (one layer each: what the parser under test
sees). Engine seeds are scripts in the fuzz_engine input format (docs/FUZZING.md),
written with the small encoder below; each one walks the engine into a state worth
mutating from (data both ways, out of order with SACK, zero window, RST / SYN in window,
TIME_WAIT, keepalive, active open, ...).

usage: /usr/bin/python3 tests/fuzz/gen_corpus.py   (needs python3-scapy)
"""
import os
import struct
import sys

from scapy.all import ARP, ICMP, IP, TCP, Ether, Raw  # noqa: E402
from scapy.layers.inet6 import (HBHOptUnknown, ICMPv6EchoRequest, ICMPv6ND_NA,  # noqa: E402
                                ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                                ICMPv6PacketTooBig, IPv6, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                IPv6ExtHdrSegmentRouting, RouterAlert, in6_getnsma, inet_pton)
import socket  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


# ---- parser seeds (scapy) ----

def parser_seeds():
    eth = {
        "ipv4": Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:02") / IP() / TCP(),
        "arp-bcast": Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:02") / ARP(),
        "vlan-type": Ether(dst="01:00:5e:00:00:01", src="02:00:00:00:00:02", type=0x8100),
        "short": bytes(Ether())[:13],
    }
    for n, p in eth.items():
        write("eth", n, bytes(p))

    arp = {
        "request": ARP(op=1, hwsrc="02:00:00:00:00:02", psrc="10.0.0.2", pdst="10.0.0.1"),
        "reply": ARP(op=2, hwsrc="02:00:00:00:00:02", psrc="10.0.0.2",
                     hwdst="02:00:00:00:00:01", pdst="10.0.0.1"),
        "bad-op": ARP(op=3),
        "bad-hlen": ARP(hwlen=8),
    }
    for n, p in arp.items():
        write("arp", n, bytes(p))
    write("arp", "short", bytes(arp["request"])[:27])

    ip = {
        "tcp": IP(src="10.0.0.2", dst="10.0.0.1") / TCP(dport=80, flags="S"),
        "options": IP(src="10.0.0.2", dst="10.0.0.1", options=b"\x94\x04\x00\x00") / ICMP(),
        "fragment": IP(src="10.0.0.2", dst="10.0.0.1", flags="MF", frag=10) / Raw(b"x" * 16),
        "padded": bytes(IP(src="10.0.0.2", dst="10.0.0.1") / ICMP()) + b"\x00" * 18,
    }
    for n, p in ip.items():
        write("ipv4", n, bytes(p))
    bad = bytearray(bytes(ip["tcp"]))
    bad[10] ^= 0xff
    write("ipv4", "bad-csum", bad)
    bad = bytearray(bytes(ip["tcp"]))
    bad[2:4] = struct.pack("!H", 200)
    write("ipv4", "bad-total-len", bad)

    icmp = {
        "echo": ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping" * 8),
        "echo-odd": ICMP(type=8, id=7, seq=2) / Raw(b"odd"),
        "unreach": ICMP(type=3, code=3) / IP(dst="10.0.0.2") / TCP(),
        "reply": ICMP(type=0, id=1, seq=1),
    }
    for n, p in icmp.items():
        write("icmp", n, bytes(p))

    tcp = {
        "syn-linux": TCP(sport=40000, dport=80, flags="S", seq=0xfffff000, window=64240,
                         options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)),
                                  ("NOP", None), ("WScale", 7)]),
        "ack-ts-sack": TCP(sport=40000, dport=80, flags="A", seq=1, ack=2,
                           options=[("NOP", None), ("NOP", None), ("Timestamp", (5, 4)),
                                    ("NOP", None), ("NOP", None),
                                    ("SAck", (100, 200, 300, 400, 500, 600))]),
        "sack4": TCP(flags="A", options=[("NOP", None), ("NOP", None),
                                         ("SAck", (1, 2, 3, 4, 5, 6, 7, 8))]),
        "unknown-opt": TCP(flags="PA", options=[(30, b"\x01\x02\x03"), ("EOL", None)]) /
        Raw(b"data"),
        "mss-only": TCP(flags="S", options=[("MSS", 536)]),
    }
    for n, p in tcp.items():
        write("tcp", n, bytes(p))
    bad = bytearray(bytes(tcp["mss-only"]))
    bad[21] = 5  # MSS option with length 5
    write("tcp", "bad-mss-len", bad)
    bad = bytearray(bytes(TCP(flags="A", options=[("NOP", None)] * 3 + [("EOL", None)])))
    bad[20:24] = b"\x01\x01\x01\x08"  # TS kind with no length byte
    write("tcp", "opt-past-end", bad)


def ipv6_seeds():
    """fuzz_ipv6: IPv6 packets with extension header chains; fuzz_icmp6: source and
    destination address (32 bytes) then an ICMPv6 message, its checksum right."""
    s, d = "2001:2::2", "2001:2::1"
    v6 = {
        "echo": IPv6(src=s, dst=d) / ICMPv6EchoRequest(id=1, seq=1, data=b"ping"),
        "ext-all": IPv6(src=s, dst=d) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) /
        IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(segleft=0) /
        IPv6ExtHdrFragment(m=0, offset=0, id=1) / TCP(dport=80, flags="S"),
        "frag": IPv6(src=s, dst=d) / IPv6ExtHdrFragment(m=1, offset=0, id=2) / TCP(),
        "opt-drop": IPv6(src=s, dst=d) /
        IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x47, optdata=b"abcd")]) / TCP(),
        "srh": IPv6(src=s, dst=d) / IPv6ExtHdrSegmentRouting(addresses=["2001:2::9"],
                                                             segleft=1) / TCP(),
        "chain9": IPv6(src=s, dst=d) / (IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                                        IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                                        IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                                        IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
                                        IPv6ExtHdrDestOpt()) / TCP(),
    }
    for n, p in v6.items():
        write("ipv6", n, bytes(p))
    write("ipv6", "short", bytes(v6["ext-all"])[:60])

    def msg(src, dst, icmp):
        b = bytes(IPv6(src=src, dst=dst) / icmp)
        return socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + b[40:]

    sn = socket.inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, d)))
    icmp6 = {
        "echo": msg(s, d, ICMPv6EchoRequest(id=7, seq=1, data=b"odd")),
        "ns": msg(s, sn, ICMPv6ND_NS(tgt=d) / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:02")),
        "ns-dad": msg("::", sn, ICMPv6ND_NS(tgt=d)),
        "na": msg(d, s, ICMPv6ND_NA(tgt=d, S=1, O=1) /
                  ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:01")),
        "ptb": msg("2001:2::fe", d, ICMPv6PacketTooBig(mtu=1400) /
                   IPv6(src=d, dst="2001:db8::5") / TCP()),
    }
    for n, p in icmp6.items():
        write("icmp6", n, p)

    # fuzz_nd scripts (format in fuzz_nd.c): frame = op 0, selectors, hop, nh, plen/2,
    # flags (1: fix the checksum), payload.
    ADDR = {"us": 0, "peer": 1, "peer2": 2, "router": 3, "far": 4, "ll": 5, "pll": 6,
            "all": 7, "sn": 8, "mld": 9, "unspec": 10}

    def frame(smac, dmac, src, dst, icmp, hop=255, nh=58, fix=1):
        body = bytes(icmp)
        if len(body) % 2:
            body += b"\0"
        return bytes([0, smac, dmac, ADDR[src], ADDR[dst], hop, nh, len(body) // 2, fix]) + body

    def clock(ms):
        out = b""
        while ms > 0:
            n = min(63, (ms + 96) // 97)
            out += bytes([1 | n << 2])
            ms -= n * 97
        return out

    lla = ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:02")
    tlla = ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02")
    echo = ICMPv6EchoRequest(id=1, seq=1, data=b"fuzz")
    nd = {
        "dad-then-echo": b"\x00" + clock(1100) +
        frame(0, 2, "peer", "sn", ICMPv6ND_NS(tgt=d) / lla) +
        frame(0, 0, "peer", "us", echo, hop=64) + bytes([2]) +
        frame(0, 0, "peer", "us", ICMPv6ND_NA(tgt="2001:2::2", S=1, O=1) / tlla) +
        bytes([6]) + frame(0, 0, "peer", "us", echo, hop=64),
        "router-mac-change": b"\x01" + clock(1100) +
        frame(0, 0, "router", "us", ICMPv6ND_NA(tgt="2001:2::fe", R=1, S=1, O=1) / tlla) +
        frame(1, 0, "far", "us", echo, hop=64) + bytes([6]) +
        frame(1, 0, "far", "us", echo, hop=64) + bytes([2]) + clock(4000) +
        frame(1, 0, "far", "us", echo, hop=64) +
        frame(1, 0, "router", "us", ICMPv6ND_NA(tgt="2001:2::fe", R=1, S=1, O=1) /
              ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:03")),
        "dad-conflict": b"\x00" + frame(0, 1, "us", "all",
                                         ICMPv6ND_NA(tgt=d, O=1) / tlla) + clock(1100),
        "dad-probe": b"\x00" + frame(0, 2, "unspec", "sn", ICMPv6ND_NS(tgt=d)) + clock(1100),
        "ext-opt": b"\x00" + clock(1100) +
        frame(0, 2, "peer", "sn", ICMPv6ND_NS(tgt=d) / lla) +
        frame(0, 0, "peer", "us", IPv6ExtHdrDestOpt(
            options=[HBHOptUnknown(otype=0x87, optdata=b"ab")]) / echo, hop=64, nh=60, fix=0),
        "ptb": b"\x00" + clock(1100) +
        frame(0, 0, "router", "us", ICMPv6PacketTooBig(mtu=1300) /
              IPv6(src=d, dst="2001:db8::5") / TCP(), hop=64),
    }
    # TCP over IPv6 (flags 4: the harness fixes the TCP checksum, 8: the ACK field is
    # relative to the engine's last segment, 16: to the engine's last source port; op 0x0f
    # connects to the peer): a passive open with data and FIN, the same under "syncookies
    # always" (header bit 2), an active open completed and closed by the peer.
    syn = TCP(sport=40000, dport=80, flags="S", seq=1000, window=64800,
              options=[("MSS", 1440), ("SAckOK", b""), ("WScale", 7)])  # no TS: plain ACKs
    ack = TCP(sport=40000, dport=80, flags="A", seq=1001, ack=0, window=500)
    data = TCP(sport=40000, dport=80, flags="PA", seq=1001, ack=0, window=500) / (b"x" * 100)
    fin = TCP(sport=40000, dport=80, flags="FA", seq=1101, ack=0, window=500)
    ns_peer = frame(0, 2, "peer", "sn", ICMPv6ND_NS(tgt=d) / lla)
    nd.update({
        "tcp6-passive": b"\x00" + clock(1100) + ns_peer +
        frame(0, 0, "peer", "us", syn, hop=64, nh=6, fix=4) + bytes([3]) +
        frame(0, 0, "peer", "us", ack, hop=64, nh=6, fix=12) +
        frame(0, 0, "peer", "us", data, hop=64, nh=6, fix=12) + clock(300) +
        frame(0, 0, "peer", "us", fin, hop=64, nh=6, fix=12) + clock(300),
        "tcp6-cookie": b"\x04" + clock(1100) + ns_peer +
        frame(0, 0, "peer", "us", syn, hop=64, nh=6, fix=4) +
        frame(0, 0, "peer", "us", ack, hop=64, nh=6, fix=12) + clock(300),
        "tcp6-active": b"\x00" + clock(1100) + ns_peer + bytes([0x0f]) + bytes([3]) +
        frame(0, 0, "peer", "us", TCP(sport=5000, dport=1, flags="SA", seq=7, ack=0,
                                      options=[("MSS", 1220)]), hop=64, nh=6, fix=28) +
        frame(0, 0, "peer", "us", TCP(sport=5000, dport=1, flags="FA", seq=8, ack=0),
              hop=64, nh=6, fix=28) + clock(3000),
    })
    for n, p in nd.items():
        write("nd", n, p)


# ---- engine seeds: an encoder for the fuzz_engine input format ----

class Script:
    """Builds one fuzz_engine input: header + operations (see fuzz_engine.c)."""

    def __init__(self, engine=0, bufs=0, synopt=0x0F, ws=3, mss=1456, piss=0xFFFFF000,
                 win=65535, app=0, misc=0):
        mss_b = 255 if mss >= 65535 else mss // 8
        self.b = bytearray([engine, bufs, synopt | (ws << 5), mss_b])
        self.b += struct.pack("!IH", piss, win)
        self.b += bytes([app, misc])

    # SEG
    PRESET = {"A": 0, "PA": 1, "FA": 2, "R": 3, "RA": 4, "S": 5, "SA": 6}

    def seg(self, flags="A", slot=0, seq=None, tern_seq=False, ack=None, dup_ack=False,
            plen=None, sack=None, ts=None, win=None, bad=False, rawopt=None, urg=None):
        raw_flags = None
        if flags in self.PRESET:
            preset = self.PRESET[flags]
        else:
            preset, raw_flags = 7, flags
        o = 0 | slot << 3 | preset << 5
        c = 0
        tail = bytearray()
        if tern_seq:
            c |= 1
        elif seq is not None:
            c |= 2
            tail += struct.pack("!h", seq)
        if dup_ack:
            c |= 1 << 2
        elif ack is not None:
            c |= 2 << 2
            tail += struct.pack("!h", ack)
        if plen is not None:
            c |= 0x10
            tail.append(plen if plen < 128 else 128 + (plen - 128) // 14)
        if sack:
            c |= 0x20
            tail.append(len(sack) - 1)
            for left, length in sack:
                tail += struct.pack("!hH", left, length)
        if ts is not None:
            c |= 0x40
            tail.append(ts)
        if win is not None or bad or rawopt is not None or urg is not None:
            c |= 0x80
            x = (1 if bad else 0) | (2 if rawopt is not None else 0) | (4 if urg else 0)
            tail += struct.pack("!HB", 65535 if win is None else win, x)
            if rawopt is not None:
                tail.append(len(rawopt))
                tail += rawopt
            if urg:
                tail += struct.pack("!H", urg)
        self.b.append(o)
        if raw_flags is not None:
            self.b.append(raw_flags)
        self.b.append(c)
        self.b += tail
        return self

    def time(self, code, steps=1):
        self.b += bytes([3 | (steps - 1) << 3, code])
        return self

    def app(self, action, conn=0, m=0, v=None):
        names = {"send": 0, "recv": 1, "shutdown": 2, "close": 3, "abort": 4, "setopt": 5}
        self.b += bytes([4 | conn << 3, names[action], m])
        if action == "setopt":
            self.b.append(v or 0)
        return self

    def connect(self):
        self.b += bytes([4, 6])
        return self

    def listen_toggle(self):
        self.b += bytes([4, 7])
        return self

    def raw(self, data, wrap=0, slot=0, arp=False, proto=6, odd=0):
        self.b.append(5 | wrap << 3 | slot << 5)
        if wrap == 1:
            self.b.append(1 if arp else 0)
        if wrap == 2:
            self.b += bytes([proto, odd])
        self.b.append(len(data))
        self.b += data
        return self

    def batch(self):
        self.b.append(7)
        return self


def engine_seeds():
    s = {}
    # Data both ways, then an orderly close from the peer.
    s["echo"] = (Script(app=0x03)
                 .seg("PA", plen=200).seg("PA", plen=1400).app("send", m=40)
                 .seg("A").time(45).seg("FA").app("close").seg("A"))
    # Out of order with SACK: two holes, then the fills.
    s["ooo-sack"] = (Script()
                     .seg("PA", seq=1000, plen=500).seg("PA", seq=3000, plen=500)
                     .seg("PA", plen=1000).seg("PA", seq=1500, plen=1500)
                     .app("recv", m=100))
    # The peer SACKs our data: loss recovery.
    s["sender-sack"] = (Script(app=0x08)
                        .app("send", m=120).seg("A", ack=-13000, sack=[(-11000, 1400)])
                        .seg("A", ack=-13000, sack=[(-9000, 2800)])
                        .seg("A", ack=-13000, sack=[(-6000, 4000)]).time(120, 10))
    # SACK loss recovery: the first segment lost, dup ACKs SACK more and more, a partial
    # ACK, then the rest (RFC 6675 NextSeg rules and the rescue retransmission).
    rec = Script(app=0x10).app("send", m=255)
    for k in range(1, 6):
        rec.seg("A", dup_ack=True, sack=[(1444, 1444 * k)])
    rec.seg("A", ack=-1444 * 6, sack=[(1444 * 2, 1444 * 3)]).seg("A", dup_ack=True,
                                                                  sack=[(1444 * 2, 1444 * 4)])
    rec.time(120, 4).seg("A")
    s["sack-recovery"] = rec
    # The same without SACK: NewReno partial ACKs.
    rec = Script(synopt=0x0B).app("send", m=255)
    for k in range(4):
        rec.seg("A", dup_ack=True)
    rec.seg("A", ack=-1444 * 8).seg("A", dup_ack=True).seg("A", ack=-1444 * 4).seg("A")
    s["newreno-recovery"] = rec
    # RST not at rcv_nxt (challenge ACK), then an exact one.
    s["rst"] = Script().seg("R", seq=100).seg("RA", seq=0)
    # SYN on an established connection (RFC 5961 §4).
    s["syn-in-window"] = Script().seg("S", seq=5).seg("A")
    # Zero window from the peer with data waiting: persist probes.
    s["zero-window"] = Script(win=0).app("send", m=60).time(150, 12).seg("A", win=4000)
    # Timestamps: an old TSval (PAWS), then a 25-day jump (TS.Recent invalid).
    s["paws"] = Script().seg("PA", plen=10, ts=0x05).time(255).seg("PA", plen=10, ts=0x05)
    # Keepalive with a short idle time, probes unanswered.
    s["keepalive"] = Script(engine=0x20).time(120, 20)
    # Active open: SYN-ACK from the peer, data, close.
    s["active"] = (Script().connect().seg("SA", slot=3).app("send", conn=1, m=10)
                   .seg("A", slot=3).seg("FA", slot=3).app("close", conn=1))
    # Simultaneous close.
    s["simultaneous-close"] = Script().batch().seg("FA").app("close").batch().seg("A")
    # Our close first, FIN from the peer: TIME_WAIT, then a new SYN on the tuple.
    s["time-wait"] = (Script().app("close").seg("A").seg("FA").time(50)
                      .seg("S", seq=100).time(250, 3).seg("S"))
    # Retransmissions until the connection gives up (Nagle off: see crashes/README.md).
    s["rto"] = Script(engine=0x18).app("send", m=30).time(254, 16)
    # ARP and ICMP on the way in.
    arp_req = bytes(ARP(op=1, hwsrc="02:00:00:00:00:02", psrc="10.0.0.2", pdst="10.0.0.1"))
    icmp = bytes(ICMP(type=8, id=1, seq=1) / Raw(b"abcdefgh"))
    s["arp-icmp"] = (Script().raw(arp_req, wrap=1, arp=True).raw(icmp, wrap=2, proto=1)
                     .raw(icmp, wrap=2, proto=1, odd=0x20).raw(icmp, wrap=2, proto=17, odd=0x04))
    # Peer without options, small MSS, window scale 14, SYN_RCVD left open.
    s["no-options"] = Script(synopt=0x00, mss=0).seg("PA", plen=50)
    s["syn-rcvd"] = Script(synopt=0x1F).seg("RA", seq=0).seg("S", slot=1).seg("A", slot=1)
    s["wscale14"] = Script(ws=5, bufs=0x02).seg("PA", plen=1900).app("recv", m=255)
    # Tiny pool, lossy TX, small buffers.
    s["pressure"] = (Script(engine=0x80, bufs=0x45 | 0x80).app("send", m=255)
                     .seg("PA", plen=1000).seg("PA", seq=2000, plen=1000).time(150, 8))
    # Checksum offloads both ways, frames in two mbufs; an active open, ARP unanswered.
    s["offload"] = (Script(misc=0x0E, app=0x03).seg("PA", plen=300).seg("PA", plen=10, bad=True)
                    .seg("A"))
    s["no-arp"] = Script(misc=0x01).connect().time(150, 8)
    # SYN cookies: every SYN (the prelude's handshake completes from a cookie), without
    # timestamps, and a queue of one entry (slot 0 stays half-open, slot 1 gets a cookie;
    # with cookies off nothing).
    s["cookies-always"] = Script(misc=0x10, app=0x03).seg("PA", plen=100).seg("A")
    s["cookies-no-ts"] = Script(misc=0x10, synopt=0x07).seg("PA", plen=100)
    s["cookies-queue-full"] = (Script(misc=0x40, synopt=0x1F).seg("S", slot=1).seg("A", slot=1)
                               .seg("A").time(120, 4))
    s["cookies-off-full"] = Script(misc=0x60, synopt=0x1F).seg("S", slot=1).time(150, 8)
    # The same over IPv6 (header byte 11 bit 7): the peer 2001:db8::2, ND instead of ARP.
    V6 = 0x80
    s["v6-echo"] = (Script(app=0x03, misc=V6)
                    .seg("PA", plen=200).seg("PA", plen=1400).app("send", m=40)
                    .seg("A").time(45).seg("FA").app("close").seg("A"))
    s["v6-ooo-sack"] = (Script(misc=V6)
                        .seg("PA", seq=1000, plen=500).seg("PA", seq=3000, plen=500)
                        .seg("PA", plen=1000).seg("PA", seq=1500, plen=1500)
                        .app("recv", m=100))
    s["v6-sender-sack"] = (Script(app=0x08, misc=V6)
                           .app("send", m=120).seg("A", ack=-13000, sack=[(-11000, 1400)])
                           .seg("A", ack=-13000, sack=[(-9000, 2800)]).time(120, 10))
    s["v6-active"] = (Script(misc=V6).connect().seg("SA", slot=3).app("send", conn=1, m=10)
                      .seg("A", slot=3).seg("FA", slot=3).app("close", conn=1))
    s["v6-time-wait"] = (Script(misc=V6).app("close").seg("A").seg("FA").time(50)
                         .seg("S", seq=100).time(250, 3).seg("S"))
    s["v6-simultaneous-close"] = (Script(misc=V6).batch().seg("FA").app("close").batch()
                                  .seg("A"))
    s["v6-rst"] = Script(misc=V6).seg("R", seq=100).seg("RA", seq=0)
    s["v6-zero-window"] = (Script(win=0, misc=V6).app("send", m=60).time(150, 12)
                           .seg("A", win=4000))
    s["v6-cookies-always"] = Script(misc=V6 | 0x10, app=0x03).seg("PA", plen=100).seg("A")
    s["v6-cookies-no-ts"] = Script(misc=V6 | 0x10, synopt=0x07).seg("PA", plen=100)
    s["v6-cookies-queue-full"] = (Script(misc=V6 | 0x40, synopt=0x1F).seg("S", slot=1)
                                  .seg("A", slot=1).seg("A").time(120, 4))
    s["v6-offload"] = (Script(misc=V6 | 0x0E, app=0x03).seg("PA", plen=300)
                       .seg("PA", plen=10, bad=True).seg("A"))
    s["v6-no-nd"] = Script(misc=V6 | 0x01).connect().time(150, 8)
    s["v6-mtu1280-pressure"] = (Script(engine=0x80, bufs=0x75 | 0x80, misc=V6)
                                .app("send", m=255).seg("PA", plen=1000)
                                .seg("PA", seq=2000, plen=1000).time(150, 8))
    # Raw IPv6 on the way in: an echo request, extension headers, a fragment, a TCP header.
    echo6 = bytes(IPv6(src="2001:db8::2", dst="2001:db8::1")
                  / ICMPv6EchoRequest(id=1, seq=1, data=b"abcdefgh"))[40:]
    s["v6-raw"] = (Script(misc=V6).raw(echo6, wrap=2, proto=58)
                   .raw(echo6, wrap=2, proto=58, odd=0x20).raw(b"x" * 16, wrap=2, proto=17, odd=0x04)
                   .raw(bytes(20), wrap=3).raw(b"\x86\xdd" * 4, wrap=1))
    for n, b in s.items():
        write("engine", n, b.b)


def main():
    if not os.path.isdir(HERE):
        sys.exit("cannot find tests/fuzz")
    parser_seeds()
    ipv6_seeds()
    engine_seeds()
    total = 0
    for root, _, files in os.walk(OUT):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    print("corpus: %d bytes under %s" % (total, OUT))


if __name__ == "__main__":
    main()

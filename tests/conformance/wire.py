#!/usr/bin/python3
"""The scripted TCP peer of the conformance suite: a raw AF_PACKET socket on the peer veth,
a source address the peer kernel does not own, and scapy to build and dissect segments.
Both families: IPv4 (SCRIPT_IP) and IPv6 (SCRIPT_IP6, 2001:2::3), from one MAC.

Keeping the kernel out (see docs/CONFORMANCE.md): our frames come from a made-up MAC
(SCRIPT_MAC) and a made-up address (SCRIPT_IP, 198.18.0.3). A background thread answers
tern's ARP requests for SCRIPT_IP with SCRIPT_MAC, so tern addresses its frames to a MAC no
interface has: the peer veth hands them to our packet socket and to the kernel as
PACKET_OTHERHOST, which IPv4 input discards before TCP ever sees them. The kernel never
answers ARP for SCRIPT_IP either (not one of its addresses, no proxy ARP). So no RST or
ICMP from the kernel, no iptables needed.

IPv6 the same way: the thread answers tern's Neighbour Solicitations for SCRIPT_IP6 (to its
solicited-node group or unicast, NUD probes included) with a Neighbour Advertisement
carrying SCRIPT_MAC, and solicits tern's address first (tern learns our MAC from the
source link-layer option, RFC 4861 §7.2.3). The peer interface has IPv6 disabled (lab.sh's
default), so its kernel drops every IPv6 frame unseen and sends no MLD or ND of its own.
"""
import os
import random
import socket
import struct
import threading
import time

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, IPv6)
from scapy.layers.l2 import ARP, Ether

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1

FLAG_BITS = [("F", 0x01), ("S", 0x02), ("R", 0x04), ("P", 0x08), ("A", 0x10), ("U", 0x20),
             ("E", 0x40), ("C", 0x80)]


def flags_str(v):
    return "".join(c for c, b in FLAG_BITS if v & b)


def flags_int(s):
    v = 0
    for c in s:
        v |= dict(FLAG_BITS)[c]
    return v


def seq_add(a, b):
    return (a + b) & 0xFFFFFFFF


def seq_diff(a, b):
    """a - b as a signed 32-bit value (RFC 1982 style)."""
    d = (a - b) & 0xFFFFFFFF
    return d - (1 << 32) if d & 0x80000000 else d


def csum16(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


class Seg:
    """One TCP segment received from tern (parsed from the raw frame)."""

    def __init__(self, t, frame):
        self.t = t
        self.frame = frame
        if struct.unpack("!H", frame[12:14])[0] == ETH_P_IPV6:
            # tern sends TCP over IPv6 without extension headers (ARCHITECTURE.md)
            self.fam = 6
            ihl = 40
            iplen = 40 + struct.unpack("!H", frame[18:20])[0]
            ip = frame[14:14 + iplen]
            self.src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            self.dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        else:
            self.fam = 4
            ihl = (frame[14] & 0x0F) * 4
            iplen = struct.unpack("!H", frame[16:18])[0]
            ip = frame[14:14 + iplen]
            self.src = socket.inet_ntoa(ip[12:16])
            self.dst = socket.inet_ntoa(ip[16:20])
        tcp = ip[ihl:]
        self.iplen = iplen
        self.sport, self.dport, self.seq, self.ack = struct.unpack("!HHII", tcp[:12])
        self.doff = (tcp[12] >> 4) * 4
        self.fl = tcp[13]
        self.flags = flags_str(self.fl)
        self.win = struct.unpack("!H", tcp[14:16])[0]
        self.data = bytes(tcp[self.doff:])
        self.optlen = self.doff - 20
        try:
            self.opts = TCP(bytes(tcp[:self.doff])).options
        except Exception:  # malformed options: keep the raw bytes in the trace
            self.opts = [("?", bytes(tcp[20:self.doff]))]
        self.optd = {}
        for k, v in self.opts:
            if k in ("NOP", "EOL"):
                continue
            self.optd[k] = v
        # checksums (IPv6 has no header checksum)
        if self.fam == 6:
            self.ip_csum_ok = True
            pseudo = ip[8:40] + struct.pack("!IxxxB", len(tcp), 6)
        else:
            self.ip_csum_ok = csum16(bytes(ip[:ihl])) == 0xFFFF
            pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp))
        self.tcp_csum_ok = csum16(bytes(pseudo + tcp)) == 0xFFFF

    def has(self, f):
        return all(c in self.flags for c in f)

    @property
    def seglen(self):
        return len(self.data) + (1 if "S" in self.flags else 0) + (1 if "F" in self.flags else 0)

    @property
    def tsval(self):
        ts = self.optd.get("Timestamp")
        return ts[0] if ts else None

    @property
    def tsecr(self):
        ts = self.optd.get("Timestamp")
        return ts[1] if ts else None


def fmt_opts(opts):
    out = []
    for k, v in opts:
        if k in ("NOP", "EOL"):
            continue
        if k == "SAckOK":
            out.append("sackOK")
        elif k == "Timestamp":
            out.append("TS %d/%d" % v)
        elif k == "SAck":
            out.append("SACK " + ",".join(str(x) for x in v))
        else:
            out.append("%s %s" % (k, v))
    return "<" + " ".join(out) + ">" if out else ""


class Wire:
    """Raw socket on the peer interface; ARP and ND responder; queue of tern's TCP segments
    (both families)."""

    def __init__(self, iface, tern_ip, my_ip, my_mac, tern_ip6=None, my_ip6=None):
        self.iface = iface
        self.tern_ip = tern_ip
        self.my_ip = my_ip
        self.tern_ip6 = tern_ip6
        self.my_ip6 = my_ip6
        self.tern_ip6_b = socket.inet_pton(socket.AF_INET6, tern_ip6) if tern_ip6 else None
        self.my_ip6_b = socket.inet_pton(socket.AF_INET6, my_ip6) if my_ip6 else None
        self.tern_mac6 = None
        self.nd_answered = 0
        self.my_mac = my_mac
        self.tern_mac = None
        self.my_mac_bytes = bytes(int(x, 16) for x in my_mac.split(":"))
        self.kernel_frames = []
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:  # beyond net.core.rmem_max (we are root): bursts of 2000 segments must fit
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        self.sock.bind((iface, ETH_P_ALL))
        ifindex = socket.if_nametoindex(iface)
        # Promiscuous for as long as the socket lives (the kernel drops it with the socket):
        # veth does not filter by MAC, but a real NIC would.
        mreq = struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
        self.sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
        self.sock.settimeout(0.05)
        self.segs = []  # every TCP segment from tern to us, in arrival order
        self.cv = threading.Condition()
        self.stop = False
        self.arp_answered = 0
        self.bad_csum = []
        self.other_frames = 0
        self.t0 = time.monotonic()
        self.th = threading.Thread(target=self._rx, daemon=True)
        self.th.start()
        self._tx_lock = threading.Lock()

    def close(self):
        self.stop = True
        self.th.join(2)
        self.sock.close()

    def now(self):
        return time.monotonic() - self.t0

    def send_raw(self, frame):
        with self._tx_lock:
            self.sock.send(frame)

    def _rx(self):
        while not self.stop:
            try:
                frame, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                if self.stop:
                    return
                raise
            if addr[2] == PACKET_OUTGOING:
                # Ours, or the peer kernel's: the latter must stay silent (no RST, no ICMP).
                if frame[6:12] != self.my_mac_bytes:
                    self.kernel_frames.append(frame)
                continue
            t = self.now()
            if len(frame) < 14:
                continue
            etype = struct.unpack("!H", frame[12:14])[0]
            if etype == ETH_P_ARP:
                self._arp(frame)
                continue
            if etype == ETH_P_IPV6:
                self._ipv6(t, frame)
                continue
            if etype != ETH_P_IP or len(frame) < 34:
                self.other_frames += 1
                continue
            if frame[23] != 6 or socket.inet_ntoa(frame[26:30]) != self.tern_ip or \
                    socket.inet_ntoa(frame[30:34]) != self.my_ip:
                self.other_frames += 1
                continue
            self._seg(t, frame)

    def _seg(self, t, frame):
        try:
            s = Seg(t, frame)
        except Exception:
            self.other_frames += 1
            return
        if not (s.ip_csum_ok and s.tcp_csum_ok):
            self.bad_csum.append(s)
        with self.cv:
            self.segs.append(s)
            self.cv.notify_all()

    def _ipv6(self, t, frame):
        if len(frame) < 54 or self.my_ip6_b is None:
            self.other_frames += 1
            return
        nh, src, dst = frame[20], frame[22:38], frame[38:54]
        if nh == 6 and src == self.tern_ip6_b and dst == self.my_ip6_b:
            self._seg(t, frame)
        elif nh == 58 and len(frame) >= 78 and frame[54] in (135, 136):
            self._nd(frame)
        else:
            self.other_frames += 1

    def _nd(self, frame):
        """NS for our address: NA (solicited, override) with our MAC, to the asker's MAC.
        NA from tern for its address: its MAC."""
        typ, tgt = frame[54], frame[62:78]
        if typ == 135 and tgt == self.my_ip6_b:
            src = frame[22:38]
            if src == bytes(16):
                return  # DAD for our address (tern never does that): not ours to answer
            na = Ether(src=self.my_mac, dst=frame[6:12]) / IPv6(
                src=self.my_ip6, dst=socket.inet_ntop(socket.AF_INET6, src), hlim=255) / \
                ICMPv6ND_NA(tgt=self.my_ip6, R=0, S=1, O=1) / \
                ICMPv6NDOptDstLLAddr(lladdr=self.my_mac)
            self.send_raw(bytes(na))
            self.nd_answered += 1
        elif typ == 136 and tgt == self.tern_ip6_b:
            self.tern_mac6 = ":".join("%02x" % b for b in frame[6:12])

    def _arp(self, frame):
        try:
            a = Ether(frame)[ARP]
        except Exception:
            return
        if a.op == 1 and a.pdst == self.my_ip:
            rep = Ether(src=self.my_mac, dst=a.hwsrc) / ARP(
                op=2, hwsrc=self.my_mac, psrc=self.my_ip, hwdst=a.hwsrc, pdst=a.psrc)
            self.send_raw(bytes(rep))
            self.arp_answered += 1
        elif a.op == 2 and a.psrc == self.tern_ip:
            self.tern_mac = a.hwsrc

    def resolve(self, timeout=5.0):
        """ARP for tern's address (it learns ours from the request, RFC 826)."""
        deadline = time.monotonic() + timeout
        req = Ether(src=self.my_mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
            op=1, hwsrc=self.my_mac, psrc=self.my_ip, pdst=self.tern_ip)
        while self.tern_mac is None and time.monotonic() < deadline:
            self.send_raw(bytes(req))
            end = time.monotonic() + 0.5
            while self.tern_mac is None and time.monotonic() < end:
                time.sleep(0.01)
        return self.tern_mac

    def resolve6(self, timeout=5.0):
        """Neighbour Solicitation for tern's IPv6 address from ours (it learns our MAC from
        the source link-layer option); waits for its NA."""
        deadline = time.monotonic() + timeout
        t = self.tern_ip6_b
        snm = "ff02::1:ff%02x:%02x%02x" % (t[13], t[14], t[15])
        req = Ether(src=self.my_mac, dst="33:33:ff:%02x:%02x:%02x" % (t[13], t[14], t[15])) / \
            IPv6(src=self.my_ip6, dst=snm, hlim=255) / ICMPv6ND_NS(tgt=self.tern_ip6) / \
            ICMPv6NDOptSrcLLAddr(lladdr=self.my_mac)
        while self.tern_mac6 is None and time.monotonic() < deadline:
            self.send_raw(bytes(req))
            end = time.monotonic() + 0.5
            while self.tern_mac6 is None and time.monotonic() < end:
                time.sleep(0.01)
        return self.tern_mac6

    def ip(self, fam, **kw):
        """The network layer from us to tern: IP() or IPv6()."""
        if fam == 6:
            return IPv6(src=self.my_ip6, dst=self.tern_ip6, hlim=64, **kw)
        return IP(src=self.my_ip, dst=self.tern_ip, ttl=64, id=random.randrange(65536), **kw)

    def wait_seg(self, idx, match, timeout):
        """First segment at index >= idx satisfying match(seg); returns (seg, next index)
        or (None, index to resume from) after timeout."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                while idx < len(self.segs):
                    s = self.segs[idx]
                    idx += 1
                    if match(s):
                        return s, idx
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, idx
                self.cv.wait(left)

    def build(self, sport, dport, flags, seq, ack=0, win=65535, options=None, data=b"", fam=4):
        p = Ether(src=self.my_mac, dst=self.tern_mac6 if fam == 6 else self.tern_mac) / \
            self.ip(fam) / TCP(
            sport=sport, dport=dport, flags=flags_int(flags), seq=seq, ack=ack, window=win,
            options=options or [])
        if data:
            p = p / data
        return bytes(p)


def patch_seq(frame, seq):
    """Copy of an Ethernet/IP/TCP frame (IPv4 or IPv6 without extension headers) with
    another sequence number (checksum redone)."""
    f = bytearray(frame)
    if struct.unpack("!H", f[12:14])[0] == ETH_P_IPV6:
        t = 14 + 40
        iplen = 40 + struct.unpack("!H", f[18:20])[0]
    else:
        t = 14 + (f[14] & 0x0F) * 4
        iplen = struct.unpack("!H", f[16:18])[0]
    f[t + 4:t + 8] = struct.pack("!I", seq & 0xFFFFFFFF)
    f[t + 16:t + 18] = b"\0\0"
    tcp = bytes(f[t:14 + iplen])
    if t == 54:
        pseudo = bytes(f[22:54]) + struct.pack("!IxxxB", len(tcp), 6)
    else:
        pseudo = bytes(f[26:34]) + struct.pack("!BBH", 0, 6, len(tcp))
    f[t + 16:t + 18] = struct.pack("!H", 0xFFFF - csum16(pseudo + tcp))
    return bytes(f)


def default_ip6():
    return os.environ.get("TERNCF_SCRIPT_IP6", "2001:2::3")


def default_mac():
    return os.environ.get("TERNCF_SCRIPT_MAC", "02:74:63:66:00:03")

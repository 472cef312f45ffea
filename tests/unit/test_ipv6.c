/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the IPv6 side of stack/wire: the fixed header, the extension header walk
 * (RFC 8200 rules, including the malformed chains: truncated at every byte, too long,
 * Hop-by-Hop out of place, unknown options by their action bits, routing with segments left,
 * fragments), ICMPv6 and Neighbour Discovery parse/emit byte-exact against scapy, the IPv6
 * pseudo-header checksum, and the address helpers (solicited-node, EUI-64 link-local).
 *
 * Fixtures marked "generated with scapy" were produced with Debian's python3-scapy (2.5.0)
 * by bytes(<expression>); they start at the IPv6 header (no Ethernet).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/wire.h"

/* clang-format off */
/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1', hlim=64)/ICMPv6EchoRequest(id=0x1234, seq=7, data=b'tern') */
static const uint8_t echo_req[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x3a, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x46, 0xa1, 0x12, 0x34, 0x00, 0x07,
        0x74, 0x65, 0x72, 0x6e,
};

/* generated with scapy: IPv6(src='2001:2::1', dst='2001:2::2', hlim=64)/ICMPv6EchoReply(id=0x1234, seq=7, data=b'tern') */
static const uint8_t echo_rep[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x3a, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x02, 0x81, 0x00, 0x45, 0xa1, 0x12, 0x34, 0x00, 0x07,
        0x74, 0x65, 0x72, 0x6e,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='ff02::1:ff00:1', hlim=255)/ICMPv6ND_NS(tgt='2001:2::1')/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:02') */
static const uint8_t ns_multi[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xff, 0x00, 0x00, 0x01, 0x87, 0x00, 0x37, 0x93, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
};

/* generated with scapy: IPv6(src='::', dst='ff02::1:ff00:1', hlim=255)/ICMPv6ND_NS(tgt='2001:2::1') */
static const uint8_t ns_dad[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3a, 0xff, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xff, 0x00, 0x00, 0x01, 0x87, 0x00, 0x5a, 0xa3, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::1', dst='2001:2::2', hlim=255)/ICMPv6ND_NA(tgt='2001:2::1', R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr='02:00:00:00:00:01') */
static const uint8_t na_sol[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x02, 0x88, 0x00, 0xb3, 0x95, 0x60, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrHopByHop(options=[RouterAlert()])/IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\0\0\0\0')])/IPv6ExtHdrRouting(segleft=0)/IPv6ExtHdrFragment(m=0, offset=0, id=1)/TCP(sport=1234, dport=80, flags='S', seq=1) */
static const uint8_t ext_all[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3c, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
        0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x50, 0x02, 0x20, 0x00, 0x4a, 0xb7, 0x00, 0x00,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrFragment(m=1, offset=0, id=2)/TCP(sport=1234, dport=80, flags='S', seq=1) */
static const uint8_t ext_frag[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x2c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
        0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x50, 0x02, 0x20, 0x00, 0x4a, 0xb7, 0x00, 0x00,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrFragment(m=0, offset=4, id=2)/Raw(b'12345678') */
static const uint8_t ext_frag_later[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x2c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3b, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x02,
        0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x07, optdata=b'abcd')])/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_opt_skip[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x3c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x07, 0x04, 0x61, 0x62, 0x63, 0x64,
        0x80, 0x00, 0x3f, 0xb2, 0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x47, optdata=b'abcd')])/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_opt_drop[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x3c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x47, 0x04, 0x61, 0x62, 0x63, 0x64,
        0x80, 0x00, 0x3f, 0xb2, 0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x87, optdata=b'abcd')])/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_opt_icmp[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x87, 0x04, 0x61, 0x62, 0x63, 0x64,
        0x80, 0x00, 0x3f, 0xb2, 0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrSegmentRouting(addresses=['2001:2::9'], segleft=1)/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_routing[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x2b, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3a, 0x02, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x09, 0x80, 0x00, 0x3f, 0xaa, 0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrDestOpt()/IPv6ExtHdrHopByHop()/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_hbh_late[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x3f, 0xb2,
        0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_chain9[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x50, 0x3c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x3f, 0xb2, 0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/IPv6ExtHdrDestOpt()/ICMPv6EchoRequest(id=1, seq=1) */
static const uint8_t ext_chain8[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x48, 0x3c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x3a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x3f, 0xb2,
        0x00, 0x01, 0x00, 0x01,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1')/IPv6ExtHdrDestOpt(nh=59) */
static const uint8_t ext_nonext[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3c, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x3b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
};

/* generated with scapy: IPv6(src='2001:2::fe', dst='2001:2::1', hlim=64)/ICMPv6PacketTooBig(mtu=1400)/IPv6(src='2001:2::1', dst='2001:db8::5', hlim=64)/TCP(sport=80, dport=40000, flags='A', seq=100, ack=200) */
static const uint8_t ptb[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x44, 0x3a, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x50, 0xca, 0x00, 0x00, 0x05, 0x78,
        0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x05, 0x00, 0x50, 0x9c, 0x40, 0x00, 0x00, 0x00, 0x64,
        0x00, 0x00, 0x00, 0xc8, 0x50, 0x10, 0x20, 0x00, 0xa4, 0x56, 0x00, 0x00,
};

/* generated with scapy: IPv6(src='2001:2::2', dst='2001:2::1', hlim=64)/TCP(sport=1234, dport=80, flags='PA', seq=1, ack=2, window=1000)/Raw(b'hello') */
static const uint8_t tcp6[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x19, 0x06, 0x40, 0x20, 0x01, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x02, 0x50, 0x18, 0x03, 0xe8, 0x22, 0xe0, 0x00, 0x00,
        0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* clang-format on */

static const struct wire_ip6 a_us = {{0x20, 0x01, 0x00, 0x02, [15] = 0x01}};   /* 2001:2::1 */
static const struct wire_ip6 a_peer = {{0x20, 0x01, 0x00, 0x02, [15] = 0x02}}; /* 2001:2::2 */

/* Walk the extension headers of fixture @p pkt (IPv6 header first). */
static enum wire_ext_err
walk(const uint8_t *pkt, size_t len, struct wire_ipv6_ext *x)
{
	struct wire_ipv6_repr ip;

	assert_int_equal(wire_ipv6_parse(pkt, len, &ip), WIRE_OK);
	return wire_ipv6_ext_walk(pkt + WIRE_IPV6_HLEN, ip.payload_len, ip.next_hdr, x);
}

static void
test_ipv6_parse_fields(void **state)
{
	struct wire_ipv6_repr ip;
	uint8_t buf[sizeof(echo_req) + 6];

	(void)state;
	assert_int_equal(wire_ipv6_parse(echo_req, sizeof(echo_req), &ip), WIRE_OK);
	assert_int_equal(ip.payload_len, sizeof(echo_req) - WIRE_IPV6_HLEN);
	assert_int_equal(ip.next_hdr, WIRE_IPPROTO_ICMPV6);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(ip.tclass, 0);
	assert_int_equal(ip.flow, 0);
	assert_true(wire_ip6_eq(&ip.src, &a_peer));
	assert_true(wire_ip6_eq(&ip.dst, &a_us));
	/* Link padding after the payload is allowed. */
	memcpy(buf, echo_req, sizeof(echo_req));
	memset(buf + sizeof(echo_req), 0, 6);
	assert_int_equal(wire_ipv6_parse(buf, sizeof(buf), &ip), WIRE_OK);
	assert_int_equal(ip.payload_len, sizeof(echo_req) - WIRE_IPV6_HLEN);
}

static void
test_ipv6_parse_bad(void **state)
{
	struct wire_ipv6_repr ip;
	uint8_t buf[sizeof(echo_req)];
	size_t n;

	(void)state;
	for (n = 0; n < WIRE_IPV6_HLEN; n++)
		assert_int_equal(wire_ipv6_parse(echo_req, n, &ip), WIRE_ETRUNC);
	/* Header whole, payload cut: the length field disagrees. */
	for (n = WIRE_IPV6_HLEN; n < sizeof(echo_req); n++)
		assert_int_equal(wire_ipv6_parse(echo_req, n, &ip), WIRE_EBADLEN);
	memcpy(buf, echo_req, sizeof(buf));
	buf[0] = 0x45;
	assert_int_equal(wire_ipv6_parse(buf, sizeof(buf), &ip), WIRE_EVERSION);
}

static void
test_ipv6_emit_roundtrip(void **state)
{
	struct wire_ipv6_repr ip, back;
	uint8_t buf[WIRE_IPV6_HLEN + 4] = {0};

	(void)state;
	memset(&ip, 0, sizeof(ip));
	ip.src = a_us;
	ip.dst = a_peer;
	ip.tclass = 0xb8;
	ip.flow = 0xabcde;
	ip.payload_len = 4;
	ip.next_hdr = 6;
	ip.hop_limit = 64;
	wire_ipv6_emit(buf, &ip);
	memset(&back, 0, sizeof(back)); /* padding compared too */
	assert_int_equal(wire_ipv6_parse(buf, sizeof(buf), &back), WIRE_OK);
	assert_memory_equal(&ip, &back, sizeof(ip));
	/* The fixture's header, emitted from its parse, is the same 40 bytes. */
	assert_int_equal(wire_ipv6_parse(echo_rep, sizeof(echo_rep), &ip), WIRE_OK);
	wire_ipv6_emit(buf, &ip);
	assert_memory_equal(buf, echo_rep, WIRE_IPV6_HLEN);
}

/* Echo request parsed, reply built as tern builds it, byte-exact with scapy's reply. */
static void
test_icmp6_echo(void **state)
{
	size_t len = sizeof(echo_req) - WIRE_IPV6_HLEN;
	struct wire_icmp6_repr r;
	struct wire_ipv6_repr ip;
	struct wire_ipv6_ext x;
	uint8_t buf[sizeof(echo_req)];

	(void)state;
	assert_int_equal(walk(echo_req, sizeof(echo_req), &x), WIRE_EXT_OK);
	assert_int_equal(x.proto, WIRE_IPPROTO_ICMPV6);
	assert_int_equal(x.l4_off, 0);
	assert_int_equal(x.nexts, 0);
	assert_int_equal(wire_icmp6_parse(echo_req + WIRE_IPV6_HLEN, len, &a_peer, &a_us, &r, true),
	        WIRE_OK);
	assert_int_equal(r.type, WIRE_ICMP6_ECHO_REQUEST);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.id, 0x1234);
	assert_int_equal(r.seq, 7);
	/* The checksum covers the pseudo header: other addresses fail it. */
	assert_int_equal(wire_icmp6_parse(echo_req + WIRE_IPV6_HLEN, len, &a_us, &a_us, &r, true),
	        WIRE_ECSUM);
	memcpy(buf, echo_req, sizeof(buf));
	buf[sizeof(buf) - 1] ^= 1;
	assert_int_equal(
	        wire_icmp6_parse(buf + WIRE_IPV6_HLEN, len, &a_peer, &a_us, &r, true), WIRE_ECSUM);
	assert_int_equal(
	        wire_icmp6_parse(buf + WIRE_IPV6_HLEN, len, &a_peer, &a_us, &r, false), WIRE_OK);
	assert_int_equal(
	        wire_icmp6_parse(buf + WIRE_IPV6_HLEN, 7, &a_peer, &a_us, &r, false), WIRE_ETRUNC);

	/* The reply. */
	memcpy(buf, echo_req, sizeof(buf));
	assert_int_equal(wire_ipv6_parse(buf, sizeof(buf), &ip), WIRE_OK);
	ip.src = a_us;
	ip.dst = a_peer;
	wire_ipv6_emit(buf, &ip);
	r.type = WIRE_ICMP6_ECHO_REPLY;
	wire_icmp6_emit(buf + WIRE_IPV6_HLEN, &r, len, &a_us, &a_peer);
	assert_int_equal(sizeof(buf), sizeof(echo_rep));
	assert_memory_equal(buf, echo_rep, sizeof(echo_rep));
}

static void
test_nd_emit_scapy(void **state)
{
	static const struct wire_mac peer_mac = {{0x02, 0, 0, 0, 0, 0x02}};
	static const struct wire_mac us_mac = {{0x02, 0, 0, 0, 0, 0x01}};
	struct wire_ip6 sn, unspec = {{0}};
	struct wire_nd_repr nd;
	uint8_t buf[64];
	size_t n;

	(void)state;
	wire_ip6_solicited_node(&a_us, &sn);
	memset(&nd, 0, sizeof(nd));
	nd.target = a_us;
	nd.has_lla = true;
	nd.lla = peer_mac;
	n = wire_nd_emit(buf, WIRE_ICMP6_NEIGH_SOL, &nd, &a_peer, &sn);
	assert_int_equal(n, sizeof(ns_multi) - WIRE_IPV6_HLEN);
	assert_memory_equal(buf, ns_multi + WIRE_IPV6_HLEN, n);
	assert_memory_equal(sn.b, ns_multi + 24, 16); /* the fixture's destination */

	/* DAD probe: from ::, no source link-layer option (RFC 4862 §5.4.2). */
	nd.has_lla = false;
	n = wire_nd_emit(buf, WIRE_ICMP6_NEIGH_SOL, &nd, &unspec, &sn);
	assert_int_equal(n, sizeof(ns_dad) - WIRE_IPV6_HLEN);
	assert_memory_equal(buf, ns_dad + WIRE_IPV6_HLEN, n);

	nd.has_lla = true;
	nd.lla = us_mac;
	nd.flags = WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE;
	n = wire_nd_emit(buf, WIRE_ICMP6_NEIGH_ADV, &nd, &a_us, &a_peer);
	assert_int_equal(n, sizeof(na_sol) - WIRE_IPV6_HLEN);
	assert_memory_equal(buf, na_sol + WIRE_IPV6_HLEN, n);
}

static void
test_nd_parse(void **state)
{
	const uint8_t *ns = ns_multi + WIRE_IPV6_HLEN;
	size_t len = sizeof(ns_multi) - WIRE_IPV6_HLEN;
	struct wire_icmp6_repr h;
	struct wire_nd_repr nd;
	struct wire_ip6 sn;
	uint8_t buf[64];
	size_t n;

	(void)state;
	wire_ip6_solicited_node(&a_us, &sn);
	assert_int_equal(wire_icmp6_parse(ns, len, &a_peer, &sn, &h, true), WIRE_OK);
	assert_int_equal(h.type, WIRE_ICMP6_NEIGH_SOL);
	assert_int_equal(wire_nd_parse(ns, len, h.type, &nd), WIRE_OK);
	assert_true(wire_ip6_eq(&nd.target, &a_us));
	assert_true(nd.has_lla);
	assert_int_equal(nd.lla.b[5], 0x02);

	assert_int_equal(wire_nd_parse(na_sol + WIRE_IPV6_HLEN, sizeof(na_sol) - WIRE_IPV6_HLEN,
	                         WIRE_ICMP6_NEIGH_ADV, &nd),
	        WIRE_OK);
	assert_int_equal(nd.flags, WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE);
	assert_true(nd.has_lla);
	assert_int_equal(nd.lla.b[5], 0x01);
	/* An SLLA option in an NA is not its TLLA. */
	assert_int_equal(wire_nd_parse(ns, len, WIRE_ICMP6_NEIGH_ADV, &nd), WIRE_OK);
	assert_false(nd.has_lla);

	for (n = 0; n < WIRE_ND_LEN; n++)
		assert_int_equal(wire_nd_parse(ns, n, h.type, &nd), WIRE_ETRUNC);
	/* A cut option, an option of length 0, one running past the end. */
	for (n = WIRE_ND_LEN + 1; n < len; n++)
		assert_int_equal(wire_nd_parse(ns, n, h.type, &nd), WIRE_EBADOPT);
	memcpy(buf, ns, len);
	buf[WIRE_ND_LEN + 1] = 0;
	assert_int_equal(wire_nd_parse(buf, len, h.type, &nd), WIRE_EBADOPT);
	buf[WIRE_ND_LEN + 1] = 2;
	assert_int_equal(wire_nd_parse(buf, len, h.type, &nd), WIRE_EBADOPT);
	/* A multicast target. */
	memcpy(buf, ns, len);
	buf[8] = 0xff;
	assert_int_equal(wire_nd_parse(buf, len, h.type, &nd), WIRE_EUNSUP);
}

static void
test_ext_all_kinds(void **state)
{
	struct wire_ipv6_ext x;

	(void)state;
	/* Hop-by-Hop (router alert), Destination Options (PadN), Routing (segments left 0),
	 * atomic Fragment, then TCP. */
	assert_int_equal(walk(ext_all, sizeof(ext_all), &x), WIRE_EXT_OK);
	assert_int_equal(x.proto, 6);
	assert_int_equal(x.l4_off, 32);
	assert_int_equal(x.nexts, 4);
	assert_true(x.atomic_frag);
	assert_int_equal(ext_all[WIRE_IPV6_HLEN + x.l4_off + 1], 1234 & 0xff); /* sport */
}

/* Every cut inside the chain is WIRE_EXT_TRUNC; from the upper layer on, the chain is whole. */
static void
test_ext_truncated(void **state)
{
	struct wire_ipv6_ext x;
	size_t n;

	(void)state;
	for (n = 0; n < 32; n++)
		assert_int_equal(
		        wire_ipv6_ext_walk(ext_all + WIRE_IPV6_HLEN, n, 0, &x), WIRE_EXT_TRUNC);
	for (n = 32; n <= sizeof(ext_all) - WIRE_IPV6_HLEN; n++)
		assert_int_equal(
		        wire_ipv6_ext_walk(ext_all + WIRE_IPV6_HLEN, n, 0, &x), WIRE_EXT_OK);
}

static void
test_ext_fragments(void **state)
{
	struct wire_ipv6_ext x;
	uint8_t buf[sizeof(ext_frag)];

	(void)state;
	assert_int_equal(walk(ext_frag, sizeof(ext_frag), &x), WIRE_EXT_FRAG);
	assert_int_equal(walk(ext_frag_later, sizeof(ext_frag_later), &x), WIRE_EXT_FRAG);
	/* The same first fragment with M cleared is atomic: walked through. */
	memcpy(buf, ext_frag, sizeof(buf));
	buf[WIRE_IPV6_HLEN + 3] &= (uint8_t)~1;
	assert_int_equal(walk(buf, sizeof(buf), &x), WIRE_EXT_OK);
	assert_true(x.atomic_frag);
	assert_int_equal(x.proto, 6);
	assert_int_equal(x.l4_off, 8);
	/* The reserved bits are not the offset or M. */
	buf[WIRE_IPV6_HLEN + 3] |= 6;
	buf[WIRE_IPV6_HLEN + 1] = 0xff;
	assert_int_equal(walk(buf, sizeof(buf), &x), WIRE_EXT_OK);
}

static void
test_ext_options(void **state)
{
	struct wire_ipv6_ext x;
	uint8_t buf[sizeof(ext_opt_skip)];

	(void)state;
	/* 00xxxxxx: skip the option. */
	assert_int_equal(walk(ext_opt_skip, sizeof(ext_opt_skip), &x), WIRE_EXT_OK);
	assert_int_equal(x.proto, WIRE_IPPROTO_ICMPV6);
	assert_int_equal(x.l4_off, 8);
	/* 01xxxxxx: discard; 10xxxxxx (in Hop-by-Hop): discard (and Parameter Problem). */
	assert_int_equal(walk(ext_opt_drop, sizeof(ext_opt_drop), &x), WIRE_EXT_OPT);
	assert_int_equal(x.err_off, 2);
	assert_int_equal(walk(ext_opt_icmp, sizeof(ext_opt_icmp), &x), WIRE_EXT_OPT);
	/* 11xxxxxx: discard. */
	memcpy(buf, ext_opt_drop, sizeof(buf));
	buf[WIRE_IPV6_HLEN + 2] = 0xc7;
	assert_int_equal(walk(buf, sizeof(buf), &x), WIRE_EXT_OPT);
	/* A skippable option whose length runs past its header. */
	memcpy(buf, ext_opt_skip, sizeof(buf));
	buf[WIRE_IPV6_HLEN + 3] = 5;
	assert_int_equal(walk(buf, sizeof(buf), &x), WIRE_EXT_OPT_LEN);
	assert_int_equal(x.err_off, 2);
	/* Pad1 bytes are one byte each: six of them and a PadN of 0 fill the header. */
	memcpy(buf, ext_opt_skip, sizeof(buf));
	memset(buf + WIRE_IPV6_HLEN + 2, 0, 4);
	buf[WIRE_IPV6_HLEN + 6] = 1;
	buf[WIRE_IPV6_HLEN + 7] = 0;
	assert_int_equal(walk(buf, sizeof(buf), &x), WIRE_EXT_OK);
}

static void
test_ext_order_and_chain(void **state)
{
	struct wire_ipv6_ext x;

	(void)state;
	assert_int_equal(walk(ext_routing, sizeof(ext_routing), &x), WIRE_EXT_ROUTING);
	assert_int_equal(x.err_off, 2); /* the Routing Type, where Parameter Problem points */
	assert_int_equal(walk(ext_hbh_late, sizeof(ext_hbh_late), &x), WIRE_EXT_HBH_ORDER);
	assert_int_equal(x.err_off, 8);
	assert_int_equal(walk(ext_chain8, sizeof(ext_chain8), &x), WIRE_EXT_OK);
	assert_int_equal(x.nexts, WIRE_IPV6_EXT_MAX);
	assert_int_equal(x.l4_off, 8 * WIRE_IPV6_EXT_MAX);
	assert_int_equal(walk(ext_chain9, sizeof(ext_chain9), &x), WIRE_EXT_CHAIN);
	assert_int_equal(walk(ext_nonext, sizeof(ext_nonext), &x), WIRE_EXT_NONE);
	assert_string_equal(wire_ext_strerror(WIRE_EXT_CHAIN), "chain-too-long");
	assert_string_equal(wire_ext_strerror(WIRE_EXT_MAX), "unknown");
}

static void
test_icmp6_packet_too_big(void **state)
{
	static const struct wire_ip6 router = {{0x20, 0x01, 0x00, 0x02, [15] = 0xfe}};
	static const struct wire_ip6 far = {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x05}};
	const uint8_t *p = ptb + WIRE_IPV6_HLEN;
	size_t len = sizeof(ptb) - WIRE_IPV6_HLEN;
	struct wire_icmp6_repr r;
	struct wire_ipv6_repr in;

	(void)state;
	assert_int_equal(wire_icmp6_parse(p, len, &router, &a_us, &r, true), WIRE_OK);
	assert_int_equal(r.type, WIRE_ICMP6_PKT_TOO_BIG);
	assert_int_equal(r.mtu, 1400);
	/* The invoking packet: ours, to far, its TCP header whole. */
	assert_int_equal(wire_ipv6_parse(p + WIRE_ICMP6_HLEN, len - WIRE_ICMP6_HLEN, &in), WIRE_OK);
	assert_true(wire_ip6_eq(&in.src, &a_us));
	assert_true(wire_ip6_eq(&in.dst, &far));
	assert_int_equal(in.next_hdr, 6);
}

static void
test_csum_pseudo6_tcp(void **state)
{
	size_t l4 = sizeof(tcp6) - WIRE_IPV6_HLEN;
	uint32_t sum;
	uint8_t buf[sizeof(tcp6)];

	(void)state;
	sum = wire_csum_pseudo6(&a_peer, &a_us, 6, (uint32_t)l4);
	assert_int_equal(wire_csum_fold(wire_csum_add(sum, tcp6 + WIRE_IPV6_HLEN, l4)), 0);
	/* Recompute the checksum in place from zero: scapy's value. */
	memcpy(buf, tcp6, sizeof(buf));
	buf[WIRE_IPV6_HLEN + 16] = 0;
	buf[WIRE_IPV6_HLEN + 17] = 0;
	sum = wire_csum_fold(wire_csum_add(sum, buf + WIRE_IPV6_HLEN, l4));
	assert_int_equal(
	        sum, (uint16_t)(tcp6[WIRE_IPV6_HLEN + 16] << 8 | tcp6[WIRE_IPV6_HLEN + 17]));
	/* Addresses with all bits set carry a lot: 0xffff is zero in one's complement. */
	{
		struct wire_ip6 ones;

		memset(&ones, 0xff, sizeof(ones));
		sum = wire_csum_pseudo6(&ones, &ones, 0xff, 0xffffffffu);
		assert_int_equal(wire_csum_fold(sum), 0xff00); /* 18 * 0xffff + 0xff */
	}
}

static void
test_ip6_addresses(void **state)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	/* fe80::5054:ff:fe12:3456 (RFC 4291 appendix A's rule) */
	static const struct wire_ip6 ll = {
	        {0xfe, 0x80, [8] = 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56}};
	static const struct wire_ip6 sn_us = {{0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01}};
	struct wire_ip6 a, b;
	uint8_t m[6];

	(void)state;
	wire_ip6_linklocal_from_mac(mac, &a);
	assert_memory_equal(a.b, ll.b, 16);
	assert_true(wire_ip6_is_linklocal(&a));
	assert_false(wire_ip6_is_linklocal(&a_us));
	wire_ip6_solicited_node(&a_us, &a);
	assert_memory_equal(a.b, sn_us.b, 16);
	assert_true(wire_ip6_is_multicast(&a));
	wire_ip6_mcast_mac(&a, m);
	assert_memory_equal(m, ((const uint8_t[]){0x33, 0x33, 0xff, 0x00, 0x00, 0x01}), 6);
	wire_ip6_all_nodes(&b);
	wire_ip6_mcast_mac(&b, m);
	assert_memory_equal(m, ((const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}), 6);
	assert_true(wire_ip6_prefix_eq(&a_us, &a_peer, 64));
	assert_true(wire_ip6_prefix_eq(&a_us, &a_peer, 126));
	assert_false(wire_ip6_prefix_eq(&a_us, &a_peer, 127));
	assert_false(wire_ip6_prefix_eq(&a_us, &a_peer, 128));
	assert_true(wire_ip6_prefix_eq(&a_us, &a_us, 128));
	assert_true(wire_ip6_prefix_eq(&a_us, &ll, 0));
	assert_false(wire_ip6_prefix_eq(&a_us, &a_us, 129));
	memset(&b, 0, sizeof(b));
	assert_true(wire_ip6_is_unspec(&b));
	b.b[15] = 1;
	assert_true(wire_ip6_is_loopback(&b));
	assert_false(wire_ip6_is_unspec(&b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ipv6_parse_fields),
	        cmocka_unit_test(test_ipv6_parse_bad),
	        cmocka_unit_test(test_ipv6_emit_roundtrip),
	        cmocka_unit_test(test_icmp6_echo),
	        cmocka_unit_test(test_nd_emit_scapy),
	        cmocka_unit_test(test_nd_parse),
	        cmocka_unit_test(test_ext_all_kinds),
	        cmocka_unit_test(test_ext_truncated),
	        cmocka_unit_test(test_ext_fragments),
	        cmocka_unit_test(test_ext_options),
	        cmocka_unit_test(test_ext_order_and_chain),
	        cmocka_unit_test(test_icmp6_packet_too_big),
	        cmocka_unit_test(test_csum_pseudo6_tcp),
	        cmocka_unit_test(test_ip6_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

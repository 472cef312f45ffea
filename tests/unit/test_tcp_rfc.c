/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * docs/TCP.md, rule by rule: one packetdrill-style script per rule (syntax in
 * tcp_script.h). Each script plays the peer against one engine on the fake clock and
 * checks every segment tern sends exactly: flags, relative sequence and ACK numbers,
 * windows where the rule is about them, options, payload bytes and times.
 *
 * Conventions: tern listens on 8080 (or connects to it); the peer's ISN is 0xfffffc00, so
 * its sequence space wraps in every script. OPEN_ALL negotiates every option with a
 * 10 ms handshake, so the RTO is the 200 ms minimum afterwards. Scripts that compute
 * segment boundaries choose the peer's MSS so that payloads are round numbers.
 *
 * Where docs/TCP.md leaves a choice open, the script follows Linux / the RFC and says so.
 * One rule per script: RSTs are written "<...>" (options unchecked) except in
 * timestamps_on_rst, which checks that they carry TSopt.
 * Run one script: TCP_SCRIPT=name build/tests/unit/test_tcp_rfc
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcp_script.h"

/* Scripts: one script line per source line. */
/* clang-format off */

/* Passive open with every option on both sides. rcvbuf 256 KB: tern's shift is 3 (the
 * smallest that fits 262144 in 16 bits), its SYN-ACK window 65535 (never scaled). */
#define OPEN_ALL                                                                            \
	"conf rcvbuf 262144",                                                               \
	"0    app listen 8080",                                                             \
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",        \
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>", \
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>"

/* Passive open with SACK and window scaling, no timestamps: full segments are 1460. */
#define OPEN_NOTS                                                      \
	"conf rcvbuf 262144",                                          \
	"0    app listen 8080",                                        \
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>",    \
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 3>", \
	"+.01 < . 1:1(0) ack 1 win 512"

/* Peer MSS 1000, no timestamps (segments of exactly 1000 bytes), with SACK. */
#define OPEN_1000_SACK                                                 \
	"conf rcvbuf 262144",                                          \
	"0    app listen 8080",                                        \
	"0    < S 0:0(0) win 65535 <mss 1000,sackOK,nop,wscale 7>",    \
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 3>", \
	"+.01 < . 1:1(0) ack 1 win 512"

/* Peer MSS 1000, neither timestamps nor SACK. */
#define OPEN_1000_NOSACK                                        \
	"conf rcvbuf 262144",                                   \
	"0    app listen 8080",                                 \
	"0    < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>",    \
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 3>", \
	"+.01 < . 1:1(0) ack 1 win 512"

/* The first ten 1000-byte segments of a 20000-byte write (initial window 10 segments). */
#define TEN_SEGMENTS_1000                 \
	"+0   > . 1:1001(1000) ack 1",    \
	"+0   > . 1001:2001(1000) ack 1", \
	"+0   > . 2001:3001(1000) ack 1", \
	"+0   > . 3001:4001(1000) ack 1", \
	"+0   > . 4001:5001(1000) ack 1", \
	"+0   > . 5001:6001(1000) ack 1", \
	"+0   > . 6001:7001(1000) ack 1", \
	"+0   > . 7001:8001(1000) ack 1", \
	"+0   > . 8001:9001(1000) ack 1", \
	"+0   > . 9001:10001(1000) ack 1"

/* ==== Options (RFC 9293 §3.7.1, RFC 7323, RFC 2018) ==== */

/* A SYN with every option: the SYN-ACK answers each (checked in OPEN_ALL). */
static const char *const handshake_passive_all_options[] = {
	OPEN_ALL,
	"app expect-state ESTABLISHED",
	"counter tcp_passive_open == 1",
	"gauge established == 1",
	NULL};

/* A SYN without options: the SYN-ACK carries MSS only; the send MSS is 536; no
 * timestamps and no scaling, so the window is capped at 65535 (rcvbuf is 256 KB). */
static const char *const handshake_passive_no_options[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460>",
	"+.01 < . 1:1(0) ack 1 win 65535",
	"app expect-state ESTABLISHED",
	"+.09 app send 1072",
	"+0   > . 1:537(536) ack 1 win 65535",
	"+0   > . 537:1073(536) ack 1 win 65535",
	"+.01 < . 1:1(0) ack 1073 win 65535",
	"+.1  < P. 1:1001(1000) ack 1073 win 65535",
	"+.04 > . 1073:1073(0) ack 1001 win 65535",
	NULL};

/* Options are answered one by one: timestamps only -> MSS and TS; SACK-permitted only ->
 * MSS and SACK-permitted. */
static const char *const handshake_passive_some_options[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,nop,nop,TS val 100 ecr 0>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 0 ecr 100>",
	"+.01 < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 110 ecr 0>",
	"app expect-state ESTABLISHED",
	"+.09 app send 1448",
	"+0   > . 1:1449(1448) ack 1 win 65535 <nop,nop,TS val 100 ecr 110>",
	NULL};

static const char *const handshake_passive_sack_only[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK>",
	"+.01 < . 1:1(0) ack 1 win 65535",
	"+.09 < . 1001:2001(1000) ack 1 win 65535",
	"+0   > . 1:1(0) ack 1 win 65535 <sack 1001:2001>",
	NULL};

/* connect(): the SYN offers MSS, SACK-permitted, TS (TSecr 0) and window scale. The
 * SYN-ACK's window (2776) is not scaled: exactly two 1388-byte segments fit (scaled by 64
 * it would be 177664 and the whole initial window would go). The handshake's final ACK
 * is scaled by our shift. */
static const char *const handshake_active_options[] = {
	"conf rcvbuf 262144",
	"0    app connect 8080",
	"0    > S 0:0(0) win 65535 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 3>",
	"+.02 < S. 0:0(0) ack 1 win 2776 <mss 1400,sackOK,TS val 500 ecr 0,nop,wscale 6>",
	"+0   > . 1:1(0) ack 1 win 32768 <nop,nop,TS val 20 ecr 500>",
	"app expect-state ESTABLISHED",
	"counter tcp_active_open == 1",
	"+.01 app send 13880",
	"+0   > . 1:1389(1388) ack 1 <nop,nop,TS val 30 ecr 500>",
	"+0   > . 1389:2777(1388) ack 1 <nop,nop,TS val 30 ecr 500>",
	"+.1  > none",
	NULL};

/* connect() to a peer that offers nothing but MSS: no TS, no SACK, no scaling after. */
static const char *const handshake_active_peer_without_options[] = {
	"conf rcvbuf 262144",
	"0    app connect 8080",
	"0    > S 0:0(0) win 65535 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 3>",
	"+.02 < S. 0:0(0) ack 1 win 3000 <mss 1000>",
	"+0   > . 1:1(0) ack 1 win 65535",
	"+.01 app send 5000",
	"+0   > . 1:1001(1000) ack 1 win 65535",
	"+0   > . 1001:2001(1000) ack 1 win 65535",
	"+0   > . 2001:3001(1000) ack 1 win 65535",
	NULL};

/* no_timestamps, no_sack, no_wscale: the SYN-ACK carries MSS only whatever the SYN
 * offered, and the peer's windows are then taken unscaled (4380 bytes = 3 segments). */
static const char *const handshake_options_disabled[] = {
	"conf rcvbuf 262144",
	"conf no_timestamps 1",
	"conf no_sack 1",
	"conf no_wscale 1",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460>",
	"+.01 < . 1:1(0) ack 1 win 4380",
	"+.09 app send 10000",
	"+0   > . 1:1461(1460) ack 1 win 65535",
	"+0   > . 1461:2921(1460) ack 1 win 65535",
	"+0   > . 2921:4381(1460) ack 1 win 65535",
	"+.1  > none",
	NULL};

/* connect() with the options turned off: the SYN carries MSS only. */
static const char *const handshake_active_options_disabled[] = {
	"conf no_timestamps 1",
	"conf no_sack 1",
	"conf no_wscale 1",
	"0    app connect 8080",
	"0    > S 0:0(0) win 65535 <mss 1460>",
	NULL};

/* ==== MSS clamp (RFC 9293 §3.7.1, RFC 6691) ==== */

/* Peer MSS 1000 with timestamps: 988 bytes of payload per segment. */
static const char *const mss_clamp_peer[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>",
	"+.09 app send 2964",
	"+0   > . 1:989(988) ack 1",
	"+0   > . 989:1977(988) ack 1",
	"+0   > . 1977:2965(988) ack 1",
	NULL};

/* Our MTU 1200: MSS 1160 announced, 1148 bytes of payload with timestamps. */
static const char *const mss_clamp_mtu[] = {
	"conf rcvbuf 262144",
	"conf mtu 1200",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1160,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>",
	"+.09 app send 2296",
	"+0   > . 1:1149(1148) ack 1",
	"+0   > . 1149:2297(1148) ack 1",
	NULL};

/* No MSS option from the peer: 536, minus 12 bytes of timestamps. */
static const char *const mss_clamp_default_536[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>",
	"+.09 app send 1048",
	"+0   > . 1:525(524) ack 1",
	"+0   > . 525:1049(524) ack 1",
	NULL};

/* Options come out of the MSS; SACK blocks on data segments (docs/TCP.md, unlike Linux):
 * a full-sized segment keeps its 1448 bytes and goes without them, a short one carries
 * them, and so does the next pure ACK. */
static const char *const sack_blocks_on_data[] = {
	OPEN_ALL,
	"+.09 < . 1001:2001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <nop,nop,TS val * ecr *,sack 1001:2001>",
	"+.01 app send 2996",
	"+0   > . 1:1449(1448) ack 1",
	"+0   > . 1449:2897(1448) ack 1",
	"+0   > . 2897:2997(100) ack 1 <nop,nop,TS val * ecr *,sack 1001:2001>",
	"+.01 < . 3001:4001(1000) ack 1 win 512",
	"+0   > . 2997:2997(0) ack 1 <nop,nop,TS val * ecr *,sack 3001:4001 1001:2001>",
	NULL};

/* ==== Window scale (RFC 7323 §2) ==== */

/* The peer's shift (7) applies to its windows after the handshake: win 16 = 2048 bytes,
 * two 1024-byte segments. Ours (3) applies to ours: 262144 >> 3 = 32768, then 32643
 * after 1000 unread bytes. */
static const char *const wscale_applied[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1036,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 16 <nop,nop,TS val 110 ecr 0>",
	"+.09 app send 10240",
	"+0   > . 1:1025(1024) ack 1 win 32768",
	"+0   > . 1025:2049(1024) ack 1 win 32768",
	"+.05 > none",
	"+0   < P. 1:1001(1000) ack 2049 win 16",
	"+0   > . 2049:3073(1024) ack 1001 win 32643",
	"+0   > . 3073:4097(1024) ack 1001 win 32643",
	NULL};

/* Scaled windows never move the right edge left (RFC 9293 §3.8.6): with unread data
 * arriving in 1001-byte segments (not a multiple of 2^3), the window field is rounded up,
 * not down. After 1001 bytes the edge is 1002 + 8 * 32642 = 262138; after 2002 bytes it
 * would be 2003 + 8 * 32516 = 262131 rounded down (7 bytes to the left): 32517 (262139);
 * after 3003, 32392 (262140), not 32391. (Found over IPv6 by the conformance suite's
 * v6_rcv_window_full_and_update, whose full segments are 1428 bytes.) */
static const char *const wscale_edge_never_left[] = {
	"conf rcvbuf 262144",
	"conf no_delack 1",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>",
	"+.09 < P. 1:1002(1001) ack 1 win 512 <nop,nop,TS val 120 ecr 0>",
	"+0   > . 1:1(0) ack 1002 win 32642 <nop,nop,TS val * ecr 120>",
	"+.01 < P. 1002:2003(1001) ack 1 win 512 <nop,nop,TS val 130 ecr 0>",
	"+0   > . 1:1(0) ack 2003 win 32517 <nop,nop,TS val * ecr 130>",
	"+.01 < P. 2003:3004(1001) ack 1 win 512 <nop,nop,TS val 140 ecr 0>",
	"+0   > . 1:1(0) ack 3004 win 32392 <nop,nop,TS val * ecr 140>",
	NULL};

/* ==== Timestamps (RFC 7323 §3, §4.3) ==== */

/* TS.Recent moves only with a segment at or below Last.ACK.sent: an out-of-order
 * segment's TSval (130) is not echoed; the segment that fills the hole (TSval 120) is.
 * Data carries TSecr = TS.Recent, and TSval follows tern's clock (relative ms). */
static const char *const timestamps_ts_recent[] = {
	OPEN_ALL,
	"+.01 < . 1001:2001(1000) ack 1 win 512 <nop,nop,TS val 130 ecr 0>",
	"+0   > . 1:1(0) ack 1 <nop,nop,TS val 20 ecr 110,sack 1001:2001>",
	"+.01 < . 1:1001(1000) ack 1 win 512 <nop,nop,TS val 120 ecr 0>",
	"+0   > . 1:1(0) ack 2001 <nop,nop,TS val 30 ecr 120>",
	"+.01 < . 2001:3001(1000) ack 1 win 512 <nop,nop,TS val 150 ecr 30>",
	"+.04 > . 1:1(0) ack 3001 <nop,nop,TS val 80 ecr 150>",
	"+.01 app send 100",
	"+0   > . 1:101(100) ack 3001 <nop,nop,TS val 90 ecr 150>",
	NULL};

/* A non-RST segment without TSopt on a timestamp connection is dropped silently
 * (RFC 7323 §3.2); a RST without TSopt is still processed. */
static const char *const timestamps_required[] = {
	OPEN_ALL,
	"+.09 < P. 1:101(100) ack 1 win 512 <>",
	"+.1  > none",
	"drop tcp_no_ts == 1",
	"app expect-readable 0",
	"+0   < R 1:1(0) win 0 <>",
	"app expect-closed reset",
	NULL};

/* Once negotiated, every segment carries TSopt, RSTs included (RFC 7323 §3.2 SHOULD): a
 * RST from abort() carries TSval and TSecr = TS.Recent. */
static const char *const timestamps_on_rst[] = {
	OPEN_ALL,
	"+.09 < P. 1:101(100) ack 1 win 512 <nop,nop,TS val 200 ecr 90>",
	"+.04 > . 1:1(0) ack 101 <nop,nop,TS val 140 ecr 200>",
	"+.01 app abort",
	"+0   > R[.] 1:1(0) ack 101 <nop,nop,TS val 150 ecr 200>",
	"app expect-closed aborted",
	NULL};

/* ... and in TIME_WAIT: the ACK of a retransmitted FIN carries TSopt, on the same clock.
 * (TSecr unchecked: RFC 7323 would echo the new FIN's TSval, Linux the previous one.) */
static const char *const timestamps_in_time_wait[] = {
	OPEN_ALL,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1 <nop,nop,TS val 100 ecr 110>",
	"+.01 < F. 1:1(0) ack 2 win 512 <nop,nop,TS val 200 ecr 100>",
	"+0   > . 2:2(0) ack 2 <nop,nop,TS val 110 ecr 200>",
	"gauge time_wait == 1",
	"+.1  < F. 1:1(0) ack 2 win 512 <nop,nop,TS val 300 ecr 100>",
	"+0   > . 2:2(0) ack 2 <nop,nop,TS val 210 ecr *>",
	"counter tcp_tw_ack == 1",
	NULL};

/* ==== PAWS (RFC 7323 §5) ==== */

/* R1: an equal TSval is acceptable, an older one (199 < 200) is dropped with an ACK. R3:
 * a segment outside the window is dropped by the sequence check and its newer TSval is
 * not taken. */
static const char *const paws_old_tsval[] = {
	OPEN_ALL,
	"+.01 < P. 1:1001(1000) ack 1 win 512 <nop,nop,TS val 200 ecr 0>",
	"+.04 > . 1:1(0) ack 1001 <nop,nop,TS val 60 ecr 200>",
	"+.01 < P. 1001:2001(1000) ack 1 win 512 <nop,nop,TS val 200 ecr 60>",
	"+.04 > . 1:1(0) ack 2001 <nop,nop,TS val 110 ecr 200>",
	"+.01 < P. 2001:3001(1000) ack 1 win 512 <nop,nop,TS val 199 ecr 60>",
	"+0   > . 1:1(0) ack 2001 <nop,nop,TS val 120 ecr 200>",
	"drop tcp_paws == 1",
	"app expect-readable 2000",
	"+.01 < P. 900000:901000(1000) ack 1 win 512 <nop,nop,TS val 5000 ecr 60>",
	"+0   > . 1:1(0) ack 2001 <nop,nop,TS val 130 ecr 200>",
	"drop tcp_out_of_window == 1",
	"+.01 < P. 2001:3001(1000) ack 1 win 512 <nop,nop,TS val 210 ecr 60>",
	"+.04 > . 1:1(0) ack 3001 <nop,nop,TS val 180 ecr 210>",
	"app expect-readable 3000",
	"drop tcp_paws == 1",
	NULL};

/* TSvals compare modulo 2^32: 0 is newer than 4294967210, 4294967290 older than 0. */
static const char *const paws_wrap[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 4294967200 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 4294967200,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 4294967210 ecr 0>",
	"+.01 < P. 1:1001(1000) ack 1 win 512 <nop,nop,TS val 0 ecr 10>",
	"+.04 > . 1:1(0) ack 1001 <nop,nop,TS val 60 ecr 0>",
	"+.01 < P. 1001:2001(1000) ack 1 win 512 <nop,nop,TS val 4294967290 ecr 60>",
	"+0   > . 1:1(0) ack 1001 <nop,nop,TS val 70 ecr 0>",
	"drop tcp_paws == 1",
	NULL};

/* RSTs are exempt from PAWS (§5.3 R1): an old TSval on an exact RST still resets. */
static const char *const paws_rst_exempt[] = {
	OPEN_ALL,
	"+.01 < P. 1:1001(1000) ack 1 win 512 <nop,nop,TS val 200 ecr 0>",
	"+.04 > . 1:1(0) ack 1001 <nop,nop,TS val 60 ecr 200>",
	"+.01 < R 1001:1001(0) win 0 <nop,nop,TS val 50 ecr 0>",
	"app expect-closed reset",
	"drop tcp_paws == 0",
	"counter tcp_rst_rx == 1",
	NULL};

/* §5.5: TS.Recent older than 24 days is invalid. After 23 days an old TSval still fails;
 * after 25 days it is accepted and becomes TS.Recent. */
static const char *const paws_24_days[] = {
	OPEN_ALL,
	"+.01 < P. 1:1001(1000) ack 1 win 512 <nop,nop,TS val 200 ecr 0>",
	"+.04 > . 1:1(0) ack 1001 <nop,nop,TS val 60 ecr 200>",
	"jump 23d",
	"+0   < P. 1001:2001(1000) ack 1 win 512 <nop,nop,TS val 150 ecr 60>",
	"+0   > . 1:1(0) ack 1001 <nop,nop,TS val 1987200060 ecr 200>",
	"drop tcp_paws == 1",
	"jump 2d",
	"+0   < P. 1001:2001(1000) ack 1 win 512 <nop,nop,TS val 150 ecr 60>",
	"+.04 > . 1:1(0) ack 2001 <nop,nop,TS val 2160000100 ecr 150>",
	"drop tcp_paws == 1",
	"app expect-readable 2000",
	NULL};

/* ==== Segment acceptance and RFC 5961 ==== */

/* §3: a RST exactly at rcv_nxt resets. */
static const char *const rst_exact[] = {
	OPEN_ALL,
	"+.1  < R 1:1(0) win 0",
	"app expect-closed reset",
	"counter tcp_rst_rx == 1",
	"gauge established == 0",
	"+.1  > none",
	NULL};

/* §3: a RST in the window but not at rcv_nxt draws a challenge ACK; the peer's answer,
 * an exact RST, then resets. */
static const char *const rst_in_window_challenge[] = {
	OPEN_ALL,
	"+.1  < R 2:2(0) win 0",
	"+0   > . 1:1(0) ack 1",
	"drop tcp_rst_challenge == 1",
	"counter tcp_challenge_ack == 1",
	"app expect-state ESTABLISHED",
	"+.01 < R 1001:1001(0) win 0",
	"+0   > . 1:1(0) ack 1",
	"drop tcp_rst_challenge == 2",
	"+.01 < R 1:1(0) win 0",
	"app expect-closed reset",
	NULL};

/* A RST outside the window (beyond it, or just before rcv_nxt) is dropped silently. */
static const char *const rst_out_of_window[] = {
	OPEN_ALL,
	"+.1  < R 1000000:1000000(0) win 0",
	"+.1  > none",
	"drop tcp_out_of_window == 1",
	"app expect-state ESTABLISHED",
	"+0   < R 0:0(0) win 0",
	"+.1  > none",
	"drop tcp_out_of_window == 2",
	"app expect-state ESTABLISHED",
	NULL};

/* §4: a SYN in ESTABLISHED, in the window or not (here the old ISN, then seq 5000),
 * draws a challenge ACK and never resets (Linux counts both as SYN challenges). */
static const char *const syn_in_established[] = {
	OPEN_ALL,
	"+.1  < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 300 ecr 0,nop,wscale 7>",
	"+0   > . 1:1(0) ack 1",
	"+.01 < S 5000:5000(0) win 65535 <mss 1460,sackOK,TS val 310 ecr 0,nop,wscale 7>",
	"+0   > . 1:1(0) ack 1",
	"drop tcp_syn_challenge == 2",
	"counter tcp_challenge_ack == 2",
	"counter tcp_rst_tx == 0",
	"app expect-state ESTABLISHED",
	NULL};

/* RFC 5961 §3 and §4 hold in every synchronized state, not only ESTABLISHED: after the
 * peer's FIN (CLOSE_WAIT, then LAST_ACK) a RST in the window but not at rcv_nxt and a SYN
 * draw challenge ACKs; only the exact RST resets. */
static const char *const challenge_ack_close_wait_last_ack[] = {
	OPEN_ALL,
	"+.09 < F. 1:1(0) ack 1 win 512",
	"+0   > . 1:1(0) ack 2",
	"app expect-state CLOSE_WAIT",
	"+.01 < R 5:5(0) win 0",
	"+0   > . 1:1(0) ack 2",
	"+.01 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 300 ecr 0,nop,wscale 7>",
	"+0   > . 1:1(0) ack 2",
	"app expect-state CLOSE_WAIT",
	"+.01 app close",
	"+0   > F. 1:1(0) ack 2",
	"+.01 < R 1000:1000(0) win 0",
	"+0   > . 2:2(0) ack 2",
	"+.01 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 320 ecr 0,nop,wscale 7>",
	"+0   > . 2:2(0) ack 2",
	"app expect-state LAST_ACK",
	"drop tcp_rst_challenge == 2",
	"drop tcp_syn_challenge == 2",
	"counter tcp_rst_tx == 0",
	"+.01 < R 2:2(0) win 0",
	"app expect-closed any",
	"gauge time_wait == 0",
	"+.5  > none",
	NULL};

/* The same on the side that closes first: FIN_WAIT_1 (our FIN not yet ACKed), then
 * FIN_WAIT_2; the exact RST ends the connection without TIME_WAIT. */
static const char *const challenge_ack_fin_wait[] = {
	OPEN_ALL,
	"+.09 app shutdown",
	"+0   > F. 1:1(0) ack 1",
	"+.01 < R 7:7(0) win 0",
	"+0   > . 2:2(0) ack 1",
	"+0   < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 300 ecr 0,nop,wscale 7>",
	"+0   > . 2:2(0) ack 1",
	"app expect-state FIN_WAIT_1",
	"+.01 < . 1:1(0) ack 2 win 512",
	"app expect-state FIN_WAIT_2",
	"+.01 < R 3000:3000(0) win 0",
	"+0   > . 2:2(0) ack 1",
	"+0   < S 9:9(0) win 65535 <mss 1460,sackOK,TS val 320 ecr 0,nop,wscale 7>",
	"+0   > . 2:2(0) ack 1",
	"app expect-state FIN_WAIT_2",
	"drop tcp_rst_challenge == 2",
	"drop tcp_syn_challenge == 2",
	"+.01 < R 1:1(0) win 0",
	"app expect-closed reset",
	"gauge time_wait == 0",
	"+.5  > none",
	NULL};

/* A segment with both SYN and FIN in ESTABLISHED is a SYN: challenge ACK, no reset, and
 * the FIN is not taken (RFC 5961 §4; the SYN check comes before the FIN's). */
static const char *const syn_fin_established[] = {
	OPEN_ALL,
	"+.09 < SF. 1:1(0) ack 1 win 512",
	"+0   > . 1:1(0) ack 1",
	"drop tcp_syn_challenge == 1",
	"app expect-state ESTABLISHED",
	"counter tcp_rst_tx == 0",
	NULL};

/* SYN_SENT (RFC 9293 §3.10.7.3): an ACK of something other than our SYN (SEG.ACK =< ISS or
 * > SND.NXT) draws <SEQ=SEG.ACK><CTL=RST> and is dropped, the connection stays; a RST
 * with such an ACK, a RST without ACK, and an acceptable ACK without SYN or RST are
 * dropped silently; the right SYN-ACK then opens the connection. */
static const char *const syn_sent_unacceptable[] = {
	"0    app connect 8080",
	"0    > S 0:0(0) <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale *>",
	"+.01 < S. 0:0(0) ack 5000 win 65535 <mss 1460>",
	"+0   > R 5000:5000(0) <...>",
	"+.01 < S. 0:0(0) ack 0 win 65535 <mss 1460>",
	"+0   > R 0:0(0) <...>",
	"+.01 < R. 0:0(0) ack 5000 win 0",
	"+0   < R 0:0(0) win 0",
	"+0   < . 0:0(0) ack 1 win 65535",
	"+.1  > none",
	"app expect-state SYN_SENT",
	"drop tcp_syn_sent_bad == 5",
	"+0   < S. 0:0(0) ack 1 win 65535 <mss 1460>",
	"+0   > . 1:1(0) ack 1",
	"app expect-state ESTABLISHED",
	NULL};

/* SYN_SENT: a RST whose ACK acknowledges our SYN refuses the connection. */
static const char *const syn_sent_rst_refused[] = {
	"0    app connect 8080",
	"0    > S 0:0(0) <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale *>",
	"+.01 < R. 0:0(0) ack 1 win 0",
	"app expect-closed refused",
	"counter tcp_connect_fail == 1",
	"+1.5 > none",
	NULL};

/* A retransmitted SYN (same ISN) in SYN_RCVD re-sends the SYN-ACK (same ISN). Its TSecr
 * is not checked: RFC 7323 §4.3 would echo the new TSval (600), Linux echoes the first
 * SYN's (100). */
static const char *const syn_rcvd_syn_retransmit[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.5  < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 600 ecr 0,nop,wscale 7>",
	"+0   > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 500 ecr *,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 610 ecr 500>",
	"app expect-state ESTABLISHED",
	"counter tcp_challenge_ack == 0",
	NULL};

/* §7: at most challenge_ack_limit challenge ACKs per second per engine (RST and SYN
 * challenges share it); the rest are counted and not sent. A second later: answered
 * again. */
static const char *const challenge_ack_rate_limit[] = {
	"conf challenge_ack_limit 2",
	OPEN_ALL,
	"+.1  < R 2:2(0) win 0",
	"+0   > . 1:1(0) ack 1",
	"+0   < R 3:3(0) win 0",
	"+0   > . 1:1(0) ack 1",
	"+0   < R 4:4(0) win 0",
	"+0   < S 5000:5000(0) win 65535 <mss 1460,sackOK,TS val 300 ecr 0,nop,wscale 7>",
	"+.1  > none",
	"counter tcp_challenge_ack == 2",
	"counter tcp_challenge_limited == 2",
	"drop tcp_rst_challenge == 3",
	"drop tcp_syn_challenge == 1",
	"app expect-state ESTABLISHED",
	"+1   < R 5:5(0) win 0",
	"+0   > . 1:1(0) ack 1",
	"counter tcp_challenge_ack == 3",
	NULL};

/* §5: SEG.ACK must lie in [snd_una - max_snd_wnd, snd_max]. snd_una 8001, largest window
 * 4000: ack 4001 is an old duplicate (ignored), ack 4000 too old (dropped + ACK), ack
 * 8002 beyond snd_max (dropped + ACK). The two bad ACKs are 0.6 s apart: Linux answers
 * invalid pure ACKs at most every 500 ms per connection. */
static const char *const ack_acceptability[] = {
	"conf rcvbuf 65535",
	"0    app listen 8080",
	"0    < S 0:0(0) win 4000 <mss 1000>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460>",
	"+.01 < . 1:1(0) ack 1 win 4000",
	"+.09 app send 8000",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > . 1001:2001(1000) ack 1",
	"+0   > . 2001:3001(1000) ack 1",
	"+0   > . 3001:4001(1000) ack 1",
	"+.01 < . 1:1(0) ack 4001 win 4000",
	"+0   > . 4001:5001(1000) ack 1",
	"+0   > . 5001:6001(1000) ack 1",
	"+0   > . 6001:7001(1000) ack 1",
	"+0   > . 7001:8001(1000) ack 1",
	"+.01 < . 1:1(0) ack 8001 win 4000",
	"+.01 < . 1:1(0) ack 4001 win 4000",
	"+.01 > none",
	"drop tcp_ack_too_old == 0",
	"+0   < . 1:1(0) ack 4000 win 4000",
	"+0   > . 8001:8001(0) ack 1",
	"drop tcp_ack_too_old == 1",
	"+.6  < . 1:1(0) ack 8002 win 4000",
	"+0   > . 8001:8001(0) ack 1",
	"drop tcp_bad_ack == 1",
	NULL};

/* A SYN whose TSval fails PAWS is still a SYN (RFC 5961 §4: a challenge ACK "irrespective
 * of the sequence number"), so its ACK comes out of the challenge ACK budget (§7) like any
 * other SYN's, as Linux (tcp_validate_incoming: PAWS, then syn_challenge): with a budget
 * of 1, one ACK for three such SYNs, not three. */
static const char *const syn_paws_challenge_limited[] = {
	"conf challenge_ack_limit 1",
	OPEN_ALL,
	"+.1  < S 5000:5000(0) win 65535 <mss 1460,sackOK,TS val 50 ecr 0,nop,wscale 7>",
	"+0   > . 1:1(0) ack 1",
	"+0   < S 6000:6000(0) win 65535 <mss 1460,sackOK,TS val 51 ecr 0,nop,wscale 7>",
	"+0   < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 52 ecr 0,nop,wscale 7>",
	"+.1  > none",
	"counter tcp_challenge_ack == 1",
	"counter tcp_challenge_limited == 2",
	"drop tcp_syn_challenge == 3",
	"app expect-state ESTABLISHED",
	NULL};

/* RFC 9293 §3.10.7.4 first check: data beyond the window, or entirely before rcv_nxt,
 * is dropped with an immediate ACK (no SACK here, so no D-SACK question). Reading 1000
 * bytes opens the window by less than 2 MSS: no window update. */
static const char *const out_of_window_data[] = {
	"conf rcvbuf 65535",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 0>",
	"+.01 < . 1:1(0) ack 1 win 512",
	"+.1  < P. 1:1001(1000) ack 1 win 512",
	"+.04 > . 1:1(0) ack 1001 win 64535",
	"+.01 < P. 70000:71000(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1001 win 64535",
	"drop tcp_out_of_window == 1",
	"+.01 < P. 1:1001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1001 win 64535",
	"app recv 1000",
	"+.1  > none",
	NULL};

/* RFC 9293 §3.10.7.4 first check: with the receive window zero no data is acceptable,
 * "but special allowance should be made to accept valid ACKs, URGs, and RSTs". The
 * peer's window probe carries one byte of data (BSD's persist, RFC 9293 §3.8.6.1) and
 * the ACK of tern's data: the byte is refused (ACK 4097, window 0), the ACK is taken, so
 * nothing is retransmitted at RTO, and the window it carries lets new data go. */
static const char *const zero_rcv_window_ack_taken[] = {
	"conf rcvbuf 4096",
	"conf no_delack 1",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1000>",
	"0    > S. 0:0(0) ack 1 win 4096 <mss 1460>",
	"+.01 < . 1:1(0) ack 1 win 65535",
	"+.09 app send 2000",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > P. 1001:2001(1000) ack 1",
	"+.01 < . 1:1001(1000) ack 1 win 0",
	"+0   > . 2001:2001(0) ack 1001 win 3096",
	"+0   < . 1001:2001(1000) ack 1 win 0",
	"+0   > . 2001:2001(0) ack 2001 win 2096",
	"+0   < . 2001:3001(1000) ack 1 win 0",
	"+0   > . 2001:2001(0) ack 3001 win 1096",
	"+0   < . 3001:4097(1096) ack 1 win 0",
	"+0   > . 2001:2001(0) ack 4097 win 0",
	"+.01 < . 4097:4098(1) ack 2001 win 1000",
	"+0   > . 2001:2001(0) ack 4097 win 0",
	"drop tcp_out_of_window == 1",
	"counter tcp_data_rx == 4096",
	"+.5  > none",
	"app send 500",
	"+0   > P. 2001:2501(500) ack 4097 win 0",
	NULL};

/* RFC 9293 §3.10.7.4 fifth (SND.WL1/WL2): the window comes from the latest segment by
 * sequence number. Segment 101:201 (window 0) arrives before 1:101 (window 512): the older
 * segment's window is not taken, so new data waits until a later segment opens it. */
static const char *const window_update_wl1[] = {
	OPEN_ALL,
	"+.09 < . 101:201(100) ack 1 win 0",
	"+0   > . 1:1(0) ack 1 <TS val * ecr *,sack 101:201>",
	"+.01 < . 1:101(100) ack 1 win 512",
	"+0   > . 1:1(0) ack 201",
	"+.01 app send 1000",
	"+.1  > none",
	"+0   < . 201:201(0) ack 1 win 512",
	"+0   > P. 1:1001(1000) ack 201",
	NULL};

/* Urgent data (RFC 9293 §3.8.5, RFC 6093): tern has no out-of-band delivery; the bytes
 * of a segment with URG are delivered in line, in order, exactly once. */
static const char *const urgent_inline[] = {
	OPEN_ALL,
	"+.09 < PU. 1:101(100) ack 1 win 512",
	"+.04 > . 1:1(0) ack 101",
	"+.01 < P. 101:201(100) ack 1 win 512",
	"+.04 > . 1:1(0) ack 201",
	"app recv 200",
	"app expect-readable 0",
	NULL};

/* Pure ACKs outside the window draw an ACK at most once per 500 ms (docs/TCP.md), also when
 * the next one comes in the same millisecond: two rounds of two, 601 ms apart, so that one
 * round falls on an odd and one on an even millisecond (the stamp of the last ACK is kept
 * odd, never 0; on an even millisecond it was once a millisecond ahead, and the second
 * segment was answered too). */
static const char *const oow_pure_ack_limited[] = {
	"conf rcvbuf 65535",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 0>",
	"+.01 < . 1:1(0) ack 1 win 512",
	"+.1  < . 70000:70000(0) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 65535",
	"+0   < . 70000:70000(0) ack 1 win 512",
	"+.3  > none",
	"+.301 < . 70000:70000(0) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 65535",
	"+0   < . 70000:70000(0) ack 1 win 512",
	"+.3  > none",
	"drop tcp_out_of_window == 4",
	NULL};

/* ==== SACK and reassembly (RFC 2018) ==== */

/* Out-of-order data is ACKed at once with SACK blocks: the block with the latest segment
 * first, then the most recently reported ones, at most 3 with timestamps. Filling the
 * holes is ACKed at once and delivers exactly the peer's bytes. rcvbuf 8192 (shift 0):
 * the right edge stays at 8193 until the application reads; reading everything then
 * reopens a window of 192 bytes: a window update. */
static const char *const sack_out_of_order[] = {
	"conf rcvbuf 8192",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 0>",
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>",
	"+.09 < . 1001:2001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 8192 <nop,nop,TS val * ecr *,sack 1001:2001>",
	"+.01 < . 3001:4001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 8192 <TS val * ecr *,sack 3001:4001 1001:2001>",
	"+.01 < . 5001:6001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 8192 <TS val * ecr *,sack 5001:6001 3001:4001 1001:2001>",
	"+.01 < . 7001:8001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 8192 <TS val * ecr *,sack 7001:8001 5001:6001 3001:4001>",
	"+.01 < . 2001:3001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 win 8192 <TS val * ecr *,sack 1001:4001 7001:8001 5001:6001>",
	"counter tcp_ooo_queued == 5",
	"app expect-readable 0",
	"+.01 < . 1:1001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 4001 win 4192 <TS val * ecr *,sack 7001:8001 5001:6001>",
	"app expect-readable 4000",
	"+.01 < . 4001:5001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 6001 win 2192 <TS val * ecr *,sack 7001:8001>",
	"+.01 < . 6001:7001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 8001 win 192",
	"app recv 8000",
	"+0   > . 1:1(0) ack 8001 win 8192",
	NULL};

/* Without timestamps, up to 4 SACK blocks. */
static const char *const sack_four_blocks[] = {
	OPEN_NOTS,
	"+.09 < . 1001:2001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <sack 1001:2001>",
	"+.01 < . 3001:4001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <sack 3001:4001 1001:2001>",
	"+.01 < . 5001:6001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <sack 5001:6001 3001:4001 1001:2001>",
	"+.01 < . 7001:8001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <sack 7001:8001 5001:6001 3001:4001 1001:2001>",
	"+.01 < . 9001:10001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <sack 9001:10001 7001:8001 5001:6001 3001:4001>",
	NULL};

/* Reassembly without SACK: overlapping segments are trimmed (first arrival wins), a
 * segment already queued is counted as a duplicate and ACKed, an out-of-order FIN is
 * kept; filling the hole delivers every byte and the FIN (ACK 2502 at once). */
static const char *const reassembly_overlap_fin[] = {
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 512",
	"+.09 < . 1001:1601(600) ack 1 win 512",
	"+0   > . 1:1(0) ack 1",
	"+.01 < . 1301:2001(700) ack 1 win 512",
	"+0   > . 1:1(0) ack 1",
	"+.01 < . 1001:1601(600) ack 1 win 512",
	"+0   > . 1:1(0) ack 1",
	"drop tcp_reass_dup == 1",
	"+.01 < F. 2001:2501(500) ack 1 win 512",
	"+0   > . 1:1(0) ack 1",
	"counter tcp_ooo_queued == 3",
	"app expect-state ESTABLISHED",
	"+.01 < . 1:1001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 2502",
	"app expect-state CLOSE_WAIT",
	"app recv 2500",
	"app recv 100 == 0",
	NULL};

/* ==== Loss recovery (RFC 6675, RFC 6582, RFC 6298) ==== */

/* SACK recovery, newreno: segment 1 of 10 is lost. The first two duplicate ACKs each send
 * a new segment (limited transmit, RFC 3042); the third (IsLost(1): 3000 bytes SACKed
 * above it) retransmits it with flight 12000: cwnd = ssthresh = 6000. SetPipe (1000 for
 * the retransmission + the unSACKed rest): 7000, 6000, then 5000 -> one new segment per
 * further SACK. */
static const char *const sack_recovery[] = {
	"conf cc newreno",
	OPEN_1000_SACK,
	"+.1  app send 20000",
	TEN_SEGMENTS_1000,
	"+.02 < . 1:1(0) ack 1 win 512 <sack 1001:2001>",
	"+0   > . 10001:11001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:3001>",
	"+0   > . 11001:12001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:4001>",
	"+0   > . 1:1001(1000) ack 1",
	"counter tcp_recovery == 1",
	"counter tcp_fast_retrans == 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:5001>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:6001>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:7001>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:8001>",
	"+0   > . 12001:13001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:9001>",
	"+0   > . 13001:14001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:10001>",
	"+0   > . 14001:15001(1000) ack 1",
	"counter tcp_fast_retrans == 1",
	"counter tcp_rto == 0",
	NULL};

/* Compact connections (issue 12): the SACK scoreboard and undo state live in an extension
 * block taken when the first SACK arrives and given back when the recovery is over and
 * nothing is SACKed any more (the full ACK ends it: cwnd = min(ssthresh, flight + mss)
 * lets two segments go, RFC 6582 §3.2 step 3). */
static const char *const sack_recovery_ext[] = {
	"conf cc newreno",
	OPEN_1000_SACK,
	"gauge conn_ext == 0",
	"+.1  app send 15000",
	TEN_SEGMENTS_1000,
	"gauge conn_ext == 0",
	"+.02 < . 1:1(0) ack 1 win 512 <sack 1001:2001>",
	"+0   > . 10001:11001(1000) ack 1",
	"gauge conn_ext == 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:3001>",
	"+0   > . 11001:12001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:4001>",
	"+0   > . 1:1001(1000) ack 1",
	"counter tcp_recovery == 1",
	"gauge conn_ext == 1",
	"+.02 < . 1:1(0) ack 12001 win 512",
	"+0   > . 12001:13001(1000) ack 1",
	"+0   > . 13001:14001(1000) ack 1",
	"gauge conn_ext == 0",
	"+.02 < . 1:1(0) ack 14001 win 512",
	"+0   > . 14001:15001(1000) ack 1",
	"+.02 < . 1:1(0) ack 15001 win 512",
	"gauge conn_ext == 0",
	"counter tcp_ext_nomem == 0",
	NULL};

/* The same loss with cubic: β = 0.7 of min(flight, cwnd) = 10000 (RFC 9438 §4.6), so
 * cwnd = ssthresh = 7000: pipe 8000, 7000, then 6000 -> a new segment. */
static const char *const sack_recovery_cubic[] = {
	"conf cc cubic",
	OPEN_1000_SACK,
	"+.1  app send 20000",
	TEN_SEGMENTS_1000,
	"+.02 < . 1:1(0) ack 1 win 512 <sack 1001:2001>",
	"+0   > . 10001:11001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:3001>",
	"+0   > . 11001:12001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:4001>",
	"+0   > . 1:1001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:5001>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:6001>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:7001>",
	"+0   > . 12001:13001(1000) ack 1",
	"counter tcp_recovery == 1",
	"counter tcp_fast_retrans == 1",
	NULL};

/* NewReno without SACK (RFC 6582): segments 1, 3 and 5 lost. The first two duplicate ACKs
 * each send one new segment (limited transmit, RFC 3042); the third retransmits segment 1
 * (flight 12000: ssthresh 6000, cwnd 9000 with the three segments that left); each partial
 * ACK retransmits the next hole, and deflation keeps new data back (flight 10000 / 8000
 * against cwnd 9000 / 8000). */
static const char *const newreno_partial_acks[] = {
	"conf cc newreno",
	OPEN_1000_NOSACK,
	"+.1  app send 20000",
	TEN_SEGMENTS_1000,
	"+.02 < . 1:1(0) ack 1 win 512",
	"+0   > . 10001:11001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512",
	"+0   > . 11001:12001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512",
	"+0   > . 1:1001(1000) ack 1",
	"counter tcp_recovery == 1",
	"+.02 < . 1:1(0) ack 2001 win 512",
	"+0   > . 2001:3001(1000) ack 1",
	"+.02 < . 1:1(0) ack 4001 win 512",
	"+0   > . 4001:5001(1000) ack 1",
	"counter tcp_fast_retrans == 3",
	"counter tcp_recovery == 1",
	"counter tcp_rto == 0",
	NULL};

/* Peer MSS 1012 with timestamps: segments of exactly 1000 bytes (1012 - 12 for TSopt),
 * SACK and window scaling. The peer's clock (TS val) runs with the script's. */
#define OPEN_1000_TS                                                                       \
	"conf rcvbuf 262144",                                                              \
	"0    app listen 8080",                                                            \
	"0    < S 0:0(0) win 65535 <mss 1012,sackOK,TS val 0 ecr 0,nop,wscale 7>",         \
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 3>", \
	"+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 10 ecr 0>"

/* Regression (t_netem loss-t2p "slow mode"): Eifel (RFC 3522) compares the echoed
 * timestamp with the TSval of the *first* retransmission. Segment 1 is lost, and so is
 * its fast retransmission; segment 13 (12001, sent in recovery beyond the recovery point
 * 12001) is lost too. The lost retransmission is detected (SACKs above it) and NextSeg
 * resends 1 and then 13 at 0.15. The ACK of 1 (ack 12001) ends that recovery, and its new
 * SACK starts the next one at once, which resends 13 again at 0.17. The ACK of 13 then
 * echoes 0.15, the TSval of 13's first retransmission: older than 0.17, but the loss was
 * real, not a reordering. No undo, DupThresh stays 3. (Before the fix: counted as
 * spurious, cwnd restored and DupThresh doubled for good; with small windows the
 * connection then lived on timeouts.) */
static const char *const eifel_head_resent_before_recovery[] = {
	"conf cc newreno",
	OPEN_1000_TS,
	"+.1  app send 40000",
	TEN_SEGMENTS_1000,
	"+.02 < . 1:1(0) ack 1 win 512 <sack 1001:2001,TS val 130 ecr 110>",
	"+0   > . 10001:11001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:3001,TS val 130 ecr 110>",
	"+0   > . 11001:12001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:4001,TS val 130 ecr 110>",
	"+0   > . 1:1001(1000) ack 1",
	"counter tcp_recovery == 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:5001,TS val 130 ecr 110>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:6001,TS val 130 ecr 110>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:7001,TS val 130 ecr 110>",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:8001,TS val 130 ecr 110>",
	"+0   > . 12001:13001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:9001,TS val 130 ecr 110>",
	"+0   > . 13001:14001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:10001,TS val 130 ecr 110>",
	"+0   > . 14001:15001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:11001,TS val 130 ecr 110>",
	"+0   > . 15001:16001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:12001,TS val 130 ecr 110>",
	"+0   > . 16001:17001(1000) ack 1",
	"0.15 < . 1:1(0) ack 1 win 512 <sack 1001:12001 13001:14001,TS val 150 ecr 130>",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > . 17001:18001(1000) ack 1",
	"counter tcp_lost_retrans == 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:12001 13001:15001,TS val 150 ecr 130>",
	"+0   > . 18001:19001(1000) ack 1",
	"+0   < . 1:1(0) ack 1 win 512 <sack 1001:12001 13001:16001,TS val 150 ecr 130>",
	"+0   > . 12001:13001(1000) ack 1",
	"+0   > . 19001:20001(1000) ack 1",
	"0.17 < . 1:1(0) ack 12001 win 512 <sack 13001:17001,TS val 170 ecr 150>",
	"+0   > . 12001:13001(1000) ack 1",
	"counter tcp_recovery == 2",
	"+.001 < . 1:1(0) ack 17001 win 512 <TS val 171 ecr 150>",
	"counter tcp_spurious_recovery == 0",
	"+0   > . 20001:21001(1000) ack 1",
	"0.19 < . 1:1(0) ack 21001 win 512 <TS val 190 ecr 171>",
	"+0   > . 21001:22001(1000) ack 1",
	"+0   > . 22001:23001(1000) ack 1",
	"0.21 < . 1:1(0) ack 23001 win 512 <TS val 210 ecr 190>",
	"+0   > . 23001:24001(1000) ack 1",
	"+0   > . 24001:25001(1000) ack 1",
	"+0   > . 25001:26001(1000) ack 1",
	"+0   > . 26001:27001(1000) ack 1",
	"0.23 < . 1:1(0) ack 23001 win 512 <sack 24001:25001,TS val 230 ecr 210>",
	"+0   > . 27001:28001(1000) ack 1",
	"+0   < . 1:1(0) ack 23001 win 512 <sack 24001:26001,TS val 230 ecr 210>",
	"+0   > . 28001:29001(1000) ack 1",
	"+0   < . 1:1(0) ack 23001 win 512 <sack 24001:27001,TS val 230 ecr 210>",
	"+0   > . 23001:24001(1000) ack 1",
	"counter tcp_recovery == 3",
	"counter tcp_rto == 0",
	NULL};

/* D-SACK (RFC 2883): a duplicate segment is reported as the first SACK block of the ACK
 * it draws, once; the peer can tell its retransmission was needless. */
static const char *const dsack_duplicate[] = {
	"conf no_delack 1",
	OPEN_1000_SACK,
	"+.01 < . 1:1001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1001 <>",
	"+.01 < . 1:1001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1001 <sack 1:1001>",
	"+.01 < . 2001:2501(500) ack 1 win 512",
	"+0   > . 1:1(0) ack 1001 <sack 2001:2501>",
	"+.01 < . 501:1501(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1501 <sack 501:1001,sack 2001:2501>",
	"drop tcp_dup_data == 1",
	NULL};

/* The peer shrinks its window to zero with data outstanding (RFC 9293 §3.8.6, MUST-35):
 * the retransmissions of the head become the probes of a zero window, and while the peer
 * answers them the connection is not timed out (RFC 1122 §4.2.2.17; RFC 9293: "SHOULD NOT
 * time out the connection if data beyond the right window edge is not acknowledged"; as
 * Linux, tcp_retransmit_timer's "receiver dastardly shrinks window"): six answered probes
 * with data_retries 3; then the window opens and the rest goes (the last probe carried
 * 1001:2001). */
static const char *const window_shrunk_to_zero_no_timeout[] = {
	"tolerance 0",
	"conf cc newreno",
	"conf data_retries 3",
	OPEN_1000_NOSACK,
	"+.09 app send 3000",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > . 1001:2001(1000) ack 1",
	"+0   > P. 2001:3001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 0",
	".31  > . 1001:2001(1000) ack 1",
	"+0   < . 1:1(0) ack 1001 win 0",
	".71  > . 1001:2001(1000) ack 1",
	"+0   < . 1:1(0) ack 1001 win 0",
	"1.51 > . 1001:2001(1000) ack 1",
	"+0   < . 1:1(0) ack 1001 win 0",
	"3.11 > . 1001:2001(1000) ack 1",
	"+0   < . 1:1(0) ack 1001 win 0",
	"6.31 > . 1001:2001(1000) ack 1",
	"+0   < . 1:1(0) ack 1001 win 0",
	"12.71 > . 1001:2001(1000) ack 1",
	"+0   < . 1:1(0) ack 1001 win 0",
	"app expect-state ESTABLISHED",
	"+.1  < . 1:1(0) ack 1001 win 512",
	"+0   > P. 2001:3001(1000) ack 1",
	"+.01 < . 1:1(0) ack 3001 win 512",
	"app expect-state ESTABLISHED",
	"counter tcp_timeout == 0",
	NULL};

/* The same with a silent peer: the retransmissions go on past data_retries while the
 * last segment from the peer is at most TCP_RTO_MAX_MS (120 s) old; the first timeout
 * after that ends the connection (as Linux). */
static const char *const window_shrunk_silent_peer[] = {
	"tolerance 0",
	"conf cc newreno",
	"conf data_retries 3",
	OPEN_1000_NOSACK,
	"+.09 app send 2000",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > P. 1001:2001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 0",
	".31  > P. 1001:2001(1000) ack 1",
	".71  > P. 1001:2001(1000) ack 1",
	"1.51 > P. 1001:2001(1000) ack 1",
	"3.11 > P. 1001:2001(1000) ack 1",
	"6.31 > P. 1001:2001(1000) ack 1",
	"12.71 > P. 1001:2001(1000) ack 1",
	"25.51 > P. 1001:2001(1000) ack 1",
	"51.11 > P. 1001:2001(1000) ack 1",
	"102.31 > P. 1001:2001(1000) ack 1",
	"204.71 > R[.] *:*(0) <...>",
	"app expect-closed timeout",
	NULL};

/* Regression (fuzzer): an RTO while the peer's window is shut still retransmits the head
 * segment (RFC 1122 §4.2.2.17: keep probing; Linux does the same), not nothing. */
static const char *const rto_window_shut[] = {
	"conf cc newreno",
	OPEN_1000_NOSACK,
	"+.09 app send 3000",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > . 1001:2001(1000) ack 1",
	"+0   > . 2001:3001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 0",
	"+.2  > . 1001:2001(1000) ack 1",
	"counter tcp_rto == 1",
	NULL};

/* Regression (fuzzer): an RTO with only our FIN outstanding resends the FIN, even when a
 * SACK block claimed it (RFC 9293 §3.8.1, RFC 6298 §5: the earliest unacknowledged
 * segment, a FIN counts). It once sent nothing: the timeout forgot the FIN was out. */
static const char *const rto_fin_sacked[] = {
	"tolerance 0",
	OPEN_1000_SACK,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1",
	"+.01 < . 1:1(0) ack 1 win 512 <sack 0:2>",
	"+.19 > F. 1:1(0) ack 1",
	"counter tcp_rto == 1",
	"+.01 < . 1:1(0) ack 2 win 512",
	"app expect-state FIN_WAIT_2",
	NULL};

/* Data and FIN out, the peer SACKs all but the head (early retransmit resends it): on the
 * RTO the head goes again, the SACKed rest (the FIN with it) does not, and the ACK of
 * everything acknowledges the FIN (going back had forgotten the FIN was sent: the
 * connection stayed in FIN_WAIT_1). */
static const char *const rto_data_fin_sacked[] = {
	"tolerance 0",
	"conf cc newreno",
	OPEN_1000_SACK,
	"+.09 app send 1500",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > P. 1001:1501(500) ack 1",
	"+0   app close",
	"+0   > F. 1501:1501(0) ack 1",
	"+.01 < . 1:1(0) ack 1 win 512 <sack 1001:1502>",
	"+0   > . 1:1001(1000) ack 1",
	"+.2  > . 1:1001(1000) ack 1",
	"counter tcp_rto == 1",
	"+.01 < . 1:1(0) ack 1502 win 512",
	"app expect-state FIN_WAIT_2",
	"+1   > none",
	NULL};

/* Regression (fuzzer): bytes queued beyond a FIN are not data: the FIN ends the stream at
 * its own sequence number. */
static const char *const fin_before_queued_data[] = {
	OPEN_1000_SACK,
	"+.01 < . 1001:1501(500) ack 1 win 512",
	"+0   > . 1:1(0) ack 1 <sack 1001:1501>",
	"+.01 < F. 1:1001(1000) ack 1 win 512",
	"+0   > . 1:1(0) ack 1002 <>",
	"app expect-readable 1000",
	"app expect-state CLOSE_WAIT",
	NULL};

/* RFC 6298: the SYN-ACK is retransmitted 1 s after it was sent, then 2, 4, 8, 16 s
 * (syn_retries 5); at the next expiry the half-open entry goes, silently (as Linux: a RST
 * to an address that never answered tells no one anything). */
static const char *const rto_synack_backoff[] = {
	"tolerance 0",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale *>",
	"1    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1000 ecr 100,nop,wscale *>",
	"3    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 3000 ecr 100,nop,wscale *>",
	"7    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 7000 ecr 100,nop,wscale *>",
	"15   > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 15000 ecr 100,nop,wscale *>",
	"31   > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 31000 ecr 100,nop,wscale *>",
	"62.999 gauge syn_queue == 1",
	"63   > none",
	"gauge syn_rcvd == 0",
	"gauge syn_queue == 0",
	"counter tcp_synq_expired == 1",
	"counter tcp_retrans == 5",
	NULL};

/*
 * SYN cookies (RFC 4987 §3.6), "always": no half-open state. With timestamps the cookie
 * SYN-ACK answers every option and the connection gets them all back from the ACK: the
 * peer's window 512 is scaled by its shift 7, so 2896 bytes go at once.
 */
static const char *const syncookie_ts_options[] = {
	"conf syncookies always",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 100,wscale 3>",
	"gauge syn_rcvd == 0",
	"gauge syn_queue == 0",
	"counter tcp_syncookie_sent == 1",
	"+.01 < . 1:1(0) ack 1 win 512",
	"app expect-state ESTABLISHED",
	"counter tcp_syncookie_ok == 1",
	"counter tcp_passive_open == 1",
	"+.01 app send 2896",
	"+0   > . 1:1449(1448) ack 1",
	"+0   > . 1449:2897(1448) ack 1",
	/* SACK is in use: a block for the second segment is understood (no retransmission
	 * of it once the first is resent on the RTO) */
	"+.01 < . 1:1(0) ack 1 win 512 <sack 1449:2897,TS val 120 ecr 10>",
	"*    > . 1:1449(1448) ack 1",
	"+.01 < . 1:1(0) ack 2897 win 512",
	"+1   > none",
	"counter tcp_retrans == 1",
	NULL};

/* Without timestamps a cookie keeps only the MSS: the SYN-ACK offers no window scaling and
 * no SACK, and the connection runs without them (the window 1000 is not scaled). */
static const char *const syncookie_no_ts[] = {
	"conf syncookies always",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460>",
	"+.01 < . 1:1(0) ack 1 win 1000",
	"app expect-state ESTABLISHED",
	"+.01 app send 2000",
	"+0   > . 1:1001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 1000",
	"+0   > . 1001:2001(1000) ack 1",
	"+.01 < . 1:1(0) ack 2001 win 1000",
	"counter tcp_syncookie_ok == 1",
	NULL};

/* An ACK whose cookie does not validate creates nothing and draws <SEQ=SEG.ACK><CTL=RST>;
 * the right one still works afterwards. */
static const char *const syncookie_bad_ack[] = {
	"conf syncookies always",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460>",
	"0    > S. 0:0(0) ack 1 <mss 1460>",
	"+.01 < . 1:1(0) ack 1025 win 1000",
	"+0   > R 1025:1025(0)",
	"drop tcp_cookie_bad == 1",
	"counter tcp_syncookie_failed == 1",
	"gauge established == 0",
	"+.01 < . 1:1(0) ack 1 win 1000",
	"app expect-state ESTABLISHED",
	NULL};

/* A cookie ACK with data: the connection is created and the data delivered. */
static const char *const syncookie_ack_with_data[] = {
	"conf syncookies always",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 100,wscale *>",
	"+.01 < P. 1:101(100) ack 1 win 512",
	"app expect-state ESTABLISHED",
	"app recv 100",
	"*    > . 1:1(0) ack 101",
	NULL};

/* A half-open entry: an in-window RST that is not exact draws a challenge ACK, the exact
 * one removes the entry; a late ACK then finds only the listener. The challenge ACK is not
 * a SYN: its window is scaled (65535 >> 3), as the peer reads it (found by the fuzzer). */
static const char *const synq_rst[] = {
	"conf syncookies off",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 <mss 1460,wscale 3>",
	"gauge syn_queue == 1",
	"+.01 < R 5:5(0) win 0",
	"+0   > . 1:1(0) ack 1 win 8191",
	"gauge syn_queue == 1",
	"+.01 < R 1:1(0) win 0",
	"gauge syn_queue == 0",
	"counter tcp_rst_rx == 1",
	"+.01 < . 1:1(0) ack 1 win 1000",
	"+0   > R 1:1(0)",
	"gauge established == 0",
	"+5   > none",
	NULL};

/* Simultaneous open (RFC 9293 §3.5): SYN crosses SYN; SYN-ACK; the ACK brings
 * ESTABLISHED and the connected event, also with SYN cookies on (they are for listeners). */
static const char *const simultaneous_open[] = {
	"conf syncookies always",
	"0    app connect 8080",
	"0    > S 0:0(0) <...>",
	"+.01 < S 0:0(0) win 85 <sackOK>",
	"+0   > S. 0:0(0) ack 1 <...>",
	"+.01 < . 1:1(0) ack 1 win 85",
	"app expect-state ESTABLISHED",
	"counter tcp_active_open == 1",
	"+0   < F. 1:1(0) ack 1 win 85",
	"*    > . 1:1(0) ack 2",
	"app expect-state CLOSE_WAIT",
	NULL};

/* Simultaneous open with window scaling, shift 0 on the peer's side, and data queued in
 * SYN_SENT: the ACK that completes the handshake gives the send window (255 bytes), and no
 * more than that is sent (found by the fuzzer over IPv6: 1,220 bytes went into it). */
static const char *const simultaneous_open_window[] = {
	"0    app connect 8080",
	"0    > S 0:0(0) <...>",
	"+.01 < S 0:0(0) win 255 <mss 1460,wscale 0>",
	"+0   > S. 0:0(0) ack 1 <...>",
	"+.01 < P. 1:101(100) ack 1 win 255",
	"app expect-state ESTABLISHED",
	"+0   app send 2000",
	"+0   > . 1:256(255) ack 101",
	"+0   > none",
	NULL};

/* shutdown() in SYN_RCVD (simultaneous open): the FIN waits for the handshake, and the
 * connection is still reported connected (found by the fuzzer: it went to FIN_WAIT_1 at
 * once and the connected event was never delivered). */
static const char *const simultaneous_open_shutdown[] = {
	"0    app connect 8080",
	"0    > S 0:0(0) <...>",
	"+.01 < S 0:0(0) win 8000 <mss 1460>",
	"+0   > S. 0:0(0) ack 1 <...>",
	"+.01 app shutdown",
	"app expect-state SYN_RCVD",
	"+0   > none",
	"+.01 < . 1:1(0) ack 1 win 8000",
	"+0   > F. 1:1(0) ack 1",
	"app expect-state FIN_WAIT_1",
	"counter tcp_active_open == 1",
	"+.01 < . 1:1(0) ack 2 win 8000",
	"app expect-state FIN_WAIT_2",
	NULL};

/* The SYN of connect(): 1, 2, 4, 8, 16 s, then the connection fails without a RST. */
static const char *const rto_syn_backoff[] = {
	"tolerance 0",
	"0    app connect 8080",
	"0    > S 0:0(0) <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale *>",
	"1    > S 0:0(0) <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale *>",
	"3    > S 0:0(0) <mss 1460,sackOK,TS val 3000 ecr 0,nop,wscale *>",
	"7    > S 0:0(0) <mss 1460,sackOK,TS val 7000 ecr 0,nop,wscale *>",
	"15   > S 0:0(0) <mss 1460,sackOK,TS val 15000 ecr 0,nop,wscale *>",
	"31   > S 0:0(0) <mss 1460,sackOK,TS val 31000 ecr 0,nop,wscale *>",
	"62.999 app expect-open",
	"63   > none",
	"app expect-closed timeout",
	"counter tcp_connect_fail == 1",
	NULL};

/* RFC 6298 §5 and Karn (no timestamps): the ACK of a retransmitted segment gives no RTT
 * sample, so the backed-off RTO (400 ms) stays for the next segment (retransmitted at
 * 400 ms, then ACKed: still no sample); the ACK of a segment never retransmitted is a
 * sample: the RTO is computed again (200 ms). */
static const char *const rto_karn_no_ts[] = {
	"tolerance 0",
	OPEN_NOTS,
	"+.09 app send 1000",
	"+0   > P. 1:1001(1000) ack 1",
	".3   > P. 1:1001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 512",
	".4   app send 1000",
	"+0   > P. 1001:2001(1000) ack 1",
	".8   > P. 1001:2001(1000) ack 1",
	"+.01 < . 1:1(0) ack 2001 win 512",
	".9   app send 1000",
	"+0   > P. 2001:3001(1000) ack 1",
	"+.01 < . 1:1(0) ack 3001 win 512",
	"1    app send 1000",
	"+0   > P. 3001:4001(1000) ack 1",
	"1.2  > P. 3001:4001(1000) ack 1",
	NULL};

/* RFC 6298 §5 (5.7): the SYN was retransmitted, so the handshake gave no RTT sample (Karn),
 * and the initial RTO (1 s) is below 3 s: the RTO is re-initialized to 3 s when data
 * transmission begins (as Linux, TCP_TIMEOUT_FALLBACK). */
static const char *const rto_3s_after_syn_retransmit[] = {
	"tolerance 0",
	"0    app connect 8080",
	"0    > S 0:0(0) <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale *>",
	"1    > S 0:0(0) <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale *>",
	"+.02 < S. 0:0(0) ack 1 win 65535 <mss 1000>",
	"+0   > . 1:1(0) ack 1",
	"+.01 app send 1000",
	"+0   > P. 1:1001(1000) ack 1",
	"+3   > P. 1:1001(1000) ack 1",
	NULL};

/* The same after a retransmitted SYN-ACK (passive open). */
static const char *const rto_3s_after_synack_retransmit[] = {
	"tolerance 0",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1000>",
	"0    > S. 0:0(0) ack 1 <mss 1460>",
	"1    > S. 0:0(0) ack 1 <mss 1460>",
	"+.02 < . 1:1(0) ack 1 win 65535",
	"+.01 app send 1000",
	"+0   > P. 1:1001(1000) ack 1",
	"+3   > P. 1:1001(1000) ack 1",
	NULL};

/* RFC 5681 §4.1: after an idle period longer than the RTO, cwnd restarts from no more
 * than the initial window (as Linux, tcp_slow_start_after_idle). cwnd grew to 30 segments;
 * 5 s of silence; a 30000-byte write then goes 10 segments at first. */
static const char *const cwnd_restart_after_idle[] = {
	"conf cc newreno",
	OPEN_1000_SACK,
	"+.1  app send 20000",
	TEN_SEGMENTS_1000,
	"+.02 < . 1:1(0) ack 10001 win 512",
	"+0   > . 10001:11001(1000) ack 1",
	"+0   > . 11001:12001(1000) ack 1",
	"+0   > . 12001:13001(1000) ack 1",
	"+0   > . 13001:14001(1000) ack 1",
	"+0   > . 14001:15001(1000) ack 1",
	"+0   > . 15001:16001(1000) ack 1",
	"+0   > . 16001:17001(1000) ack 1",
	"+0   > . 17001:18001(1000) ack 1",
	"+0   > . 18001:19001(1000) ack 1",
	"+0   > P. 19001:20001(1000) ack 1",
	"+.02 < . 1:1(0) ack 20001 win 512",
	"+5   app send 30000",
	"+0   > . 20001:21001(1000) ack 1",
	"+0   > . 21001:22001(1000) ack 1",
	"+0   > . 22001:23001(1000) ack 1",
	"+0   > . 23001:24001(1000) ack 1",
	"+0   > . 24001:25001(1000) ack 1",
	"+0   > . 25001:26001(1000) ack 1",
	"+0   > . 26001:27001(1000) ack 1",
	"+0   > . 27001:28001(1000) ack 1",
	"+0   > . 28001:29001(1000) ack 1",
	"+0   > . 29001:30001(1000) ack 1",
	"+.01 > none",
	NULL};

/* Data: RTT 10 ms -> RTO 200 ms (the minimum), doubling at each expiry. */
static const char *const rto_data_backoff[] = {
	"tolerance 0",
	OPEN_ALL,
	"+.09 app send 1000",
	"+0   > . 1:1001(1000) ack 1",
	".3   > . 1:1001(1000) ack 1",
	".7   > . 1:1001(1000) ack 1",
	"1.5  > . 1:1001(1000) ack 1",
	"3.1  > . 1:1001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 512",
	"+5   > none",
	"counter tcp_rto == 4",
	"counter tcp_retrans == 4",
	NULL};

/* On RTO, cwnd = 1 MSS and sending restarts from snd_una: one segment, then slow start. */
static const char *const rto_restart_from_snd_una[] = {
	"tolerance 0",
	"conf cc newreno",
	OPEN_1000_SACK,
	"+.09 app send 3000",
	"+0   > . 1:1001(1000) ack 1",
	"+0   > . 1001:2001(1000) ack 1",
	"+0   > . 2001:3001(1000) ack 1",
	"+.2  > . 1:1001(1000) ack 1",
	"+.01 < . 1:1(0) ack 1001 win 512",
	"+0   > . 1001:2001(1000) ack 1",
	"+0   > . 2001:3001(1000) ack 1",
	NULL};

/* data_retries 3: three retransmissions, then at the next expiry a RST and TIMEOUT. */
static const char *const retransmit_limit[] = {
	"tolerance 0",
	"conf data_retries 3",
	OPEN_ALL,
	"+.09 app send 1000",
	"+0   > . 1:1001(1000) ack 1",
	".3   > . 1:1001(1000) ack 1",
	".7   > . 1:1001(1000) ack 1",
	"1.5  > . 1:1001(1000) ack 1",
	"3.1  > R[.] *:*(0) ack 1 <...>",
	"app expect-closed timeout",
	"counter tcp_timeout == 1",
	NULL};

/* Default data_retries (10), and the RTO capped at 120 s: retransmissions at 0.3 ...
 * 204.7 s, the end 120 s later (not 204.8). */
static const char *const retransmit_limit_rto_max[] = {
	"tolerance 0",
	OPEN_ALL,
	"+.09 app send 1000",
	"+0   > . 1:1001(1000) ack 1",
	".3   > . 1:1001(1000) ack 1",
	".7   > . 1:1001(1000) ack 1",
	"1.5  > . 1:1001(1000) ack 1",
	"3.1  > . 1:1001(1000) ack 1",
	"6.3  > . 1:1001(1000) ack 1",
	"12.7 > . 1:1001(1000) ack 1",
	"25.5 > . 1:1001(1000) ack 1",
	"51.1 > . 1:1001(1000) ack 1",
	"102.3 > . 1:1001(1000) ack 1",
	"204.7 > . 1:1001(1000) ack 1",
	"324.7 > R[.] *:*(0) ack 1 <...>",
	"app expect-closed timeout",
	NULL};

/* Persist (RFC 9293 §3.8.6.1): with the peer's window shut and data waiting, probes
 * <SEQ=snd_una-1> go out at RTO, doubling; answered probes keep the connection (6 probes
 * with data_retries 3); data flows when the window opens. */
static const char *const zero_window_probe[] = {
	"tolerance 0",
	"conf rcvbuf 262144",
	"conf data_retries 3",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 0 <nop,nop,TS val 110 ecr 0>",
	"+.09 app send 1000",
	".3   > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	".7   > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	"1.5  > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	"3.1  > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	"6.3  > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	"12.7 > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	"counter tcp_zero_window_probe == 6",
	"app expect-state ESTABLISHED",
	"+.1  < . 1:1(0) ack 1 win 512",
	"+0   > . 1:1001(1000) ack 1",
	"counter tcp_retrans == 0",
	NULL};

/* Persist with losses: the first probe is lost (no answer): the next still comes after
 * twice the interval; the peer's window update is lost: the next probe's answer opens the
 * window and the data goes at once. The answered probes were no losses: the data's own
 * retransmission timer runs from the RTO (200 ms), not the probes' backed-off interval
 * (as Linux, which clears icsk_backoff when the window opens). */
static const char *const zero_window_probe_lost[] = {
	"tolerance 0",
	"conf rcvbuf 262144",
	"0    app listen 8080",
	"0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
	"+.01 < . 1:1(0) ack 1 win 0 <nop,nop,TS val 110 ecr 0>",
	"+.09 app send 1000",
	".3   > . 0:0(0) ack 1",
	".7   > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 0",
	"1.5  > . 0:0(0) ack 1",
	"+0   < . 1:1(0) ack 1 win 512",
	"+0   > P. 1:1001(1000) ack 1",
	"+.2  > P. 1:1001(1000) ack 1",
	"counter tcp_zero_window_probe == 3",
	NULL};

/* ==== Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2) ==== */

/* One segment: ACK 40 ms later. Two full-sized (1460) segments: ACK at the second. Data
 * the application sends carries the pending ACK, and no delayed ACK follows. */
static const char *const delayed_ack[] = {
	"tolerance 0",
	OPEN_NOTS,
	"+.09 < P. 1:101(100) ack 1 win 512",
	"+.04 > . 1:1(0) ack 101",
	"counter tcp_delayed_ack == 1",
	"+.1  < . 101:1561(1460) ack 1 win 512",
	"+.01 < . 1561:3021(1460) ack 1 win 512",
	"+0   > . 1:1(0) ack 3021",
	"+.1  < P. 3021:3121(100) ack 1 win 512",
	"+.01 app send 100",
	"+0   > . 1:101(100) ack 3121",
	"+.1  > none",
	"counter tcp_delayed_ack == 1",
	NULL};

/* The retransmission, delayed-ACK and keepalive timers of a connection share one wheel
 * entry (issue 12, compact connections): all three armed, one pending timer; each still
 * fires on time, in whichever order they are due. */
static const char *const timers_share_one_entry[] = {
	"tolerance 0",
	"conf keepalive 1",
	"conf keepidle_ms 600",
	"conf keepintvl_ms 100",
	OPEN_NOTS,
	"gauge timers == 1",
	"+.09 app send 100",
	"+0   > P. 1:101(100) ack 1",
	"+0   < P. 1:51(50) ack 1 win 512",
	"gauge timers == 1",
	"+.04 > . 101:101(0) ack 51",
	"counter tcp_delayed_ack == 1",
	"gauge timers == 1",
	"*    > P. 1:101(100) ack 51",
	"counter tcp_rto == 1",
	"+.01 < . 51:51(0) ack 101 win 512",
	"gauge timers == 1",
	"+.6  > . 100:100(0) ack 51",
	"counter tcp_keepalive_probe == 1",
	"+0   < . 51:51(0) ack 101 win 512",
	"+.1  > none",
	"gauge timers == 1",
	NULL};

/* delack_ms sets the timeout. */
static const char *const delayed_ack_timeout_conf[] = {
	"tolerance 0",
	"conf delack_ms 100",
	OPEN_NOTS,
	"+.09 < P. 1:101(100) ack 1 win 512",
	"+.1  > . 1:1(0) ack 101",
	NULL};

/* no_delack: every segment is ACKed at once. */
static const char *const delayed_ack_disabled[] = {
	"conf no_delack 1",
	OPEN_NOTS,
	"+.09 < P. 1:101(100) ack 1 win 512",
	"+0   > . 1:1(0) ack 101",
	"+.01 < P. 101:201(100) ack 1 win 512",
	"+0   > . 1:1(0) ack 201",
	"counter tcp_delayed_ack == 0",
	NULL};

/* ==== Nagle (RFC 1122 §4.2.3.4) ==== */

/* A small segment waits while data is unacknowledged, until the ACK or until a full
 * segment can go; TERN_OPT_NODELAY sends at once. */
static const char *const nagle[] = {
	OPEN_NOTS,
	"+.09 app send 100",
	"+0   > . 1:101(100) ack 1",
	"+0   app send 100",
	"+.05 < . 1:1(0) ack 101 win 512",
	"+0   > . 101:201(100) ack 1",
	"+0   app send 100",
	"+0   app send 100",
	"+.05 < . 1:1(0) ack 201 win 512",
	"+0   > . 201:401(200) ack 1",
	"+0   app send 100",
	"+0   app send 1460",
	"+0   > . 401:1861(1460) ack 1",
	"+.05 < . 1:1(0) ack 1861 win 512",
	"+0   > . 1861:1961(100) ack 1",
	"+0   app setopt nodelay 1",
	"+0   app send 100",
	"+0   > . 1961:2061(100) ack 1",
	"+0   app send 100",
	"+0   > . 2061:2161(100) ack 1",
	NULL};

/* A FIN is never held back: held data goes with it (as Linux does). */
static const char *const nagle_fin[] = {
	OPEN_NOTS,
	"+.09 app send 100",
	"+0   > . 1:101(100) ack 1",
	"+0   app send 100",
	"+0   app close",
	"+0   > F. 101:201(100) ack 1",
	NULL};

/* nodelay in the engine configuration. */
static const char *const nagle_off_conf[] = {
	"conf nodelay 1",
	OPEN_NOTS,
	"+.09 app send 100",
	"+0   > . 1:101(100) ack 1",
	"+0   app send 100",
	"+0   > . 101:201(100) ack 1",
	NULL};

/* ==== Timers: keepalive, FIN_WAIT_2, user timeout ==== */

/* RFC 1122 §4.2.3.6: keepidle after the last segment received, a probe
 * <SEQ=snd_una-1>, then every keepintvl; after keepcnt unanswered probes, RST. */
static const char *const keepalive[] = {
	"tolerance 0",
	"conf keepalive 1",
	"conf keepidle_ms 10000",
	"conf keepintvl_ms 1000",
	"conf keepcnt 3",
	OPEN_ALL,
	"10.01 > . 0:0(0) ack 1",
	"11.01 > . 0:0(0) ack 1",
	"12.01 > . 0:0(0) ack 1",
	"13.01 > R[.] 1:1(0) ack 1 <...>",
	"app expect-closed keepalive",
	"counter tcp_keepalive_probe == 3",
	"counter tcp_keepalive_timeout == 1",
	NULL};

/* Per-connection keepalive options; an answered probe restarts the idle time. */
static const char *const keepalive_setopt_answered[] = {
	"tolerance 0",
	OPEN_ALL,
	"+.09 app setopt keepalive 1",
	"+0   app setopt keepidle_ms 2147483648 == -EINVAL", /* timers reach 2^31-1 ms */
	"+0   app setopt keepintvl_ms 2147483648 == -EINVAL",
	"+0   app setopt keepidle_ms 5000",
	"+0   app setopt keepintvl_ms 2000",
	"+0   app setopt keepcnt 2",
	"+.1  < P. 1:101(100) ack 1 win 512",
	"+.04 > . 1:1(0) ack 101",
	"5.2  > . 0:0(0) ack 101",
	"+.01 < . 101:101(0) ack 1 win 512",
	"10.21 > . 0:0(0) ack 101",
	"12.21 > . 0:0(0) ack 101",
	"14.21 > R[.] 1:1(0) ack 101 <...>",
	"app expect-closed keepalive",
	NULL};

/* After close(), FIN_WAIT_2 lasts fin_timeout_ms (from entering it), then RST. */
static const char *const fin_wait_2_timeout[] = {
	"tolerance 0",
	"conf fin_timeout_ms 5000",
	OPEN_ALL,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1",
	"+.01 < . 1:1(0) ack 2 win 512",
	"app expect-state FIN_WAIT_2",
	"gauge fin_wait_2 == 1",
	"5.11 > R[.] 2:2(0) ack 1 <...>",
	"app expect-closed fin-timeout",
	"counter tcp_fin_timeout == 1",
	"gauge fin_wait_2 == 0",
	NULL};

/* After shutdown() there is no FIN_WAIT_2 timeout: the application still reads. */
static const char *const fin_wait_2_after_shutdown[] = {
	"conf fin_timeout_ms 5000",
	OPEN_ALL,
	"+.09 app shutdown",
	"+0   > F. 1:1(0) ack 1",
	"+.01 < . 1:1(0) ack 2 win 512",
	"+10  > none",
	"app expect-state FIN_WAIT_2",
	"+0   < P. 1:101(100) ack 2 win 512",
	"+.04 > . 2:2(0) ack 101",
	"app recv 100",
	"+.01 < F. 101:101(0) ack 2 win 512",
	"+0   > . 2:2(0) ack 102",
	"app expect-closed normal",
	"gauge time_wait == 1",
	NULL};

/* RFC 9293 §3.8.4 user timeout: data unacknowledged for 1 s ends the connection with a
 * RST at 1 s (the RTO is clamped to the user timeout, as in Linux), not at the next RTO
 * (1.5 s). */
static const char *const user_timeout[] = {
	OPEN_ALL,
	"+.09 app setopt user_timeout_ms 1000",
	"+0   app send 1000",
	"+0   > . 1:1001(1000) ack 1",
	".3   > . 1:1001(1000) ack 1",
	".7   > . 1:1001(1000) ack 1",
	"1.1  > R[.] *:*(0) ack 1 <...>",
	"app expect-closed user-timeout",
	"counter tcp_user_timeout == 1",
	NULL};

/* ==== Closing (RFC 9293 §3.6, RFC 2525 §2.17) ==== */

/* close() with unread data: RST at once (before the pending delayed ACK), no FIN. */
static const char *const close_unread_rst[] = {
	OPEN_ALL,
	"+.09 < P. 1:101(100) ack 1 win 512",
	"+.01 app close",
	"+0   > R[.] 1:1(0) ack 101 <...>",
	"counter tcp_rst_unread == 1",
	"app expect-closed any",
	"gauge established == 0",
	"+.1  > none",
	NULL};

/* Data arriving after close() draws a RST and ends the connection. */
static const char *const close_data_after_close_rst[] = {
	OPEN_ALL,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1",
	"+.01 < . 1:1(0) ack 2 win 512",
	"+.01 < P. 1:101(100) ack 2 win 512",
	"+0   > R[.] 2:2(0) ack * <...>",
	"drop tcp_closed_data == 1",
	"app expect-closed any",
	"gauge fin_wait_2 == 0",
	NULL};

/* abort(): RST now with the current sequence numbers, ABORTED; the peer's next segment
 * finds no connection and draws <SEQ=SEG.ACK><CTL=RST>. */
static const char *const close_abort_rst[] = {
	OPEN_ALL,
	"+.09 < P. 1:101(100) ack 1 win 512",
	"+.04 > . 1:1(0) ack 101",
	"+.01 app send 100",
	"+0   > . 1:101(100) ack 101",
	"+.01 < . 101:101(0) ack 101 win 512",
	"+.01 app abort",
	"+0   > R[.] 101:101(0) ack 101 <...>",
	"app expect-closed aborted",
	"counter tcp_rst_tx == 1",
	"gauge established == 0",
	"+.01 < . 101:101(0) ack 101 win 512",
	"+0   > R 101:101(0) <>",
	NULL};

/* Half close, our side: shutdown() sends FIN, send() then fails with EPIPE, receiving
 * continues; the peer's FIN leads to TIME_WAIT while data is still unread, which the
 * application can read before close(). */
static const char *const half_close_local[] = {
	OPEN_ALL,
	"+.09 app shutdown",
	"+0   > F. 1:1(0) ack 1",
	"+0   app send 10 == -EPIPE",
	"+.01 < . 1:1(0) ack 2 win 512",
	"app expect-state FIN_WAIT_2",
	"+.01 < P. 1:1001(1000) ack 2 win 512",
	"+.04 > . 2:2(0) ack 1001",
	"+.01 < F. 1001:1001(0) ack 2 win 512",
	"+0   > . 2:2(0) ack 1002",
	"gauge time_wait == 1",
	"app expect-open",
	"app recv 1000",
	"app recv 10 == 0",
	"app close",
	"app expect-closed normal",
	NULL};

/* Half close, the peer's side: its FIN is ACKed at once, recv() returns 0 after the
 * data, and we keep sending until close(). */
static const char *const half_close_remote[] = {
	OPEN_ALL,
	"+.09 < P. 1:101(100) ack 1 win 512",
	"+.01 < F. 101:101(0) ack 1 win 512",
	"+0   > . 1:1(0) ack 102",
	"app expect-state CLOSE_WAIT",
	"app recv 100",
	"app recv 10 == 0",
	"+.01 app send 1000",
	"+0   > . 1:1001(1000) ack 102",
	"+.01 < . 102:102(0) ack 1001 win 512",
	"app send 1000",
	"+0   > . 1001:2001(1000) ack 102",
	"+.01 < . 102:102(0) ack 2001 win 512",
	"app expect-state CLOSE_WAIT",
	NULL};

/* Active close: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT; a retransmitted FIN is ACKed again
 * and restarts 2*MSL (msl 1 s); the entry expires 2 s after it. */
static const char *const close_active[] = {
	"tolerance 0",
	"conf msl_ms 1000",
	OPEN_ALL,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1",
	"app expect-state FIN_WAIT_1",
	"+.01 < . 1:1(0) ack 2 win 512",
	"app expect-state FIN_WAIT_2",
	"+.01 < F. 1:1(0) ack 2 win 512",
	"+0   > . 2:2(0) ack 2",
	"app expect-closed normal",
	"gauge time_wait == 1",
	"counter tcp_tw_enter == 1",
	"+.5  < F. 1:1(0) ack 2 win 512",
	"+0   > . 2:2(0) ack 2 <...>",
	"counter tcp_tw_ack == 1",
	"2.619 gauge time_wait == 1",
	"2.62 gauge time_wait == 0",
	"counter tcp_tw_expire == 1",
	NULL};

/* Passive close: CLOSE_WAIT, then close(): LAST_ACK, then closed when our FIN is ACKed. */
static const char *const close_passive[] = {
	OPEN_ALL,
	"+.09 < F. 1:1(0) ack 1 win 512",
	"+0   > . 1:1(0) ack 2",
	"app expect-state CLOSE_WAIT",
	"+.01 app close",
	"+0   > F. 1:1(0) ack 2",
	"app expect-state LAST_ACK",
	"+.01 < . 2:2(0) ack 2 win 512",
	"app expect-closed normal",
	"gauge last_ack == 0",
	"gauge time_wait == 0",
	NULL};

/* Simultaneous close: the FINs cross; CLOSING, then TIME_WAIT when ours is ACKed. */
static const char *const close_simultaneous[] = {
	OPEN_ALL,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1",
	"+0   < F. 1:1(0) ack 1 win 512",
	"+0   > . 2:2(0) ack 2",
	"app expect-state CLOSING",
	"+.01 < . 2:2(0) ack 2 win 512",
	"app expect-closed normal",
	"gauge time_wait == 1",
	NULL};

/* FIN_WAIT_1 receiving FIN with the ACK of our FIN: straight to TIME_WAIT. */
static const char *const close_fin_ack_together[] = {
	OPEN_ALL,
	"+.09 app close",
	"+0   > F. 1:1(0) ack 1",
	"+.01 < F. 1:1(0) ack 2 win 512",
	"+0   > . 2:2(0) ack 2",
	"app expect-closed normal",
	"gauge time_wait == 1",
	NULL};

#define S(n)          \
	{             \
#n, n \
	}
static const struct tcp_script scripts[] = {
        S(handshake_passive_all_options),
        S(handshake_passive_no_options),
        S(handshake_passive_some_options),
        S(handshake_passive_sack_only),
        S(handshake_active_options),
        S(handshake_active_peer_without_options),
        S(handshake_options_disabled),
        S(handshake_active_options_disabled),
        S(mss_clamp_peer),
        S(mss_clamp_mtu),
        S(mss_clamp_default_536),
        S(sack_blocks_on_data),
        S(wscale_applied),
        S(wscale_edge_never_left),
        S(timestamps_ts_recent),
        S(timestamps_required),
        S(timestamps_on_rst),
        S(timestamps_in_time_wait),
        S(paws_old_tsval),
        S(paws_wrap),
        S(paws_rst_exempt),
        S(paws_24_days),
        S(rst_exact),
        S(rst_in_window_challenge),
        S(rst_out_of_window),
        S(syn_in_established),
        S(challenge_ack_close_wait_last_ack),
        S(challenge_ack_fin_wait),
        S(syn_fin_established),
        S(syn_sent_unacceptable),
        S(syn_sent_rst_refused),
        S(syn_rcvd_syn_retransmit),
        S(challenge_ack_rate_limit),
        S(syn_paws_challenge_limited),
        S(ack_acceptability),
        S(out_of_window_data),
        S(oow_pure_ack_limited),
        S(zero_rcv_window_ack_taken),
        S(window_update_wl1),
        S(urgent_inline),
        S(sack_out_of_order),
        S(sack_four_blocks),
        S(reassembly_overlap_fin),
        S(sack_recovery),
        S(sack_recovery_ext),
        S(sack_recovery_cubic),
        S(newreno_partial_acks),
        S(eifel_head_resent_before_recovery),
        S(rto_synack_backoff),
        S(simultaneous_open),
        S(simultaneous_open_window),
        S(simultaneous_open_shutdown),
        S(syncookie_ts_options),
        S(syncookie_no_ts),
        S(syncookie_bad_ack),
        S(syncookie_ack_with_data),
        S(synq_rst),
        S(rto_syn_backoff),
        S(rto_data_backoff),
        S(rto_karn_no_ts),
        S(cwnd_restart_after_idle),
        S(rto_3s_after_syn_retransmit),
        S(rto_3s_after_synack_retransmit),
        S(rto_restart_from_snd_una),
        S(retransmit_limit),
        S(retransmit_limit_rto_max),
        S(zero_window_probe),
        S(zero_window_probe_lost),
        S(delayed_ack),
        S(timers_share_one_entry),
        S(delayed_ack_timeout_conf),
        S(delayed_ack_disabled),
        S(nagle),
        S(nagle_fin),
        S(nagle_off_conf),
        S(keepalive),
        S(keepalive_setopt_answered),
        S(fin_wait_2_timeout),
        S(fin_wait_2_after_shutdown),
        S(user_timeout),
        S(close_unread_rst),
        S(close_data_after_close_rst),
        S(close_abort_rst),
        S(half_close_local),
        S(half_close_remote),
        S(close_active),
        S(close_passive),
        S(close_simultaneous),
        S(close_fin_ack_together),
        S(rto_window_shut),
        S(window_shrunk_to_zero_no_timeout),
        S(window_shrunk_silent_peer),
        S(dsack_duplicate),
        S(fin_before_queued_data),
        S(rto_fin_sacked),
        S(rto_data_fin_sacked),
};
#undef S

int
main(void)
{
	return tcp_script_run_group("tcp_rfc", scripts, sizeof(scripts) / sizeof(scripts[0]));
}

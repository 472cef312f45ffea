/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME_WAIT and the reuse of its 4-tuples, one script per rule (docs/TCP.md "TIME_WAIT
 * and reuse"):
 *   - passive reuse, RFC 6191 §2: a SYN reopens a tuple in TIME_WAIT when its timestamp is
 *     newer (or equal with a newer sequence number), or, without timestamps, when its
 *     sequence number is beyond the old FIN; otherwise a rate-limited ACK;
 *   - active reuse: tern_connect() takes a tuple out of TIME_WAIT when the old connection
 *     used timestamps and the entry is older than tw_reuse_ms (1 s);
 *   - the new incarnation's ISN is beyond the old snd_nxt, and its timestamps continue
 *     on the same clock (the script runner checks TSval - time stays constant);
 *   - no_tw_reuse (strict TIME_WAIT), rfc1337 (RSTs ignored), the table cap.
 * Scripts use tests/unit/tcp_script.h ("new" marks a new incarnation's SYN).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "tcp/tcp.h"
#include "tcp_script.h"
#include "test_helpers.h"

/* Passive open with every option (peer TS 100/110), tern closes first: TIME_WAIT at 0.11
 * with TS.Recent 200, rcv_nxt = peer 2, snd_nxt = tern 2 (relative). MSL 30 s. */
#define TW_PASSIVE_TS                                                                             \
	"conf rcvbuf 262144", "0    app listen 8080",                                             \
	        "0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",      \
	        "0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale "  \
	        "3>",                                                                             \
	        "+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>", "+.09 app close",     \
	        "+0   > F. 1:1(0) ack 1 <nop,nop,TS val 100 ecr 110>",                            \
	        "+.01 < F. 1:1(0) ack 2 win 512 <nop,nop,TS val 200 ecr 100>",                    \
	        "+0   > . 2:2(0) ack 2 <nop,nop,TS val 110 ecr 200>", "app expect-closed normal", \
	        "gauge time_wait == 1"

/* The same without timestamps. */
#define TW_PASSIVE_NOTS                                                                      \
	"conf rcvbuf 262144", "0    app listen 8080",                                        \
	        "0    < S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>",                  \
	        "0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 3>",               \
	        "+.01 < . 1:1(0) ack 1 win 512", "+.09 app close", "+0   > F. 1:1(0) ack 1", \
	        "+.01 < F. 1:1(0) ack 2 win 512", "+0   > . 2:2(0) ack 2",                   \
	        "app expect-closed normal", "gauge time_wait == 1"

/* The SYN-ACK and handshake of an accepted new incarnation with every option. */
#define REOPENED_TS(tsval)                                                         \
	"+0   > S. new >2 ack 1 win 65535 <mss 1460,sackOK,TS val 1110 ecr " tsval \
	",nop,wscale 3>",                                                          \
	        "counter tcp_tw_reuse_passive == 1", "gauge time_wait == 0",       \
	        "drop tcp_tw_syn == 0", "+.01 < . 1:1(0) ack 1 win 512",           \
	        "app expect-state ESTABLISHED", "counter tcp_passive_open == 2"

/* The rate-limited ACK of a SYN that may not reopen the tuple; the entry stays. */
#define REFUSED_TS                                                                     \
	"+0   > . 2:2(0) ack 2 <nop,nop,TS val 1110 ecr 200>", "drop tcp_tw_syn == 1", \
	        "counter tcp_challenge_ack == 1", "counter tcp_tw_reuse_passive == 0", \
	        "gauge time_wait == 1", "+1 > none"

/* ==== passive reuse, RFC 6191 §2 ==== */

/* Newer timestamp: reopened; the new ISN is beyond the old snd_nxt, the TSval continues the
 * old clock (1110 at 1.11 s), data flows both ways on the new incarnation. */
static const char *const tw_passive_ts_newer[] = {TW_PASSIVE_TS,
        "+1   < S new 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>",
        REOPENED_TS("1200"), "+.01 < P. 1:101(100) ack 1 win 512", "+0   app recv 100",
        "+0   app send 10", "+0   > P. 1:11(10) ack 101", "+.01 < . 101:101(0) ack 11 win 512",
        NULL};

/* Newer timestamp with an older sequence number: the timestamp decides. */
static const char *const tw_passive_ts_newer_seq_below[] = {TW_PASSIVE_TS,
        "+1   < S new -5000:-5000(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>",
        REOPENED_TS("1200"), NULL};

/* Equal timestamp, sequence number beyond the old FIN: reopened. */
static const char *const tw_passive_ts_equal_seq_above[] = {TW_PASSIVE_TS,
        "+1   < S new 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 200 ecr 0,nop,wscale 7>",
        REOPENED_TS("200"), NULL};

/* Equal timestamp, sequence number below the old FIN: refused. */
static const char *const tw_passive_ts_equal_seq_below[] = {TW_PASSIVE_TS,
        "+1   < S -1000:-1000(0) win 65535 <mss 1460,sackOK,TS val 200 ecr 0,nop,wscale 7>",
        REFUSED_TS, NULL};

/* Older timestamp (PAWS), whatever the sequence number: refused. */
static const char *const tw_passive_ts_older[] = {TW_PASSIVE_TS,
        "+1   < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 150 ecr 0,nop,wscale 7>",
        REFUSED_TS, NULL};

/* The old connection used timestamps, the SYN has none: its sequence number decides. */
static const char *const tw_passive_syn_without_ts_seq_above[] = {TW_PASSIVE_TS,
        "+1   < S new 1000:1000(0) win 65535 <mss 1460,sackOK,nop,wscale 7>",
        "+0   > S. new >2 ack 1 win 65535 <mss 1460,sackOK,wscale 3>",
        "counter tcp_tw_reuse_passive == 1", "+.01 < . 1:1(0) ack 1 win 512",
        "app expect-state ESTABLISHED", NULL};

static const char *const tw_passive_syn_without_ts_seq_below[] = {TW_PASSIVE_TS,
        "+1   < S -1000:-1000(0) win 65535 <mss 1460,sackOK,nop,wscale 7>", REFUSED_TS, NULL};

/* The old connection had no timestamps: a SYN with them is taken (they protect the new
 * incarnation), whatever its sequence number. */
static const char *const tw_passive_old_nots_syn_ts[] = {TW_PASSIVE_NOTS,
        "+1   < S new -1000:-1000(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
        "+0   > S. new >2 ack 1 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 3>",
        "counter tcp_tw_reuse_passive == 1", NULL};

/* Neither has timestamps: the sequence number decides. The peer's first byte beyond the
 * old FIN (relative 2) is the smallest acceptable ISN. */
static const char *const tw_passive_old_nots_seq_above[] = {TW_PASSIVE_NOTS,
        "+1   < S new 2:2(0) win 65535 <mss 1460,sackOK,nop,wscale 7>",
        "+0   > S. new >2 ack 1 win 65535 <mss 1460,sackOK,wscale 3>",
        "counter tcp_tw_reuse_passive == 1", NULL};

static const char *const tw_passive_old_nots_seq_below[] = {TW_PASSIVE_NOTS,
        "+1   < S 1:1(0) win 65535 <mss 1460,sackOK,nop,wscale 7>", "+0   > . 2:2(0) ack 2",
        "drop tcp_tw_syn == 1", "gauge time_wait == 1", NULL};

/* Refused, then what a Linux client does: the ACK does not acknowledge its SYN, so it
 * answers with <SEQ=SEG.ACK><CTL=RST>, which matches rcv_nxt exactly and ends the
 * TIME_WAIT (RFC 9293); its SYN retransmission then opens normally. */
static const char *const tw_passive_refused_then_rst[] = {TW_PASSIVE_TS,
        "+1   < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 150 ecr 0,nop,wscale 7>",
        "+0   > . 2:2(0) ack 2 <nop,nop,TS val 1110 ecr 200>", "+.01 < R 2:2(0) win 0 <>",
        "gauge time_wait == 0", "counter tcp_rst_rx == 1",
        "+1   < S new 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 150 ecr 0,nop,wscale 7>",
        "+0   > S. new >2 ack 1 win 65535 <mss 1460,sackOK,TS val 2120 ecr 150,nop,wscale 3>",
        "counter tcp_tw_reuse_passive == 0", NULL};

/* RFC 1337 option: the same RST is ignored; the entry stays its 2*MSL. */
static const char *const tw_rfc1337_rst_ignored[] = {"conf rfc1337 1", "conf msl_ms 1000",
        TW_PASSIVE_TS, "+.5  < R 2:2(0) win 0 <>", "+0   > none", "gauge time_wait == 1",
        "drop tcp_tw_rst_ignored == 1", "counter tcp_rst_rx == 0", "2.109 gauge time_wait == 1",
        "2.11 gauge time_wait == 0", NULL};

/* A RST not at rcv_nxt never ends a TIME_WAIT (RFC 5961 §3: exact match only). */
static const char *const tw_rst_inexact_dropped[] = {TW_PASSIVE_TS, "+.5  < R 3:3(0) win 0 <>",
        "+0   > none", "gauge time_wait == 1", "drop tcp_tw_segment == 1", NULL};

/* Strict TIME_WAIT (--tw-reuse off): even a newer timestamp is refused. */
static const char *const tw_passive_reuse_off[] = {"conf no_tw_reuse 1", TW_PASSIVE_TS,
        "+1   < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>",
        REFUSED_TS, NULL};

/* The refusal ACKs share the engine's challenge ACK budget (RFC 5961 §7). */
static const char *const tw_passive_refusals_rate_limited[] = {"conf challenge_ack_limit 1",
        TW_PASSIVE_TS,
        "+.5  < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 150 ecr 0,nop,wscale 7>",
        "+0   > . 2:2(0) ack 2 <nop,nop,TS val 610 ecr 200>",
        "+.1  < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 150 ecr 0,nop,wscale 7>",
        "+0   > none", "drop tcp_tw_syn == 2", "counter tcp_challenge_limited == 1", NULL};

/* A SYN with ACK is no new incarnation: refused. */
static const char *const tw_passive_syn_ack_refused[] = {TW_PASSIVE_TS,
        "+1   < S. 1000:1000(0) ack 2 win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>",
        REFUSED_TS, NULL};

/* With cookies always, a reopening SYN still takes a SYN queue entry: a cookie could not
 * carry an ISN beyond the old snd_nxt. */
static const char *const tw_passive_syncookies_always[] = {"conf syncookies always",
        "conf rcvbuf 262144", "0    app listen 8080",
        "0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
        "0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 100,nop,wscale 3>",
        "+.01 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 110 ecr 0>", "+.09 app close",
        "+0   > F. 1:1(0) ack 1 <nop,nop,TS val * ecr 110>",
        "+.01 < F. 1:1(0) ack 2 win 512 <nop,nop,TS val 200 ecr 100>",
        "+0   > . 2:2(0) ack 2 <nop,nop,TS val * ecr 200>", "gauge time_wait == 1",
        "counter tcp_syncookie_sent == 1",
        "+1   < S new 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>",
        "+0   > S. new >2 ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 1200,nop,wscale 3>",
        "counter tcp_syncookie_sent == 1", "gauge syn_queue == 1", "+.01 < . 1:1(0) ack 1 win 512",
        "app expect-state ESTABLISHED", NULL};

/* ==== active reuse ==== */

/* connect() from the only ephemeral port (40000); tern closes first: TIME_WAIT at 0.11. */
#define TW_ACTIVE(peer_opts, ack_opts)                                                            \
	"conf port_lo 40000", "conf port_hi 40000", "0    app connect 8080",                      \
	        "0    > S 0:0(0) win 65535 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 3>",        \
	        "+.01 < S. 0:0(0) ack 1 win 65535 " peer_opts, "+0   > . 1:1(0) ack 1 " ack_opts, \
	        "+.09 app close", "+0   > F. 1:1(0) ack 1", "+.01 < F. 1:1(0) ack 2 win 512",     \
	        "+0   > . 2:2(0) ack 2", "app expect-closed normal", "gauge time_wait == 1"

#define TW_ACTIVE_TS                                                                           \
	TW_ACTIVE("<mss 1460,sackOK,TS val 500 ecr 0,nop,wscale 7>", "<nop,nop,TS val 10 ecr " \
	                                                             "500>")
#define TW_ACTIVE_NOTS TW_ACTIVE("<mss 1460,sackOK,nop,wscale 7>", "<>")

/* Reused once the entry is 1 s old (not a millisecond before); the new SYN's ISN is beyond
 * the old snd_nxt and its TSval continues the clock; the new connection works. */
static const char *const tw_active_reuse[] = {TW_ACTIVE_TS,
        "+.5  app connect 8080 == -EADDRNOTAVAIL", "1.109 app connect 8080 == -EADDRNOTAVAIL",
        "counter tcp_tw_reuse_active == 0", "1.11 app connect 8080",
        "+0   > S new >2 win 65535 <mss 1460,sackOK,TS val 1110 ecr 0,nop,wscale 3>",
        "counter tcp_tw_reuse_active == 1", "gauge time_wait == 0",
        "+.01 < S. new 7000:7000(0) ack 1 win 65535 <mss 1460,sackOK,TS val 2000 ecr "
        "1110,nop,wscale 7>",
        "+0   > . 1:1(0) ack 1 <nop,nop,TS val 1120 ecr 2000>", "app expect-state ESTABLISHED",
        "+0   app send 10", "+0   > P. 1:11(10) ack 1", "+.01 < . 1:1(0) ack 11 win 512", NULL};

/* Without timestamps on the old connection: never reused; after 2*MSL the port is free. */
static const char *const tw_active_no_ts_no_reuse[] = {"conf msl_ms 1000", TW_ACTIVE_NOTS,
        "1.9  app connect 8080 == -EADDRNOTAVAIL", "2.2  gauge time_wait == 0",
        "counter tcp_tw_expire == 1", "+0   app connect 8080",
        "+0   > S new >2 win 65535 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 3>",
        "counter tcp_tw_reuse_active == 0", NULL};

/* Strict TIME_WAIT: no reuse. */
static const char *const tw_active_reuse_off[] = {"conf no_tw_reuse 1", TW_ACTIVE_TS,
        "5    app connect 8080 == -EADDRNOTAVAIL", "counter tcp_tw_reuse_active == 0", NULL};

/* A longer reuse delay. */
static const char *const tw_active_reuse_delay[] = {"conf tw_reuse_ms 5000", TW_ACTIVE_TS,
        "5.1  app connect 8080 == -EADDRNOTAVAIL", "5.11 app connect 8080",
        "+0   > S new >2 win 65535 <mss 1460,sackOK,TS val 5110 ecr 0,nop,wscale 3>",
        "counter tcp_tw_reuse_active == 1", NULL};

/* An explicit local port follows the same rule (EADDRINUSE while it may not). */
static const char *const tw_active_explicit_port[] = {TW_ACTIVE_TS,
        "+.5  app connect 8080 from 40000 == -EADDRINUSE", "1.2  app connect 8080 from 40000",
        "+0   > S new >2 win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 3>",
        "counter tcp_tw_reuse_active == 1", NULL};

/* The table cap (max_tw 1): a second TIME_WAIT recycles the oldest entry early, which
 * frees its port at once. The second connect takes the other port (40001: no active
 * reuse, the last counter says so), a different tuple, so its ISN is any. */
static const char *const tw_cap_recycles_oldest[] = {"conf max_tw 1", "conf port_lo 40000",
        "conf port_hi 40001", "0    app connect 8080",
        "0    > S 0:0(0) win 65535 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 3>",
        "+.01 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>",
        "+0   > . 1:1(0) ack 1 <>", "+.09 app close", "+0   > F. 1:1(0) ack 1",
        "+.01 < F. 1:1(0) ack 2 win 512", "+0   > . 2:2(0) ack 2", "gauge time_wait == 1",
        "+.1  app connect 8080",
        "+0   > S new * win 65535 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 3>",
        "+.01 < S. new 5000:5000(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>",
        "+0   > . 1:1(0) ack 1 <>", "+.09 app close", "+0   > F. 1:1(0) ack 1",
        "+.01 < F. 1:1(0) ack 2 win 512", "+0   > . 2:2(0) ack 2", "gauge time_wait == 1",
        "counter tcp_tw_recycled == 1", "counter tcp_tw_enter == 2", "+.1  app connect 8080",
        "+0   > S new * win 65535 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 3>",
        "counter tcp_tw_reuse_active == 0", NULL};

#define S(n)          \
	{             \
#n, n \
	}
static const struct tcp_script scripts[] = {
        S(tw_passive_ts_newer),
        S(tw_passive_ts_newer_seq_below),
        S(tw_passive_ts_equal_seq_above),
        S(tw_passive_ts_equal_seq_below),
        S(tw_passive_ts_older),
        S(tw_passive_syn_without_ts_seq_above),
        S(tw_passive_syn_without_ts_seq_below),
        S(tw_passive_old_nots_syn_ts),
        S(tw_passive_old_nots_seq_above),
        S(tw_passive_old_nots_seq_below),
        S(tw_passive_refused_then_rst),
        S(tw_rfc1337_rst_ignored),
        S(tw_rst_inexact_dropped),
        S(tw_passive_reuse_off),
        S(tw_passive_refusals_rate_limited),
        S(tw_passive_syn_ack_refused),
        S(tw_passive_syncookies_always),
        S(tw_active_reuse),
        S(tw_active_no_ts_no_reuse),
        S(tw_active_reuse_off),
        S(tw_active_reuse_delay),
        S(tw_active_explicit_port),
        S(tw_cap_recycles_oldest),
};
#undef S

/*
 * The ISN of a new incarnation (RFC 6191 §2): the RFC 6528 clock's when it is already
 * beyond the old snd_nxt (the scripts above: a second later it is), else old snd_nxt +
 * TW_ISN_GAP, e.g. after the old connection sent more than the clock advanced (250,000
 * per second), and across the 2^32 wrap.
 */
static void
next_iss_beyond_old_snd_nxt(void **state)
{
	static const struct test_host h = {.ip = 0x0a000001, .mac = {{2, 0, 0, 0, 0, 1}}};
	struct test_clock clk = {.ns = 5000000000ull};
	struct test_link *l = test_link_new(test_eal_pool(), &clk);
	struct tern_engine *e = test_engine_new(l, 0, &h, NULL, NULL);
	struct flow_key k = {.laddr = h.ip, .raddr = 0x0a000002, .lport = 40000, .rport = 80};
	tern_seq_t isn = tcp_isn(e, &k);
	static const int32_t off[] = {1, 1000, 1 << 20, 0x7fffffff};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		/* old snd_nxt ahead of the clock's ISN: the gap */
		assert_int_equal(tw_next_iss(e, &k, isn + (uint32_t)off[i]),
		        (tern_seq_t)(isn + (uint32_t)off[i] + TW_ISN_GAP));
		/* behind it: the clock's ISN */
		assert_int_equal(tw_next_iss(e, &k, isn - (uint32_t)off[i]), isn);
	}
	assert_int_equal(tw_next_iss(e, &k, isn), (tern_seq_t)(isn + TW_ISN_GAP));
	test_engine_destroy(l, 0);
	test_link_free(l);
}

/*
 * Not TIME_WAIT, but a helper of the same header: the send MSS of a peer whose SYN has no
 * MSS option is 536 over IPv4 and 1220 over IPv6 (RFC 9293 §3.7.1, MUST-15); an announced
 * MSS is clamped to ours of the key's family. (Found by the conformance suite's
 * v6_mss_default_536, which saw 536-byte segments over IPv6.)
 */
static void
default_mss_per_family(void **state)
{
	static struct tcp_engine t;
	struct flow_key k4 = {.laddr = 0x0a000001, .raddr = 0x0a000002, .lport = 80, .rport = 4000};
	struct flow_key k6 = {.laddr = FLOW_L6_GLOBAL, .raddr = 7, .lport = 80, .rport = 4000};
	struct flow_key k6l = {.laddr = FLOW_L6_LINK, .raddr = 7, .lport = 80, .rport = 4000};

	(void)state;
	t.mss = 1460;
	t.mss6 = 1440;
	assert_int_equal(tcp_default_mss(&k4), 536);
	assert_int_equal(tcp_default_mss(&k6), 1220);
	assert_int_equal(tcp_default_mss(&k6l), 1220);
	assert_int_equal(tcp_peer_mss(&t, &k4, 0), 536);
	assert_int_equal(tcp_peer_mss(&t, &k6, 0), 1220);
	assert_int_equal(tcp_peer_mss(&t, &k6l, 0), 1220);
	assert_int_equal(tcp_peer_mss(&t, &k4, 9000), 1460);
	assert_int_equal(tcp_peer_mss(&t, &k6, 9000), 1440);
	assert_int_equal(tcp_peer_mss(&t, &k6, 1300), 1300);
	assert_int_equal(tcp_peer_mss(&t, &k6, 10), 64);
	/* an engine whose IPv6 MTU is 1280 (our MSS 1220): the default fits exactly */
	t.mss6 = 1220;
	assert_int_equal(tcp_peer_mss(&t, &k6, 0), 1220);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(next_iss_beyond_old_snd_nxt),
	        cmocka_unit_test(default_mss_per_family),
	};
	int failed = cmocka_run_group_tests_name("timewait_isn", tests, NULL, NULL);

	return failed +
	       tcp_script_run_group("timewait", scripts, sizeof(scripts) / sizeof(scripts[0]));
}

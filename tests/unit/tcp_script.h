/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Scripted TCP peer, in the spirit of packetdrill (own syntax subset, own parser): a test
 * plays the remote end of one connection against one tern engine on end 0 of the
 * in-memory link (capture mode, auto-ARP), on the fake clock. A script is an array of
 * text lines parsed when it runs; the runner injects the peer's segments, checks every
 * segment tern sends, drives the application side and checks counters. A mismatch fails
 * the cmocka test with the script name, the line number, and the expected and actual
 * segments in script syntax, after a trace of the last lines and segments.
 *
 * Addresses: tern is 10.0.0.1 (02:00:00:00:00:01), the peer 10.0.0.2 (02:00:00:00:00:02).
 *
 * LINES
 *
 *     [TIME] EVENT        // comment ("#" too); blank lines are ignored
 *
 * TIME, on the fake clock, whole milliseconds (script time 0 = engine creation):
 *     1.5      absolute: seconds since time 0
 *     +.04     relative to the previous line's time
 *     (none)   same as +0
 *     *        "> " lines only: whenever the next segment comes out (waits up to 300 s)
 *   Numbers may carry a unit: 40ms, 2s, 5m, 2h, 25d; a plain number is seconds.
 *   Before running an event the clock advances to its time in 1 ms steps, polling the
 *   engine until quiet at each step.
 *
 * HEADER LINES (before any other line; the engine is created at the first other line):
 *     conf FIELD VALUE   a field of struct tern_engine_conf: mtu, rcvbuf, sndbuf, msl_ms,
 *                        rto_min_ms, rto_init_ms, syn_retries, data_retries, cc (name),
 *                        no_wscale, no_timestamps, no_sack, nodelay, delack_ms, no_delack,
 *                        fin_timeout_ms, user_timeout_ms, keepalive, keepidle_ms,
 *                        keepintvl_ms, keepcnt, challenge_ack_limit, reass_segs,
 *                        max_conns, max_tw, synq_size, abort_on_overflow,
 *                        syncookies (auto, always or off), no_tw_reuse, tw_reuse_ms,
 *                        rfc1337, port_lo, port_hi
 *     peer isn N         the peer's ISN (default 0xfffffc00, so that its sequence space
 *                        wraps after 1 KB)
 *     peer port N        the peer's port in passive opens (default 40000)
 *     tolerance N        ms a "> " line's time may be off either way (default 1)
 *
 * SEGMENTS
 *     < FLAGS START:END(LEN) [ack N] [win N] [<OPTIONS>]    the peer sends this
 *     > FLAGS START:END(LEN) [ack N] [win N] [<OPTIONS>]    tern sends this next
 *     > none                                               tern has sent nothing
 *
 *   NEW INCARNATIONS of the tuple (after the first connection is gone, e.g. from
 *   TIME_WAIT): a SYN may carry "new" after its flags.
 *     < S new START:START(0) ...   the peer's new ISN, relative to its old one; peer
 *                                  numbers are relative to the new ISN afterwards
 *     > S[.] new >N ...            tern's new ISN must be above relative N (e.g. the old
 *                                  snd_nxt); tern numbers are relative to it afterwards
 *     > S[.] new * ...             the same with any ISN (a connection on another tuple)
 *   The application side then follows the new connection (a second accept, or a second
 *   "app connect" once the first connection is gone); timestamps keep their clocks.
 *
 *   FLAGS: letters S F R P U E W, and "." for ACK ("S." = SYN+ACK, "." = ACK alone).
 *   When "." is given, "ack N" is required. On "> " lines PSH is only checked when "P"
 *   is written (tern's PSH placement is not part of the contract), and flags written in
 *   brackets are not checked: "R[.]" is a RST with or without ACK (its "ack N", if
 *   given, is checked when the ACK flag is there).
 *   START:END(LEN): sequence numbers relative to the sender's ISN (the peer's for "<",
 *   tern's for ">"), END = START + LEN (SYN and FIN not counted), may be negative.
 *   "ack N": relative to the other side's ISN. "win N": the raw 16-bit header field
 *   (no scaling applied by the runner); "<" default 65535; unchecked on ">" when absent.
 *   A value written "=N" is absolute (not relative): "ack =0", "TS ecr =0".
 *   On "> " lines "*" matches anything: "ack *", "win *", "*" for START:END(LEN), and
 *   "*:*(LEN)" for any sequence number with that length.
 *
 *   Every segment tern sends is checked: IPv4 and TCP checksums, addresses, ports, no
 *   fragment, IP length <= the MTU; with timestamps, TSval - (fake ms at send) must stay
 *   constant (TSval = engine milliseconds + a per-destination offset); with "conf
 *   syncookies always" the SYN-ACK's TSval may be up to 63 ms behind (it carries options).
 *   Payload: the peer's bytes follow a fixed pattern by stream offset (so retransmissions
 *   carry the same bytes); tern's payload must equal what "app send" queued.
 *
 *   OPTIONS: a comma-separated list, order ignored, "nop" and "eol" ignored:
 *     mss N, wscale N, sackOK, TS val V ecr E, sack L:R [L:R ...]
 *   On "> " lines any value may be "*", and the set of options must be exactly the one
 *   listed; "<...>" leaves the options unchecked. Without a list on a "> " line: a
 *   SYN's options are not checked; any other segment must carry exactly
 *   <TS val * ecr *> on a connection that negotiated timestamps, and no option otherwise. Without a
 * list on a "< " line of a connection that negotiated timestamps the runner adds <TS val PEERCLOCK
 * ecr LAST>; "<>" sends no option at all. TS val on "<": the peer's own value (absolute). The peer
 * clock runs at 1 kHz from the first value the script gives; a larger value given later moves it
 * forward. TS val on ">": relative to tern's first TSval. TS ecr on "<": relative to tern's first
 *   TSval (absolute before tern sent one); TS ecr on ">": absolute (the peer's value).
 *   sack blocks: relative to the ISN of the side whose data they describe (tern's on
 *   "<", the peer's on ">"); their order is checked.
 *
 * APPLICATION (the runner's callbacks record the single connection):
 *     app listen PORT             tern_listen()
 *     app connect PORT [from LPORT] [== R]   tern_connect() to the peer, port PORT,
 *                                 from LPORT (0 = ephemeral); R: 0 or -errno
 *     app send N [== R]           queue N pattern bytes; returns N unless "== R"
 *     app recv N [== R]           read N bytes and check them (R: 0 = EOF, -EAGAIN ...)
 *     app shutdown | close | abort [== R]
 *     app setopt NAME VALUE [== R]   nodelay, keepalive, keepidle_ms, keepintvl_ms,
 *                                    keepcnt, user_timeout_ms
 *     app expect-state STATE      ESTABLISHED, FIN_WAIT_2... (CLOSED once it is gone)
 *     app expect-closed REASON    the closed callback came, with this reason (normal,
 *                                 reset, timeout, aborted, user-timeout, keepalive...,
 *                                 or "any")
 *     app expect-open             no closed callback yet
 *     app expect-readable N       tern_conn_readable() == N
 *
 * CHECKS AND CLOCK
 *     counter NAME OP N     engine counter (tern_counter_name), OP: == != < <= > >=
 *     drop NAME OP N        drop reason (tern_drop_name)
 *     gauge NAME OP N       gauge (struct tern_gauges field: time_wait, established...)
 *     jump DURATION         move the fake clock forward at once (one poll at the end)
 *
 * STRICTNESS: every segment tern sends must be matched by a "> " line, in order. A
 * segment still unmatched when a "< ", "app" (other than expect-*) or "jump" line runs,
 * or at the end of the script, fails the test; so does a segment that comes out before
 * its "> " line's time (minus the tolerance), or not by that time plus the tolerance.
 *
 * EXAMPLE
 *     "0    app listen 8080",
 *     "0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
 *     "0    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr 100,nop,wscale *>",
 *     "+.01 < . 1:1(0) ack 1 win 512",
 *     "0.1  < P. 1:1001(1000) ack 1 win 512",
 *     "+.04 > . 1:1(0) ack 1001",
 */
#ifndef TERN_TEST_TCP_SCRIPT_H
#define TERN_TEST_TCP_SCRIPT_H

#include <stddef.h>

/** A named script: @p lines ends with NULL. */
struct tcp_script {
	const char *name;
	const char *const *lines;
};

/**
 * Run @p s inside the current cmocka test; fails the test on the first mismatch. (On
 * failure the engine and link are not freed; use tcp_script_run_group() for suites.)
 */
void tcp_script_run(const struct tcp_script *s);

/**
 * Run each of the @p n scripts as one cmocka test named after the script (setup creates
 * a fresh link, teardown frees it and checks that no mbuf leaked).
 * The environment variable TCP_SCRIPT, when set, selects tests by name (cmocka filter,
 * "*" wildcards).
 * @return the number of failed tests, as cmocka_run_group_tests().
 */
int tcp_script_run_group(const char *group, const struct tcp_script *scripts, size_t n);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-engine counters. Each engine owns a struct tern_stats and bumps it without atomics;
 * readers on other threads (stats line, telemetry) read it racily, which is fine for
 * monotonically increasing 64-bit counters on the platforms DPDK supports.
 *
 * Every packet the engine discards is counted under exactly one drop reason. (Two reasons
 * also count what discards nothing: tcp_syn_retrans, whose SYN's mbuf carries the SYN-ACK,
 * and no_mbuf when the buffer was for the application.)
 */
#ifndef TERN_STATS_H
#define TERN_STATS_H

#include <stdint.h>

/**
 * X-macro of drop reasons: enum name, snake_case name, description. The order is the ABI of the
 * counter array.
 */
#define TERN_DROP_REASONS(X)                                                                       \
	X(ETH_TRUNC, eth_trunc,                                                                    \
	        "frame shorter than an Ethernet header, or a chain that could not be linearized")  \
	X(ETH_NOT_US, eth_not_us, "unicast frame for another MAC, or IPv4 to the broadcast MAC")   \
	X(ETH_TYPE, eth_type,                                                                      \
	        "multicast frame not to a group of ours, or ethertype not IPv4, ARP or (IPv6 on) " \
	        "IPv6")                                                                            \
	X(ARP_BAD, arp_bad,                                                                        \
	        "malformed or unsupported ARP, or a probe / multicast sender for our address")     \
	X(ARP_NOT_US, arp_not_us,                                                                  \
	        "ARP (request or reply) whose target is not one of our addresses")                 \
	X(IP_TRUNC, ip_trunc, "IPv4 header truncated")                                             \
	X(IP_VERSION, ip_version, "IPv4 version field not 4")                                      \
	X(IP_HLEN, ip_hlen, "IPv4 IHL bad")                                                        \
	X(IP_LEN, ip_len, "IPv4 total length disagrees with frame")                                \
	X(IP_CSUM, ip_csum, "IPv4 header checksum bad")                                            \
	X(IP_TTL, ip_ttl, "IPv4 TTL zero")                                                         \
	X(IP_FRAG, ip_frag, "IPv4 fragment (reassembly not supported)")                            \
	X(IP_NOT_US, ip_not_us, "IPv4 destination not our address")                                \
	X(IP_SRC_BAD, ip_src_bad, "IPv4 source is multicast, broadcast, zero, loopback or ours")   \
	X(IP_PROTO, ip_proto, "IP protocol not TCP or ICMP")                                       \
	X(ICMP_BAD, icmp_bad, "ICMP truncated or checksum bad")                                    \
	X(ICMP_TYPE, icmp_type, "ICMP type not handled")                                           \
	X(TCP_TRUNC, tcp_trunc, "TCP header truncated or data offset bad")                         \
	X(TCP_OPT, tcp_opt, "malformed TCP option")                                                \
	X(TCP_CSUM, tcp_csum, "TCP checksum bad")                                                  \
	X(TCP_PORT0, tcp_port0, "TCP port zero")                                                   \
	X(TCP_NO_LISTENER_RST, tcp_no_listener_rst,                                                \
	        "segment to no connection (answered with RST, segment dropped)")                   \
	X(TCP_NO_LISTENER, tcp_no_listener, "RST to no connection (not answered)")                 \
	X(TCP_LISTEN_BAD, tcp_listen_bad,                                                          \
	        "segment to a listener that opens nothing: RST (ignored), ACK outside cookie "     \
	        "checking (answered with RST), no SYN or SYN+FIN")                                 \
	X(TCP_LISTEN_OVERFLOW, tcp_listen_overflow,                                                \
	        "SYN dropped: SYN queue full (listener backlog or pool) and cookies off")          \
	X(TCP_SYN_RETRANS, tcp_syn_retrans,                                                        \
	        "retransmitted SYN of a half-open connection (SYN queue entry or block): SYN-ACK " \
	        "sent again")                                                                      \
	X(TCP_COOKIE_BAD, tcp_cookie_bad,                                                          \
	        "ACK to a listener with an invalid SYN cookie, RST sent")                          \
	X(TCP_COOKIE_STALE, tcp_cookie_stale,                                                      \
	        "ACK to a listener with an expired SYN cookie, RST sent")                          \
	X(TCP_COOKIE_NO_TS, tcp_cookie_no_ts,                                                      \
	        "SYN cookie ACK without the timestamps its SYN had, RST sent")                     \
	X(TCP_CONN_TABLE_FULL, tcp_conn_table_full,                                                \
	        "handshake not completed: no free connection block")                               \
	X(TCP_OUT_OF_WINDOW, tcp_out_of_window,                                                    \
	        "segment not acceptable (RFC 9293 step 1; ACK sent, at most one per 500 ms for "   \
	        "pure ACKs), or data after the peer's FIN")                                        \
	X(TCP_DUP_DATA, tcp_dup_data, "data already received (a retransmission), ACK sent")        \
	X(TCP_BAD_ACK, tcp_bad_ack,                                                                \
	        "ACK of data not yet sent, or in SYN_RCVD an ACK that does not acknowledge our "   \
	        "SYN")                                                                             \
	X(TCP_NO_ACK, tcp_no_ack, "segment without ACK in a synchronized state")                   \
	X(TCP_RCV_POOL_LOW, tcp_rcv_pool_low,                                                      \
	        "data segment dropped: the mbuf pool is down to half its reserve (buffered data "  \
	        "would leave the NIC no mbufs to receive with); the peer resends")                 \
	X(TCP_IO_NOMEM, tcp_io_nomem,                                                              \
	        "data segment dropped: the connection holds no buffers and the engine's heap had " \
	        "no room for them (conn_io); the peer resends")                                    \
	X(TCP_REASS_FULL, tcp_reass_full,                                                          \
	        "out-of-order segment dropped: reassembly queue or pool full, or no extension "    \
	        "block")                                                                           \
	X(TCP_REASS_DUP, tcp_reass_dup, "out-of-order segment already queued, ACK sent")           \
	X(TCP_PAWS, tcp_paws, "segment failed PAWS (RFC 7323 §5.3), ACK sent")                     \
	X(TCP_NO_TS, tcp_no_ts, "segment without timestamps on a timestamp connection")            \
	X(TCP_RST_CHALLENGE, tcp_rst_challenge,                                                    \
	        "in-window RST not at rcv_nxt (RFC 5961 §3), challenge ACK")                       \
	X(TCP_SYN_CHALLENGE, tcp_syn_challenge,                                                    \
	        "SYN in a synchronized state (RFC 5961 §4), challenge ACK")                        \
	X(TCP_ACK_TOO_OLD, tcp_ack_too_old,                                                        \
	        "ACK below snd_una minus the largest window (RFC 5961 §5), ACK sent")              \
	X(TCP_SYN_SENT_BAD, tcp_syn_sent_bad, "bad segment in SYN_SENT")                           \
	X(TCP_ACCEPT_OVERFLOW, tcp_accept_overflow,                                                \
	        "SYN, or final ACK of a handshake, with the accept queue full (dropped or RST)")   \
	X(TCP_SYN_FILTERED, tcp_syn_filtered,                                                      \
	        "SYN refused by the listener's filter (tern_listen_filter), RST sent")             \
	X(TCP_TW_SEGMENT, tcp_tw_segment, "segment to a TIME_WAIT entry (ACKed or dropped)")       \
	X(TCP_TW_SYN, tcp_tw_syn,                                                                  \
	        "SYN to a TIME_WAIT entry not taken as a new incarnation (rate-limited ACK)")      \
	X(TCP_TW_RST_IGNORED, tcp_tw_rst_ignored, "RST in TIME_WAIT ignored (RFC 1337 option)")    \
	X(TCP_CLOSED_DATA, tcp_closed_data,                                                        \
	        "data after the application closed (answered with RST, RFC 2525 §2.17)")           \
	X(ARP_HOLD_FULL, arp_hold_full,                                                            \
	        "packet for an unresolved next hop dropped: its ARP hold queue or the ARP table "  \
	        "was full")                                                                        \
	X(ARP_UNRESOLVED, arp_unresolved,                                                          \
	        "packet held for a next hop that never answered ARP (a SYN_SENT connection "       \
	        "among them ends: no_route)")                                                      \
	X(NO_MBUF, no_mbuf,                                                                        \
	        "no mbuf (or no room in one) for a packet the engine builds or copies")            \
	X(TX_FULL, tx_full, "frame dropped: TX buffer full and the PMD took none of it")           \
	X(TX_TSO_REFUSED, tx_tso_refused,                                                          \
	        "TSO frame the PMD refused 64 flushes in a row, dropped (TCP resends it)")         \
	X(NO_ROUTE, no_route, "no route to destination (off-link and no gateway)")                 \
	X(STEER_RING_FULL, steer_ring_full,                                                        \
	        "frame for another engine dropped: that engine's ring was full")                   \
	X(IP6_TRUNC, ip6_trunc, "IPv6 header truncated")                                           \
	X(IP6_VERSION, ip6_version, "IPv6 ethertype, version field not 6")                         \
	X(IP6_LEN, ip6_len, "IPv6 payload length longer than the frame")                           \
	X(IP6_NOT_US, ip6_not_us,                                                                  \
	        "IPv6 destination neither our address nor a multicast group we joined")            \
	X(IP6_SRC_BAD, ip6_src_bad,                                                                \
	        "IPv6 source multicast, loopback, ours, or unspecified outside DAD")               \
	X(IP6_LOOPED, ip6_looped,                                                                  \
	        "IPv6 frame from our own MAC (a multicast of ours looped back, e.g. another "      \
	        "engine's DAD probe)")                                                             \
	X(IP6_TENTATIVE, ip6_tentative,                                                            \
	        "IPv6 to our address while it is tentative (DAD running) or duplicated")           \
	X(IP6_EXT_TRUNC, ip6_ext_trunc, "IPv6 extension header runs past the payload")             \
	X(IP6_EXT_CHAIN, ip6_ext_chain, "IPv6 extension header chain longer than 8 headers")       \
	X(IP6_EXT_ORDER, ip6_ext_order, "IPv6 Hop-by-Hop Options header not first")                \
	X(IP6_EXT_OPT, ip6_ext_opt,                                                                \
	        "IPv6 option of unknown type whose action bits say discard (RFC 8200 4.2)")        \
	X(IP6_EXT_OPT_LEN, ip6_ext_opt_len, "IPv6 option runs past its extension header")          \
	X(IP6_ROUTING, ip6_routing, "IPv6 Routing header with segments left (we route nothing)")   \
	X(IP6_FRAG, ip6_frag, "IPv6 fragment, not atomic (reassembly not supported)")              \
	X(IP6_NO_NEXT, ip6_no_next, "IPv6 packet whose last Next Header is 59 (no next header)")   \
	X(IP6_PROTO, ip6_proto, "IPv6 upper layer neither ICMPv6 nor TCP")                         \
	X(ICMP6_BAD, icmp6_bad, "ICMPv6 truncated or checksum bad")                                \
	X(ICMP6_TYPE, icmp6_type,                                                                  \
	        "ICMPv6 informational type not handled (echo reply, router messages, MLD, ..)")    \
	X(ICMP6_PTB_BAD, icmp6_ptb_bad,                                                            \
	        "ICMPv6 Packet Too Big whose invoking packet is cut or not ours")                  \
	X(ND_BAD, nd_bad,                                                                          \
	        "Neighbour Solicitation/Advertisement failing RFC 4861 7.1 checks (hop limit, "    \
	        "code, options, target, addresses)")                                               \
	X(ND_NOT_US, nd_not_us,                                                                    \
	        "NS whose target is not ours (or tentative), NA for no cache entry or for our "    \
	        "own address")                                                                     \
	X(ND_HOLD_FULL, nd_hold_full,                                                              \
	        "packet for an unresolved IPv6 next hop dropped: its hold queue or the "           \
	        "neighbour cache was full")                                                        \
	X(ND_UNRESOLVED, nd_unresolved,                                                            \
	        "packet held for an IPv6 next hop that never answered Neighbour Solicitations")    \
	X(NO_ROUTE6, no_route6, "no IPv6 route (off-link, no IPv6 gateway) or no usable source")

/** Drop reasons. */
enum tern_drop {
#define TERN_X_ENUM(n, l, d) TERN_DROP_##n,
	TERN_DROP_REASONS(TERN_X_ENUM)
#undef TERN_X_ENUM
	        TERN_DROP_MAX
};

/** X-macro of event counters: enum name, snake_case name, description. */
#define TERN_COUNTERS(X)                                                                          \
	X(RX_PKTS, rx_pkts, "packets received")                                                   \
	X(RX_BYTES, rx_bytes, "bytes received (frames)")                                          \
	X(TX_PKTS, tx_pkts, "packets sent")                                                       \
	X(TX_BYTES, tx_bytes, "bytes sent (frames)")                                              \
	X(ARP_REQ_RX, arp_req_rx, "ARP requests answered")                                        \
	X(ARP_REQ_TX, arp_req_tx, "ARP requests sent")                                            \
	X(ARP_REPLY_RX, arp_reply_rx, "ARP replies learnt")                                       \
	X(ARP_GLEANED, arp_gleaned,                                                               \
	        "neighbours learnt from a passive open's SYN or final ACK frame (no resolved "    \
	        "entry)")                                                                         \
	X(ICMP_ECHO, icmp_echo, "ICMP echo requests answered")                                    \
	X(TCP_SEG_RX, tcp_seg_rx, "TCP segments received")                                        \
	X(TCP_PREDICTED, tcp_predicted,                                                           \
	        "segments taken by header prediction (the in-order fast path)")                   \
	X(TCP_RX_CONTINUED, tcp_rx_continued,                                                     \
	        "of those, in-order data that continued the burst's previous frame into the "     \
	        "same connection (taken without a flow look-up)")                                 \
	X(TCP_SEG_TX, tcp_seg_tx, "TCP segments sent")                                            \
	X(TCP_RETRANS, tcp_retrans, "TCP segments retransmitted (SYN, SYN-ACK, data, FIN)")       \
	X(TCP_RST_TX, tcp_rst_tx, "RSTs sent")                                                    \
	X(TCP_RST_RX, tcp_rst_rx, "RSTs accepted")                                                \
	X(TCP_PASSIVE_OPEN, tcp_passive_open, "connections accepted")                             \
	X(TCP_ACTIVE_OPEN, tcp_active_open, "connect()s whose handshake completed")               \
	X(TCP_CONNECT_FAIL, tcp_connect_fail,                                                     \
	        "connect() attempts that failed (RST, timeout, no route)")                        \
	X(TCP_TIMEOUT, tcp_timeout, "connections ended by retransmission timeout")                \
	X(TCP_TW_ENTER, tcp_tw_enter, "connections that entered TIME_WAIT")                       \
	X(TCP_TW_EXPIRE, tcp_tw_expire, "TIME_WAIT entries expired after 2MSL")                   \
	X(TCP_TW_RECYCLED, tcp_tw_recycled, "TIME_WAIT entries recycled early (table full)")      \
	X(TCP_TW_ACK, tcp_tw_ack, "segments in TIME_WAIT answered with an ACK")                   \
	X(TCP_TW_REUSE_PASSIVE, tcp_tw_reuse_passive,                                             \
	        "SYNs that reopened a 4-tuple in TIME_WAIT (RFC 6191)")                           \
	X(TCP_TW_REUSE_ACTIVE, tcp_tw_reuse_active,                                               \
	        "connects that reused a 4-tuple held in TIME_WAIT (timestamps, older than "       \
	        "tw_reuse_ms)")                                                                   \
	X(TCP_DATA_RX, tcp_data_rx, "payload bytes received in order (into receive buffers)")     \
	X(TCP_DATA_TX, tcp_data_tx, "payload bytes first sent")                                   \
	X(TCP_RTO, tcp_rto, "retransmission timeouts")                                            \
	X(TCP_RECOVERY, tcp_recovery, "fast recovery episodes (RFC 6675 / RFC 6582)")             \
	X(TCP_FAST_RETRANS, tcp_fast_retrans, "segments retransmitted in fast recovery")          \
	X(TCP_SPURIOUS_RECOVERY, tcp_spurious_recovery,                                           \
	        "recoveries undone: the original arrived (timestamps, RFC 3522)")                 \
	X(TCP_LOST_RETRANS, tcp_lost_retrans,                                                     \
	        "retransmissions found lost again (SACKs of later data), resent at once")         \
	X(TCP_OOO_QUEUED, tcp_ooo_queued, "out-of-order segments queued for reassembly")          \
	X(TCP_EXT_NOMEM, tcp_ext_nomem,                                                           \
	        "connection extension pool empty (conn_ext): SACK given up for the connection, "  \
	        "or an out-of-order segment dropped")                                             \
	X(TCP_CHALLENGE_ACK, tcp_challenge_ack,                                                   \
	        "ACKs sent from the per-second challenge budget (RFC 5961 challenges, SYNs "      \
	        "refused by TIME_WAIT, SYN queue out-of-window answers)")                         \
	X(TCP_CHALLENGE_LIMITED, tcp_challenge_limited,                                           \
	        "challenge ACKs not sent: over the per-second limit")                             \
	X(TCP_DELAYED_ACK, tcp_delayed_ack, "ACKs sent by the delayed ACK timer")                 \
	X(TCP_ZERO_WINDOW_PROBE, tcp_zero_window_probe, "zero window probes sent")                \
	X(TCP_KEEPALIVE_PROBE, tcp_keepalive_probe, "keepalive probes sent")                      \
	X(TCP_KEEPALIVE_TIMEOUT, tcp_keepalive_timeout, "connections ended by keepalive")         \
	X(TCP_FIN_TIMEOUT, tcp_fin_timeout, "connections ended by the FIN_WAIT_2 timeout")        \
	X(TCP_USER_TIMEOUT, tcp_user_timeout, "connections ended by the user timeout")            \
	X(TCP_RST_UNREAD, tcp_rst_unread, "RSTs sent on close with unread data (RFC 2525)")       \
	X(TCP_ACCQ_OVERFLOW, tcp_accq_overflow,                                                   \
	        "final ACKs that found the accept queue full (dropped, or RST with "              \
	        "abort_on_overflow)")                                                             \
	X(TCP_SYNQ_EXPIRED, tcp_synq_expired,                                                     \
	        "half-open connections that timed out (SYN-ACK retransmissions exhausted)")       \
	X(TCP_SYNQ_OVERFLOW, tcp_synq_overflow,                                                   \
	        "SYNs the SYN queue refused (listener backlog or pool full)")                     \
	X(TCP_SYNCOOKIE_SENT, tcp_syncookie_sent, "SYN-ACKs sent with a SYN cookie")              \
	X(TCP_SYNCOOKIE_OK, tcp_syncookie_ok, "connections created from a valid SYN cookie")      \
	X(TCP_SYNCOOKIE_FAILED, tcp_syncookie_failed,                                             \
	        "ACKs to a listener whose SYN cookie did not validate")                           \
	X(NOBUFS_WAIT, nobufs_wait,                                                               \
	        "send or recv_mbuf calls cut short or refused for want of mbufs (the connection " \
	        "waits)")                                                                         \
	X(TCP_ACK_DEFERRED, tcp_ack_deferred,                                                     \
	        "ACKs not sent for want of an mbuf, still owed (the delayed-ACK timer retries)")  \
	X(NOBUFS_WAKEUP, nobufs_wakeup,                                                           \
	        "connections woken when mbufs came back (writable or readable)")                  \
	X(ZC_RX_COPIED, zc_rx_copied, "bytes recv_mbuf copied (a chain cut inside an mbuf)")      \
	X(ZC_TX_SEGS, zc_tx_segs,                                                                 \
	        "data segments sent referring to the send buffer (payload not copied)")           \
	X(ZC_TX_COPIED, zc_tx_copied, "bytes send_mbuf copied (small segments coalesced)")        \
	X(TSO_TX_FRAMES, tso_tx_frames, "TSO frames sent: several full segments the port cuts")   \
	X(TSO_TX_SEGS, tso_tx_segs, "segments inside TSO frames")                                 \
	X(STEER_HANDOFF, steer_handoff,                                                           \
	        "segments that reached this engine but belong to another, handed over its ring")  \
	X(STEER_ENQUEUES, steer_enqueues,                                                         \
	        "ring enqueues (handed-over segments: one per owner per RX burst; ARP and ND "    \
	        "copies: one each)")                                                              \
	X(STEER_RECEIVED, steer_received,                                                         \
	        "segments and ARP / ND copies taken from this engine's ring (handed over to it)") \
	X(STEER_ARP_SHARED, steer_arp_shared,                                                     \
	        "ARP copies enqueued for other engines (one per other engine per frame)")         \
	X(STEER_ND_SHARED, steer_nd_shared,                                                       \
	        "ND copies (NS, NA) enqueued for other engines (one per other engine per frame)") \
	X(ICMP6_ECHO, icmp6_echo, "ICMPv6 echo requests answered")                                \
	X(ICMP6_PTB, icmp6_ptb,                                                                   \
	        "ICMPv6 Packet Too Big taken (an MTU hint given, never below 1280)")              \
	X(ICMP6_ERROR_RX, icmp6_error_rx,                                                         \
	        "ICMPv6 errors received (destination unreachable, time exceeded, parameter "      \
	        "problem, unknown error types): counted, no upper layer to tell yet")             \
	X(ICMP6_ERROR_TX, icmp6_error_tx,                                                         \
	        "ICMPv6 Parameter Problems sent (unknown option to discard with an error, "       \
	        "routing header with segments left)")                                             \
	X(ICMP6_ERROR_LIMITED, icmp6_error_limited,                                               \
	        "ICMPv6 errors not sent: over the per-engine rate (RFC 4443 2.4(f))")             \
	X(ND_NS_RX, nd_ns_rx, "Neighbour Solicitations for our addresses answered")               \
	X(ND_NS_TX, nd_ns_tx, "Neighbour Solicitations sent (resolution, probes, DAD)")           \
	X(ND_NA_RX, nd_na_rx, "Neighbour Advertisements taken into the cache")                    \
	X(ND_NA_TX, nd_na_tx, "Neighbour Advertisements sent")                                    \
	X(ND_MAC_CHANGED, nd_mac_changed, "neighbours whose link-layer address changed")          \
	X(ND_DAD_OK, nd_dad_ok, "IPv6 addresses that passed duplicate address detection")         \
	X(ND_DAD_FAILED, nd_dad_failed,                                                           \
	        "IPv6 addresses found duplicate by DAD (not used; RFC 4862 5.4.5)")               \
	X(TCP6_OPEN, tcp6_open,                                                                   \
	        "connections established over IPv6, passive and active (also in tcp_*_open)")     \
	X(TCP6_SEG_RX, tcp6_seg_rx, "TCP segments received over IPv6 (also in tcp_seg_rx)")       \
	X(TCP6_SEG_TX, tcp6_seg_tx, "TCP segments sent over IPv6 (also in tcp_seg_tx)")           \
	X(TCP6_PTB_MSS, tcp6_ptb_mss, "connections whose MSS a Packet Too Big lowered (RFC 8201)")

/** Event counters. */
enum tern_counter {
#define TERN_X_ENUM(n, l, d) TERN_CTR_##n,
	TERN_COUNTERS(TERN_X_ENUM)
#undef TERN_X_ENUM
	        TERN_CTR_MAX
};

/** Counters of one engine. */
struct tern_stats {
	uint64_t ctr[TERN_CTR_MAX];
	uint64_t drop[TERN_DROP_MAX];
};

/**
 * X-macro of the gauges that add up over engines: name, description.
 * (mbufs_free is apart: the engines of a port share one pool.)
 */
#define TERN_GAUGES(X)                                                      \
	X(listeners, "listening ports")                                     \
	X(syn_sent, "connections in SYN_SENT")                              \
	X(syn_rcvd, "connections in SYN_RCVD (half-open entries included)") \
	X(syn_queue, "half-open entries in the SYN queue")                  \
	X(established, "connections in ESTABLISHED")                        \
	X(fin_wait_1, "connections in FIN_WAIT_1")                          \
	X(fin_wait_2, "connections in FIN_WAIT_2")                          \
	X(closing, "connections in CLOSING")                                \
	X(time_wait, "compact TIME_WAIT entries")                           \
	X(close_wait, "connections in CLOSE_WAIT")                          \
	X(last_ack, "connections in LAST_ACK")                              \
	X(arp_entries, "ARP cache entries")                                 \
	X(nd_entries, "IPv6 neighbour cache entries")                       \
	X(timers, "pending timers")                                         \
	X(reass_segs, "out-of-order segments held for reassembly")          \
	X(conn_ext, "connection extension blocks in use")                   \
	X(conn_io, "connections holding send or receive buffers")           \
	X(accept_queue, "handshakes completed, accepted callback not yet delivered")

/** Gauges: connections by TCP state, and table occupancy. Computed on read. */
struct tern_gauges {
#define TERN_X_FIELD(n, d) uint32_t n;
	TERN_GAUGES(TERN_X_FIELD)
#undef TERN_X_FIELD
	uint32_t mbufs_free; /**< free objects in the engine's pool (shared with other engines) */
};
/** Add the counters of @p s to @p sum. */
void tern_stats_add(struct tern_stats *sum, const struct tern_stats *s);
/** Add the gauges of @p g to @p sum (mbufs_free is taken, not added: one shared pool). */
void tern_gauges_add(struct tern_gauges *sum, const struct tern_gauges *g);

/** Short snake_case name of a drop reason (e.g. "ip_csum"); NULL when out of range. */
const char *tern_drop_name(enum tern_drop d);
/** One-line description of a drop reason; NULL when out of range. */
const char *tern_drop_desc(enum tern_drop d);
/** Short snake_case name of a counter (e.g. "rx_pkts"); NULL when out of range. */
const char *tern_counter_name(enum tern_counter c);
/** One-line description of a counter; NULL when out of range. */
const char *tern_counter_desc(enum tern_counter c);

#endif

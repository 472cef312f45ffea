/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern-gen internals: the run configuration, one worker per engine (its share of the
 * rate, count and concurrency, its counters and latency histograms), and the modes.
 *
 * Each worker is written only by its engine's lcore (from the app tick and the engine's
 * callbacks); the main lcore reads the counters for the progress line (racy by design,
 * like the engine counters) and everything once the engines have stopped.
 */
#ifndef TERN_GEN_GEN_H
#define TERN_GEN_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>

#include "app.h"
#include "hist.h"
#include "http.h"
#include "synopt.h"

struct rte_mbuf;
struct gen_synack;

enum gen_mode {
	GEN_NONE = 0, /**< attacks only (--attack without --mode) */
	GEN_CONNECT,
	GEN_HTTP,
	GEN_SYNFLOOD,
};

/** Kinds of attack stream (--attack KIND:RATE[,...]); attack.c builds their frames. */
enum gen_attack_kind {
	GEN_ATK_SYN,     /**< SYN with an MSS option (the synflood mode's frame) */
	GEN_ATK_SYNREAL, /**< SYN with the options of a Linux, Windows or mobile stack */
	GEN_ATK_ACK,     /**< bare ACK */
	GEN_ATK_RST,     /**< RST */
	GEN_ATK_SYNACK,  /**< SYN-ACK, as a reflector would send to its victim */
	GEN_ATK_MAX
};

#define GEN_MAX_ATTACKS  8 /**< --attack streams in one run */
#define GEN_MAX_PREFIXES 8 /**< source prefixes of one stream */

/** A source block: base | (random & mask); mask 0 = one address. IPv4: host order;
 *  IPv6: network order, the host bits in mask6 (all zero = one address). */
struct gen_prefix {
	uint32_t base;
	uint32_t mask;
	bool v6;
	uint8_t plen6;
	uint8_t base6[16];
	uint8_t mask6[16];
};

/** One attack stream as configured (the same for every engine that runs it). */
struct gen_attack {
	enum gen_attack_kind kind;
	uint64_t rate;  /**< per second over all its engines; 0 = as fast as possible */
	uint64_t count; /**< frames at most (UINT64_MAX = no limit) */
	struct gen_prefix src[GEN_MAX_PREFIXES];
	unsigned nsrc;
	uint16_t sport_lo, sport_hi;
	bool plausible;          /**< ack/rst: 4-tuples of live legitimate connections */
	bool ramp;               /**< the rate grows linearly from 0 to rate (needs --duration) */
	uint8_t mix[GEN_OS_MAX]; /**< syn-real: shares in percent (sum 100) */
	unsigned eng_lo, eng_hi; /**< engines that run it */
	char spec[200];          /**< as given on the command line */
};

/** One attack stream on one engine: its pacing and counters. */
/** A token bucket on the TSC (main.c gen_bucket_*). */
struct gen_bucket {
	double rate; /**< per second; 0 = as fast as possible */
	double rate_per_tsc, tokens, burst;
	uint64_t last; /**< tsc of the last refill */
};

struct gen_stream {
	struct gen_bucket b;
	uint64_t budget;         /**< frames for this engine */
	uint64_t sent;           /**< frames queued on the engine's TX */
	uint64_t no_mbuf;        /**< frames not built: pool empty */
	uint64_t os[GEN_OS_MAX]; /**< syn-real: SYNs sent per stack */
	uint64_t live;           /**< seq=plausible: frames that took a live connection's 4-tuple */
};

/** Why a connection (or an HTTP exchange) failed. Keys of "failures" in the summary. */
#define GEN_FAILS(X)                                                                       \
	X(REFUSED, refused, "the target answered the SYN with a RST")                      \
	X(RESET, reset, "the target reset the connection after the handshake")             \
	X(TIMEOUT, timeout, "not finished within --timeout, or retransmissions exhausted") \
	X(NO_ROUTE, no_route, "the target (or gateway) did not answer ARP, or no route")   \
	X(NO_LOCAL_PORT, no_local_port, "no free ephemeral port (TIME_WAIT: lower --msl)") \
	X(CONN_TABLE_FULL, conn_table_full, "engine connection table full (--max-conns)")  \
	X(BAD_RESPONSE, bad_response, "http: malformed response")                          \
	X(EOF_EARLY, eof_early, "http: the target closed before a complete response")      \
	X(SEND_FAILED, send_failed, "http: the request could not be queued")               \
	X(OTHER, other, "any other ending (keepalive, user timeout, local error)")         \
	X(UNFINISHED, unfinished, "still open when tern-gen stopped (drain time over)")

enum gen_fail {
#define X(e, n, d) GEN_FAIL_##e,
	GEN_FAILS(X)
#undef X
	        GEN_FAIL_MAX
};

const char *gen_fail_name(enum gen_fail f);

/** Connection state kept by a worker: one slot per connection in flight. */
struct gen_conn {
	TAILQ_ENTRY(gen_conn) link; /**< free list, timeout FIFO or idle list */
	struct tern_conn *c;
	uint64_t t_start; /**< tsc: tern_connect(), then each request (keepalive) */
	uint64_t t_req;   /**< tsc: request queued */
	uint8_t where;    /**< which list holds it (enum below) */
	bool connected;
	bool timed_out;
	bool done;              /**< its current work is counted (ok or one failure) */
	bool closing;           /**< tern_conn_close() or _abort() was called */
	bool aborted;           /**< tern_conn_abort() was called */
	uint32_t requests;      /**< requests sent on this connection */
	struct http_resp *resp; /**< http mode */
};
TAILQ_HEAD(gen_conn_list, gen_conn);

enum { GC_FREE = 0, GC_ACTIVE, GC_IDLE, GC_CLOSING };

/** Counters of one worker; summed for the progress line and the summary. */
struct gen_counters {
	uint64_t attempted; /**< connect mode: tern_connect() calls; http: requests started */
	uint64_t connects;  /**< tern_connect() calls */
	uint64_t connected; /**< handshakes completed */
	uint64_t ok;        /**< connect: closed normally; http: complete responses */
	uint64_t failed;
	uint64_t fail[GEN_FAIL_MAX];
	uint64_t requests;   /**< http requests sent */
	uint64_t status[6];  /**< http responses by class: [1] = 1xx ... [5] = 5xx, [0] other */
	uint64_t rx_bytes;   /**< http: response bytes read */
	uint64_t body_bytes; /**< http: body bytes */
	uint64_t sent;       /**< synflood: SYNs queued */
	uint64_t no_mbuf;    /**< synflood: frames not built, pool empty */
	uint64_t inflight;
};

/** What the target sent back, seen by the RX tap (verdict.c); summed like gen_counters. */
struct gen_seen {
	uint64_t synack;         /**< first SYN-ACKs to attack sources (one per tuple and ISN) */
	uint64_t synack_rtx;     /**< the same SYN-ACK again (a retransmission) */
	uint64_t rtx_tuples;     /**< tuples whose SYN-ACK was retransmitted (not cookies) */
	uint64_t synack_ts;      /**< first SYN-ACKs with a timestamp option */
	uint64_t ts_encoded;     /**< ... whose TSval's low bits carry the SYN's options */
	uint64_t rst_spoofed;    /**< RSTs to attack sources */
	uint64_t rst_us;         /**< RSTs to our own address */
	uint64_t other_spoofed;  /**< other segments to attack sources */
	uint64_t synack_foreign; /**< SYN-ACKs to attack sources answering no SYN of this run */
	uint64_t arp_answered;   /**< --proxy-arp replies */
};

#define GEN_STATUS_CODES 600 /**< per-code counts for 100..599 */

struct gen;

struct gen_worker {
	struct gen *g;
	unsigned idx;
	struct tern_engine *e;
	/* share of the run */
	bool legit;      /**< runs the legitimate traffic (--legit-engines) */
	uint64_t budget; /**< connections / requests / SYNs for this worker (UINT64_MAX = none) */
	uint32_t concurrency; /**< connections in flight at most */
	double rate;          /**< per second; 0 = as fast as possible */
	/* pacing (TSC) */
	bool started, resolved, opening, finished;
	uint64_t t_resolve0; /**< first tick: resolving the target's MAC */
	uint64_t t0, t_end, t_stopped, t_drain_end, t_finish, last;
	struct gen_bucket pace; /**< the legitimate traffic's */
	uint64_t next_resolve;  /**< tsc: next ARP request while resolving */
	uint64_t next_open;     /**< tsc: no new connection before (after a local error) */
	/* connections */
	bool warned_ports; /**< the "no free local port" line was printed */
	struct gen_conn *slots;
	struct gen_conn_list free, active, idle;
	struct http_resp *resps;
	uint8_t mac[6]; /**< the target's (next hop's) MAC */
	/* attacks */
	struct gen_stream atk[GEN_MAX_ATTACKS];
	struct gen_seen seen;
	struct gen_synack *synacks; /**< verdict.c: SYN-ACKs seen, by tuple */
	/* results */
	struct gen_counters c;
	uint64_t status_code[GEN_STATUS_CODES];
	struct hist connect_lat; /**< ns: tern_connect() to the connected callback */
	struct hist resp_lat;    /**< ns: request queued to the response complete */
} __rte_cache_aligned;

struct gen {
	enum gen_mode mode;
	uint64_t syn_key;          /**< keys the attack SYNs' sequence numbers (gen_attack_isn()) */
	bool v6;                   /**< the target is IPv6 (--target [X:X::X]:PORT) */
	uint32_t dst;              /**< target, host order (IPv4) */
	uint8_t dst6[16];          /**< target, network order (IPv6) */
	struct tern_addr dst_addr; /**< the target, family-tagged */
	uint16_t dport;
	char target[64];   /**< "A.B.C.D:PORT" or "[X:X::X]:PORT" */
	uint64_t rate;     /**< total per second; 0 = unlimited */
	double duration_s; /**< seconds; 0 = none */
	uint64_t count;    /**< 0 = none */
	uint32_t concurrency;
	uint64_t timeout_ms;
	uint64_t drain_ms;
	bool close_rst; /**< connect mode: end with RST instead of FIN */
	/* http */
	const char *path;
	bool keepalive;
	char request[1024];
	int request_len;
	/* synflood */
	uint32_t src_base;      /**< host order */
	uint32_t src_mask;      /**< bits that vary (0 = fixed --src) */
	struct gen_prefix src6; /**< --src / --src-range of IPv6 (src6.v6 set) */
	char src_desc[64];
	uint16_t sport_lo, sport_hi;
	/* attacks (--attack), and the legitimate traffic's engines */
	struct gen_attack atk[GEN_MAX_ATTACKS];
	unsigned natk;
	unsigned legit_lo, legit_hi; /**< engines of the legitimate traffic */
	unsigned nlegit;             /**< of them that exist */
	unsigned legit_stopped;      /**< legitimate workers done opening (atomic) */
	bool proxy_arp;              /**< answer ARP for the attacks' on-link sources */
	const char *csv_path;        /**< --csv FILE, or NULL */
	/* run */
	struct app *a;
	unsigned nworkers;
	struct gen_worker *w; /**< [nworkers] */
	unsigned finished;    /**< workers done (atomic) */
	uint64_t hz;
	const char *error;     /**< why the run could not start (printed, and in the summary) */
	bool interrupted;      /**< stopped by a signal before the work was done */
	uint8_t target_mac[6]; /**< synflood: shared by the workers once known */
	volatile bool target_mac_known;
	/* progress (main lcore) */
	struct gen_counters prev;
	struct gen_seen prev_seen;
	uint64_t prev_syn, prev_all; /**< attack frames sent, at the previous interval */
	FILE *csv;                   /**< --csv */
	bool csv_started;            /**< its old content cut and the header written */
	uint64_t prev_atk[GEN_MAX_ATTACKS];
	struct hist prev_lat;
	double elapsed;
	uint64_t t_final; /**< tsc: the engines stopped polling */
	struct tern_stats final_stats;
	struct tern_gauges final_gauges;
};

/** Allocate the workers' state (after the engines exist). @return 0 or -ENOMEM. */
int gen_setup_worker(struct gen *g, struct tern_engine *e);
/** Free what gen_setup_worker allocated. */
void gen_free(struct gen *g);

/** Tick of the connect and http modes. */
void gen_conn_tick(struct gen_worker *w, uint64_t now);
/** Send worker @p w's share of every attack stream that is due (attack.c). */
void gen_attack_tick(struct gen_worker *w, uint64_t now);
/** Parse one --attack value into @p at; @return NULL or a one-line error (static text). */
const char *gen_attack_parse(
        struct gen *g, struct gen_attack *at, const char *arg, char *err, size_t errlen);
/** "linux", "windows", "mobile" */
const char *gen_os_name(unsigned os);
/** "syn", "ack", ... */
const char *gen_attack_name(enum gen_attack_kind k);
/** Does @p ip (host order) lie in one of the attacks' source blocks? */
bool gen_attack_source(const struct gen *g, uint32_t ip);
/** Does IPv6 @p ip (network order) lie in one of the attacks' source blocks? */
bool gen_attack_source6(const struct gen *g, const uint8_t ip[16]);
/** "A.B.C.D[/LEN]" or "X:X::X[/LEN]" into @p p (LEN 8..32, or 8..128 for IPv6; a /31
 *  refused). @return NULL or what is wrong. */
const char *gen_prefix_parse(const char *s, struct gen_prefix *p);

/** RX tap (verdict.c): count what the target sends to the attack sources and to us. */
uint16_t gen_rx_tap(unsigned idx, struct rte_mbuf **pkts, uint16_t n, void *app);
/** Allocate worker @p w's SYN-ACK table. @return 0 or -ENOMEM. */
int gen_seen_setup(struct gen_worker *w);
/** What the workers' taps saw, summed. */
void gen_seen_sum(const struct gen *g, struct gen_seen *s);
/** Frames the attack streams of @p kind sent (-1: all kinds; -2: syn and syn-real). */
uint64_t gen_attack_sent(const struct gen *g, int kind);
/** First SYN-ACKs that look like SYN cookies (never retransmitted, TSval encodes). */
uint64_t gen_cookie_like(const struct gen_seen *s);
/** Interval verdict on the progress line (after the rest) and the --csv row. */
void gen_verdict_progress(
        struct gen *g, double secs, const struct gen_counters *c, const struct hist *iv);
/** The verdict line on stderr and the summary's "verdict" object on @p f. */
void gen_verdict_final(struct gen *g, FILE *f, const struct gen_counters *c,
        const struct hist *connect_lat, double open_s);
/** The --csv file's first line. */
extern const char gen_csv_header[];
/** The key of an attack source in the SYN-ACK table and gen_attack_isn(): its IPv4
 *  address, or the xor of an IPv6 address's four words. */
static inline uint32_t
gen_src_key6(const uint8_t ip[16])
{
	uint32_t x[4];

	memcpy(x, ip, sizeof(x));
	return x[0] ^ x[1] ^ x[2] ^ x[3];
}
/** The sequence number of an attack SYN from source key @p src, port @p sport: a keyed hash,
 *  so that a SYN-ACK to an attack source is told from one this run never asked for (the
 *  target's leftovers from an earlier run, sent once --proxy-arp answers for their
 *  address). */
uint32_t gen_attack_isn(const struct gen *g, uint32_t src, uint16_t sport);
/** --csv: the file's old content cut and the header written, once: before the first row, or
 *  at the end of a run without one (not when the set-up failed: an existing file stays as it
 *  was; a missing one is made, empty, when the options are read). */
void gen_csv_start(struct gen *g);

/** Engine callbacks (connect and http). */
extern const struct tern_callbacks gen_callbacks;

/** A worker has nothing more to do: the last one stops the app. */
void gen_worker_finish(struct gen_worker *w, uint64_t now);

/** Set up a token bucket for @p rate per second (0 = unlimited), from TSC @p now, that
 *  banks at most @p bank_ms of tokens. */
void gen_bucket_init(
        struct gen_bucket *b, double rate, unsigned bank_ms, uint64_t hz, uint64_t now);
/** Per-tick pacing: how many operations may start now (at most @p max). */
unsigned gen_bucket_take(struct gen_bucket *b, uint64_t now, unsigned max);
/** Give back @p n tokens that gen_bucket_take granted but could not be used. */
void gen_bucket_unused(struct gen_bucket *b, unsigned n);
/** Legitimate traffic: gen_bucket_take within the worker's budget, while opening. */
unsigned gen_pace(struct gen_worker *w, uint64_t now, unsigned max);

#endif

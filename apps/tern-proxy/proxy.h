/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside tern-proxy: the state its files share and how they call each other.
 *
 *   main.c    options, --help, main()
 *   config.c  backend lists, the pool's slots and snapshots, client rules, --config, SIGHUP
 *   splice.c  pairs: backend choice, connect, splice, timeouts, the SYN filter, drain
 *   check.c   active health checks (engine 0's connections)
 *   report.c  the stats line, the final lines, --metrics
 *   pool.c, health.c, pp.c   pure functions (unit-tested)
 */
#ifndef TERN_PROXY_H
#define TERN_PROXY_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <rte_mbuf.h>

#include "app.h"
#include "health.h"
#include "pool.h"
#include "pp.h"

#define MAX_BACKENDS POOL_MAX
/** Backends known in one run: a pool has at most MAX_BACKENDS, reloads add slots. */
#define MAX_SLOTS    256
/** Most --allow (and --deny) rules. */
#define MAX_RULES    64

/**
 * A backend slot: one IP:PORT, for the whole run (pairs, counters and health refer to
 * backends by slot, so that a reload that keeps a backend keeps its figures and pairs).
 */
struct backend {
	struct tern_addr addr; /**< IPv4 or IPv6 */
	uint16_t port;
	enum pp_version pp; /**< PROXY protocol header it gets (as last configured) */
	uint32_t weight;    /**< as last configured */
	bool in_pool;       /**< in the current pool */
	char name[80];      /* A.B.C.D:PORT or [X:X::X]:PORT */
};

/** A backend as the options give it. */
struct be_spec {
	struct tern_addr addr; /**< IPv4 or IPv6 */
	uint16_t port;
	uint32_t weight;
	enum pp_version pp;
	bool pp_given; /**< pp from the entry's /v1|/v2|/none, not --proxy-protocol */
	char name[80];
};

/** The list of backends from the options (CLI, or a configuration file). */
struct be_list {
	unsigned n;
	struct be_spec be[MAX_BACKENDS];
};

/**
 * The pool the engines choose from: immutable once published (px->pool); an engine adopts a
 * new one at its next tick. Older ones are kept until exit (reloads are rare).
 */
struct pool_cfg {
	unsigned n;
	uint16_t slot[MAX_BACKENDS];
	uint32_t weight[MAX_BACKENDS];
	uint64_t key[MAX_BACKENDS]; /**< Maglev: a hash of the backend's name */
	enum pp_version pp[MAX_BACKENDS];
	struct pool_cfg *older;
};

/** One backend as seen by one engine. */
struct be_state {
	uint64_t conns;      /**< connections established */
	uint64_t failures;   /**< connects refused, timed out or unroutable */
	uint64_t bytes_to;   /**< bytes from clients to it */
	uint64_t bytes_from; /**< bytes from it to clients */
	uint32_t active;     /**< open connections to it (connecting included) */
	bool down;
	uint64_t retry_ms; /**< down: not chosen before this engine time */
	uint32_t hc_gen;   /**< down: health_up_gen[] when it went down */
};

struct pair;
TAILQ_HEAD(pair_q, pair);

/** Per-engine state. */
struct eng {
	struct be_state be[MAX_SLOTS];
	const struct pool_cfg *pool; /**< the pool this engine chooses from */
	int64_t swrr[MAX_BACKENDS];  /**< smooth weighted round robin state, per member */
	uint8_t *maglev;             /**< --lb maglev: lookup table (POOL_MAGLEV_M) */
	uint64_t maglev_members;     /**< the members it was built over */
	bool maglev_built;
	uint32_t maglev_next[MAX_BACKENDS];
	unsigned rr;
	struct pair_q connq;  /**< connecting, oldest first */
	struct pair_q idleq;  /**< spliced, least recently active first */
	struct pair_q portq;  /**< waiting for a local port (or connection block), FIFO */
	uint64_t port_try_ms; /**< when the head of portq was last retried */
	uint64_t port_waits;  /**< clients that had to wait for a local port */
	uint64_t clients;     /**< accepted */
	uint64_t rejected;    /**< reset: no backend left to try */
	uint64_t connect_timeouts, idle_timeouts, resets;
	uint32_t active;        /**< pairs alive */
	uint64_t refused_acl;   /**< SYNs refused by --allow / --deny */
	uint64_t refused_limit; /**< SYNs (or accepts) refused by --max-per-client */
	struct pair_q allq;     /**< every pair (the drain's reset walks it) */
	bool drain_started;     /**< the listener is closed */
	uint64_t drain_until;   /**< pairs still open then are reset */
	uint64_t drain_open;    /**< pairs open when the drain began */
	uint64_t drain_reset;   /**< pairs reset at the drain's end */
	uint64_t stop_reset;    /**< pairs reset by a stop (SIGINT, a second signal) */
	uint8_t drained;        /**< draining and no pair left (the main lcore reads it) */
};

enum { C2B = 0, B2C = 1 };

/** What a connection's udata points to: the first byte of either says which. */
enum obj_kind { OBJ_PAIR = 0, OBJ_PROBE = 1 };

struct pair {
	uint8_t kind; /**< OBJ_PAIR */
	struct tern_conn *cli, *be;
	struct eng *g;
	int bi;                         /**< backend (slot) of be, -1 none */
	enum pp_version pp;             /**< PROXY protocol of that backend */
	uint64_t tried[MAX_SLOTS / 64]; /**< backends tried for this client (bit per slot) */
	uint64_t t_start;               /**< connect started (ms) */
	uint64_t t_active;              /**< last data moved (ms) */
	struct rte_mbuf *pend[2];       /**< chain the destination refused, per direction */
	bool connecting;
	bool in_connq, in_idleq, in_portq;
	uint64_t t_wait; /**< waiting for a local port since (ms) */
	int want;        /**< ... for this backend (slot), chosen once; -1 none */
	bool be_timeout; /**< be aborted by the connect timeout */
	bool eof[2];     /**< the source of a direction sent its FIN (read to EOF) */
	bool shut[2];    /**< ... and the FIN was passed on (shutdown of the destination) */
	bool closing;    /**< both directions done: both connections closed */
	uint8_t hdr_len, hdr_off; /**< PROXY protocol header: length, bytes sent */
	uint8_t hdr[PP_HDR_MAX];  /**< ... sent on be before any byte of the client's */
	bool in_allq;
	bool counted;           /**< in px->clients (--max-per-client) */
	struct pool_addr caddr; /**< the client's address */
	TAILQ_ENTRY(pair) connq, idleq, portq, allq;
};

/** A health check in flight (engine 0's). */
struct probe {
	uint8_t kind; /**< OBJ_PROBE */
	struct tern_conn *c;
	unsigned slot;
	uint64_t t_start;
	bool done;      /**< its result is counted */
	bool timed_out; /**< aborted by --health-timeout */
	uint8_t got;    /**< bytes of the answer in buf */
	char buf[16];   /**< "HTTP/1.x NNN " */
};

/** A backend's health checks: engine 0 only, but for down (health_down[]) */
struct hc_slot {
	struct hc_track t;
	struct probe *probe; /**< in flight, or NULL */
	uint64_t next_ms;    /**< next check due (engine 0's clock) */
	uint64_t checks, failed;
};

enum lb { LB_RR, LB_LEAST, LB_MAGLEV };

struct proxy {
	uint16_t port;
	struct backend be[MAX_SLOTS]; /**< slots 0..nslots-1 */
	unsigned nslots;
	struct pool_cfg *pool; /**< current pool (written by the main lcore, engines read) */
	struct be_list cli_be; /**< --backend */
	enum lb lb;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms; /**< 0 = none */
	uint32_t retry_down_ms;
	enum pp_version pp; /**< --proxy-protocol: for backends without their own */
	struct hc_conf hc;  /**< --health-check and its timing */
	struct hc_slot hcs[MAX_SLOTS];
	uint8_t health_down[MAX_SLOTS];    /**< 1: the checks say down (engine 0 writes) */
	uint32_t health_up_gen[MAX_SLOTS]; /**< times the checks brought it up (engine 0) */
	uint64_t hc_scan_ms;               /**< engine 0: last look at the checks */
	uint32_t drain_timeout_ms;         /**< SIGTERM / SIGQUIT: open pairs get this long */
	const char *config;                /**< --config FILE, or NULL */
	char *config_text;   /**< its text as read at start: options keep pointers into it */
	char *settings;      /**< its lines other than backend, "NAME VALUE\n" (config.c) */
	size_t settings_len; /**< ... their length */
	int argc;            /**< the app's command line (after the EAL's), for a reload's check */
	char **argv;
	uint32_t buffer; /**< --buffer, 0 = not given */
	/* clients: --allow / --deny (deny wins; with an allow list, only those), limit */
	struct pool_cidr allow[MAX_RULES], deny[MAX_RULES];
	unsigned nallow, ndeny;
	uint32_t max_per_client;      /**< 0 = no limit */
	struct pool_clients *clients; /**< connections per client address (every engine) */
	struct be_list file_be;       /**< the backends of the file */
	/** Open connections to each backend over every engine (atomic), kept only with --lb
	 *  least-conn, which compares them (each engine's own would balance each engine, not
	 *  the backends): the one state engines share per connection, and only in that mode. */
	uint32_t be_active[MAX_SLOTS];
	struct eng eng[RTE_MAX_LCORE];
	const struct app *a;
};

/** The proxy (one, for the callbacks, ticks and hooks; engines only touch their eng). */
extern struct proxy *px;

static inline struct eng *
eng_of(struct tern_engine *e)
{
	return &px->eng[tern_engine_id(e)];
}

/** getopt_long values of the options without a char. */
enum {
	OPT_HEALTH_CHECK = APP_OPT_COMMON_END,
	OPT_HEALTH_INTERVAL,
	OPT_HEALTH_TIMEOUT,
	OPT_HEALTH_RISE,
	OPT_HEALTH_FALL,
	OPT_DRAIN_TIMEOUT,
	OPT_CONFIG,
	OPT_ALLOW,
	OPT_DENY,
	OPT_MAX_PER_CLIENT,
};

/* main.c */
extern const struct option proxy_longopts[];
/* The proxy's option @p opt with its argument (from the command line or the file); backends
 * go to @p bl. A bad value exits with the one-line error. */
void apply_opt(struct app *a, struct proxy *p, int opt, const char *arg, struct be_list *bl);

/* config.c */
int parse_backends(struct be_list *l, const char *arg, char *err, size_t errlen);
int check_backends(const struct app *a, const struct be_list *l, char *err, size_t errlen);
int check_pool_size(
        const struct be_list *file, const struct be_list *cli, char *err, size_t errlen);
int pool_publish(const struct be_list *file, const struct be_list *cli);
void parse_rules(const struct app *a, const char *opt, const char *arg, struct pool_cidr *rules,
        unsigned *n);
void read_config(struct app *a, const char *path);
void proxy_reload(struct app *a);

/* splice.c */
extern const struct tern_callbacks proxy_callbacks;
int proxy_setup(struct tern_engine *e, void *app);
void proxy_tick(struct tern_engine *e, unsigned idx, void *app);

/* check.c */
void probe_connected(struct probe *pr);
void probe_readable(struct probe *pr);
void probe_closed(struct probe *pr, enum tern_close_reason why);
void health_tick(struct tern_engine *e, struct eng *g, uint64_t now);

/* report.c */
void stats_extra(const struct app *a, FILE *out, double secs, bool final);
void proxy_metrics(const struct app *a, FILE *out);
void final_summary(const struct app *a);
void drain_summary(const struct app *a);
/** struct app's stopping hook: the pairs still open are about to be reset (counted). */
void proxy_stopping(struct tern_engine *e, unsigned idx, void *app);

#endif

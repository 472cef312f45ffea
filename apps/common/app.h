/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What every tern app shares: the common options of the CLI contract, port and engine
 * set-up, one engine per lcore, the periodic stats line, signal handling, telemetry.
 * The one header apps include; opts.c, launch.c, engines.c, stats.c and signals.c implement
 * it (app_int.h is how they call each other).
 */
#ifndef TERN_APP_H
#define TERN_APP_H

#include <getopt.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include <tern/port.h>
#include <tern/tern.h>

/** --poll-mode: how an engine's lcore polls (idle.h). */
enum app_poll_mode {
	APP_POLL_AUTO,    /**< backoff on a virtual port, busy on a PCI NIC (the default) */
	APP_POLL_BUSY,    /**< poll without rest: lowest latency, one whole CPU per engine */
	APP_POLL_BACKOFF, /**< rest after empty polls (pause, then sleeps up to idle_sleep_us) */
};

/** Options every app takes. */
struct app_opts {
	uint32_t ip;
	uint8_t prefix_len;
	uint32_t gw;
	bool has_ip6;    /**< --ip given an IPv6 ADDR/LEN */
	uint8_t ip6[16]; /**< network order */
	uint8_t prefix6_len;
	bool has_gw6; /**< --gw given an IPv6 address */
	uint8_t gw6[16];
	bool has_ip4, has_gw4; /**< --ip / --gw given an IPv4 address (each at most once) */
	uint32_t msl_ms;
	unsigned stats_interval; /**< seconds; 0 = no stats line */
	uint32_t max_conns;
	uint32_t conn_ext; /**< 0 = the engine's default */
	uint32_t mbufs;
	bool no_offload;
	bool no_tso;
	/* TCP (see struct tern_engine_conf and docs/TCP.md) */
	const char *cc;
	bool nodelay, no_sack, no_timestamps, no_wscale, keepalive, abort_on_overflow;
	uint32_t delack_ms; /**< 0 = ACK every segment (tern_engine_conf.no_delack) */
	uint32_t rcvbuf, sndbuf, fin_timeout_ms, user_timeout_ms;
	uint32_t keepidle_ms, keepintvl_ms, keepcnt;
	enum tern_syncookies syncookies;
	uint32_t synq_size;
	uint8_t syn_retries;
	/* TIME_WAIT */
	bool no_tw_reuse, rfc1337;
	uint32_t tw_reuse_ms, max_tw;
	/* --key-file (keyfile.h): the ISN and timestamp key kept across restarts */
	const char *key_file;  /**< NULL = none: a random key per engine, as before */
	uint64_t clock_key[2]; /**< read (or made) by app_run() */
	/* active opens (docs/TCP.md "Port allocation") */
	uint16_t port_lo, port_hi;          /**< --port-range; 0 = the engine's default */
	uint32_t src_ips[TERN_MAX_SRC_IPS]; /**< --src-ip */
	uint8_t nsrc_ips;
	/* --metrics (metrics.c): Prometheus text on a local TCP address; port 0 = none */
	uint32_t metrics_ip;
	uint16_t metrics_port;
	/* polling (idle.h) */
	enum app_poll_mode poll_mode;
	uint32_t idle_sleep_us; /**< --idle-sleep-us: longest idle sleep (default 1000) */
};

/** An app: fill name, usage, cb, app, setup; then app_run(). */
struct app {
	const char *name;
	struct app_opts o;
	const struct tern_callbacks *cb;
	void *app; /**< passed to callbacks */
	/** Called once per engine before polling starts (e.g. tern_listen). */
	int (*setup)(struct tern_engine *e, void *app);
	/** Extra text for the ready line (e.g. "listening on port 7"). */
	const char *ready_msg;
	/**
	 * Optional: called on an engine's lcore after each of its polls, with the engine's
	 * index (0..nengines-1). Client apps open connections or send from here; the same
	 * rules as in a callback apply (only this engine and its connections).
	 */
	void (*tick)(struct tern_engine *e, unsigned idx, void *app);
	/**
	 * Optional: called on the main lcore every --stats-interval instead of the stats
	 * line (@p secs since the previous call), and once with @p final after the engines
	 * stopped polling and before they are destroyed.
	 */
	void (*progress)(struct app *a, double secs, bool final);
	/**
	 * Optional: append the app's own counters to the stats line and the final line
	 * (e.g. " | requests 12 (12/s)"), on the main lcore; @p secs as for progress.
	 */
	void (*stats_extra)(const struct app *a, FILE *out, double secs, bool final);
	/**
	 * Optional: append the app's own metric families to a --metrics scrape (Prometheus
	 * text format, app_metric_head() before each family's samples). Runs on the metrics
	 * control thread while the engines poll: read the app's per-engine counters as the
	 * stats line does (racy reads of values that only their engine writes).
	 */
	void (*metrics)(const struct app *a, FILE *out);
	/**
	 * Optional: called on the main lcore after SIGHUP (the signal only sets a flag; the
	 * main loop calls this within about 10 ms). Without it SIGHUP is left as it was.
	 */
	void (*reload)(struct app *a);
	/**
	 * SIGTERM and SIGQUIT ask for a drain (app_draining() becomes true) instead of a stop:
	 * the app stops taking new work and calls app_request_stop() when it is done. SIGINT,
	 * or a second SIGTERM / SIGQUIT, stops at once.
	 */
	bool drain;
	/**
	 * Optional: called on each engine's lcore after its last poll when the app stops
	 * (before abort_on_stop's aborts), with the engine's index.
	 */
	void (*stopping)(struct tern_engine *e, unsigned idx, void *app);
	/**
	 * When the app stops, each engine aborts the connections still open
	 * (tern_engine_abort_all(): a RST to every peer, which would otherwise wait on a host
	 * that no longer answers). The servers set it.
	 */
	bool abort_on_stop;
	/** Where the ready and stats lines go (NULL = stdout). */
	FILE *out;
	/**
	 * Poll busy unless --poll-mode backoff, whatever the port: for apps whose tick paces
	 * work by the clock (tern-gen), which a sleep would make late and bursty.
	 */
	bool busy_by_default;
	/** Resolved by app_run(): the engines back off when idle (--poll-mode, the port). */
	bool backoff;
	/**
	 * Optional: sees every burst an engine's queue receives, before the engine, on that
	 * engine's lcore (@p idx its index). It may take frames (it then owns them: free or
	 * send them) and returns how many it left, in order at the front of @p pkts, for the
	 * engine (tern-gen counts what the target sends to its spoofed sources).
	 */
	uint16_t (*rx_tap)(unsigned idx, struct rte_mbuf **pkts, uint16_t n, void *app);
	/** The port I/O rx_tap wraps, per engine (engines.c). */
	struct app_rx_tap {
		struct tern_io io;
		struct app *a;
		unsigned idx;
	} taps[RTE_MAX_LCORE];

	/**
	 * Set while options are only being checked, not applied (tern-proxy's SIGHUP checks
	 * the whole file): app_usage_error() then writes its line to check_err (check_errlen
	 * bytes) and jumps here instead of exiting.
	 */
	jmp_buf *check;
	char *check_err;
	size_t check_errlen;
	bool vdev_given;                 /**< --vdev was among the EAL options (app_scan_args) */
	struct app_metrics *metrics_srv; /**< the --metrics server (metrics.c), or NULL */

	struct tern_port port;
	unsigned nengines;
	struct tern_engine *engines[RTE_MAX_LCORE];
	/** With several engines: rings[i] takes frames to engine i (tern_engine_conf.rings). */
	struct rte_ring *rings[RTE_MAX_LCORE];
	unsigned lcores[RTE_MAX_LCORE];
};

/**
 * The common options, defined here once: X(ID, name, how) per option. ID makes its
 * getopt_long value APP_OPT_<ID> (enum app_opt), name its struct option's name; how says
 * what takes the value, and so whether there is one (has_arg):
 *   NUM(field, lo, hi, unit)  a value: an unsigned integer lo..hi into o.field (an unsigned
 *                             integer of any width that holds hi), else the error
 *                             "--NAME 'ARG': expected UNIT, LO..HI" (just "expected LO..HI"
 *                             when unit is NULL)
 *   FLAG(field)               no value: the bool o.field becomes true
 *   FN(parser)                a value with a syntax of its own: parser in opts.c takes it
 * The --help text is app_common_usage.
 */
/* clang-format off */
#define APP_COMMON_OPTIONS(X)                                                                      \
	X(IP, "ip", FN(opt_ip))                                                                    \
	X(GW, "gw", FN(opt_gw))                                                                    \
	X(MSL, "msl", NUM(msl_ms, 1, 3600000, "milliseconds"))                                     \
	X(STATS_INTERVAL, "stats-interval", NUM(stats_interval, 0, 86400, "seconds"))              \
	X(MAX_CONNS, "max-conns", NUM(max_conns, 1, 16u << 20, NULL))                              \
	X(CONN_EXT, "conn-ext", NUM(conn_ext, 1, 16u << 20, NULL))                                 \
	X(MBUFS, "mbufs", NUM(mbufs, 1024, 64u << 20, NULL))                                       \
	X(NO_OFFLOAD, "no-offload", FLAG(no_offload))                                              \
	X(NO_TSO, "no-tso", FLAG(no_tso))                                                          \
	X(CC, "cc", FN(opt_cc))                                                                    \
	X(NODELAY, "nodelay", FLAG(nodelay))                                                       \
	X(NO_SACK, "no-sack", FLAG(no_sack))                                                       \
	X(NO_TIMESTAMPS, "no-timestamps", FLAG(no_timestamps))                                     \
	X(NO_WSCALE, "no-wscale", FLAG(no_wscale))                                                 \
	X(DELACK_MS, "delack-ms", NUM(delack_ms, 0, 500, NULL))                                    \
	X(RCVBUF, "rcvbuf", NUM(rcvbuf, 1024, 1u << 30, "bytes"))                                  \
	X(SNDBUF, "sndbuf", NUM(sndbuf, 1024, 1u << 30, "bytes"))                                  \
	X(KEEPALIVE, "keepalive", FN(opt_keepalive))                                               \
	X(FIN_TIMEOUT, "fin-timeout", NUM(fin_timeout_ms, 1, 3600000, "milliseconds"))             \
	X(USER_TIMEOUT, "user-timeout", NUM(user_timeout_ms, 1, 86400000, "milliseconds"))         \
	X(ABORT_ON_OVERFLOW, "abort-on-overflow", FLAG(abort_on_overflow))                         \
	X(SYNCOOKIES, "syncookies", FN(opt_syncookies))                                            \
	X(SYNQ_SIZE, "synq-size", NUM(synq_size, 1, 16u << 20, NULL))                              \
	X(SYN_RETRIES, "syn-retries", NUM(syn_retries, 1, 10, NULL))                               \
	X(TW_REUSE, "tw-reuse", FN(opt_tw_reuse))                                                  \
	X(TW_REUSE_DELAY, "tw-reuse-delay", NUM(tw_reuse_ms, 1, 3600000, "milliseconds"))          \
	X(RFC1337, "rfc1337", FLAG(rfc1337))                                                       \
	X(MAX_TW, "max-tw", NUM(max_tw, 1, 16u << 20, NULL))                                       \
	X(KEY_FILE, "key-file", FN(opt_key_file))                                                  \
	X(PORT_RANGE, "port-range", FN(opt_port_range))                                            \
	X(SRC_IP, "src-ip", FN(opt_src_ip))                                                        \
	X(METRICS, "metrics", FN(opt_metrics))                                                     \
	X(POLL_MODE, "poll-mode", FN(opt_poll_mode))                                               \
	X(IDLE_SLEEP, "idle-sleep-us", NUM(idle_sleep_us, 1, 100000, "microseconds"))
/* clang-format on */

/**
 * getopt_long values of the common options. They come after every char, so an app's own
 * options take a char ('l' for --listen) or, once out of chars, APP_OPT_COMMON_END and up:
 * an app's own option cannot take a common option's value (app_next_opt checks).
 */
enum app_opt {
	APP_OPT_CHAR_LAST = 255, /**< 0..255: an app's own options, by char */
#define APP_OPT_ENUM(id, name, how) APP_OPT_##id,
	APP_COMMON_OPTIONS(APP_OPT_ENUM)
#undef APP_OPT_ENUM
	        APP_OPT_COMMON_END /**< first value for an app's own options that are not chars */
};

/** The first common option's getopt_long value. */
#define APP_OPT_COMMON_FIRST (APP_OPT_CHAR_LAST + 1)
/** How many common options there are (without --help). */
#define APP_OPT_COMMON_MAX   (APP_OPT_COMMON_END - APP_OPT_COMMON_FIRST)

/** A common option's has_arg, from its how: APP_OPT_HAS_ARG_##how turns NUM(...) into
 *  APP_OPT_HAS_ARG_NUM(...). */
#define APP_OPT_HAS_ARG_NUM(field, lo, hi, unit) required_argument
#define APP_OPT_HAS_ARG_FLAG(field)              no_argument
#define APP_OPT_HAS_ARG_FN(parser)               required_argument

/** One common option's struct option (for APP_COMMON_OPTS). */
#define APP_OPT_LONGOPT(id, name, how) {name, APP_OPT_HAS_ARG_##how, 0, APP_OPT_##id},

/**
 * Common long options, and --help (getopt_long value 'h', the app's to handle): put first in
 * an app's longopts, then its own, end with {0}.
 */
/* clang-format off */
#define APP_COMMON_OPTS \
	APP_COMMON_OPTIONS(APP_OPT_LONGOPT) {"help", no_argument, 0, 'h'}
/* clang-format on */

/** Usage text of the common options. */
extern const char app_common_usage[];

/**
 * Start the EAL with the arguments before '--', then get ready to parse the app's own:
 * on return *argc / *argv start at the app's options (argv[0] kept for getopt), the
 * common options hold their defaults and getopt is reset. Exits with status 2 and one
 * line when the EAL refuses its arguments.
 */
void app_eal_init(struct app *a, int *argc, char ***argv);

/**
 * The next option of the app's own: common options are handled here, a bad option or a
 * missing value exits with a one-line error. @p longopts starts with APP_COMMON_OPTS; an
 * own option with a common option's value aborts (a programming error). @return the option
 * (getopt_long's value, optarg set), or -1 at the end.
 */
int app_next_opt(struct app *a, int argc, char **argv, const struct option *longopts);

/** Set defaults in @p o. */
void app_opts_defaults(struct app_opts *o);

/**
 * Handle common option @p opt (an APP_OPT_* value) with argument @p arg; a bad value exits
 * with a one-line error. @return 1 when handled, 0 when not a common option.
 */
int app_common_opt(struct app *a, int opt, const char *arg);

/**
 * Write the "# HELP" and "# TYPE" lines of metric family @p name (Prometheus text format
 * 0.0.4) to @p out; @p type is "counter" or "gauge"; @p help is escaped as the format wants.
 */
void app_metric_head(FILE *out, const char *name, const char *type, const char *help);

/** Print "NAME: <message>" to stderr and exit with status 2 (bad usage); while checking
 *  (a->check), the message goes to a->check_err and the call jumps to a->check. */
void app_usage_error(const struct app *a, const char *fmt, ...)
        __attribute__((format(printf, 2, 3), noreturn));

/** @p ip (host order) may be a host's: not 0/8, 127/8, multicast, reserved or broadcast. */
bool app_ipv4_unicast(uint32_t ip);
/** The netmask of a /@p prefix_len (0..32), host order. */
uint32_t app_ipv4_mask(unsigned prefix_len);
/** @p ip (host order) is in --ip's IPv4 subnet. */
bool app_ipv4_on_link(const struct app *a, uint32_t ip);
/** @p ip6 is link-local or in --ip's IPv6 prefix. */
bool app_ipv6_on_link(const struct app *a, const uint8_t ip6[16]);
/** The checks app_run() makes on the options as a whole (--ip given, --gw on-link and not
 *  ours, --src-ip not --ip): app_usage_error() when one fails. */
void app_opts_check(const struct app *a);
/** app_usage_error() when --port-range is short of a->nengines. */
void app_opts_check_engines(const struct app *a);
/** @p s on @p out with bytes below 0x20 and 0x7f as \xHH (no terminal control from a
 *  value that came from a file). */
void app_print_escaped(FILE *out, const char *s);
/** Parse an unsigned integer in [lo, hi]. @return 0 or -1. */
int app_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/**
 * Parse "LO-HI" (or, with @p single_ok, "N" for N-N), each in [min, max], LO <= HI, digits
 * only. @return 0 or -1.
 */
int app_parse_range(
        const char *s, uint64_t min, uint64_t max, bool single_ok, unsigned *lo, unsigned *hi);
/** The value of --listen: a port 1..65535, or exit with the one-line error. */
uint16_t app_parse_listen(const struct app *a, const char *arg);

/** After the options: exit with a one-line error when an argument is left over. */
void app_no_leftover(const struct app *a, int argc, char **argv);

/** Parse A.B.C.D into host order. @return 0 or -1. */
int app_parse_ipv4(const char *s, uint32_t *out);

/**
 * Set up the port (one queue pair per engine), create the engines, run them until
 * SIGINT/SIGTERM, print the stats line, tear down. @return process exit status.
 */
int app_run(struct app *a);

/**
 * Connections closed, by reason, as counted by one engine. Each engine writes only its own
 * (the closed callback runs on the engine's lcore), cache-line aligned so that engines do
 * not share lines: no atomics needed. Sum with app_closes_print() after app_run().
 */
struct app_closes {
	uint64_t n[TERN_CLOSE_MAX];
} __rte_cache_aligned;

/** Count @p c closed for @p why in its engine's slot of @p per_engine[TERN_PORT_MAX_QUEUES]. */
void app_closes_count(
        struct app_closes *per_engine, const struct tern_conn *c, enum tern_close_reason why);

/** Print "NAME: connections closed: normal N reset N timeout N aborted N", then every other
 *  reason that is not zero ("keepalive N"...), summed over @p per_engine. */
void app_closes_print(const char *name, const struct app_closes *per_engine);

/**
 * Look at the raw command line before rte_eal_init(): remembers whether --vdev was given
 * (to explain a port that failed to probe). @return true when --help / -h is asked for.
 */
bool app_scan_args(struct app *a, int argc, char **argv);

/** True once SIGINT or SIGTERM arrived, or app_request_stop() was called. */
bool app_stopping(void);

/** True once SIGTERM or SIGQUIT asked an app with a->drain set to drain. */
bool app_draining(void);

/**
 * Ask app_run() to stop, as SIGINT would (e.g. a client app whose work is done). Callable
 * from any lcore, also from a tick or a callback: the engines finish their current poll.
 */
void app_request_stop(void);

#endif

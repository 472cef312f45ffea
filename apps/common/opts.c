/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common options of the CLI contract: the usage text, defaults, the table of the options
 * expanded from APP_COMMON_OPTIONS in app.h (a number or a flag is taken by the one generic
 * parser of its kind, a value with a syntax of its own by its FN parser here), the one-line
 * usage errors, and the checks on the options as a whole that app_run() makes.
 *
 * Users script against this: option names, defaults, messages and exit status 2 stay as
 * they are.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "idle.h"
#include "keyfile.h"

const char app_common_usage[] =
        "Common options:\n"
        "  --ip A.B.C.D/LEN      address and prefix of the port (required; a host's unicast\n"
        "                        address, not the subnet's own or broadcast one)\n"
        "  --ip X:X::X/LEN       and an IPv6 address (--ip given twice: dual stack; tern\n"
        "                        runs DAD on it, answers ND and ping6, takes TCP on it;\n"
        "                        docs/ARCHITECTURE.md)\n"
        "  --gw A.B.C.D          default gateway, on-link for --ip (any with a /32) (default:\n"
        "                        none, on-link destinations only)\n"
        "  --gw X:X::X           IPv6 default router (with an IPv6 --ip; link-local or in its\n"
        "                        prefix)\n"
        "  --msl MS              maximum segment lifetime; TIME_WAIT lasts 2*MSL (default 30000)\n"
        "  --stats-interval S    print a stats line every S seconds, 0 = never (default 1)\n"
        "  --max-conns N         connection blocks per engine (default 65536)\n"
        "  --conn-ext N          connections per engine that may be recovering from loss or\n"
        "                        holding out-of-order data at once (default max-conns / 8)\n"
        "  --mbufs N             mbufs in the pool (default: from queues and descriptors)\n"
        "  --no-offload          compute checksums in software and copy every payload\n"
        "                        (no mbuf chains), even if the NIC could do either\n"
        "  --no-tso              segment in software even if the NIC has TSO\n"
        "TCP options (docs/TCP.md):\n"
        "  --cc NAME             congestion control: cubic or newreno (default cubic)\n"
        "  --nodelay             Nagle off for every connection\n"
        "  --no-sack             do not offer SACK\n"
        "  --no-timestamps       do not offer timestamps\n"
        "  --no-wscale           do not offer window scaling\n"
        "  --delack-ms MS        delayed ACK timeout, 0 = ACK every segment (default 40)\n"
        "  --rcvbuf BYTES        receive buffer per connection (default 262144)\n"
        "  --sndbuf BYTES        send buffer per connection (default 262144)\n"
        "  --keepalive I,N,C     keepalive: idle ms, interval ms, probes (default off)\n"
        "  --fin-timeout MS      FIN_WAIT_2 timeout after close (default 60000)\n"
        "  --user-timeout MS     end connections with data unacknowledged this long\n"
        "  --abort-on-overflow   accept queue full: RST the handshake's last ACK (default: drop)\n"
        "SYN flood defence (docs/SYNFLOOD.md):\n"
        "  --syncookies MODE     auto: SYN cookies when the SYN queue is full (default);\n"
        "                        always: for every SYN; off: drop SYNs the queue cannot take\n"
        "  --synq-size N         half-open connections per engine (default 65536)\n"
        "  --syn-retries N       SYN / SYN-ACK retransmissions, 1..10 (default 5)\n"
        "TIME_WAIT (docs/TCP.md):\n"
        "  --tw-reuse on|off     on: a SYN with a newer timestamp reopens a 4-tuple in\n"
        "                        TIME_WAIT (RFC 6191), connect() reuses one held longer than\n"
        "                        --tw-reuse-delay if it used timestamps (default on);\n"
        "                        off: every TIME_WAIT lasts its 2*MSL\n"
        "  --tw-reuse-delay MS   age before connect() may reuse a TIME_WAIT tuple (default 1000)\n"
        "  --rfc1337             ignore RSTs in TIME_WAIT (RFC 1337)\n"
        "  --max-tw N            TIME_WAIT entries per engine; beyond, the oldest is recycled\n"
        "                        (default 262144)\n"
        "Restarts (docs/TCP.md \"Restarts\"):\n"
        "  --key-file FILE       key of the ISNs and timestamps, kept in FILE (made with a\n"
        "                        random key and mode 0600 if absent): a restarted process\n"
        "                        continues the last one's sequence numbers and timestamps,\n"
        "                        so peers holding TIME_WAIT take its SYNs (default: none, a\n"
        "                        new random key per process)\n"
        "Active opens (docs/TCP.md, port allocation):\n"
        "  --port-range LO-HI    ephemeral ports, shared out between the engines\n"
        "                        (default 32768-60999)\n"
        "  --src-ip A.B.C.D[,..] extra local addresses for active opens (up to 8; tern\n"
        "                        answers ARP for them)\n"
        "Polling (docs/ARCHITECTURE.md, the poll loop):\n"
        "  --poll-mode MODE      busy: poll without rest (one whole CPU per engine, lowest\n"
        "                        latency); backoff: after 200 empty polls pause, after 1000\n"
        "                        sleep, 16 us doubling up to --idle-sleep-us, never past the\n"
        "                        next timer;\n"
        "                        auto: backoff on virtual ports (af_packet, tap,\n"
        "                        virtio-user..), busy on PCI NICs (default; tern-gen: busy)\n"
        "  --idle-sleep-us US    longest idle sleep, 1..100000: the latency a frame arriving\n"
        "                        on an idle engine can pay (default 1000)\n"
        "Monitoring:\n"
        "  --metrics IP:PORT     serve Prometheus metrics at http://IP:PORT/metrics (a local\n"
        "                        address, e.g. 127.0.0.1:9100; default: off)\n"
        "  --help                this text\n"
        "EAL options go before '--' (e.g. -l 0-1 --vdev net_af_packet0,iface=eth1).\n"
        "Counters: dpdk-telemetry.py -f PREFIX, then /tern/stats, /tern/gauges, /tern/drops,\n"
        "  /tern/steer.\n";

void
app_opts_defaults(struct app_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->msl_ms = 30000;
	o->stats_interval = 1;
	o->delack_ms = 40; /* the engine's default */
	o->poll_mode = APP_POLL_AUTO;
	o->idle_sleep_us = APP_IDLE_MAX_SLEEP_US;
}

void
app_usage_error(const struct app *a, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (a->check != NULL) { /* only checking: the line goes back to the checker */
		va_start(ap, fmt);
		vsnprintf(a->check_err, a->check_errlen, fmt, ap);
		va_end(ap);
		longjmp(*a->check, 1);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: ", a->name);
	app_print_escaped(stderr, msg); /* (values from a file may hold any byte) */
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

void
app_print_escaped(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

bool
app_ipv4_unicast(uint32_t ip)
{
	/* not 0.0.0.0/8 (this network), 127.0.0.0/8 (loopback), 224.0.0.0/4 (multicast) nor
	 * 240.0.0.0/4 (reserved, with the limited broadcast) */
	return (ip >> 24) != 0 && (ip >> 24) != 127 && (ip >> 28) < 0xe;
}

uint32_t
app_ipv4_mask(unsigned prefix_len)
{
	return prefix_len == 0 ? 0 : ~0u << (32 - prefix_len);
}

bool
app_ipv4_on_link(const struct app *a, uint32_t ip)
{
	uint32_t mask = app_ipv4_mask(a->o.prefix_len);

	return (ip & mask) == (a->o.ip & mask);
}

bool
app_ipv6_on_link(const struct app *a, const uint8_t ip6[16])
{
	unsigned bits = a->o.prefix6_len, k;

	if (ip6[0] == 0xfe && (ip6[1] & 0xc0) == 0x80)
		return true; /* fe80::/10 */
	for (k = 0; k < bits / 8; k++)
		if (ip6[k] != a->o.ip6[k])
			return false;
	return bits % 8 == 0 || ((ip6[k] ^ a->o.ip6[k]) & (0xff00u >> (bits % 8))) == 0;
}

int
app_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9') /* (strtoull would take blanks, + and -) */
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
app_parse_range(
        const char *s, uint64_t min, uint64_t max, bool single_ok, unsigned *lo, unsigned *hi)
{
	char buf[48], *dash;
	uint64_t a, b;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash == NULL) {
		if (!single_ok || app_parse_u64(buf, min, max, &a) != 0)
			return -1;
		b = a;
	} else {
		*dash = '\0';
		if (app_parse_u64(buf, min, max, &a) != 0 ||
		        app_parse_u64(dash + 1, min, max, &b) != 0 || a > b)
			return -1;
	}
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

uint16_t
app_parse_listen(const struct app *a, const char *arg)
{
	uint64_t v;

	if (app_parse_u64(arg, 1, 65535, &v) != 0)
		app_usage_error(a, "--listen '%s': expected a port 1..65535", arg);
	return (uint16_t)v;
}

void
app_no_leftover(const struct app *a, int argc, char **argv)
{
	if (optind < argc)
		app_usage_error(a, "unexpected argument '%s'", argv[optind]);
}

int
app_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

bool
app_scan_args(struct app *a, int argc, char **argv)
{
	bool help = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			help = true;
		if (strncmp(argv[i], "--vdev", 6) == 0)
			a->vdev_given = true;
	}
	return help;
}

/* ---- the FN(parser)s of APP_COMMON_OPTIONS: values with a syntax of their own ---- */

/* Takes the value of one common option into a->o; a bad value exits with a one-line error. */
typedef void app_opt_parser(struct app *a, const char *arg);

/* --ip X:X::X/LEN: a global unicast IPv6 address (link-local comes from the MAC). */
static void
opt_ip6(struct app *a, const char *arg, char *addr, const char *len)
{
	struct app_opts *o = &a->o;
	struct in6_addr in6;
	uint64_t v;

	if (o->has_ip6)
		app_usage_error(a, "--ip '%s': an IPv6 address was given already", arg);
	if (inet_pton(AF_INET6, addr, &in6) != 1)
		app_usage_error(a, "--ip '%s': '%s' is not an IPv6 address", arg, addr);
	if (IN6_IS_ADDR_UNSPECIFIED(&in6) || IN6_IS_ADDR_LOOPBACK(&in6) ||
	        IN6_IS_ADDR_MULTICAST(&in6) || IN6_IS_ADDR_LINKLOCAL(&in6) ||
	        IN6_IS_ADDR_V4MAPPED(&in6))
		app_usage_error(a,
		        "--ip '%s': expected a unicast IPv6 address that is not link-local, "
		        "loopback or v4-mapped",
		        arg);
	if (app_parse_u64(len, 1, 128, &v) != 0)
		app_usage_error(a, "--ip '%s': IPv6 prefix length must be 1..128", arg);
	memcpy(o->ip6, &in6, 16);
	o->prefix6_len = (uint8_t)v;
	o->has_ip6 = true;
}

static void
opt_ip(struct app *a, const char *arg)
{
	struct app_opts *o = &a->o;
	uint64_t v;
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash == NULL)
		app_usage_error(a, "--ip '%s': expected A.B.C.D/LEN or X:X::X/LEN", arg);
	*slash = '\0';
	if (strchr(buf, ':') != NULL) {
		opt_ip6(a, arg, buf, slash + 1);
		return;
	}
	if (o->has_ip4)
		app_usage_error(a, "--ip '%s': an IPv4 address was given already", arg);
	if (app_parse_ipv4(buf, &o->ip) != 0 || o->ip == 0)
		app_usage_error(a, "--ip '%s': '%s' is not an IPv4 address", arg, buf);
	if (!app_ipv4_unicast(o->ip))
		app_usage_error(a, "--ip '%s': '%s' is not a unicast IPv4 address", arg, buf);
	if (app_parse_u64(slash + 1, 1, 32, &v) != 0)
		app_usage_error(a, "--ip '%s': prefix length must be 1..32", arg);
	if (v <= 30 && (o->ip & ~app_ipv4_mask((unsigned)v)) == 0)
		app_usage_error(
		        a, "--ip '%s': that is the subnet's own address, not a host's", arg);
	if (v <= 30 && (o->ip | app_ipv4_mask((unsigned)v)) == 0xffffffffu)
		app_usage_error(a, "--ip '%s': that is the subnet's broadcast address", arg);
	o->prefix_len = (uint8_t)v;
	o->has_ip4 = true;
}

static void
opt_gw(struct app *a, const char *arg)
{
	struct app_opts *o = &a->o;
	struct in6_addr in6;

	if (strchr(arg, ':') != NULL) {
		if (o->has_gw6)
			app_usage_error(a, "--gw '%s': an IPv6 gateway was given already", arg);
		if (inet_pton(AF_INET6, arg, &in6) != 1 || IN6_IS_ADDR_UNSPECIFIED(&in6) ||
		        IN6_IS_ADDR_MULTICAST(&in6) || IN6_IS_ADDR_LOOPBACK(&in6))
			app_usage_error(a, "--gw '%s' is not a unicast IPv6 address", arg);
		memcpy(o->gw6, &in6, 16);
		o->has_gw6 = true;
		return;
	}
	if (o->has_gw4)
		app_usage_error(a, "--gw '%s': an IPv4 gateway was given already", arg);
	if (app_parse_ipv4(arg, &o->gw) != 0)
		app_usage_error(a, "--gw '%s' is not an IPv4 address", arg);
	if (!app_ipv4_unicast(o->gw))
		app_usage_error(a, "--gw '%s' is not a unicast IPv4 address", arg);
	o->has_gw4 = true;
}

static void
opt_cc(struct app *a, const char *arg)
{
	if (!tern_cc_supported(arg))
		app_usage_error(a, "--cc '%s': unknown algorithm (have: %s)", arg, tern_cc_names());
	a->o.cc = arg;
}

static void
opt_keepalive(struct app *a, const char *arg)
{
	struct app_opts *o = &a->o;
	uint64_t idle = 0, intvl = 0, cnt = 0;
	char buf[64], *c1 = NULL, *c2 = NULL;

	if (strlen(arg) < sizeof(buf)) {
		strcpy(buf, arg);
		c1 = strchr(buf, ',');
		c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
	}
	if (c2 != NULL)
		*c1 = *c2 = '\0';
	if (c2 == NULL || app_parse_u64(buf, 1, 86400000, &idle) != 0 ||
	        app_parse_u64(c1 + 1, 1, 86400000, &intvl) != 0 ||
	        app_parse_u64(c2 + 1, 1, 255, &cnt) != 0)
		app_usage_error(a,
		        "--keepalive '%s': expected IDLE_MS,INTERVAL_MS,PROBES "
		        "(e.g. 7200000,75000,9; probes 1..255)",
		        arg);
	o->keepalive = true;
	o->keepidle_ms = (uint32_t)idle;
	o->keepintvl_ms = (uint32_t)intvl;
	o->keepcnt = (uint32_t)cnt;
}

static void
opt_syncookies(struct app *a, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		a->o.syncookies = TERN_SYNCOOKIES_AUTO;
	else if (strcmp(arg, "always") == 0)
		a->o.syncookies = TERN_SYNCOOKIES_ALWAYS;
	else if (strcmp(arg, "off") == 0)
		a->o.syncookies = TERN_SYNCOOKIES_OFF;
	else
		app_usage_error(a, "--syncookies '%s': expected auto, always or off", arg);
}

static void
opt_tw_reuse(struct app *a, const char *arg)
{
	if (strcmp(arg, "on") == 0)
		a->o.no_tw_reuse = false;
	else if (strcmp(arg, "off") == 0)
		a->o.no_tw_reuse = true;
	else
		app_usage_error(a, "--tw-reuse '%s': expected on or off", arg);
}

static void
opt_poll_mode(struct app *a, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		a->o.poll_mode = APP_POLL_AUTO;
	else if (strcmp(arg, "busy") == 0)
		a->o.poll_mode = APP_POLL_BUSY;
	else if (strcmp(arg, "backoff") == 0)
		a->o.poll_mode = APP_POLL_BACKOFF;
	else
		app_usage_error(a, "--poll-mode '%s': expected busy, backoff or auto", arg);
}

static void
opt_port_range(struct app *a, const char *arg)
{
	unsigned lo, hi;

	if (app_parse_range(arg, 1, 65535, false, &lo, &hi) != 0)
		app_usage_error(
		        a, "--port-range '%s': expected LO-HI with 1 <= LO <= HI <= 65535", arg);
	a->o.port_lo = (uint16_t)lo;
	a->o.port_hi = (uint16_t)hi;
}

/* --metrics IP:PORT: syntax here; app_metrics_listen() binds it before the port starts. */
static void
opt_metrics(struct app *a, const char *arg)
{
	char ip[32];
	const char *colon = strrchr(arg, ':');
	uint64_t port;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(ip))
		app_usage_error(a, "--metrics '%s': expected IP:PORT (e.g. 127.0.0.1:9100)", arg);
	memcpy(ip, arg, (size_t)(colon - arg));
	ip[colon - arg] = '\0';
	if (app_parse_ipv4(ip, &a->o.metrics_ip) != 0)
		app_usage_error(a, "--metrics '%s': '%s' is not an IPv4 address", arg, ip);
	if (app_parse_u64(colon + 1, 1, 65535, &port) != 0)
		app_usage_error(a, "--metrics '%s': port '%s' is not 1..65535", arg, colon + 1);
	a->o.metrics_port = (uint16_t)port;
}

/* --key-file FILE: the path here; app_opts_key() reads it when the options are complete. */
static void
opt_key_file(struct app *a, const char *arg)
{
	if (*arg == '\0')
		app_usage_error(a, "--key-file: empty path");
	a->o.key_file = arg;
}

/* One address of --src-ip's list: unicast, not given before, room for it. */
static void
src_ip_add(struct app *a, const char *arg, const char *tok)
{
	struct app_opts *o = &a->o;
	uint32_t ip;
	uint8_t i;

	if (app_parse_ipv4(tok, &ip) != 0 || !app_ipv4_unicast(ip))
		app_usage_error(a, "--src-ip '%s': '%s' is not a unicast IPv4 address", arg, tok);
	for (i = 0; i < o->nsrc_ips; i++)
		if (o->src_ips[i] == ip)
			app_usage_error(a, "--src-ip '%s': '%s' given twice", arg, tok);
	if (o->nsrc_ips == TERN_MAX_SRC_IPS)
		app_usage_error(a, "--src-ip '%s': at most %d addresses", arg, TERN_MAX_SRC_IPS);
	o->src_ips[o->nsrc_ips++] = ip;
}

static void
opt_src_ip(struct app *a, const char *arg)
{
	char list[256];
	char *tok, *save = NULL;

	if (strlen(arg) >= sizeof(list) || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
	        strstr(arg, ",,") != NULL)
		app_usage_error(a, "--src-ip '%s': expected A.B.C.D[,A.B.C.D...]", arg);
	snprintf(list, sizeof(list), "%s", arg);
	a->o.nsrc_ips = 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		src_ip_add(a, arg, tok);
	if (a->o.nsrc_ips == 0)
		app_usage_error(a, "--src-ip '%s': expected A.B.C.D[,A.B.C.D...]", arg);
}

/* ---- the table: getopt_long value -> name and how (APP_COMMON_OPTIONS) ---- */

/* A common option: its name and what takes its value. */
struct common_opt {
	const char *name;
	enum { OPT_NUM, OPT_FLAG, OPT_FN } kind;
	uint64_t lo, hi;       /* OPT_NUM: the values taken */
	const char *unit;      /* OPT_NUM: the values' unit in the error, or NULL */
	size_t off, size;      /* OPT_NUM, OPT_FLAG: the field in struct app_opts */
	app_opt_parser *parse; /* OPT_FN */
};

/* The hows of APP_COMMON_OPTIONS as initializers of struct common_opt: APP_OPT_DESC_##how. */
#define APP_OPTS_FIELD(f) (((struct app_opts *)0)->f)
#define APP_OPT_DESC_NUM(f, lo_, hi_, unit_)                        \
	.kind = OPT_NUM, .lo = (lo_), .hi = (hi_), .unit = (unit_), \
	.off = offsetof(struct app_opts, f), .size = sizeof(APP_OPTS_FIELD(f))
#define APP_OPT_DESC_FLAG(f) .kind = OPT_FLAG, .off = offsetof(struct app_opts, f)
#define APP_OPT_DESC_FN(fn)  .kind = OPT_FN, .parse = (fn)

/* Whether the field of a how takes what the how writes (checked when compiling). */
#define APP_OPTS_MAX(f) ((__typeof__(APP_OPTS_FIELD(f)))-1) /* > 0 when unsigned */
#define APP_OPT_FITS_NUM(f, lo_, hi_, unit_) \
	(APP_OPTS_MAX(f) > 0 && (lo_) <= (hi_) && (uint64_t)(hi_) <= (uint64_t)APP_OPTS_MAX(f))
#define APP_OPT_FITS_FLAG(f) _Generic(APP_OPTS_FIELD(f), bool : 1, default : 0)
#define APP_OPT_FITS_FN(fn)  1
#define APP_OPT_CHECK(id, name_, how) \
	_Static_assert(APP_OPT_FITS_##how, "--" name_ ": wrong field type or range");
APP_COMMON_OPTIONS(APP_OPT_CHECK)
#undef APP_OPT_CHECK

static const struct common_opt common_opts[APP_OPT_COMMON_MAX] = {
#define APP_OPT_ENTRY(id, name_, how) \
	[APP_OPT_##id - APP_OPT_COMMON_FIRST] = {.name = name_, APP_OPT_DESC_##how},
        APP_COMMON_OPTIONS(APP_OPT_ENTRY)
#undef APP_OPT_ENTRY
};

/* NUM: the value into its field, whatever the field's width. */
static void
opt_num(struct app *a, const struct common_opt *d, const char *arg)
{
	void *field = (char *)&a->o + d->off;
	uint64_t v;

	if (app_parse_u64(arg, d->lo, d->hi, &v) != 0)
		app_usage_error(a, "--%s '%s': expected %s%s%" PRIu64 "..%" PRIu64, d->name, arg,
		        d->unit != NULL ? d->unit : "", d->unit != NULL ? ", " : "", d->lo, d->hi);
	switch (d->size) {
	case sizeof(uint8_t):
		*(uint8_t *)field = (uint8_t)v;
		break;
	case sizeof(uint16_t):
		*(uint16_t *)field = (uint16_t)v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)field = (uint32_t)v;
		break;
	default:
		*(uint64_t *)field = v;
		break;
	}
}

int
app_common_opt(struct app *a, int opt, const char *arg)
{
	const struct common_opt *d;

	if (opt < APP_OPT_COMMON_FIRST || opt >= APP_OPT_COMMON_END)
		return 0;
	d = &common_opts[opt - APP_OPT_COMMON_FIRST];
	switch (d->kind) {
	case OPT_NUM:
		opt_num(a, d, arg);
		break;
	case OPT_FLAG:
		*(bool *)((char *)&a->o + d->off) = true;
		break;
	case OPT_FN:
		d->parse(a, arg);
		break;
	}
	return 1;
}

/* An app's own option must not take a common option's getopt_long value. */
static void
check_longopts(const struct app *a, const struct option *longopts)
{
	const struct option *lo;

	for (lo = longopts; lo->name != NULL; lo++) {
		if (lo->flag != NULL || lo->val < APP_OPT_COMMON_FIRST ||
		        lo->val >= APP_OPT_COMMON_END)
			continue;
		if (strcmp(lo->name, common_opts[lo->val - APP_OPT_COMMON_FIRST].name) != 0) {
			fprintf(stderr,
			        "%s: option --%s takes the value of --%s (use a char or "
			        "APP_OPT_COMMON_END and up)\n",
			        a->name, lo->name,
			        common_opts[lo->val - APP_OPT_COMMON_FIRST].name);
			abort();
		}
	}
}

/* getopt_long refused @p arg: unknown, or an abbreviation of several options (it says
 * '?' for both). Exits with the one-line error. */
static void
unknown_opt(const struct app *a, const char *arg, const struct option *longopts)
{
	char could[160] = "";
	size_t len, used = 0;
	unsigned k, n = 0;

	if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		len = strcspn(arg + 2, "=");
		for (k = 0; longopts[k].name != NULL; k++) {
			if (strncmp(longopts[k].name, arg + 2, len) != 0)
				continue;
			if (used < sizeof(could))
				used += (size_t)snprintf(could + used, sizeof(could) - used,
				        "%s--%s", n ? ", " : "", longopts[k].name);
			n++;
		}
	}
	if (n > 1)
		app_usage_error(a, "ambiguous option '%s' (could be %s%s)", arg, could,
		        used >= sizeof(could) ? "..." : "");
	app_usage_error(a, "unknown option '%s'", arg);
}

int
app_next_opt(struct app *a, int argc, char **argv, const struct option *longopts)
{
	int opt;

	check_longopts(a, longopts);
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == '?')
			unknown_opt(a, argv[optind - 1], longopts);
		if (opt == ':')
			app_usage_error(a, "option '%s' needs a value", argv[optind - 1]);
		if (!app_common_opt(a, opt, optarg))
			return opt;
	}
	return -1;
}

/* ---- the options as a whole (app_run) ---- */

void
app_opts_check(const struct app *a)
{
	unsigned i;

	if (a->o.ip == 0)
		app_usage_error(a, "--ip A.B.C.D/LEN is required");
	if (a->o.has_gw6 && !a->o.has_ip6)
		app_usage_error(a, "--gw: an IPv6 gateway needs an IPv6 --ip X:X::X/LEN");
	if (a->o.has_gw4 && a->o.gw == a->o.ip)
		app_usage_error(a, "--gw: %u.%u.%u.%u is our own --ip address", a->o.gw >> 24,
		        (a->o.gw >> 16) & 0xff, (a->o.gw >> 8) & 0xff, a->o.gw & 0xff);
	if (a->o.has_gw4 && a->o.prefix_len < 32 && !app_ipv4_on_link(a, a->o.gw))
		app_usage_error(a,
		        "--gw: %u.%u.%u.%u is not on-link for --ip's /%u (as Linux, a "
		        "gateway must be reachable without one)",
		        a->o.gw >> 24, (a->o.gw >> 16) & 0xff, (a->o.gw >> 8) & 0xff,
		        a->o.gw & 0xff, a->o.prefix_len);
	if (a->o.has_gw6 && memcmp(a->o.gw6, a->o.ip6, 16) == 0)
		app_usage_error(a, "--gw: that IPv6 address is our own --ip address");
	if (a->o.has_gw6 && a->o.prefix6_len < 128 && !app_ipv6_on_link(a, a->o.gw6))
		app_usage_error(a,
		        "--gw: the IPv6 gateway is neither link-local nor on-link for "
		        "--ip's /%u",
		        a->o.prefix6_len);
	for (i = 0; i < a->o.nsrc_ips; i++)
		if (a->o.src_ips[i] == a->o.ip)
			app_usage_error(a, "--src-ip: %u.%u.%u.%u is already the --ip address",
			        a->o.ip >> 24, (a->o.ip >> 16) & 0xff, (a->o.ip >> 8) & 0xff,
			        a->o.ip & 0xff);
}

void
app_opts_key(struct app *a)
{
	FILE *out = a->out != NULL ? a->out : stdout;
	char err[256];
	bool created;

	if (a->o.key_file == NULL)
		return;
	if (app_keyfile_load(a->o.key_file, a->o.clock_key, &created, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: --key-file %s: %s\n", a->name, a->o.key_file, err);
		exit(2);
	}
	fprintf(out, "%s: ISN and timestamp key %s %s\n", a->name, created ? "made in" : "from",
	        a->o.key_file);
}

void
app_opts_check_engines(const struct app *a)
{
	if (a->o.port_lo != 0 && (unsigned)a->o.port_hi - a->o.port_lo + 1 < a->nengines)
		app_usage_error(a,
		        "--port-range %u-%u: %u port%s for %u engines; each engine needs a share "
		        "of at least one port",
		        a->o.port_lo, a->o.port_hi, a->o.port_hi - a->o.port_lo + 1,
		        a->o.port_hi == a->o.port_lo ? "" : "s", a->nengines);
}

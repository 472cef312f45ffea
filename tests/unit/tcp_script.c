/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scripted TCP peer (see tcp_script.h for the syntax).
 *
 * Design: one pass over the lines, no intermediate representation kept between lines.
 * Each line is parsed into a small struct (time, event and its arguments) and run at
 * once. The runner tracks what a peer must know to speak relative numbers: both ISNs,
 * tern's first TSval and the offset of its TS clock, the peer's TS clock, whether
 * timestamps were negotiated, and the two byte streams (pattern bytes by offset).
 *
 * Time: script time 0 is the fake clock at engine creation. A line's time is reached
 * by 1 ms steps of test_link_advance(); a "> " line stops stepping as soon as a segment
 * is captured, so a segment that comes out early is caught at its real time.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp_script.h"
#include "test_helpers.h"

#define TS_LINE_MAX  512
#define TS_TRACE     16
#define TS_WAIT_ANY  300000u /* "*" on a "> " line waits this long (ms) */
#define TS_LATE_LOOK 60000u  /* after a missed "> " line, look this far for the segment */
#define TS_PEER_PORT 40000
#define TS_PEER_ISN  0xfffffc00u
#define TS_CLOCK0_NS (1000ull * 1000000000ull) /* fake time at creation: 1000 s */
#define TS_SALT_PEER 0x5a
#define TS_SALT_TERN 0xa5
#define TS_MAX_RECV  (1u << 22)

static const struct test_host ts_us = {IP4(10, 0, 0, 1), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}};
static const struct test_host ts_peer = {IP4(10, 0, 0, 2), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}};

/* ---- parsed forms ---- */

/** A number on a segment line: "*" (any), "=N" (absolute) or N (relative). */
struct ts_val {
	bool given;
	bool any;
	bool abs;
	int64_t v;
};

struct ts_opts {
	uint8_t present; /* WIRE_TCPO_* */
	struct ts_val mss, wscale, tsval, tsecr;
	bool sack_any;
	unsigned nsack;
	int64_t sack[WIRE_TCP_MAX_SACK][2];
};

struct ts_seg {
	bool out; /* "> " */
	bool none;
	uint8_t flags;
	uint8_t flags_opt; /* "[.]": not compared */
	bool seq_any;
	bool newinc;       /* "new": first segment of a new incarnation of the tuple */
	int64_t new_above; /* "> ... new >N": tern's ISN is above relative N */
	bool new_any;      /* "> ... new *": any ISN (a different tuple) */
	int64_t start, end;
	uint32_t len;
	bool len_any;
	struct ts_val ack, win;
	bool has_opts;
	bool opts_any; /* "<...>" */
	struct ts_opts opts;
};

enum ts_time_kind { TT_NONE, TT_ABS, TT_REL, TT_ANY };

/* ---- runner state ---- */

struct ts_ctx {
	const struct tcp_script *s;
	unsigned lineno;
	const char *line;

	struct rte_mempool *pool;
	unsigned free0;
	struct test_clock clk;
	struct test_link *l;
	struct tern_engine *e;
	struct tern_engine_conf conf;
	struct tern_callbacks cb;
	char cc_name[32];

	uint64_t t0;  /* fake ms at script time 0 */
	uint64_t now; /* script time of the last line, ms */
	unsigned tol;

	/* the connection */
	struct tern_conn *conn;
	bool have_conn; /* accepted or connected, even if now closed */
	unsigned n_closed;
	enum tern_close_reason why;
	uint16_t lport, pport;
	bool lport_known, mode_set, connect_mode;
	uint32_t peer_isn;
	uint32_t tern_isn;
	bool tern_isn_known;

	/* timestamps */
	bool peer_syn_seen, peer_syn_ts;
	bool tern_syn_seen, tern_syn_ts;
	bool ts_on;
	bool peer_clock_known;
	uint32_t peer_clock_val; /* the peer's TS clock read peer_clock_val at ... */
	uint64_t peer_clock_t;   /* ... this script time */
	bool tern_ts_known;
	uint32_t tern_ts_first;
	uint32_t tern_ts_off; /* TSval - fake ms */
	bool tern_ts_off_known;
	uint32_t cookie_ts_off; /* the same for a cookie SYN-ACK (syncookies always) */
	bool cookie_ts_known;
	uint32_t tern_ts_last;

	/* streams */
	uint64_t app_sent; /* bytes tern_conn_send() accepted */
	uint64_t app_read; /* bytes tern_conn_recv() returned */
	uint8_t *buf;

	/* trace of recent lines and segments, printed on failure */
	char trace[TS_TRACE][256];
	unsigned ntrace;
};

/* ---- failure reporting ---- */

static void trace_add(struct ts_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
trace_add(struct ts_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->trace[x->ntrace % TS_TRACE], sizeof(x->trace[0]), fmt, ap);
	va_end(ap);
	x->ntrace++;
}

static void ts_fail(struct ts_ctx *x, const char *fmt, ...)
        __attribute__((format(printf, 2, 3), noreturn));

static void
ts_fail(struct ts_ctx *x, const char *fmt, ...)
{
	char msg[2048];
	unsigned i, first;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	first = x->ntrace > TS_TRACE ? x->ntrace - TS_TRACE : 0;
	print_message("script %s: trace (last lines and segments):\n", x->s->name);
	for (i = first; i < x->ntrace; i++)
		print_message("    %s\n", x->trace[i % TS_TRACE]);
	fail_msg("script %s, line %u: %s\n    %s", x->s->name, x->lineno,
	        x->line != NULL ? x->line : "(end of script)", msg);
	abort(); /* not reached: fail_msg() jumps out of the test */
}

#define PARSE_FAIL(x, ...) ts_fail((x), "parse error: " __VA_ARGS__)

/* ---- small helpers ---- */

static uint8_t
pat(uint32_t off, uint8_t salt)
{
	return (uint8_t)(off ^ (off >> 8) ^ (off >> 16) ^ salt);
}

static uint64_t
clock_rel(const struct ts_ctx *x)
{
	return test_link_now_ms(x->l) - x->t0;
}

static void
fmt_ms(char *buf, size_t n, uint64_t ms)
{
	snprintf(buf, n, "%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
}

/* Tokenizer over a mutable copy of the line. */
struct ts_tok {
	char *p;
};

static char *
tok_next(struct ts_tok *t)
{
	char *s;

	while (*t->p == ' ' || *t->p == '\t')
		t->p++;
	if (*t->p == '\0')
		return NULL;
	s = t->p;
	while (*t->p != '\0' && *t->p != ' ' && *t->p != '\t')
		t->p++;
	if (*t->p != '\0')
		*t->p++ = '\0';
	return s;
}

static bool
parse_int(const char *s, int64_t *v)
{
	char *end;
	long long r;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	r = strtoll(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return false;
	*v = r;
	return true;
}

static int64_t
need_int(struct ts_ctx *x, const char *s, const char *what)
{
	int64_t v;

	if (!parse_int(s, &v))
		PARSE_FAIL(x, "%s: expected a number, got '%s'", what, s ? s : "(nothing)");
	return v;
}

/* "*", "=N" or "N". */
static struct ts_val
parse_val(struct ts_ctx *x, const char *s, const char *what)
{
	struct ts_val v = {.given = true};

	if (s != NULL && strcmp(s, "*") == 0) {
		v.any = true;
		return v;
	}
	if (s != NULL && s[0] == '=') {
		v.abs = true;
		s++;
	}
	v.v = need_int(x, s, what);
	return v;
}

/* Duration: a decimal number with an optional unit (default seconds) -> ms. */
static bool
parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t us;
	} units[] = {{"ms", 1000ull}, {"s", 1000000ull}, {"m", 60000000ull}, {"h", 3600000000ull},
	        {"d", 86400000000ull}, {"", 1000000ull}};
	uint64_t ip = 0, frac = 0, fdiv = 1, us;
	const char *p = s;
	unsigned i, nd = 0;

	while (*p >= '0' && *p <= '9') {
		ip = ip * 10 + (uint64_t)(*p++ - '0');
		nd++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (fdiv < 1000000000ull) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				fdiv *= 10;
			}
			p++;
			nd++;
		}
	}
	if (nd == 0)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].unit) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return false;
	us = ip * units[i].us + frac * units[i].us / fdiv;
	if (us % 1000 != 0)
		return false; /* the clock has 1 ms resolution */
	*ms = us / 1000;
	return true;
}

static const struct {
	const char *name;
	int v;
} ts_errnos[] = {{"EAGAIN", EAGAIN}, {"EPIPE", EPIPE}, {"ENOTCONN", ENOTCONN}, {"ENOBUFS", ENOBUFS},
        {"EINVAL", EINVAL}, {"ENOENT", ENOENT}, {"EADDRINUSE", EADDRINUSE},
        {"EADDRNOTAVAIL", EADDRNOTAVAIL}};

/* "== R" after an app action: R is a number, "-ENAME" or "ENAME" (negative). */
static bool
parse_ret(struct ts_ctx *x, struct ts_tok *t, int64_t *ret)
{
	char *op = tok_next(t), *v;
	unsigned i;

	if (op == NULL)
		return false;
	if (strcmp(op, "==") != 0 || (v = tok_next(t)) == NULL)
		PARSE_FAIL(x, "expected '== RESULT' at '%s'", op);
	if (parse_int(v, ret))
		return true;
	if (v[0] == '-')
		v++;
	for (i = 0; i < sizeof(ts_errnos) / sizeof(ts_errnos[0]); i++) {
		if (strcmp(v, ts_errnos[i].name) == 0) {
			*ret = -ts_errnos[i].v;
			return true;
		}
	}
	PARSE_FAIL(x, "unknown result '%s'", v);
}

static void
no_more(struct ts_ctx *x, struct ts_tok *t)
{
	char *s = tok_next(t);

	if (s != NULL)
		PARSE_FAIL(x, "unexpected '%s'", s);
}

/* ---- segment lines ---- */

static uint8_t
parse_flags(struct ts_ctx *x, const char *s, uint8_t *opt)
{
	bool in_opt = false;
	uint8_t f = 0, prev;

	*opt = 0;
	for (; *s != '\0'; s++) {
		if (*s == '[' && opt != NULL && !in_opt) {
			in_opt = true;
			continue;
		}
		if (*s == ']' && in_opt) {
			in_opt = false;
			continue;
		}
		prev = f;
		switch (*s) {
		case 'S':
			f |= WIRE_TCP_SYN;
			break;
		case 'F':
			f |= WIRE_TCP_FIN;
			break;
		case 'R':
			f |= WIRE_TCP_RST;
			break;
		case 'P':
			f |= WIRE_TCP_PSH;
			break;
		case 'U':
			f |= WIRE_TCP_URG;
			break;
		case 'E':
			f |= WIRE_TCP_ECE;
			break;
		case 'W':
			f |= WIRE_TCP_CWR;
			break;
		case '.':
			f |= WIRE_TCP_ACK;
			break;
		default:
			PARSE_FAIL(x, "unknown flag '%c'", *s);
		}
		if (in_opt) {
			*opt |= (uint8_t)(f & ~prev);
			f = prev;
		}
	}
	if (in_opt)
		PARSE_FAIL(x, "'[' without ']' in the flags");
	return f;
}

/* Parse one option ("TS val 1 ecr 2", "sack 1:2 3:4", ...) into @p o. */
static void
parse_opt(struct ts_ctx *x, char *s, struct ts_opts *o, bool out)
{
	struct ts_tok t = {s};
	char *k = tok_next(&t), *a;

	if (k == NULL)
		PARSE_FAIL(x, "empty option");
	if (strcmp(k, "nop") == 0 || strcmp(k, "eol") == 0) {
		no_more(x, &t);
		return;
	}
	if (strcmp(k, "mss") == 0) {
		o->present |= WIRE_TCPO_MSS;
		o->mss = parse_val(x, tok_next(&t), "mss");
	} else if (strcmp(k, "wscale") == 0) {
		o->present |= WIRE_TCPO_WSCALE;
		o->wscale = parse_val(x, tok_next(&t), "wscale");
	} else if (strcmp(k, "sackOK") == 0) {
		o->present |= WIRE_TCPO_SACK_PERM;
	} else if (strcmp(k, "TS") == 0) {
		o->present |= WIRE_TCPO_TS;
		a = tok_next(&t);
		if (a == NULL || strcmp(a, "val") != 0)
			PARSE_FAIL(x, "expected 'TS val V ecr E'");
		o->tsval = parse_val(x, tok_next(&t), "TS val");
		a = tok_next(&t);
		if (a == NULL || strcmp(a, "ecr") != 0)
			PARSE_FAIL(x, "expected 'TS val V ecr E'");
		o->tsecr = parse_val(x, tok_next(&t), "TS ecr");
	} else if (strcmp(k, "sack") == 0) {
		o->present |= WIRE_TCPO_SACK;
		while ((a = tok_next(&t)) != NULL) {
			char *colon = strchr(a, ':');

			if (strcmp(a, "*") == 0) {
				o->sack_any = true;
				continue;
			}
			if (colon == NULL)
				PARSE_FAIL(x, "sack block '%s' is not L:R", a);
			if (o->nsack == WIRE_TCP_MAX_SACK)
				PARSE_FAIL(x, "more than %d sack blocks", WIRE_TCP_MAX_SACK);
			*colon = '\0';
			o->sack[o->nsack][0] = need_int(x, a, "sack left");
			o->sack[o->nsack][1] = need_int(x, colon + 1, "sack right");
			o->nsack++;
		}
		if (o->nsack == 0 && !o->sack_any)
			PARSE_FAIL(x, "sack without blocks");
		return;
	} else {
		PARSE_FAIL(x, "unknown option '%s'", k);
	}
	no_more(x, &t);
	if (!out && (o->mss.any || o->wscale.any || o->tsval.any || o->tsecr.any))
		PARSE_FAIL(x, "'*' in an option the peer sends");
}

/* Parse "FLAGS START:END(LEN) [ack N] [win N] [<OPTS>]" from @p s (after < or >). */
static void
parse_seg(struct ts_ctx *x, char *s, bool out, struct ts_seg *g)
{
	char *lt = strchr(s, '<'), *k;
	char star[8];
	struct ts_tok t;

	memset(g, 0, sizeof(*g));
	g->out = out;
	if (lt != NULL) {
		char *gt = strrchr(lt, '>');

		if (gt == NULL)
			PARSE_FAIL(x, "option list without '>'");
		for (k = gt + 1; *k != '\0'; k++)
			if (*k != ' ' && *k != '\t')
				PARSE_FAIL(x, "text after the option list");
		*lt = '\0';
		*gt = '\0';
		if (strcmp(lt + 1, "...") == 0) {
			if (!out)
				PARSE_FAIL(x, "'<...>' in a segment the peer sends");
			g->opts_any = true;
			lt = NULL;
		}
	}
	if (lt != NULL) {
		char *o, *comma;

		g->has_opts = true;
		for (o = lt + 1; o != NULL; o = comma) {
			comma = strchr(o, ',');
			if (comma != NULL)
				*comma++ = '\0';
			if (strspn(o, " \t") == strlen(o)) {
				if (comma != NULL || o != lt + 1)
					PARSE_FAIL(x, "empty option");
				break; /* "<>" */
			}
			parse_opt(x, o, &g->opts, out);
		}
	}
	t.p = s;
	k = tok_next(&t);
	if (k == NULL)
		PARSE_FAIL(x, "segment without flags");
	if (out && strcmp(k, "none") == 0) {
		g->none = true;
		no_more(x, &t);
		if (g->has_opts)
			PARSE_FAIL(x, "'none' with options");
		return;
	}
	g->flags = parse_flags(x, k, &g->flags_opt);
	if (!out && g->flags_opt != 0)
		PARSE_FAIL(x, "optional flags in a segment the peer sends");
	k = tok_next(&t);
	if (k != NULL && strcmp(k, "new") == 0) {
		if (!(g->flags & WIRE_TCP_SYN))
			PARSE_FAIL(x, "'new' on a segment without SYN");
		g->newinc = true;
		k = tok_next(&t);
		if (out) {
			if (k != NULL && strcmp(k, "*") == 0)
				g->new_any = true; /* another tuple: any ISN */
			else if (k == NULL || k[0] != '>')
				PARSE_FAIL(x, "'> ... new >N|*': tern's new ISN must be above N");
			else
				g->new_above = need_int(x, k + 1, "N");
			snprintf(star, sizeof(star), "*:*(0)");
			k = star;
		}
	}
	if (k == NULL)
		PARSE_FAIL(x, "segment without START:END(LEN)");
	if (out && strcmp(k, "*") == 0) {
		g->seq_any = true;
		g->len_any = true;
	} else {
		char *colon = strchr(k, ':'), *paren, *close;
		int64_t len;

		paren = colon != NULL ? strchr(colon, '(') : NULL;
		close = paren != NULL ? strchr(paren, ')') : NULL;
		if (colon == NULL || paren == NULL || close == NULL || close[1] != '\0')
			PARSE_FAIL(x, "'%s' is not START:END(LEN)", k);
		*colon = *paren = *close = '\0';
		len = need_int(x, paren + 1, "LEN");
		if (len < 0 || len > 65535)
			PARSE_FAIL(x, "LEN out of range");
		g->len = (uint32_t)len;
		if (out && strcmp(k, "*") == 0 && strcmp(colon + 1, "*") == 0) {
			g->seq_any = true; /* "*:*(LEN)": any sequence number, this length */
		} else {
			g->start = need_int(x, k, "START");
			g->end = need_int(x, colon + 1, "END");
			if (g->end - g->start != len)
				PARSE_FAIL(x, "END - START must equal LEN");
		}
	}
	while ((k = tok_next(&t)) != NULL) {
		if (strcmp(k, "ack") == 0)
			g->ack = parse_val(x, tok_next(&t), "ack");
		else if (strcmp(k, "win") == 0)
			g->win = parse_val(x, tok_next(&t), "win");
		else
			PARSE_FAIL(x, "unknown segment field '%s'", k);
	}
	if (!out && (g->ack.any || g->win.any))
		PARSE_FAIL(x, "'*' in a segment the peer sends");
	if ((g->flags & WIRE_TCP_ACK) && !g->ack.given)
		PARSE_FAIL(x, "'.' (ACK) without 'ack N'");
	if (g->win.given && !g->win.any && (g->win.v < 0 || g->win.v > 65535))
		PARSE_FAIL(x, "win out of range");
}

/* ---- formatting segments in script syntax ---- */

static void
fmt_flags(char *b, uint8_t f)
{
	static const struct {
		uint8_t bit;
		char c;
	} map[] = {{WIRE_TCP_SYN, 'S'}, {WIRE_TCP_FIN, 'F'}, {WIRE_TCP_RST, 'R'},
	        {WIRE_TCP_PSH, 'P'}, {WIRE_TCP_URG, 'U'}, {WIRE_TCP_ECE, 'E'}, {WIRE_TCP_CWR, 'W'},
	        {WIRE_TCP_ACK, '.'}};
	unsigned i, n = 0;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (f & map[i].bit)
			b[n++] = map[i].c;
	b[n] = '\0';
}

/* Options of a segment tern sent, with numbers relative as the script writes them. */
static void
fmt_opts(const struct ts_ctx *x, const struct wire_tcp_opts *o, char *b, size_t n)
{
	size_t u = 0;
	unsigned i;

#define APPEND(...)                                                       \
	do {                                                              \
		if (u < n)                                                \
			u += (size_t)snprintf(b + u, n - u, __VA_ARGS__); \
	} while (0)
	b[0] = '\0';
	if (o->present == 0)
		return;
	APPEND(" <");
	if (o->present & WIRE_TCPO_MSS)
		APPEND("mss %u,", o->mss);
	if (o->present & WIRE_TCPO_SACK_PERM)
		APPEND("sackOK,");
	if (o->present & WIRE_TCPO_TS)
		APPEND("TS val %" PRIu32 " ecr %" PRIu32 ",",
		        x->tern_ts_known ? o->tsval - x->tern_ts_first : o->tsval, o->tsecr);
	if (o->present & WIRE_TCPO_WSCALE)
		APPEND("wscale %u,", o->wscale);
	if (o->present & WIRE_TCPO_SACK) {
		APPEND("sack");
		for (i = 0; i < o->nsack; i++)
			APPEND(" %" PRId32 ":%" PRId32, (int32_t)(o->sack[i].left - x->peer_isn),
			        (int32_t)(o->sack[i].right - x->peer_isn));
		APPEND(",");
	}
	if (u < n && u > 0 && b[u - 1] == ',')
		b[u - 1] = '>';
#undef APPEND
}

static void
fmt_actual(const struct ts_ctx *x, const struct test_pkt *p, char *b, size_t n)
{
	char fl[10], t[32], opts[200];
	uint32_t base = x->tern_isn_known ? x->tern_isn : 0;
	int32_t start = (int32_t)(p->tcp.seq - base);
	char ack[32] = "";

	fmt_ms(t, sizeof(t), p->t_ms - x->t0);
	fmt_flags(fl, p->tcp.flags);
	if (p->tcp.flags & WIRE_TCP_ACK)
		snprintf(ack, sizeof(ack), " ack %" PRId32, (int32_t)(p->tcp.ack - x->peer_isn));
	fmt_opts(x, &p->tcp.opts, opts, sizeof(opts));
	snprintf(b, n, "%s > %s %" PRId32 ":%" PRId32 "(%" PRIu32 ")%s win %u%s", t, fl, start,
	        (int32_t)(start + (int32_t)p->plen), p->plen, ack, p->tcp.win, opts);
}

/* ---- the engine side ---- */

static void
cb_accepted(struct tern_conn *c, void *app)
{
	struct ts_ctx *x = app;

	if (x->conn != NULL)
		ts_fail(x, "a second connection was accepted while the first is open");
	x->n_closed = 0; /* a new incarnation after the first one closed */
	x->conn = c;
	x->have_conn = true;
}

static void
cb_connected(struct tern_conn *c, void *app)
{
	struct ts_ctx *x = app;

	if (x->conn != NULL && c != x->conn)
		ts_fail(x, "connected callback for an unknown connection");
	x->conn = c;
	x->have_conn = true;
}

static void
cb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct ts_ctx *x = app;

	if (c != x->conn)
		ts_fail(x, "closed callback for an unknown connection");
	x->n_closed++;
	x->why = why;
	x->conn = NULL;
	trace_add(x, "  (closed callback: %s)", tern_close_reason_name(why));
}

/* Engine configuration keys. */
enum ts_ckind { CK_BOOL, CK_U8, CK_U16, CK_U32, CK_STR, CK_COOKIES };

#define CK(f, k)                                            \
	{                                                   \
#f, k, offsetof(struct tern_engine_conf, f) \
	}
static const struct {
	const char *name;
	enum ts_ckind kind;
	size_t off;
} ts_conf_keys[] = {
        CK(mtu, CK_U16),
        CK(rcvbuf, CK_U32),
        CK(sndbuf, CK_U32),
        CK(msl_ms, CK_U32),
        CK(rto_min_ms, CK_U32),
        CK(rto_init_ms, CK_U32),
        CK(syn_retries, CK_U8),
        CK(data_retries, CK_U8),
        CK(max_conns, CK_U32),
        CK(max_tw, CK_U32),
        CK(cc, CK_STR),
        CK(no_wscale, CK_BOOL),
        CK(no_timestamps, CK_BOOL),
        CK(no_sack, CK_BOOL),
        CK(nodelay, CK_BOOL),
        CK(delack_ms, CK_U32),
        CK(no_delack, CK_BOOL),
        CK(fin_timeout_ms, CK_U32),
        CK(user_timeout_ms, CK_U32),
        CK(keepalive, CK_BOOL),
        CK(keepidle_ms, CK_U32),
        CK(keepintvl_ms, CK_U32),
        CK(keepcnt, CK_U8),
        CK(challenge_ack_limit, CK_U32),
        CK(reass_segs, CK_U32),
        CK(synq_size, CK_U32),
        CK(abort_on_overflow, CK_BOOL),
        CK(syncookies, CK_COOKIES),
        CK(no_tw_reuse, CK_BOOL),
        CK(tw_reuse_ms, CK_U32),
        CK(rfc1337, CK_BOOL),
        CK(port_lo, CK_U16),
        CK(port_hi, CK_U16),
};
#undef CK

static void
conf_set(struct ts_ctx *x, const char *key, const char *val)
{
	unsigned i;
	int64_t v = 0;
	char *f;

	for (i = 0; i < sizeof(ts_conf_keys) / sizeof(ts_conf_keys[0]); i++)
		if (strcmp(ts_conf_keys[i].name, key) == 0)
			break;
	if (i == sizeof(ts_conf_keys) / sizeof(ts_conf_keys[0]))
		PARSE_FAIL(x, "unknown conf field '%s'", key);
	f = (char *)&x->conf + ts_conf_keys[i].off;
	if (ts_conf_keys[i].kind == CK_STR) {
		if (val == NULL || strlen(val) >= sizeof(x->cc_name))
			PARSE_FAIL(x, "conf %s: bad value", key);
		strcpy(x->cc_name, val);
		*(const char **)(void *)f = x->cc_name;
		return;
	}
	if (ts_conf_keys[i].kind == CK_COOKIES) {
		enum tern_syncookies *m = (enum tern_syncookies *)(void *)f;
		if (val != NULL && strcmp(val, "auto") == 0)
			*m = TERN_SYNCOOKIES_AUTO;
		else if (val != NULL && strcmp(val, "always") == 0)
			*m = TERN_SYNCOOKIES_ALWAYS;
		else if (val != NULL && strcmp(val, "off") == 0)
			*m = TERN_SYNCOOKIES_OFF;
		else
			PARSE_FAIL(x, "conf %s: auto, always or off", key);
		return;
	}
	v = need_int(x, val, key);
	switch (ts_conf_keys[i].kind) {
	case CK_BOOL:
		if (v != 0 && v != 1)
			PARSE_FAIL(x, "conf %s: 0 or 1", key);
		*(bool *)(void *)f = v != 0;
		break;
	case CK_U8:
		if (v < 0 || v > UINT8_MAX)
			PARSE_FAIL(x, "conf %s: out of range", key);
		*(uint8_t *)(void *)f = (uint8_t)v;
		break;
	case CK_U16:
		if (v < 0 || v > UINT16_MAX)
			PARSE_FAIL(x, "conf %s: out of range", key);
		*(uint16_t *)(void *)f = (uint16_t)v;
		break;
	case CK_U32:
		if (v < 0 || v > UINT32_MAX)
			PARSE_FAIL(x, "conf %s: out of range", key);
		*(uint32_t *)(void *)f = (uint32_t)v;
		break;
	case CK_STR:
	case CK_COOKIES:
		break;
	}
}

static void
engine_start(struct ts_ctx *x)
{
	if (x->e != NULL)
		return;
	x->e = test_engine_new_conf(x->l, 0, &x->conf);
	x->t0 = test_link_now_ms(x->l);
}

/* ---- time ---- */

static void
advance_to(struct ts_ctx *x, uint64_t t)
{
	while (clock_rel(x) < t)
		test_link_advance(x->l, 1);
}

/* Pop the next captured frame and check what every frame must satisfy. */
static void
pop_frame(struct ts_ctx *x, struct test_pkt *p)
{
	uint16_t mtu = x->conf.mtu != 0 ? x->conf.mtu : 1500;
	char b[400];
	bool cookie_synack;

	if (!test_link_pop(x->l, 0, p))
		ts_fail(x, "internal: no frame to pop");
	if (!p->is_ip || !p->is_tcp)
		ts_fail(x, "tern sent a frame that is not IPv4/TCP (%u bytes, ethertype 0x%04x)",
		        p->len, p->eth.type);
	if ((p->tcp.flags & WIRE_TCP_SYN) && !x->tern_isn_known) {
		x->tern_isn = p->tcp.seq; /* tern's first SYN or SYN-ACK: relative 0 */
		x->tern_isn_known = true;
	}
	/* A SYN cookie's TSval carries options in its low bits: up to 63 ms behind the
	 * clock. The clock check starts with the next segment, which must not be behind. */
	cookie_synack =
	        (p->tcp.flags & (WIRE_TCP_SYN | WIRE_TCP_ACK)) == (WIRE_TCP_SYN | WIRE_TCP_ACK) &&
	        x->conf.syncookies == TERN_SYNCOOKIES_ALWAYS;
	if ((p->tcp.opts.present & WIRE_TCPO_TS) && !x->tern_ts_known) {
		x->tern_ts_known = true;
		x->tern_ts_first = p->tcp.opts.tsval;
	}
	fmt_actual(x, p, b, sizeof(b));
	trace_add(x, "  actual: %s", b);
	if (!p->ip_csum_ok || !p->tcp_csum_ok)
		ts_fail(x, "bad %s checksum in: %s", p->ip_csum_ok ? "TCP" : "IPv4", b);
	if (memcmp(p->eth.dst.b, ts_peer.mac.b, WIRE_ETH_ALEN) != 0 ||
	        memcmp(p->eth.src.b, ts_us.mac.b, WIRE_ETH_ALEN) != 0)
		ts_fail(x, "wrong Ethernet addresses in: %s", b);
	if (p->ip.src != ts_us.ip || p->ip.dst != ts_peer.ip)
		ts_fail(x, "wrong IPv4 addresses in: %s", b);
	if (wire_ipv4_is_fragment(&p->ip))
		ts_fail(x, "fragment: %s", b);
	if (p->ip.total_len > mtu)
		ts_fail(x, "IP packet of %u bytes exceeds the MTU %u: %s", p->ip.total_len, mtu, b);
	if (!x->lport_known) {
		x->lport = p->tcp.sport;
		x->lport_known = true;
	}
	if (p->tcp.sport != x->lport || p->tcp.dport != x->pport)
		ts_fail(x, "wrong ports %u -> %u (expected %u -> %u) in: %s", p->tcp.sport,
		        p->tcp.dport, x->lport, x->pport, b);
	if (p->tcp.opts.present & WIRE_TCPO_TS) {
		uint32_t off = p->tcp.opts.tsval - (uint32_t)p->t_ms;

		if (cookie_synack && !x->tern_ts_off_known) {
			x->cookie_ts_off = off;
			x->cookie_ts_known = true;
		} else if (!x->tern_ts_off_known) {
			x->tern_ts_off = off;
			x->tern_ts_off_known = true;
			if (x->cookie_ts_known && off - x->cookie_ts_off >= 64)
				ts_fail(x,
				        "the cookie SYN-ACK's TSval was %" PRIu32
				        " ms behind the clock",
				        off - x->cookie_ts_off);
		}
		if (!(cookie_synack && x->cookie_ts_known) && off != x->tern_ts_off) {
			ts_fail(x,
			        "TSval %" PRIu32 " does not follow the engine clock: expected "
			        "%" PRIu32 " (first TSval + elapsed ms) in: %s",
			        p->tcp.opts.tsval, (uint32_t)p->t_ms + x->tern_ts_off, b);
		}
		x->tern_ts_last = p->tcp.opts.tsval;
	}
}

/* A line that acts (inject, app action, jump) first requires that every segment tern
 * sent so far was expected. */
static void
no_leftover(struct ts_ctx *x)
{
	struct test_pkt p;
	char b[400];

	test_link_poll(x->l);
	if (test_link_captured(x->l, 0) == 0)
		return;
	pop_frame(x, &p);
	fmt_actual(x, &p, b, sizeof(b));
	ts_fail(x, "unexpected segment (no '>' line for it):\n    actual:   %s", b);
}

/* ---- expectations ---- */

static bool
val_ok(const struct ts_val *v, uint32_t expect, uint32_t actual)
{
	return !v->given || v->any || expect == actual;
}

/* Compare options; @return NULL or what differs. */
static const char *
opts_mismatch(const struct ts_ctx *x, const struct ts_seg *g, const struct test_pkt *p)
{
	const struct wire_tcp_opts *o = &p->tcp.opts;
	const struct ts_opts *w = &g->opts;
	unsigned i;

	if (g->opts_any)
		return NULL;
	if (!g->has_opts) {
		if (p->tcp.flags & WIRE_TCP_SYN)
			return NULL;
		if (x->ts_on)
			return o->present == WIRE_TCPO_TS
			               ? NULL
			               : "options: expected exactly TS (timestamps are in use)";
		return o->present == 0 ? NULL : "options: expected none";
	}
	if (o->present != w->present)
		return "options: not the same set";
	if ((w->present & WIRE_TCPO_MSS) && !val_ok(&w->mss, (uint32_t)w->mss.v, o->mss))
		return "options: mss";
	if ((w->present & WIRE_TCPO_WSCALE) &&
	        !val_ok(&w->wscale, (uint32_t)w->wscale.v, o->wscale))
		return "options: wscale";
	if (w->present & WIRE_TCPO_TS) {
		uint32_t val = (uint32_t)w->tsval.v;

		if (!w->tsval.abs)
			val += x->tern_ts_first;
		if (!val_ok(&w->tsval, val, o->tsval))
			return "options: TS val";
		if (!val_ok(&w->tsecr, (uint32_t)w->tsecr.v, o->tsecr))
			return "options: TS ecr";
	}
	if ((w->present & WIRE_TCPO_SACK) && !w->sack_any) {
		if (o->nsack != w->nsack)
			return "options: number of sack blocks";
		for (i = 0; i < w->nsack; i++)
			if (o->sack[i].left != x->peer_isn + (uint32_t)w->sack[i][0] ||
			        o->sack[i].right != x->peer_isn + (uint32_t)w->sack[i][1])
				return "options: sack blocks";
	}
	return NULL;
}

/* Nothing came by @p hi: look up to TS_LATE_LOOK ms further to say what came, if anything,
 * then fail. */
static void
late_fail(struct ts_ctx *x, uint64_t t, uint64_t hi)
{
	struct test_pkt p;
	char b[400];

	while (test_link_captured(x->l, 0) == 0 && clock_rel(x) < hi + TS_LATE_LOOK)
		test_link_advance(x->l, 1);
	if (test_link_captured(x->l, 0) == 0)
		ts_fail(x,
		        "expected a segment at %.3f s; nothing was sent by %.3f s, nor %u s after",
		        (double)t / 1000, (double)hi / 1000, TS_LATE_LOOK / 1000);
	pop_frame(x, &p);
	fmt_actual(x, &p, b, sizeof(b));
	ts_fail(x,
	        "expected a segment at %.3f s; nothing was sent by %.3f s, the next one came "
	        "later:\n    actual:   %s",
	        (double)t / 1000, (double)hi / 1000, b);
}

static void
expect_seg(struct ts_ctx *x, const struct ts_seg *g, enum ts_time_kind tk, uint64_t t)
{
	char b[400], msg[160] = "";
	const char *why = NULL;
	struct test_pkt p;
	uint8_t fl_mask = (uint8_t)~WIRE_TCP_PSH;
	uint64_t lo = t > x->tol ? t - x->tol : 0, hi = t + x->tol, at;
	uint32_t i;

	if (g->none) {
		advance_to(x, t);
		test_link_poll(x->l);
		if (test_link_captured(x->l, 0) != 0) {
			pop_frame(x, &p);
			fmt_actual(x, &p, b, sizeof(b));
			ts_fail(x, "expected nothing sent by %.3f s, got:\n    actual:   %s",
			        (double)t / 1000, b);
		}
		x->now = t;
		return;
	}
	if (tk == TT_ANY) {
		hi = clock_rel(x) + TS_WAIT_ANY;
		lo = 0;
	}
	test_link_poll(x->l);
	while (test_link_captured(x->l, 0) == 0) {
		if (clock_rel(x) >= hi)
			late_fail(x, t, hi);
		test_link_advance(x->l, 1);
	}
	pop_frame(x, &p);
	at = p.t_ms - x->t0;
	fmt_actual(x, &p, b, sizeof(b));
	if (at < lo)
		ts_fail(x, "segment sent at %.3f s, expected at %.3f s:\n    actual:   %s",
		        (double)at / 1000, (double)t / 1000, b);
	x->now = tk == TT_ANY ? at : t;

	if (g->flags & WIRE_TCP_PSH)
		fl_mask = 0xff;
	fl_mask &= (uint8_t)~g->flags_opt;
	if ((p.tcp.flags & fl_mask) != (g->flags & fl_mask)) {
		why = "flags";
	} else if (g->newinc && !g->new_any &&
	           (int32_t)(p.tcp.seq - x->tern_isn) <= (int32_t)g->new_above) {
		snprintf(msg, sizeof(msg),
		        "new incarnation: tern's ISN is %" PRId32
		        " relative to the old one, not above %" PRId64,
		        (int32_t)(p.tcp.seq - x->tern_isn), g->new_above);
		why = msg;
	} else if (!g->seq_any && !x->tern_isn_known) {
		why = "tern's ISN is unknown (no SYN from tern matched yet)";
	} else if (!g->seq_any && p.tcp.seq != x->tern_isn + (uint32_t)g->start) {
		why = "sequence number";
	} else if (!g->len_any && p.plen != g->len) {
		why = "payload length";
	} else if ((p.tcp.flags & WIRE_TCP_ACK) && g->ack.given &&
	           !val_ok(&g->ack, (g->ack.abs ? 0 : x->peer_isn) + (uint32_t)g->ack.v,
	                   p.tcp.ack)) {
		why = "ack number";
	} else if (!val_ok(&g->win, (uint32_t)g->win.v, p.tcp.win)) {
		why = "window";
	} else {
		why = opts_mismatch(x, g, &p);
	}
	if (why == NULL && g->newinc) {
		x->tern_isn = p.tcp.seq; /* relative 0 from here on */
		x->app_sent = 0;
	}
	if (why == NULL) {
		uint32_t off = p.tcp.seq - x->tern_isn - 1;

		for (i = 0; i < p.plen; i++) {
			if (p.payload[i] != pat(off + i, TS_SALT_TERN)) {
				snprintf(msg, sizeof(msg),
				        "payload byte %" PRIu32 " (stream offset %" PRIu32
				        ") is not what the application sent",
				        i, off + i);
				why = msg;
				break;
			}
		}
	}
	if (why != NULL)
		ts_fail(x, "mismatch (%s):\n    expected: %s\n    actual:   %s", why, x->line, b);

	/* Negotiation: timestamps are in use when both SYNs carried them. */
	if (p.tcp.flags & WIRE_TCP_SYN) {
		x->tern_syn_seen = true;
		x->tern_syn_ts = (p.tcp.opts.present & WIRE_TCPO_TS) != 0;
		x->ts_on = x->peer_syn_seen && x->peer_syn_ts && x->tern_syn_ts;
	}
}

/* ---- injection ---- */

static uint32_t
peer_clock(const struct ts_ctx *x)
{
	return x->peer_clock_val + (uint32_t)(x->now - x->peer_clock_t);
}

static void
inject_seg(struct ts_ctx *x, const struct ts_seg *g)
{
	struct wire_tcp_repr th;
	uint8_t payload[2048];
	unsigned i;

	if (!x->lport_known && !x->mode_set)
		ts_fail(x, "no 'app listen' or 'app connect' before the first segment");
	if (!x->lport_known)
		ts_fail(x, "tern's port is not known yet (its SYN was not seen)");
	if (g->len > sizeof(payload))
		ts_fail(x, "payload longer than %zu bytes", sizeof(payload));
	memset(&th, 0, sizeof(th));
	th.sport = x->pport;
	th.dport = x->lport;
	if (g->newinc) {
		/* a new incarnation: its ISN is relative 0 from here on */
		x->peer_isn += (uint32_t)g->start;
		x->app_read = 0;
		th.seq = x->peer_isn;
	} else {
		th.seq = x->peer_isn + (uint32_t)g->start;
	}
	th.flags = g->flags;
	th.win = g->win.given ? (uint16_t)g->win.v : 65535;
	if (g->ack.given) {
		if (!g->ack.abs && !x->tern_isn_known)
			ts_fail(x,
			        "'ack %" PRId64 "' is relative to tern's ISN, not known yet "
			        "(write 'ack =N')",
			        g->ack.v);
		th.ack = (g->ack.abs ? 0 : x->tern_isn) + (uint32_t)g->ack.v;
	}
	if (g->has_opts) {
		const struct ts_opts *o = &g->opts;

		th.opts.present = o->present;
		th.opts.mss = (uint16_t)o->mss.v;
		th.opts.wscale = (uint8_t)o->wscale.v;
		if (o->present & WIRE_TCPO_TS) {
			uint32_t val = (uint32_t)o->tsval.v;

			th.opts.tsval = val;
			th.opts.tsecr = (uint32_t)o->tsecr.v;
			if (!o->tsecr.abs && x->tern_ts_known)
				th.opts.tsecr += x->tern_ts_first;
			/* The peer's clock moves forward with a larger value, never back. */
			if (!x->peer_clock_known || (int32_t)(val - peer_clock(x)) > 0) {
				x->peer_clock_known = true;
				x->peer_clock_val = val;
				x->peer_clock_t = x->now;
			}
		}
		if (o->present & WIRE_TCPO_SACK) {
			if (!x->tern_isn_known)
				ts_fail(x, "sack blocks before tern's ISN is known");
			th.opts.nsack = (uint8_t)o->nsack;
			for (i = 0; i < o->nsack; i++) {
				th.opts.sack[i].left = x->tern_isn + (uint32_t)o->sack[i][0];
				th.opts.sack[i].right = x->tern_isn + (uint32_t)o->sack[i][1];
			}
		}
	} else if (x->ts_on) {
		th.opts.present = WIRE_TCPO_TS;
		th.opts.tsval = peer_clock(x);
		th.opts.tsecr = x->tern_ts_last;
	}
	for (i = 0; i < g->len; i++)
		payload[i] = pat((uint32_t)(g->newinc ? 0 : g->start) - 1 + i, TS_SALT_PEER);
	if (g->flags & WIRE_TCP_SYN) {
		x->peer_syn_seen = true;
		x->peer_syn_ts = (th.opts.present & WIRE_TCPO_TS) != 0;
		x->ts_on = x->tern_syn_seen && x->peer_syn_ts && x->tern_syn_ts;
	}
	test_link_inject(x->l, 0, test_craft_tcp(x->pool, &ts_peer, &ts_us, &th, payload, g->len));
	test_link_poll(x->l);
}

/* ---- app actions ---- */

static struct tern_conn *
need_conn(struct ts_ctx *x)
{
	if (x->conn == NULL)
		ts_fail(x, x->have_conn ? "the connection is closed"
		                        : "no connection (not accepted or connected yet)");
	return x->conn;
}

static void
check_ret(
        struct ts_ctx *x, const char *what, int64_t got, bool have_want, int64_t want, int64_t dflt)
{
	if (!have_want)
		want = dflt;
	if (got != want)
		ts_fail(x, "%s returned %" PRId64 ", expected %" PRId64, what, got, want);
}

static enum tern_conn_opt
opt_by_name(struct ts_ctx *x, const char *n)
{
	static const struct {
		const char *name;
		enum tern_conn_opt opt;
	} opts[] = {{"nodelay", TERN_OPT_NODELAY}, {"keepalive", TERN_OPT_KEEPALIVE},
	        {"keepidle_ms", TERN_OPT_KEEPIDLE_MS}, {"keepintvl_ms", TERN_OPT_KEEPINTVL_MS},
	        {"keepcnt", TERN_OPT_KEEPCNT}, {"user_timeout_ms", TERN_OPT_USER_TIMEOUT_MS}};
	unsigned i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (n != NULL && strcmp(n, opts[i].name) == 0)
			return opts[i].opt;
	PARSE_FAIL(x, "unknown option '%s'", n ? n : "");
}

static bool
is_check_action(const char *a)
{
	return strncmp(a, "expect-", 7) == 0;
}

static void
app_action(struct ts_ctx *x, struct ts_tok *t)
{
	char *a = tok_next(t), *arg;
	int64_t want = 0, n;
	bool hw;

	if (a == NULL)
		PARSE_FAIL(x, "app without an action");
	if (!is_check_action(a))
		no_leftover(x);
	if (strcmp(a, "listen") == 0) {
		n = need_int(x, tok_next(t), "port");
		hw = parse_ret(x, t, &want);
		if (x->mode_set)
			ts_fail(x, "one listen or connect per script");
		check_ret(x, "tern_listen", tern_listen(x->e, (uint16_t)n, 0), hw, want, 0);
		x->mode_set = true;
		x->lport = (uint16_t)n;
		x->lport_known = true;
	} else if (strcmp(a, "connect") == 0) {
		struct tern_conn *c;
		int64_t from = 0;
		char *w;

		n = need_int(x, tok_next(t), "port");
		w = t->p + strspn(t->p, " \t");
		if (strncmp(w, "from", 4) == 0 && (w[4] == ' ' || w[4] == '\t' || w[4] == '\0')) {
			tok_next(t);
			from = need_int(x, tok_next(t), "LPORT");
		}
		hw = parse_ret(x, t, &want);
		if (x->mode_set && (!x->connect_mode || x->conn != NULL))
			ts_fail(x, "a second connect needs an earlier connect whose connection "
			           "is gone");
		c = tern_connect(x->e, ts_peer.ip, (uint16_t)n, (uint16_t)from, NULL);
		check_ret(x, "tern_connect", c != NULL ? 0 : -rte_errno, hw, want, 0);
		if (c == NULL)
			return;
		if (x->mode_set) {
			x->lport_known = false; /* learnt again from the new SYN */
			x->n_closed = 0;
		}
		x->mode_set = true;
		x->connect_mode = true;
		x->pport = (uint16_t)n;
		x->conn = c;
		x->have_conn = true;
	} else if (strcmp(a, "send") == 0) {
		ssize_t r;
		uint32_t i;

		n = need_int(x, tok_next(t), "bytes");
		hw = parse_ret(x, t, &want);
		if (n < 0 || n > TS_MAX_RECV)
			PARSE_FAIL(x, "send size out of range");
		for (i = 0; i < (uint32_t)n; i++)
			x->buf[i] = pat((uint32_t)x->app_sent + i, TS_SALT_TERN);
		r = tern_conn_send(need_conn(x), x->buf, (size_t)n);
		if (r > 0)
			x->app_sent += (uint64_t)r;
		check_ret(x, "tern_conn_send", r, hw, want, n);
	} else if (strcmp(a, "recv") == 0) {
		ssize_t r;
		ssize_t i;

		n = need_int(x, tok_next(t), "bytes");
		hw = parse_ret(x, t, &want);
		if (n < 0 || n > TS_MAX_RECV)
			PARSE_FAIL(x, "recv size out of range");
		r = tern_conn_recv(need_conn(x), x->buf, (size_t)n);
		check_ret(x, "tern_conn_recv", r, hw, want, n);
		for (i = 0; i < r; i++)
			if (x->buf[i] != pat((uint32_t)x->app_read + (uint32_t)i, TS_SALT_PEER))
				ts_fail(x,
				        "received byte at stream offset %" PRIu64
				        " is not what the peer sent",
				        x->app_read + (uint64_t)i);
		if (r > 0)
			x->app_read += (uint64_t)r;
	} else if (strcmp(a, "close") == 0) {
		hw = parse_ret(x, t, &want);
		check_ret(x, "tern_conn_close", tern_conn_close(need_conn(x)), hw, want, 0);
	} else if (strcmp(a, "shutdown") == 0) {
		hw = parse_ret(x, t, &want);
		check_ret(x, "tern_conn_shutdown", tern_conn_shutdown(need_conn(x)), hw, want, 0);
	} else if (strcmp(a, "abort") == 0) {
		no_more(x, t);
		tern_conn_abort(need_conn(x));
	} else if (strcmp(a, "setopt") == 0) {
		enum tern_conn_opt o = opt_by_name(x, tok_next(t));

		n = need_int(x, tok_next(t), "value");
		hw = parse_ret(x, t, &want);
		check_ret(x, "tern_conn_setopt", tern_conn_setopt(need_conn(x), o, (uint32_t)n), hw,
		        want, 0);
	} else if (strcmp(a, "expect-state") == 0) {
		const char *st;

		arg = tok_next(t);
		no_more(x, t);
		if (arg == NULL)
			PARSE_FAIL(x, "expect-state without a state");
		st = x->conn != NULL ? tern_tcp_state_name(tern_conn_state(x->conn)) : "CLOSED";
		if (strcmp(st, arg) != 0)
			ts_fail(x, "state is %s, expected %s", st, arg);
	} else if (strcmp(a, "expect-closed") == 0) {
		arg = tok_next(t);
		no_more(x, t);
		if (arg == NULL)
			PARSE_FAIL(x, "expect-closed without a reason");
		if (x->n_closed == 0)
			ts_fail(x, "no closed callback yet (expected reason %s)", arg);
		if (strcmp(arg, "any") != 0 && strcmp(tern_close_reason_name(x->why), arg) != 0)
			ts_fail(x, "closed with reason %s, expected %s",
			        tern_close_reason_name(x->why), arg);
	} else if (strcmp(a, "expect-open") == 0) {
		no_more(x, t);
		if (x->n_closed != 0)
			ts_fail(x, "the connection was closed (%s)",
			        tern_close_reason_name(x->why));
	} else if (strcmp(a, "expect-readable") == 0) {
		size_t r;

		n = need_int(x, tok_next(t), "bytes");
		no_more(x, t);
		r = tern_conn_readable(need_conn(x));
		if ((int64_t)r != n)
			ts_fail(x, "%zu bytes readable, expected %" PRId64, r, n);
	} else {
		PARSE_FAIL(x, "unknown app action '%s'", a);
	}
	test_link_poll(x->l);
}

/* ---- counters ---- */

#define TS_GAUGE_ENTRY(n, d) {#n, offsetof(struct tern_gauges, n)},
static const struct {
	const char *name;
	size_t off;
} ts_gauges[] = {TERN_GAUGES(TS_GAUGE_ENTRY)};
#undef TS_GAUGE_ENTRY

static void
check_counter(struct ts_ctx *x, const char *kind, struct ts_tok *t)
{
	const struct tern_stats *st = tern_engine_stats(x->e);
	char *name = tok_next(t), *op = tok_next(t);
	int64_t want = need_int(x, tok_next(t), "value");
	uint64_t v = 0;
	bool found = false, ok;
	unsigned i;

	no_more(x, t);
	if (name == NULL || op == NULL)
		PARSE_FAIL(x, "expected '%s NAME OP VALUE'", kind);
	if (strcmp(kind, "counter") == 0) {
		for (i = 0; i < TERN_CTR_MAX && !found; i++)
			if (strcmp(tern_counter_name((enum tern_counter)i), name) == 0) {
				v = st->ctr[i];
				found = true;
			}
	} else if (strcmp(kind, "drop") == 0) {
		for (i = 0; i < TERN_DROP_MAX && !found; i++)
			if (strcmp(tern_drop_name((enum tern_drop)i), name) == 0) {
				v = st->drop[i];
				found = true;
			}
	} else {
		struct tern_gauges g;
		uint32_t v32;

		tern_engine_gauges(x->e, &g);
		for (i = 0; i < sizeof(ts_gauges) / sizeof(ts_gauges[0]) && !found; i++)
			if (strcmp(ts_gauges[i].name, name) == 0) {
				memcpy(&v32, (const char *)&g + ts_gauges[i].off, sizeof(v32));
				v = v32;
				found = true;
			}
	}
	if (!found)
		PARSE_FAIL(x, "unknown %s '%s'", kind, name);
	if (strcmp(op, "==") == 0)
		ok = (int64_t)v == want;
	else if (strcmp(op, "!=") == 0)
		ok = (int64_t)v != want;
	else if (strcmp(op, "<") == 0)
		ok = (int64_t)v < want;
	else if (strcmp(op, "<=") == 0)
		ok = (int64_t)v <= want;
	else if (strcmp(op, ">") == 0)
		ok = (int64_t)v > want;
	else if (strcmp(op, ">=") == 0)
		ok = (int64_t)v >= want;
	else
		PARSE_FAIL(x, "unknown operator '%s'", op);
	if (!ok) {
		char nz[1024] = "";
		size_t u = 0;

		/* Name what did move: a miscounted drop usually went to another reason. */
		for (i = 0; i < TERN_DROP_MAX && u < sizeof(nz); i++)
			if (st->drop[i] != 0)
				u += (size_t)snprintf(nz + u, sizeof(nz) - u, " %s=%" PRIu64,
				        tern_drop_name((enum tern_drop)i), st->drop[i]);
		ts_fail(x, "%s %s is %" PRIu64 ", expected %s %" PRId64 "\n    non-zero drops:%s",
		        kind, name, v, op, want, nz);
	}
}

/* ---- one line ---- */

static void
run_line(struct ts_ctx *x, const char *src)
{
	char line[TS_LINE_MAX], *p, *k, *c;
	enum ts_time_kind tk = TT_NONE;
	uint64_t t = x->now, ms = 0;
	struct ts_tok tok;

	if (strlen(src) >= sizeof(line))
		PARSE_FAIL(x, "line longer than %d characters", TS_LINE_MAX - 1);
	strcpy(line, src);
	if ((c = strstr(line, "//")) != NULL)
		*c = '\0';
	if ((c = strchr(line, '#')) != NULL)
		*c = '\0';
	tok.p = line;
	while (*tok.p == ' ' || *tok.p == '\t')
		tok.p++;
	if (*tok.p == '\0')
		return;

	/* time */
	p = tok.p;
	if (*p == '*' && (p[1] == ' ' || p[1] == '\t')) {
		tk = TT_ANY;
		tok_next(&tok);
	} else if (*p == '+' || *p == '.' || (*p >= '0' && *p <= '9')) {
		k = tok_next(&tok);
		tk = *k == '+' ? TT_REL : TT_ABS;
		if (!parse_duration(k + (tk == TT_REL), &ms))
			PARSE_FAIL(x, "bad time '%s'", k);
		t = tk == TT_REL ? x->now + ms : ms;
	}

	while (*tok.p == ' ' || *tok.p == '\t')
		tok.p++;
	/* segments: the rest of the line is the segment */
	if (*tok.p == '<' || *tok.p == '>') {
		struct ts_seg g;
		bool out = *tok.p == '>';

		if (tok.p[1] != ' ' && tok.p[1] != '\t')
			PARSE_FAIL(x, "'%c' must be followed by a space", *tok.p);
		parse_seg(x, tok.p + 1, out, &g);
		engine_start(x);
		if (tk != TT_ANY && t < x->now)
			PARSE_FAIL(x, "time goes backwards");
		if (out) {
			expect_seg(x, &g, tk, t);
			return;
		}
		if (tk == TT_ANY)
			PARSE_FAIL(x, "'*' time on a segment the peer sends");
		advance_to(x, t);
		x->now = t;
		no_leftover(x);
		inject_seg(x, &g);
		return;
	}
	k = tok_next(&tok);
	if (tk == TT_ANY)
		PARSE_FAIL(x, "'*' time on a line that is not '>'");
	/* header lines */
	if (strcmp(k, "conf") == 0 || strcmp(k, "peer") == 0 || strcmp(k, "tolerance") == 0) {
		char *a = tok_next(&tok), *b = tok_next(&tok);

		if (x->e != NULL)
			PARSE_FAIL(x, "'%s' after the engine started (header lines come first)", k);
		if (tk != TT_NONE)
			PARSE_FAIL(x, "header lines take no time");
		if (strcmp(k, "conf") == 0) {
			no_more(x, &tok);
			conf_set(x, a, b);
		} else if (strcmp(k, "tolerance") == 0) {
			int64_t v = need_int(x, a, "tolerance");

			if (b != NULL || v < 0 || v > 1000)
				PARSE_FAIL(x, "tolerance N (ms)");
			x->tol = (unsigned)v;
		} else if (a != NULL && strcmp(a, "isn") == 0) {
			no_more(x, &tok);
			x->peer_isn = (uint32_t)need_int(x, b, "peer isn");
		} else if (a != NULL && strcmp(a, "port") == 0) {
			int64_t v = need_int(x, b, "peer port");

			no_more(x, &tok);
			if (v <= 0 || v > 65535)
				PARSE_FAIL(x, "peer port out of range");
			x->pport = (uint16_t)v;
		} else {
			PARSE_FAIL(x, "expected 'peer isn N' or 'peer port N'");
		}
		return;
	}
	engine_start(x);
	if (t < x->now)
		PARSE_FAIL(x, "time goes backwards");
	advance_to(x, t);
	x->now = t;
	if (strcmp(k, "app") == 0) {
		app_action(x, &tok);
	} else if (strcmp(k, "counter") == 0 || strcmp(k, "drop") == 0 || strcmp(k, "gauge") == 0) {
		test_link_poll(x->l);
		check_counter(x, k, &tok);
	} else if (strcmp(k, "jump") == 0) {
		char *d = tok_next(&tok);

		no_more(x, &tok);
		if (d == NULL || !parse_duration(d, &ms))
			PARSE_FAIL(x, "jump DURATION");
		no_leftover(x);
		test_link_jump(x->l, ms);
		x->now += ms;
	} else {
		PARSE_FAIL(x, "unknown event '%s'", k);
	}
}

/* ---- running ---- */

static struct ts_ctx *
ctx_new(const struct tcp_script *s)
{
	struct ts_ctx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->buf = malloc(TS_MAX_RECV);
	assert_non_null(x->buf);
	x->s = s;
	x->pool = test_eal_pool();
	x->free0 = rte_mempool_avail_count(x->pool);
	x->clk.ns = TS_CLOCK0_NS;
	x->l = test_link_new(x->pool, &x->clk);
	test_link_capture(x->l, 0, true);
	test_link_auto_arp(x->l, 0, ts_peer.ip, &ts_peer.mac);
	x->cb.accepted = cb_accepted;
	x->cb.connected = cb_connected;
	x->cb.closed = cb_closed;
	test_engine_conf(&x->conf, x->l, 0, &ts_us);
	x->conf.cb = &x->cb;
	x->conf.app = x;
	x->tol = 1;
	x->pport = TS_PEER_PORT;
	x->peer_isn = TS_PEER_ISN;
	return x;
}

/* @return 0, or -1 when mbufs leaked. */
static int
ctx_free(struct ts_ctx *x)
{
	unsigned avail;
	int rc = 0;

	if (x == NULL)
		return 0;
	test_link_free(x->l);
	avail = rte_mempool_avail_count(x->pool);
	if (avail != x->free0) {
		print_error("script %s: %d mbufs leaked\n", x->s->name, (int)x->free0 - (int)avail);
		rc = -1;
	}
	free(x->buf);
	free(x);
	return rc;
}

static void
ctx_run(struct ts_ctx *x)
{
	const char *const *ln;

	for (ln = x->s->lines; *ln != NULL; ln++) {
		x->lineno = (unsigned)(ln - x->s->lines) + 1;
		x->line = *ln;
		trace_add(x, "L%-3u %s", x->lineno, *ln);
		run_line(x, *ln);
	}
	x->line = NULL;
	x->lineno++;
	engine_start(x);
	no_leftover(x);
}

void
tcp_script_run(const struct tcp_script *s)
{
	struct ts_ctx *x = ctx_new(s);

	ctx_run(x);
	assert_int_equal(ctx_free(x), 0);
}

static int
group_setup(void **state)
{
	*state = ctx_new(*state);
	return 0;
}

static int
group_teardown(void **state)
{
	return ctx_free(*state);
}

static void
group_test(void **state)
{
	ctx_run(*state);
}

int
tcp_script_run_group(const char *group, const struct tcp_script *scripts, size_t n)
{
	struct CMUnitTest *t = calloc(n, sizeof(*t));
	const char *filter = getenv("TCP_SCRIPT");
	size_t i;
	int rc;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		t[i].name = scripts[i].name;
		t[i].test_func = group_test;
		t[i].setup_func = group_setup;
		t[i].teardown_func = group_teardown;
		t[i].initial_state = (void *)(uintptr_t)&scripts[i];
	}
	if (filter != NULL && *filter != '\0')
		cmocka_set_test_filter(filter);
	rc = _cmocka_run_group_tests(group, t, n, NULL, NULL);
	free(t);
	return rc;
}

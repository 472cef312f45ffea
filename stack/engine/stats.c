/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and descriptions of the counters and drop reasons (from the X-macros). */
#include <stddef.h>

#include <tern/tern.h>

static const char *const drop_names[] = {
#define X(n, l, d) #l,
        TERN_DROP_REASONS(X)
#undef X
};
static const char *const drop_descs[] = {
#define X(n, l, d) d,
        TERN_DROP_REASONS(X)
#undef X
};
static const char *const ctr_names[] = {
#define X(n, l, d) #l,
        TERN_COUNTERS(X)
#undef X
};
static const char *const ctr_descs[] = {
#define X(n, l, d) d,
        TERN_COUNTERS(X)
#undef X
};

void
tern_stats_add(struct tern_stats *sum, const struct tern_stats *s)
{
	unsigned k;

	for (k = 0; k < TERN_CTR_MAX; k++)
		sum->ctr[k] += s->ctr[k];
	for (k = 0; k < TERN_DROP_MAX; k++)
		sum->drop[k] += s->drop[k];
}

void
tern_gauges_add(struct tern_gauges *sum, const struct tern_gauges *g)
{
#define X(n, d) sum->n += g->n;
	TERN_GAUGES(X)
#undef X
	sum->mbufs_free = g->mbufs_free;
}

const char *
tern_drop_name(enum tern_drop d)
{
	return (unsigned)d < TERN_DROP_MAX ? drop_names[d] : NULL;
}

const char *
tern_drop_desc(enum tern_drop d)
{
	return (unsigned)d < TERN_DROP_MAX ? drop_descs[d] : NULL;
}

const char *
tern_counter_name(enum tern_counter c)
{
	return (unsigned)c < TERN_CTR_MAX ? ctr_names[c] : NULL;
}

const char *
tern_counter_desc(enum tern_counter c)
{
	return (unsigned)c < TERN_CTR_MAX ? ctr_descs[c] : NULL;
}

static const char *const state_names[TERN_TCP_STATE_MAX] = {
        [TERN_TCP_CLOSED] = "CLOSED",
        [TERN_TCP_LISTEN] = "LISTEN",
        [TERN_TCP_SYN_SENT] = "SYN_SENT",
        [TERN_TCP_SYN_RCVD] = "SYN_RCVD",
        [TERN_TCP_ESTABLISHED] = "ESTABLISHED",
        [TERN_TCP_FIN_WAIT_1] = "FIN_WAIT_1",
        [TERN_TCP_FIN_WAIT_2] = "FIN_WAIT_2",
        [TERN_TCP_CLOSING] = "CLOSING",
        [TERN_TCP_TIME_WAIT] = "TIME_WAIT",
        [TERN_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
        [TERN_TCP_LAST_ACK] = "LAST_ACK",
};

const char *
tern_tcp_state_name(enum tern_tcp_state s)
{
	return (unsigned)s < TERN_TCP_STATE_MAX ? state_names[s] : "?";
}

const char *
tern_close_reason_name(enum tern_close_reason r)
{
	switch (r) {
	case TERN_CLOSE_NORMAL:
		return "normal";
	case TERN_CLOSE_RESET:
		return "reset";
	case TERN_CLOSE_REFUSED:
		return "refused";
	case TERN_CLOSE_TIMEOUT:
		return "timeout";
	case TERN_CLOSE_ABORTED:
		return "aborted";
	case TERN_CLOSE_NO_ROUTE:
		return "no-route";
	case TERN_CLOSE_ENGINE:
		return "engine";
	case TERN_CLOSE_USER_TIMEOUT:
		return "user-timeout";
	case TERN_CLOSE_KEEPALIVE:
		return "keepalive";
	case TERN_CLOSE_FIN_TIMEOUT:
		return "fin-timeout";
	case TERN_CLOSE_MAX:
		break;
	}
	return "?";
}

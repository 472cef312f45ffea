/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public connection API (include/tern/tern.h): a thin wrapper over the user calls in
 * stack/tcp/ (tcp_user.c, tcp_conn.c), which own the connection life cycle. This layer
 * only turns their results into the public conventions (rte_errno for tern_connect) and
 * answers the read-only accessors; nothing below calls up into it.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "engine/engine.h"
#include "tcp/tcp.h"

int
tern_listen(struct tern_engine *e, uint16_t port, uint32_t backlog)
{
	return tcp_listen_open(e, port, backlog);
}

int
tern_listen_pause(struct tern_engine *e, uint16_t port, bool pause)
{
	return tcp_listen_pause(e, port, pause);
}

int
tern_unlisten(struct tern_engine *e, uint16_t port)
{
	return tcp_listen_close(e, port);
}

int
tern_listen_filter(struct tern_engine *e, uint16_t port, tern_syn_filter_fn fn, void *arg)
{
	return tcp_listen_set_filter(e, port, fn, arg);
}

struct tern_conn *
tern_connect(struct tern_engine *e, uint32_t dst, uint16_t dport, uint16_t local_port, void *udata)
{
	struct tern_conn *c = NULL;
	int rc = tcp_connect(e, dst, dport, local_port, udata, &c);

	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	return c;
}

struct tern_conn *
tern_connect_addr(struct tern_engine *e, const struct tern_addr *dst, uint16_t dport,
        uint16_t local_port, void *udata)
{
	struct tern_conn *c = NULL;
	struct wire_ip6 d6;
	int rc;

	if (dst == NULL || (dst->family != TERN_AF_INET && dst->family != TERN_AF_INET6)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (dst->family == TERN_AF_INET)
		return tern_connect(e, dst->v4, dport, local_port, udata);
	memcpy(d6.b, dst->v6, sizeof(d6.b));
	rc = tcp_connect6(e, &d6, dport, local_port, udata, &c);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	return c;
}

ssize_t
tern_conn_send(struct tern_conn *c, const void *buf, size_t len)
{
	return tcp_send(c, buf, len);
}

int
tern_conn_send_mbuf(struct tern_conn *c, struct rte_mbuf *m)
{
	return tcp_send_mbuf(c, m);
}

ssize_t
tern_conn_recv(struct tern_conn *c, void *buf, size_t len)
{
	return tcp_receive(c, buf, len);
}

ssize_t
tern_conn_recv_mbuf(struct tern_conn *c, size_t max, struct rte_mbuf **out)
{
	return tcp_receive_mbuf(c, max, out);
}

int
tern_conn_shutdown(struct tern_conn *c)
{
	return tcp_shutdown(c);
}

int
tern_conn_close(struct tern_conn *c)
{
	return tcp_close(c);
}

void
tern_conn_abort(struct tern_conn *c)
{
	tcp_abort(c);
}

int
tern_conn_setopt(struct tern_conn *c, enum tern_conn_opt opt, uint32_t val)
{
	return tcp_setopt(c, opt, val);
}

int
tern_conn_getopt(const struct tern_conn *c, enum tern_conn_opt opt, uint32_t *val)
{
	return tcp_getopt(c, opt, val);
}

size_t
tern_conn_readable(const struct tern_conn *c)
{
	return conn_rb_len(c);
}

size_t
tern_conn_send_space(const struct tern_conn *c)
{
	if (c->flags & (CONN_F_DEAD | CONN_F_FIN_QUEUED))
		return 0;
	return conn_sb_limit(c) - conn_sb_len(c);
}

void *
tern_conn_udata(const struct tern_conn *c)
{
	return c->udata;
}

void
tern_conn_set_udata(struct tern_conn *c, void *udata)
{
	c->udata = udata;
}

enum tern_tcp_state
tern_conn_state(const struct tern_conn *c)
{
	return (enum tern_tcp_state)c->state;
}

struct tern_engine *
tern_conn_engine(const struct tern_conn *c)
{
	return conn_e(c);
}

void
tern_conn_tuple(const struct tern_conn *c, struct tern_tuple *t)
{
	bool v6 = flow_key_is6(&c->node.key);

	t->laddr = v6 ? 0 : c->node.key.laddr;
	t->raddr = v6 ? 0 : c->node.key.raddr;
	t->lport = c->node.key.lport;
	t->rport = c->node.key.rport;
}

/* Our address (@p local) or the peer's of connection @p c. */
static void
conn_addr(const struct tern_conn *c, bool local, struct tern_addr *a, uint16_t *port)
{
	const struct flow_key *k = &c->node.key;

	memset(a, 0, sizeof(*a));
	if (flow_key_is6(k)) {
		struct wire_ip6 l, r;

		tcp_key_ip6(conn_e(c), k, &l, &r);
		a->family = TERN_AF_INET6;
		memcpy(a->v6, local ? l.b : r.b, sizeof(a->v6));
	} else {
		a->family = TERN_AF_INET;
		a->v4 = local ? k->laddr : k->raddr;
	}
	if (port != NULL)
		*port = local ? k->lport : k->rport;
}

void
tern_conn_peer(const struct tern_conn *c, struct tern_addr *a, uint16_t *port)
{
	conn_addr(c, false, a, port);
}

void
tern_conn_local(const struct tern_conn *c, struct tern_addr *a, uint16_t *port)
{
	conn_addr(c, true, a, port);
}

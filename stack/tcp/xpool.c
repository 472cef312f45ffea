/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Index-addressed object pool that grows on demand: see xpool.h. A free object holds the
 * id of the next free one in its first four bytes.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "tcp/xpool.h"

static inline uint32_t *
free_link(const struct xpool *p, uint32_t id)
{
	return (uint32_t *)xpool_at(p, id);
}

int
xpool_init(struct xpool *p, const char *name, uint32_t size, uint32_t cap, int socket)
{
	uint32_t nchunks;

	memset(p, 0, sizeof(*p));
	if (size < 4 || size % 4 != 0 || cap == 0)
		return -EINVAL;
	nchunks = (uint32_t)(((uint64_t)cap + XPOOL_CHUNK - 1) / XPOOL_CHUNK);
	p->chunk = rte_zmalloc_socket(name, sizeof(*p->chunk) * nchunks, 0, socket);
	if (p->chunk == NULL)
		return -ENOMEM;
	p->size = size;
	p->cap = cap;
	p->socket = socket;
	p->name = name;
	return 0;
}

void
xpool_fini(struct xpool *p)
{
	uint32_t i;

	if (p->chunk != NULL)
		for (i = 0; i < (p->grown + XPOOL_CHUNK - 1) / XPOOL_CHUNK; i++)
			rte_free(p->chunk[i]);
	rte_free(p->chunk);
	memset(p, 0, sizeof(*p));
}

/* Allocate the next chunk and put its objects on the free list, lowest id first. */
int
xpool_grow(struct xpool *p)
{
	uint32_t n = p->cap - p->grown < XPOOL_CHUNK ? p->cap - p->grown : XPOOL_CHUNK;
	uint32_t first = p->grown + 1, id;
	char *chunk;

	if (n == 0)
		return -ENOSPC;
	chunk = rte_malloc_socket(p->name, (size_t)p->size * n, RTE_CACHE_LINE_SIZE, p->socket);
	if (chunk == NULL)
		return -ENOMEM;
	p->chunk[p->grown / XPOOL_CHUNK] = chunk;
	p->grown += n;
	for (id = first + n - 1; id >= first; id--) {
		*free_link(p, id) = p->free_head;
		p->free_head = id;
	}
	return 0;
}

size_t
xpool_bytes(const struct xpool *p)
{
	uint32_t nchunks = (uint32_t)(((uint64_t)p->cap + XPOOL_CHUNK - 1) / XPOOL_CHUNK);

	return sizeof(*p->chunk) * nchunks + (size_t)p->size * p->grown;
}

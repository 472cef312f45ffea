/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Index-addressed object pool that grows on demand (issue 12: compact connections).
 *
 * A connection block names what it borrows (its extension, its buffers) by a 32-bit id
 * instead of a pointer, and most connections borrow nothing most of the time. So the
 * objects are not allocated up front: the pool takes them from the engine's heap in
 * chunks of XPOOL_CHUNK, when its free list is empty, up to @c cap objects in all. Memory
 * then follows the most objects ever in use at once (the high-water mark), rounded up to
 * a chunk, not the cap; chunks are kept until xpool_fini() (a later burst reuses them
 * without touching the heap again). Up front it holds only the chunk directory: one
 * pointer per XPOOL_CHUNK objects of the cap.
 *
 * The heap (rte_malloc) takes a lock shared by the lcores of a NUMA socket: a pool takes
 * it once per XPOOL_CHUNK new objects while its high-water mark rises, never in a steady
 * state. Ids are 1-based (0 is "none"); an id stays valid until xpool_put().
 *
 * One engine (one lcore) uses a pool: nothing here is thread-safe.
 */
#ifndef TERN_TCP_XPOOL_H
#define TERN_TCP_XPOOL_H

#include <stddef.h>
#include <stdint.h>

#define XPOOL_SHIFT 8
#define XPOOL_CHUNK (1u << XPOOL_SHIFT) /**< objects per chunk */

struct xpool {
	char **chunk;       /**< directory: (cap + XPOOL_CHUNK - 1) / XPOOL_CHUNK chunks */
	uint32_t size;      /**< object size (a multiple of 4, at least 4) */
	uint32_t cap;       /**< at most this many objects */
	uint32_t grown;     /**< objects in the chunks allocated so far */
	uint32_t free_head; /**< id of the first free object, 0 when none */
	uint32_t used;      /**< objects handed out */
	int socket;         /**< NUMA socket of the chunks */
	const char *name;   /**< heap tag of the chunks */
};

/**
 * Set up @p p for up to @p cap objects of @p size bytes, allocating only the directory.
 * @return 0, -EINVAL (size below 4 or not a multiple of 4, or cap 0), -ENOMEM
 */
int xpool_init(struct xpool *p, const char *name, uint32_t size, uint32_t cap, int socket);

/** Free every chunk and the directory (the objects are gone; @p p can be set up again). */
void xpool_fini(struct xpool *p);

/** Add a chunk to the free list (xpool_get()'s slow path). @return 0, -ENOSPC at the cap,
 *  -ENOMEM when the heap has no room */
int xpool_grow(struct xpool *p);

/** The object named by @p id (not 0). */
static inline void *
xpool_at(const struct xpool *p, uint32_t id)
{
	id--;
	return p->chunk[id >> XPOOL_SHIFT] + (size_t)(id & (XPOOL_CHUNK - 1)) * p->size;
}

/** Take a free object, growing the pool by a chunk when none is free.
 *  @return its id, or 0 when the pool is at its cap or the heap has no room */
static inline uint32_t
xpool_get(struct xpool *p)
{
	uint32_t id = p->free_head;

	if (__builtin_expect(id == 0, 0)) {
		if (xpool_grow(p) != 0)
			return 0;
		id = p->free_head;
	}
	p->free_head = *(const uint32_t *)xpool_at(p, id);
	p->used++;
	return id;
}

/** Give object @p id back. */
static inline void
xpool_put(struct xpool *p, uint32_t id)
{
	*(uint32_t *)xpool_at(p, id) = p->free_head;
	p->free_head = id;
	p->used--;
}

/** Bytes the pool holds now: directory and chunks. */
size_t xpool_bytes(const struct xpool *p);

#endif /* TERN_TCP_XPOOL_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Intrusive circular doubly linked list (O(1) insert / remove, no allocation).
 */
#ifndef TERN_UTIL_LIST_H
#define TERN_UTIL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct tern_list {
	struct tern_list *next;
	struct tern_list *prev;
};

#define tern_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void
tern_list_init(struct tern_list *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool
tern_list_empty(const struct tern_list *h)
{
	return h->next == h;
}

/** True when node @p n is linked (nodes are kept self-linked when off a list). */
static inline bool
tern_list_linked(const struct tern_list *n)
{
	return n->next != n;
}

static inline void
tern_list_add_tail(struct tern_list *h, struct tern_list *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void
tern_list_del(struct tern_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

static inline struct tern_list *
tern_list_first(const struct tern_list *h)
{
	return h->next == h ? NULL : h->next;
}

#endif

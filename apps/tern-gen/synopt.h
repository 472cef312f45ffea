/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern-gen's TCP option bytes, pure (no DPDK, no state; unit-tested by
 * tests/unit/test_gen_synopt.c): the SYN options of the client stacks a realistic SYN
 * flood mimics, and the timestamp option of a received segment.
 */
#ifndef TERN_GEN_SYNOPT_H
#define TERN_GEN_SYNOPT_H

#include <stdbool.h>
#include <stdint.h>

/** Client stacks whose SYN options a realistic SYN flood mimics. */
enum gen_os { GEN_OS_LINUX, GEN_OS_WINDOWS, GEN_OS_MOBILE, GEN_OS_MAX };

#define GEN_SYNOPT_MAX 24 /**< longest option block of a profile (bytes) */

/** One client stack's SYN. */
struct gen_syn_profile {
	const char *name;            /**< "linux", "windows", "mobile" */
	uint8_t opt[GEN_SYNOPT_MAX]; /**< option bytes; TSval and TSecr zero */
	uint8_t optlen;              /**< a multiple of 4 */
	int8_t ts_off;               /**< offset of TSval in opt, -1 = no timestamps */
	uint16_t win;                /**< window of the SYN */
	uint8_t ttl;
	/** The low six bits a cookie target keeps the options in (wscale, 15 = none; SACK
	 *  bit 4), put in our TSval; 0xff without timestamps. */
	uint8_t ts_bits;
};

/** The profile of @p os (GEN_OS_LINUX for an unknown value). */
const struct gen_syn_profile *gen_syn_profile(enum gen_os os);

/**
 * Write @p os's options at @p buf (GEN_SYNOPT_MAX bytes), with TSval = @p tsval whose low
 * six bits are replaced by the profile's ts_bits, and TSecr 0. @return their length.
 */
unsigned gen_syn_options(enum gen_os os, uint32_t tsval, uint8_t *buf);

/**
 * Find the timestamp option in @p len bytes of TCP options at @p opt (EOL ends them; a
 * length that runs past the end stops the walk). @return true with TSval and TSecr in
 * host order when there is one.
 */
bool gen_tcp_ts(const uint8_t *opt, unsigned len, uint32_t *val, uint32_t *ecr);

#endif

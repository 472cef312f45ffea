/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 §3.6).
 *
 * Threat model. A blind attacker floods a listener with SYNs from spoofed addresses to fill
 * its half-open queue, so that real clients are refused. With cookies the listener keeps
 * nothing per SYN: the SYN-ACK's ISN is a MAC over the connection's identity, and the ACK
 * that completes the handshake (ack = ISN + 1) proves the sender saw our SYN-ACK, i.e. it
 * owns the source address. Attacks left:
 *  - forging an ACK that validates without having seen a SYN-ACK: guessing; odds below.
 *    A success gives a connection from a spoofed address into which the attacker can send
 *    data blind (it knows both ISNs). The listen path should only check cookies for a
 *    while after it sent some, which confines the exposure to flood periods;
 *  - replay: a valid ACK seen on the path can be sent again until the cookie expires
 *    (at most 2 periods, about 131 s, after it was minted) to re-create the connection once
 *    its 4-tuple has left the flow table; the real peer then resets it. Statelessness
 *    leaves no other defence than the short window;
 *  - learning the secret from cookies: SipHash-2-4 is a PRF with a 128-bit key, and the
 *    MAC key changes every period (below).
 *
 * Counter. x = now_ms >> 16: it advances every 65.536 s. A cookie minted under counter x is
 * accepted while the current counter is x or x + 1: for 65.5 to 131 s. That covers the
 * round trip and the client's processing with a wide margin; a client whose ACK is lost
 * retransmits its SYN (we never retransmit a cookie SYN-ACK) and gets a fresh cookie.
 *
 * Keys. The MAC key of counter x is derived from the master secret:
 *   key(x) = ( SipHash(master; x_lo, x_hi, "SYNC", 0), SipHash(master; x_lo, x_hi, "SYNC", 1) )
 * (SipHash over four 32-bit words, siphash24_4u32). The key of the current counter mints;
 * the key of the previous one only validates, then is forgotten: the secret rotates every
 * period and a cookie two rotations old has no key left. The context caches the two keys
 * (slot x & 1), refreshed by syncookie_rotate(); syncookie_reseed() mixes fresh entropy
 * into the master for later periods. The key is a function of (master, x) only, so engines
 * sharing a secret accept each other's cookies.
 *
 * Cookie (the ISN of our SYN-ACK), 32 bits:
 *
 *    31                                              6   5   4     2   1   0
 *   +-------------------------------------------------+---+---------+-------+
 *   |                 MAC (26 bits)                   | T | MSS idx | x & 3 |
 *   +-------------------------------------------------+---+---------+-------+
 *
 *   x & 3    the low 2 bits of the counter: validation takes the current counter when they
 *            match it, the previous one when they match it, and rejects the two other
 *            values (expired, or from the future) without hashing;
 *   MSS idx  the largest of 64, 536, 1220, 1380, 1440, 1452, 1460, 8960 that is <= the
 *            SYN's MSS (64 when none is): RFC 879's default, IPv6's minimum MTU less
 *            headers, common tunnel/VPN, PPPoE and Ethernet values, 9000-byte jumbo frames;
 *            64 is tern's floor for any MSS; over IPv6 the classes are 64, 536, 1220
 *            (the minimum MTU), 1360, 1400, 1420 (tunnels and VPNs), 1440 (Ethernet),
 *            8940 (jumbo): IPv6 takes 20 more header bytes, so IPv4's 1452..1460 would
 *            round a v6 peer's 1440 down to 1380;
 *   T        the SYN had timestamps: our TSval carries the other options (below);
 *   MAC      the top 26 bits of SipHash(key(x); m), m = five 32-bit words
 *            laddr, raddr, lport << 16 | rport, peer ISN, meta with (over IPv6, eleven
 *            words: the two 128-bit addresses whole in place of laddr, raddr)
 *            meta = (x mod 2^20) << 12 | O << 6 | (bits 5..0 of the cookie),
 *            O the 6 option bits below when T is set, 0 otherwise. So everything the
 *            cookie and the TSval carry is authenticated.
 *
 * TSval when the SYN had timestamps (RFC 7323): the low 6 bits carry the options,
 *
 *      5     4     3     0
 *   +-----+------+--------+
 *   | ECN | SACK | wscale |      wscale 0..14, 15 = no window scale option
 *   +-----+------+--------+
 *
 * and the rest is the timestamp clock: TSval is the largest value <= the clock with those
 * low bits, so it stays within 64 ms behind the clock, moves forward with it, and is never
 * above the TSvals the connection sends later. The ACK echoes it in TSecr. A TSecr that
 * does not echo it (a broken peer, or tampering) changes O and fails the MAC.
 *
 * Without timestamps only the MSS class survives: the connection runs without window
 * scaling (windows up to 64 KB), SACK or ECN, as RFC 4987 §3.6 notes. With them everything
 * the handshake negotiates is recovered: MSS (as its class), window shift, SACK, ECN and
 * timestamps. A TSopt in an ACK whose cookie has T clear is ignored (RFC 7323 §3.2).
 *
 * Forgery odds. For a given ACK (4-tuple, seq, TSecr) at a given time, exactly one ack
 * value validates for each combination of the low 6 bits that validation accepts:
 * 2 counters x 8 MSS classes x 2 values of T = 32 of the 2^32 possible values, so a random
 * guess succeeds with probability 2^-27 (2^-28 when the ACK carries no TSopt, since T set
 * then fails), and 2^-26 when the low bits are right. At 14.88 Mpps (10 Gb/s of minimum
 * frames) that is one forged connection per 9 s on average, one per 134 s at 1 Mpps.
 *
 * Not carried: the peer's exact MSS (rounded down to its class), our own options (the
 * listen path derives them from the configuration) and anything else per SYN.
 */
#include <string.h>

#include "tcp/syncookie.h"
#include "util/seq.h"

#define CTR_BITS   2 /* low counter bits in the cookie */
#define CTR_MASK   ((1u << CTR_BITS) - 1)
#define IDX_SHIFT  2
#define IDX_MASK   (SYNCOOKIE_MSS_CLASSES - 1u)
#define T_BIT      (1u << 5)
#define LOW_BITS   6 /* counter, MSS index, T */
#define LOW_MASK   ((1u << LOW_BITS) - 1)
#define KDF_LABEL  0x53594e43u /* "SYNC" */
#define NO_KEY     UINT64_MAX
#define O_WS_MASK  15u /* option bits (TSval layout) */
#define O_WS_NONE  15u
#define O_WS_MAX   14u
#define O_SACK     (1u << 4)
#define O_ECN      (1u << 5)
#define META_SHIFT 12 /* counter bits in the MAC's meta word */

static const uint16_t mss_table4[SYNCOOKIE_MSS_CLASSES] = {
        64, 536, 1220, 1380, 1440, 1452, 1460, 8960};
static const uint16_t mss_table6[SYNCOOKIE_MSS_CLASSES] = {
        64, 536, 1220, 1360, 1400, 1420, 1440, 8940};

static inline uint64_t
counter_of(uint64_t now_ms)
{
	return now_ms >> SYNCOOKIE_PERIOD_SHIFT;
}

static void
derive_key(const struct siphash_key *master, uint64_t x, struct siphash_key *out)
{
	uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);

	out->k0 = siphash24_4u32(master, lo, hi, KDF_LABEL, 0);
	out->k1 = siphash24_4u32(master, lo, hi, KDF_LABEL, 1);
}

/* The MAC key of counter x: the cached one, or derived into *tmp. */
static const struct siphash_key *
key_of(const struct syncookie_ctx *ctx, uint64_t x, struct siphash_key *tmp)
{
	if (ctx->key_ctr[x & 1] == x)
		return &ctx->key[x & 1];
	derive_key(&ctx->master, x, tmp);
	return tmp;
}

/* The option bits (O) of the TSval layout. */
static uint32_t
opt_bits(const struct syncookie_opts *o)
{
	uint32_t ws;

	if (o->wscale == SYNCOOKIE_WSCALE_NONE)
		ws = O_WS_NONE;
	else
		ws = o->wscale > O_WS_MAX ? O_WS_MAX : o->wscale;
	return ws | (o->sack ? O_SACK : 0) | (o->ecn ? O_ECN : 0);
}

static unsigned
mss_index(const uint16_t *mss_table, uint16_t peer_mss)
{
	unsigned i = SYNCOOKIE_MSS_CLASSES - 1;

	while (i > 0 && mss_table[i] > peer_mss)
		i--;
	return i;
}

/* The whole cookie for counter x, low bits low (counter, index, T) and option bits O. */
static inline __attribute__((always_inline)) uint32_t
cookie_of(const struct siphash_key *key, const struct syncookie_tuple *t, uint32_t peer_isn,
        uint64_t x, uint32_t low, uint32_t o)
{
	uint32_t ports = (uint32_t)t->lport << 16 | t->rport;
	uint32_t meta = (uint32_t)x << META_SHIFT | o << LOW_BITS | low;
	uint64_t h;

	if (t->ip6 == NULL) {
		h = siphash24_5u32(key, t->laddr, t->raddr, ports, peer_isn, meta);
	} else { /* the addresses whole, then the same three words */
		uint32_t m[11];

		memcpy(m, t->ip6, 32);
		m[8] = ports;
		m[9] = peer_isn;
		m[10] = meta;
		h = siphash24(key, m, sizeof(m));
	}
	return ((uint32_t)(h >> 32) & ~LOW_MASK) | low;
}

void
syncookie_init(struct syncookie_ctx *ctx, const uint64_t secret[2])
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->master.k0 = secret[0];
	ctx->master.k1 = secret[1];
	ctx->key_ctr[0] = NO_KEY;
	ctx->key_ctr[1] = NO_KEY;
}

/* Cache the key of counter x unless its slot holds it or a newer one. */
static void
cache_key(struct syncookie_ctx *ctx, uint64_t x)
{
	uint64_t have = ctx->key_ctr[x & 1];

	if (have != NO_KEY && have >= x)
		return;
	derive_key(&ctx->master, x, &ctx->key[x & 1]);
	ctx->key_ctr[x & 1] = x;
}

void
syncookie_rotate(struct syncookie_ctx *ctx, uint64_t now_ms)
{
	uint64_t x = counter_of(now_ms);

	cache_key(ctx, x);
	if (x > 0)
		cache_key(ctx, x - 1);
}

void
syncookie_reseed(struct syncookie_ctx *ctx, const uint64_t fresh[2], uint64_t now_ms)
{
	struct siphash_key f = {.k0 = fresh[0], .k1 = fresh[1]};
	struct siphash_key m = ctx->master;

	/* Keep the keys of the cookies already out, then change the master: each half of the
	 * new master is a PRF of one input keyed by the other, so it is unpredictable when
	 * either the old master or the fresh value is. */
	syncookie_rotate(ctx, now_ms);
	ctx->master.k0 = siphash24_4u32(
	        &f, (uint32_t)m.k0, (uint32_t)(m.k0 >> 32), (uint32_t)m.k1, (uint32_t)(m.k1 >> 32));
	ctx->master.k1 = siphash24_4u32(
	        &m, (uint32_t)f.k0, (uint32_t)(f.k0 >> 32), (uint32_t)f.k1, (uint32_t)(f.k1 >> 32));
}

uint16_t
syncookie_mss_class(uint16_t peer_mss, bool v6)
{
	const uint16_t *tab = v6 ? mss_table6 : mss_table4;

	return tab[mss_index(tab, peer_mss)];
}

uint32_t
syncookie_make(const struct syncookie_ctx *ctx, const struct syncookie_tuple *t, uint32_t peer_isn,
        const struct syncookie_opts *o, uint64_t now_ms, uint16_t *mss_out)
{
	const uint16_t *mss_table = t->ip6 != NULL ? mss_table6 : mss_table4;
	uint64_t x = counter_of(now_ms);
	unsigned idx = mss_index(mss_table, o->mss);
	uint32_t low = ((uint32_t)x & CTR_MASK) | idx << IDX_SHIFT | (o->ts ? T_BIT : 0);
	struct siphash_key tmp;

	if (mss_out != NULL)
		*mss_out = mss_table[idx];
	return cookie_of(key_of(ctx, x, &tmp), t, peer_isn, x, low, o->ts ? opt_bits(o) : 0);
}

uint32_t
syncookie_tsval(uint32_t ts_clock, const struct syncookie_opts *o)
{
	uint32_t v;

	if (!o->ts)
		return ts_clock;
	v = (ts_clock & ~SYNCOOKIE_TS_OPT_MASK) | opt_bits(o);
	if (seq_gt(v, ts_clock))
		v -= SYNCOOKIE_TS_OPT_MASK + 1;
	return v;
}

enum syncookie_verdict
syncookie_check(const struct syncookie_ctx *ctx, const struct syncookie_tuple *t, uint32_t ack,
        uint32_t seq, bool has_ts, uint32_t tsecr, uint64_t now_ms, struct syncookie_result *out)
{
	uint32_t cookie = ack - 1, low = cookie & LOW_MASK, o = 0;
	uint64_t now = counter_of(now_ms);
	uint32_t age = ((uint32_t)now - cookie) & CTR_MASK;
	struct siphash_key tmp;
	uint64_t x;

	if (age > 1 || age > now)
		return SYNCOOKIE_STALE;
	x = now - age;
	if (cookie & T_BIT) {
		if (!has_ts)
			return SYNCOOKIE_NO_TS;
		o = tsecr & SYNCOOKIE_TS_OPT_MASK;
	}
	if (cookie_of(key_of(ctx, x, &tmp), t, seq - 1, x, low, o) != cookie)
		return SYNCOOKIE_BAD;

	out->mss = (t->ip6 != NULL ? mss_table6 : mss_table4)[(low >> IDX_SHIFT) & IDX_MASK];
	out->ts = (cookie & T_BIT) != 0;
	out->sack = (o & O_SACK) != 0;
	out->ecn = (o & O_ECN) != 0;
	out->wscale = out->ts && (o & O_WS_MASK) != O_WS_NONE ? (uint8_t)(o & O_WS_MASK)
	                                                      : SYNCOOKIE_WSCALE_NONE;
	return SYNCOOKIE_OK;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netem_lite: a userspace stand-in for `tc qdisc ... netem` on kernels built without
 * sch_netem (this lab VM's kernel has CONFIG_NET_SCH_NETEM unset). netem.sh compiles it
 * on the fly (cc -O2) and runs it inside a lab namespace:
 *
 *   netem_lite --dev VETH --tap TAP [--loss PCT] [--duplicate PCT] [--corrupt PCT]
 *              [--delay MS [--reorder PCT [CORR]]] [--limit N] [--seed N] [--lifetime S]
 *
 * Where it sits: the impairment must act where netem would, on the egress of a veth end,
 * in the kernel's transmit path. netem.sh hangs a clsact qdisc on the veth with one u32
 * filter (all IPv4) whose action is `mirred egress redirect dev TAP`: every IPv4 frame the
 * veth would transmit is handed to this process (it reads the tap). The survivors go out on
 * the same veth through an AF_PACKET socket with PACKET_QDISC_BYPASS, which skips the qdisc
 * layer and so the redirect (no loop). ARP is not diverted. On the tern side, tern's frames
 * reach the veth's qdisc only if its af_packet port keeps it (qdisc_bypass=0).
 *
 * The model follows netem's enqueue (net/sched/sch_netem.c), same order and parameters:
 *  - duplicate: with probability PCT one more copy (count += 1); the copy is sent with the
 *    original (same delay), where netem would draw again for it
 *  - loss: with probability PCT one copy fewer (count -= 1); count 0 = dropped
 *  - corrupt: with probability PCT one random bit of one random byte of the frame flips
 *    (Ethernet header included, as netem does on an Ethernet device)
 *  - delay MS: frames wait MS milliseconds and leave in order (constant delay, no jitter,
 *    so a FIFO is netem's time-ordered queue)
 *  - reorder PCT [CORR] (needs delay; netem's gap defaults to 1): a frame goes out at once,
 *    ahead of the delayed ones, when a correlated uniform draw is <= PCT, else it is
 *    delayed. netem's correlation: draw = (1 - c) * fresh + c * previous draw.
 *  - limit N (netem's default 1000): frames waiting beyond N are dropped (overlimit)
 *
 * Prints "netem_lite: ready" once the tap and the socket exist (the caller then brings the
 * tap up and adds the redirect). On SIGTERM / SIGINT / --lifetime it sends what it still
 * delays and prints one JSON line of counters:
 *   {"in":..,"sent":..,"lost":..,"duplicated":..,"corrupted":..,"delayed":..,
 *    "reordered":..,"overlimit":..,"send_errors":..}
 * Exit status 0; 1 on set-up failure; 2 on bad usage.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX  2048
#define READ_BURST 256
#define QCAP       8192 /* ring slots; --limit is at most this */

struct slot {
	uint64_t due_ns;
	uint16_t len;
	uint8_t data[FRAME_MAX];
};

struct corr {
	double c, last;
};

struct counters {
	uint64_t in, sent, lost, duplicated, corrupted, delayed, reordered, overlimit, send_errors;
};

static volatile sig_atomic_t stop;
static uint64_t rng_state;
static struct counters st;
static int out_fd;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64 */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double
uniform(void)
{
	return (double)(rnd() >> 11) / (double)(UINT64_C(1) << 53);
}

static double
draw(struct corr *k)
{
	double v = uniform();

	if (k->c == 0)
		return v;
	v = (1.0 - k->c) * v + k->c * k->last;
	k->last = v;
	return v;
}

static void
send_frame(const uint8_t *p, size_t len)
{
	if (send(out_fd, p, len, 0) == (ssize_t)len)
		st.sent++;
	else
		st.send_errors++;
}

static void
usage(void)
{
	fprintf(stderr, "usage: netem_lite --dev VETH --tap TAP [--loss PCT] [--duplicate PCT] "
	                "[--corrupt PCT] [--delay MS [--reorder PCT [CORR]]] [--limit N] "
	                "[--seed N] [--lifetime S]\n");
	exit(2);
}

static double
pct(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || v < 0 || v > 100)
		usage();
	return v / 100.0;
}

int
main(int argc, char **argv)
{
	const char *dev = NULL, *tap = NULL;
	double p_loss = 0, p_dup = 0, p_cor = 0, p_reo = -1, delay_ms = 0, lifetime = 600;
	struct corr reo = {0, 0};
	unsigned limit = 1000, head = 0, count = 0;
	uint64_t end_ns, delay_ns;
	struct slot *q;
	struct ifreq ifr;
	struct sockaddr_ll sll;
	int tap_fd, one = 1, i;

	rng_state = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--dev") == 0)
			dev = v;
		else if (strcmp(a, "--tap") == 0)
			tap = v;
		else if (strcmp(a, "--loss") == 0)
			p_loss = pct(v);
		else if (strcmp(a, "--duplicate") == 0)
			p_dup = pct(v);
		else if (strcmp(a, "--corrupt") == 0)
			p_cor = pct(v);
		else if (strcmp(a, "--delay") == 0)
			delay_ms = atof(v);
		else if (strcmp(a, "--reorder") == 0) {
			p_reo = pct(v);
			if (i + 1 < argc && argv[i + 1][0] != '-')
				reo.c = pct(argv[++i]);
		} else if (strcmp(a, "--limit") == 0)
			limit = (unsigned)atoi(v);
		else if (strcmp(a, "--seed") == 0)
			rng_state = strtoull(v, NULL, 0);
		else if (strcmp(a, "--lifetime") == 0)
			lifetime = atof(v);
		else
			usage();
	}
	if (dev == NULL || tap == NULL || strlen(tap) >= IFNAMSIZ || delay_ms < 0 ||
	        lifetime <= 0 || limit == 0 || limit > QCAP || (p_reo >= 0 && delay_ms <= 0))
		usage();
	reo.last = uniform();
	delay_ns = (uint64_t)(delay_ms * 1e6);

	q = calloc(QCAP, sizeof(*q));
	tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
	if (q == NULL || tap_fd < 0 || ioctl(tap_fd, TUNSETIFF, &ifr) != 0) {
		fprintf(stderr, "netem_lite: tap %s: %s\n", tap, strerror(errno));
		return 1;
	}
	out_fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: this socket only sends */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (out_fd < 0 || sll.sll_ifindex == 0 ||
	        bind(out_fd, (struct sockaddr *)&sll, sizeof(sll)) != 0 ||
	        setsockopt(out_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
		fprintf(stderr, "netem_lite: packet socket on %s: %s\n", dev, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("netem_lite: ready\n");
	fflush(stdout);

	end_ns = now_ns() + (uint64_t)(lifetime * 1e9);
	while (!stop) {
		uint64_t now = now_ns(), wait_ns = 100000000u;
		struct pollfd pfd = {.fd = tap_fd, .events = POLLIN};
		struct timespec ts;
		int n;

		if (now >= end_ns)
			break;
		while (count > 0 && q[head].due_ns <= now) {
			send_frame(q[head].data, q[head].len);
			head = (head + 1) % QCAP;
			count--;
		}
		if (count > 0 && q[head].due_ns - now < wait_ns)
			wait_ns = q[head].due_ns - now;
		ts.tv_sec = (time_t)(wait_ns / 1000000000u);
		ts.tv_nsec = (long)(wait_ns % 1000000000u);
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
			break;
		for (n = 0; n < READ_BURST; n++) {
			uint8_t buf[FRAME_MAX];
			ssize_t len = read(tap_fd, buf, sizeof(buf));
			unsigned copies = 1, k;
			uint64_t due;

			if (len <= 0)
				break;
			st.in++;
			if (p_dup > 0 && uniform() < p_dup)
				copies++;
			if (p_loss > 0 && uniform() < p_loss)
				copies--;
			if (copies == 0) {
				st.lost++;
				continue;
			}
			if (copies == 2)
				st.duplicated++;
			if (p_cor > 0 && uniform() < p_cor) {
				buf[rnd() % (uint64_t)len] ^= (uint8_t)(1u << (rnd() % 8));
				st.corrupted++;
			}
			if (delay_ns == 0) {
				for (k = 0; k < copies; k++)
					send_frame(buf, (size_t)len);
				continue;
			}
			if (p_reo >= 0 && draw(&reo) <= p_reo) {
				/* sent at once, ahead of everything delayed */
				st.reordered++;
				for (k = 0; k < copies; k++)
					send_frame(buf, (size_t)len);
				continue;
			}
			st.delayed++;
			due = now_ns() + delay_ns;
			for (k = 0; k < copies; k++) {
				struct slot *s;

				if (count >= limit) {
					st.overlimit++;
					continue;
				}
				s = &q[(head + count) % QCAP];
				s->due_ns = due;
				s->len = (uint16_t)len;
				memcpy(s->data, buf, (size_t)len);
				count++;
			}
		}
	}
	while (count > 0) {
		send_frame(q[head].data, q[head].len);
		head = (head + 1) % QCAP;
		count--;
	}
	printf("{\"in\": %llu, \"sent\": %llu, \"lost\": %llu, \"duplicated\": %llu, "
	       "\"corrupted\": %llu, \"delayed\": %llu, \"reordered\": %llu, \"overlimit\": %llu, "
	       "\"send_errors\": %llu}\n",
	        (unsigned long long)st.in, (unsigned long long)st.sent, (unsigned long long)st.lost,
	        (unsigned long long)st.duplicated, (unsigned long long)st.corrupted,
	        (unsigned long long)st.delayed, (unsigned long long)st.reordered,
	        (unsigned long long)st.overlimit, (unsigned long long)st.send_errors);
	return 0;
}

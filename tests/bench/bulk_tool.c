/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulk_tool: the Linux ends of the lab bulk benchmark (tests/bench/lab_bulk.sh).
 *
 *   bulk_tool client --host A.B.C.D --port P --bytes N [--mode echo|send] [--timeout S]
 *   bulk_tool server --port P [--mode echo|discard] [--bind A.B.C.D]
 *
 * client echo: send N bytes of a fixed pseudo-random pattern and read the N echoed bytes
 *   at the same time (non-blocking, poll), checking them against the pattern; then
 *   half-close and wait for EOF.
 * client send: send N bytes, half-close, read (and drop) anything until EOF: one-way bulk
 *   against a discard server (tern-sink, or this tool's server in discard mode).
 *   Prints one JSON line: {"ok":true,"mode":"echo","bytes":N,"secs":S,"send_secs":S,
 *   "MBps":X,"tx_MBps":X} (MB = 10^6 bytes). Times run from the completed connect; secs
 *   ends at EOF, i.e. after the last echoed byte (echo) or once the server has read
 *   everything and closed (send); MBps = bytes / secs (each way, for echo); tx_MBps =
 *   bytes / send_secs, the time to hand the last byte to the kernel.
 * server: accepts connections one after the other (blocking I/O): echo writes back what it
 *   reads, discard drops it; on EOF it closes. Runs until killed.
 * Exit status: 0 ok, 1 error or mismatch, 2 bad usage or timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAT_LEN ((1u << 20) + 4093)
#define IOBUF   (256u << 10)

static uint8_t *pat;         /* PAT_LEN + IOBUF bytes: any offset has IOBUF contiguous */
static uint8_t iobuf[IOBUF]; /* receive buffer of the client or the server */

static void
make_pattern(void)
{
	uint64_t s = 0x7465726e62756c6bull;
	uint32_t i;

	pat = malloc(PAT_LEN + IOBUF);
	if (pat == NULL) {
		perror("bulk_tool: malloc");
		exit(1);
	}
	for (i = 0; i < PAT_LEN; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		pat[i] = (uint8_t)(s >> 56);
	}
	memcpy(pat + PAT_LEN, pat, IOBUF);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr,
	        "usage: bulk_tool client --host A.B.C.D --port P --bytes N "
	        "[--mode echo|send] [--timeout S]\n"
	        "       bulk_tool server --port P [--mode echo|discard] [--bind A.B.C.D]\n");
	exit(2);
}

static int
client(const char *host, int port, uint64_t bytes, bool echo, double timeout)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	uint64_t sent = 0, got = 0;
	double t0, t_sent = 0, t_end, deadline;
	bool shut = false, eof = false;
	uint8_t *buf = iobuf;
	int fd;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		usage();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "bulk_tool: connect %s:%d: %s\n", host, port, strerror(errno));
		return 1;
	}
	t0 = now_s();
	deadline = t0 + timeout;
	while (!eof) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < bytes ? POLLOUT : 0)};

		if (now_s() > deadline) {
			fprintf(stderr, "bulk_tool: timeout: sent %llu received %llu of %llu\n",
			        (unsigned long long)sent, (unsigned long long)got,
			        (unsigned long long)bytes);
			return 2;
		}
		if (poll(&p, 1, 200) < 0 && errno != EINTR) {
			perror("bulk_tool: poll");
			return 1;
		}
		if (p.revents & POLLOUT) {
			uint64_t n = bytes - sent < IOBUF ? bytes - sent : IOBUF;
			ssize_t k = send(fd, pat + sent % PAT_LEN, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (k < 0 && errno != EAGAIN && errno != EINTR) {
				perror("bulk_tool: send");
				return 1;
			}
			if (k > 0)
				sent += (uint64_t)k;
			if (sent == bytes && !shut) {
				t_sent = now_s();
				shutdown(fd, SHUT_WR);
				shut = true;
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t k = recv(fd, buf, IOBUF, MSG_DONTWAIT);
			if (k < 0 && errno != EAGAIN && errno != EINTR) {
				perror("bulk_tool: recv");
				return 1;
			}
			if (k == 0)
				eof = true;
			if (k > 0 && echo) {
				if (got + (uint64_t)k > bytes ||
				        memcmp(buf, pat + got % PAT_LEN, (size_t)k) != 0) {
					fprintf(stderr,
					        "bulk_tool: echo mismatch near offset %llu\n",
					        (unsigned long long)got);
					return 1;
				}
			}
			if (k > 0)
				got += (uint64_t)k;
		}
	}
	t_end = now_s();
	close(fd);
	if (sent != bytes || (echo && got != bytes)) {
		fprintf(stderr, "bulk_tool: EOF early: sent %llu received %llu of %llu\n",
		        (unsigned long long)sent, (unsigned long long)got,
		        (unsigned long long)bytes);
		return 1;
	}
	printf("{\"ok\":true,\"mode\":\"%s\",\"bytes\":%llu,\"secs\":%.4f,\"send_secs\":%.4f,"
	       "\"MBps\":%.2f,\"tx_MBps\":%.2f}\n",
	        echo ? "echo" : "send", (unsigned long long)bytes, t_end - t0, t_sent - t0,
	        (double)bytes / (t_end - t0) / 1e6, (double)bytes / (t_sent - t0) / 1e6);
	return 0;
}

static int
server(const char *bind_ip, int port, bool echo)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	uint8_t *buf = iobuf;
	int one = 1, lfd;

	if (inet_pton(AF_INET, bind_ip, &sa.sin_addr) != 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	        bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 16) != 0) {
		fprintf(stderr, "bulk_tool: listen on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("bulk_tool: ready, %s on port %d\n", echo ? "echo" : "discard", port);
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("bulk_tool: accept");
			return 1;
		}
		while ((n = recv(fd, buf, IOBUF, 0)) > 0) {
			ssize_t off = 0;
			while (echo && off < n) {
				ssize_t k = send(fd, buf + off, (size_t)(n - off), 0);
				if (k <= 0)
					break;
				off += k;
			}
			if (echo && off < n)
				break;
		}
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	const char *host = "198.18.0.1", *bind_ip = "0.0.0.0", *mode = NULL;
	uint64_t bytes = 0;
	double timeout = 120;
	int port = 0, i;
	bool is_client;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "client") == 0)
		is_client = true;
	else if (strcmp(argv[1], "server") == 0)
		is_client = false;
	else
		usage();
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--host") == 0)
			host = argv[i + 1];
		else if (strcmp(argv[i], "--bind") == 0)
			bind_ip = argv[i + 1];
		else if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--bytes") == 0)
			bytes = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--mode") == 0)
			mode = argv[i + 1];
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout = atof(argv[i + 1]);
		else
			usage();
	}
	if (i != argc || port <= 0 || port > 65535 || timeout <= 0)
		usage();
	make_pattern();
	if (is_client) {
		if (bytes == 0)
			usage();
		if (mode != NULL && strcmp(mode, "echo") != 0 && strcmp(mode, "send") != 0)
			usage();
		return client(
		        host, port, bytes, mode == NULL || strcmp(mode, "echo") == 0, timeout);
	}
	if (mode != NULL && strcmp(mode, "echo") != 0 && strcmp(mode, "discard") != 0)
		usage();
	return server(bind_ip, port, mode == NULL || strcmp(mode, "echo") == 0);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-proxy's configuration: backend lists (--backend, the file's backend lines), the
 * pool's slots and immutable snapshots the engines adopt, client rules (--allow, --deny),
 * --config FILE and the SIGHUP reload (docs/PROXY.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proxy.h"

/*
 * One backend entry: IP:PORT followed by any of /v1, /v2, /none (PROXY protocol) and
 * /weight=N, in any order. @return 0, or -1 with the reason in @p err.
 */
static bool
addr_eq(const struct tern_addr *a, const struct tern_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == TERN_AF_INET ? a->v4 == b->v4 : memcmp(a->v6, b->v6, 16) == 0;
}

/* "A.B.C.D" or "[X:X::X]" (brackets required, so that the port's colon is unambiguous). */
static int
parse_backend_addr(char *s, struct tern_addr *out)
{
	size_t n = strlen(s);
	struct in6_addr in6;

	memset(out, 0, sizeof(*out));
	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		s[n - 1] = '\0';
		/* (link-local would need a scope tern does not take; v4-mapped is IPv4) */
		if (inet_pton(AF_INET6, s + 1, &in6) != 1 || IN6_IS_ADDR_UNSPECIFIED(&in6) ||
		        IN6_IS_ADDR_MULTICAST(&in6) || IN6_IS_ADDR_LOOPBACK(&in6) ||
		        IN6_IS_ADDR_LINKLOCAL(&in6) || IN6_IS_ADDR_V4MAPPED(&in6)) {
			s[n - 1] = ']';
			return -1;
		}
		s[n - 1] = ']';
		out->family = TERN_AF_INET6;
		memcpy(out->v6, &in6, 16);
		return 0;
	}
	out->family = TERN_AF_INET;
	return app_parse_ipv4(s, &out->v4) != 0 || !app_ipv4_unicast(out->v4) ? -1 : 0;
}

static int
parse_backend(const char *item0, struct be_spec *b, char *err, size_t errlen)
{
	char item[64], *colon, *slash, *next;
	uint64_t port, w;
	bool pp_seen = false, w_seen = false;

	if (strlen(item0) >= sizeof(item))
		return snprintf(err, errlen, "entry too long"), -1;
	strcpy(item, item0);
	memset(b, 0, sizeof(*b));
	b->weight = 1;
	for (slash = strchr(item, '/'); slash != NULL; slash = next) {
		*slash++ = '\0';
		next = strchr(slash, '/');
		if (next != NULL)
			*next = '\0';
		if (strncmp(slash, "weight=", 7) == 0) {
			if (w_seen)
				return snprintf(err, errlen, "/weight given twice"), -1;
			if (app_parse_u64(slash + 7, 1, POOL_WEIGHT_MAX, &w) != 0)
				return snprintf(err, errlen, "'/%s' is not /weight=1..%d", slash,
				               POOL_WEIGHT_MAX),
				       -1;
			b->weight = (uint32_t)w;
			w_seen = true;
		} else if (!pp_seen && pp_parse_version(slash, &b->pp) == 0) {
			b->pp_given = pp_seen = true;
		} else {
			return snprintf(err, errlen,
			               "'/%s' is not /v1, /v2 or /none (PROXY protocol) nor "
			               "/weight=N",
			               slash),
			       -1;
		}
		if (next != NULL)
			*next = '/';
	}
	colon = strrchr(item, ':');
	if (colon == NULL || (item[0] == '[' && colon[-1] != ']'))
		return snprintf(err, errlen, "'%s' is not IP:PORT or [IPv6]:PORT", item), -1;
	*colon = '\0';
	if (parse_backend_addr(item, &b->addr) != 0)
		return snprintf(err, errlen,
		               "'%s' is not an IPv4 address or a bracketed IPv6 unicast address",
		               item),
		       -1;
	if (app_parse_u64(colon + 1, 1, 65535, &port) != 0)
		return snprintf(err, errlen, "port '%s' is not 1..65535", colon + 1), -1;
	b->port = (uint16_t)port;
	snprintf(b->name, sizeof(b->name), "%s:%u", item, (unsigned)port);
	return 0;
}

/* Add the comma-separated entries of @p arg to @p l. @return 0, or -1 with @p err set
 * (the whole message, "--backend 'ARG': ..."). */
int
parse_backends(struct be_list *l, const char *arg, char *err, size_t errlen)
{
	const char *p = arg;
	char why[160];

	if (*arg == '\0')
		return snprintf(err, errlen,
		               "--backend '': empty list (expected IP:PORT[,IP:PORT...])"),
		       -1;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char item[128];
		unsigned k;

		if (n == 0)
			return snprintf(
			               err, errlen, "--backend '%s': empty entry in the list", arg),
			       -1;
		if (n >= sizeof(item))
			return snprintf(err, errlen, "--backend '%s': entry too long", arg), -1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (l->n == MAX_BACKENDS)
			return snprintf(
			               err, errlen, "--backend: at most %d backends", MAX_BACKENDS),
			       -1;
		if (parse_backend(item, &l->be[l->n], why, sizeof(why)) != 0)
			return snprintf(err, errlen, "--backend '%s': %s", arg, why), -1;
		for (k = 0; k < l->n; k++)
			if (addr_eq(&l->be[k].addr, &l->be[l->n].addr) &&
			        l->be[k].port == l->be[l->n].port)
				return snprintf(err, errlen, "--backend '%s': %s given twice", arg,
				               l->be[k].name),
				       -1;
		l->n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

/* Each backend of @p l is reachable from --ip. @return 0, or -1 with @p err set. */
int
check_backends(const struct app *a, const struct be_list *l, char *err, size_t errlen)
{
	uint32_t mask = app_ipv4_mask(a->o.prefix_len);
	unsigned k;

	for (k = 0; k < l->n; k++) {
		const struct tern_addr *b = &l->be[k].addr;

		if (b->family == TERN_AF_INET6) {
			if (!a->o.has_ip6)
				return snprintf(err, errlen,
				               "--backend %s: an IPv6 backend needs an IPv6 --ip "
				               "X:X::X/LEN",
				               l->be[k].name),
				       -1;
			if (memcmp(b->v6, a->o.ip6, 16) == 0)
				return snprintf(err, errlen,
				               "--backend %s: that is our own address (--ip)",
				               l->be[k].name),
				       -1;
			if (!a->o.has_gw6 && !app_ipv6_on_link(a, b->v6))
				return snprintf(err, errlen,
				               "--backend %s: not on-link for --ip and no IPv6 "
				               "--gw "
				               "given",
				               l->be[k].name),
				       -1;
			continue;
		}
		if (a->o.ip == 0)
			continue;
		if (b->v4 == a->o.ip)
			return snprintf(err, errlen, "--backend %s: that is our own address (--ip)",
			               l->be[k].name),
			       -1;
		if (a->o.prefix_len <= 30 && app_ipv4_on_link(a, b->v4) &&
		        ((b->v4 & ~mask) == 0 || (b->v4 | mask) == 0xffffffffu))
			return snprintf(err, errlen,
			               "--backend %s: that is --ip's subnet's own or broadcast "
			               "address, not a host's",
			               l->be[k].name),
			       -1;
		if (!app_ipv4_on_link(a, b->v4) && a->o.gw == 0)
			return snprintf(err, errlen,
			               "--backend %s: not on-link for --ip and no --gw given",
			               l->be[k].name),
			       -1;
	}
	return 0;
}

/* True when @p l holds @p b's IP:PORT. */
static bool
in_list(const struct be_list *l, const struct be_spec *b)
{
	unsigned c;

	for (c = 0; l != NULL && c < l->n; c++)
		if (addr_eq(&l->be[c].addr, &b->addr) && l->be[c].port == b->port)
			return true;
	return false;
}

/*
 * The pool is the file's backends and the command line's together (an IP:PORT in both
 * counted once): at most MAX_BACKENDS, however they are shared between the two lists.
 * @return 0, or -1 with the reason in @p err.
 */
int
check_pool_size(const struct be_list *file, const struct be_list *cli, char *err, size_t errlen)
{
	unsigned n = cli != NULL ? cli->n : 0, k;

	for (k = 0; file != NULL && k < file->n; k++)
		n += !in_list(cli, &file->be[k]);
	if (n <= MAX_BACKENDS)
		return 0;
	snprintf(err, errlen,
	        "--backend: at most %d backends, the --config file's and the command line's "
	        "together (%u given)",
	        MAX_BACKENDS, n);
	return -1;
}

/* The slot of IP:PORT, or -1 when it has none yet. */
static int
slot_find(const struct be_spec *b)
{
	unsigned k;

	for (k = 0; k < px->nslots; k++)
		if (addr_eq(&px->be[k].addr, &b->addr) && px->be[k].port == b->port)
			return (int)k;
	return -1;
}

/* The slot of IP:PORT, a new one when never seen. @return it, or -1 when all are used. */
static int
slot_of(const struct be_spec *b)
{
	int found = slot_find(b);
	unsigned k;

	if (found >= 0)
		return found;
	if (px->nslots == MAX_SLOTS)
		return -1;
	k = px->nslots;
	px->be[k].addr = b->addr;
	px->be[k].port = b->port;
	snprintf(px->be[k].name, sizeof(px->be[k].name), "%s", b->name);
	__atomic_store_n(&px->nslots, k + 1, __ATOMIC_RELEASE);
	return (int)k;
}

/*
 * Make the backends of @p file then those of @p cli (either may be NULL; an IP:PORT in both
 * takes the command line's weight and PROXY protocol) the engines' pool: slots found or
 * made, the snapshot published; engines adopt it at their next tick.
 * @return 0, or -1 when the run has used every slot (nothing changed).
 */
int
pool_publish(const struct be_list *file, const struct be_list *cli)
{
	const struct be_list *ls[2] = {file, cli};
	struct pool_cfg *pc = calloc(1, sizeof(*pc));
	unsigned j, k, i;
	bool in[MAX_SLOTS] = {false};

	if (pc == NULL)
		return -1;
	/* room for every new one first: no slot is made for a pool that is not published */
	for (j = 0, k = 0; j < 2; j++)
		for (i = 0; ls[j] != NULL && i < ls[j]->n; i++)
			k += slot_find(&ls[j]->be[i]) < 0 &&
			     (j == 0 || !in_list(file, &ls[j]->be[i]));
	if (px->nslots + k > MAX_SLOTS) {
		free(pc);
		return -1;
	}
	for (j = 0; j < 2; j++) {
		for (k = 0; ls[j] != NULL && k < ls[j]->n; k++) {
			const struct be_spec *b = &ls[j]->be[k];
			unsigned c;
			int slot;

			for (c = 0; j == 0 && cli != NULL && c < cli->n; c++)
				if (addr_eq(&cli->be[c].addr, &b->addr) &&
				        cli->be[c].port == b->port)
					b = &cli->be[c];
			if (pc->n == MAX_BACKENDS)
				break;
			if ((slot = slot_of(b)) < 0) {
				free(pc);
				return -1;
			}
			if (in[slot])
				continue;
			in[slot] = true;
			i = pc->n++;
			pc->slot[i] = (uint16_t)slot;
			pc->weight[i] = b->weight;
			pc->key[i] = pool_name_key(b->name);
			pc->pp[i] = b->pp_given ? b->pp : px->pp;
		}
	}
	for (k = 0; k < px->nslots; k++)
		__atomic_store_n(&px->be[k].in_pool, in[k], __ATOMIC_RELAXED); /* (--metrics) */
	for (i = 0; i < pc->n; i++) {
		px->be[pc->slot[i]].weight = pc->weight[i];
		px->be[pc->slot[i]].pp = pc->pp[i];
	}
	pc->older = px->pool;
	__atomic_store_n(&px->pool, pc, __ATOMIC_RELEASE);
	return 0;
}

/* --allow / --deny LIST: CIDR[,CIDR...] added to @p rules. */
void
parse_rules(
        const struct app *a, const char *opt, const char *arg, struct pool_cidr *rules, unsigned *n)
{
	const char *p = arg;

	if (*arg == '\0')
		app_usage_error(a, "--%s '': empty list (expected A.B.C.D[/LEN][,...])", opt);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		char item[64];

		if (len == 0 || len >= sizeof(item))
			app_usage_error(
			        a, "--%s '%s': empty or overlong entry in the list", opt, arg);
		if (*n == MAX_RULES)
			app_usage_error(a, "--%s: at most %d rules", opt, MAX_RULES);
		memcpy(item, p, len);
		item[len] = '\0';
		if (pool_cidr_parse(item, &rules[*n]) != 0)
			app_usage_error(a,
			        "--%s '%s': '%s' is not A.B.C.D or A.B.C.D/LEN (0..32), nor X:X::X "
			        "or X:X::X/LEN (0..128)",
			        opt, arg, item);
		++*n;
		if (end == NULL)
			break;
		p = end + 1;
	}
}

/* ---- configuration file ---- */

#define CONFIG_MAX (1u << 20) /**< bytes of a --config file at most */

/*
 * The whole text of configuration file @p path, NUL-terminated, in one heap buffer the
 * caller frees. NULL with the reason in @p err when it does not open or read (a
 * directory: "Is a directory"), is longer than CONFIG_MAX bytes, or holds a NUL byte
 * (which would cut its line short unseen). Start and reload read a file alike.
 */
static char *
config_load(const char *path, char *err, size_t errlen)
{
	/* (O_NONBLOCK: opening a FIFO would wait for a writer) */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;
	size_t len = 0, cap = 4096, got;
	char *buf, *more;
	const char *nul;
	unsigned line = 1;
	struct stat st = {0};

	if (fd < 0)
		return snprintf(err, errlen, "%s", strerror(errno)), NULL;
	/* A FIFO or a device could block the reading lcore or never end. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s",
		        S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	buf = malloc(cap);
	for (;;) {
		if (buf == NULL) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
		if (ferror(f)) {
			snprintf(err, errlen, "%s", strerror(errno));
			break;
		}
		if (len > CONFIG_MAX) {
			snprintf(err, errlen, "longer than %u bytes", CONFIG_MAX);
			break;
		}
		if (feof(f)) {
			fclose(f);
			buf[len] = '\0';
			nul = memchr(buf, '\0', len);
			if (nul == NULL)
				return buf;
			for (const char *q = buf; q < nul; q++)
				line += *q == '\n';
			snprintf(err, errlen, "line %u: a NUL byte (not a text file?)", line);
			free(buf);
			return NULL;
		}
		if (len + 1 < cap)
			continue;
		more = realloc(buf, cap * 2);
		if (more == NULL)
			free(buf);
		buf = more;
		cap *= 2;
	}
	free(buf);
	fclose(f);
	return NULL;
}

/* The next line of the text at *@p cur, its newline made its end; NULL after the last. */
static char *
config_next_line(char **cur)
{
	char *line = *cur, *nl;

	if (*line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*cur = nl + 1;
	} else {
		*cur = line + strlen(line);
	}
	return line;
}

/*
 * One line of a configuration file: "NAME [VALUE]", NAME a long option (the leading "--"
 * optional), VALUE the rest of the line without the spaces around it. Empty lines and lines
 * starting with '#' are skipped. @return the line's option (its getopt value), 0 for a line
 * with none, or -1 with the reason in @p err; *val points at the value (NULL: none).
 */
static int
config_line(char *line, const char **namep, char **val, char *err, size_t errlen)
{
	char *name = line, *end;
	size_t n;
	unsigned k;

	*val = NULL;
	while (*name == ' ' || *name == '\t')
		name++;
	n = strlen(name);
	while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\r' || name[n - 1] == ' ' ||
	                        name[n - 1] == '\t'))
		name[--n] = '\0';
	if (*name == '\0' || *name == '#')
		return 0;
	if (strncmp(name, "--", 2) == 0)
		name += 2;
	*namep = name;
	end = name + strcspn(name, " \t");
	if (*end != '\0') {
		*end++ = '\0';
		while (*end == ' ' || *end == '\t')
			end++;
		*val = end;
	}
	for (k = 0; proxy_longopts[k].name != NULL; k++) {
		if (strcmp(proxy_longopts[k].name, name) != 0)
			continue;
		if (proxy_longopts[k].val == 'h' || proxy_longopts[k].val == OPT_CONFIG)
			break;
		if (proxy_longopts[k].has_arg == required_argument && *val == NULL)
			return snprintf(err, errlen, "'%s' needs a value", name), -1;
		if (proxy_longopts[k].has_arg == no_argument && *val != NULL)
			return snprintf(err, errlen, "'%s' takes no value", name), -1;
		return proxy_longopts[k].val;
	}
	return snprintf(err, errlen, "'%s' is not an option of tern-proxy", name), -1;
}

/*
 * The settings of a file (its lines other than backend) as "NAME VALUE\n" lines in @p *list
 * (grown, NUL-terminated; @p *len its length): a reload compares the new file's with the
 * running ones, to say which changed lines it does not apply. @return 0, or -1 (no memory).
 */
static int
settings_add(char **list, size_t *len, const char *name, const char *val)
{
	size_t n = strlen(name) + 1 + (val != NULL ? strlen(val) : 0) + 1;
	char *more = realloc(*list, *len + n + 1);

	if (more == NULL)
		return -1;
	*list = more;
	*len += (size_t)snprintf(more + *len, n + 1, "%s %s\n", name, val != NULL ? val : "");
	return 0;
}

/* Does the settings list @p list hold the line @p line ("NAME VALUE\n")? */
static bool
settings_has(const char *list, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1)
		if (strncmp(p, line, n) == 0)
			return true;
	return false;
}

/* Is @p name one of the ", "-separated names in @p list? */
static bool
name_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == '\0' || p[n] == ','))
			return true;
		p = strchr(p, ',');
		if (p == NULL)
			return false;
		p += 2;
	}
	return false;
}

/*
 * The names of the settings in which @p a and @p b differ (a line of either that the other
 * lacks), ", "-separated and each once, into @p out.
 */
static void
settings_diff(const char *a, const char *b, char *out, size_t outlen)
{
	const char *lists[2] = {a, b}, *p, *nl;
	char line[1100], name[80];
	size_t used = 0;
	unsigned k;

	out[0] = '\0';
	for (k = 0; k < 2; k++) {
		for (p = lists[k]; p != NULL && *p != '\0'; p = nl + 1) {
			size_t n, m;

			nl = strchr(p, '\n');
			n = (size_t)(nl - p) + 1;
			if (n >= sizeof(line))
				n = sizeof(line) - 1; /* (a long value: compared by its start) */
			memcpy(line, p, n);
			line[n] = '\0';
			if (settings_has(lists[1 - k], line))
				continue;
			m = strcspn(line, " ");
			if (m >= sizeof(name))
				m = sizeof(name) - 1;
			memcpy(name, line, m);
			name[m] = '\0';
			if (name_listed(out, name))
				continue;
			used += (size_t)snprintf(out + used, used < outlen ? outlen - used : 0,
			        "%s%s", used > 0 ? ", " : "", name);
			if (used >= outlen)
				return;
		}
	}
}

/*
 * --config FILE at start: every line applied as its option would be (common options too),
 * before the command line, which then overrides it (backends: adds, and an IP:PORT given in
 * both takes the command line's suffixes). An error is the usual one line and exit 2, with
 * FILE:LINE in front. The text stays for the whole run: options may keep their values
 * (--cc, --key-file).
 */
void
read_config(struct app *a, const char *path)
{
	const char *name = a->name;
	char where[PATH_MAX + 64], err[256], *cur, *line, *val;
	const char *oname;
	unsigned lineno = 0;
	int opt;

	px->config_text = config_load(path, err, sizeof(err));
	if (px->config_text == NULL)
		app_usage_error(a, "--config '%s': %s", path, err);
	for (cur = px->config_text; (line = config_next_line(&cur)) != NULL;) {
		lineno++;
		snprintf(where, sizeof(where), "%s: %s:%u", name, path, lineno);
		a->name = where; /* app_usage_error says where */
		opt = config_line(line, &oname, &val, err, sizeof(err));
		if (opt < 0)
			app_usage_error(a, "%s", err);
		if (opt == 0)
			continue;
		if (opt != 'b' && settings_add(&px->settings, &px->settings_len, oname, val) != 0)
			app_usage_error(a, "out of memory");
		if (app_common_opt(a, opt, val) == 0)
			apply_opt(a, px, opt, val, &px->file_be);
	}
	a->name = name;
}

/*
 * SIGHUP: the backends of the file, into @p l. The other lines are checked as a start would
 * check them, the file and then the command line (into a scratch app and proxy,
 * app_usage_error() coming back here), so that a file the next start would refuse is
 * refused now (an --ip in the file and on the command line too). @return 0, or -1 with
 * @p err set (nothing changed).
 */
static int
read_backends(const struct app *a, const char *path, struct be_list *l, char *err, size_t errlen,
        char *unapplied, size_t unlen)
{
	char why[256], *text, *cur, *line, *val;
	const char *oname;
	struct app *chk = calloc(1, sizeof(*chk));
	struct proxy *scratch = calloc(1, sizeof(*scratch));
	volatile unsigned lineno = 0;
	jmp_buf env;
	int opt, rc = -1;

	memset(l, 0, sizeof(*l));
	text = config_load(path, why, sizeof(why));
	if (text == NULL || chk == NULL || scratch == NULL) {
		snprintf(err, errlen, "%s: %s", path, text == NULL ? why : "out of memory");
		goto out;
	}
	chk->name = a->name;
	chk->check = &env;
	chk->check_err = why;
	chk->check_errlen = sizeof(why);
	scratch->config = px->config; /* (the command line's --config is checked against it) */
	if (setjmp(env) != 0) {
		if (lineno == 0)
			snprintf(err, errlen, "%s with the command line: %s", path, why);
		else
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
		goto out;
	}
	for (cur = text; (line = config_next_line(&cur)) != NULL;) {
		lineno++;
		opt = config_line(line, &oname, &val, why, sizeof(why));
		if (opt == 'b' && parse_backends(l, val, why, sizeof(why)) != 0)
			opt = -1;
		if (opt < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto out;
		}
		if (opt != 0 && opt != 'b' &&
		        settings_add(&scratch->settings, &scratch->settings_len, oname, val) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		if (opt != 0 && opt != 'b' && app_common_opt(chk, opt, val) == 0)
			apply_opt(chk, scratch, opt, val, &scratch->file_be);
	}
	lineno = 0;
	optind = 0; /* getopt from the start (glibc: 0 also resets its state) */
	while ((opt = app_next_opt(chk, px->argc, px->argv, proxy_longopts)) != -1)
		if (opt != 'h')
			apply_opt(chk, scratch, opt, optarg, &scratch->cli_be);
	/* the checks a start makes on the options as a whole */
	chk->nengines = a->nengines;
	app_opts_check(chk);
	app_opts_check_engines(chk);
	if (scratch->port == 0)
		app_usage_error(chk, "--listen PORT is required");
	if (check_backends(chk, l, why, sizeof(why)) != 0 ||
	        check_backends(chk, &scratch->cli_be, why, sizeof(why)) != 0 ||
	        check_pool_size(l, &scratch->cli_be, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s with the command line: %s", path, why);
		goto out;
	}
	/* what the file changed besides its backends: checked, not applied */
	settings_diff(px->settings, scratch->settings, unapplied, unlen);
	rc = 0;
out:
	free(text);
	free(chk);
	if (scratch != NULL)
		free(scratch->settings);
	free(scratch);
	return rc;
}

/* SIGHUP (the main lcore): a new pool from the file's backends and --backend. Pairs keep
 * their backends, removed or not; new clients get the new pool once each engine has seen it
 * (its next tick). Anything wrong: one line, and the pool stays as it was. */
void
proxy_reload(struct app *a)
{
	struct be_list l;
	char err[512], unapplied[256];
	unsigned k, added = 0, kept = 0, removed = 0;
	bool was[MAX_SLOTS];

	if (px->config == NULL) {
		printf("tern-proxy: reload: no --config file, nothing to reload\n");
		return;
	}
	/* (the backends checked for the next start, by read_backends(), and for this run's
	 * address, here) */
	if (read_backends(a, px->config, &l, err, sizeof(err), unapplied, sizeof(unapplied)) != 0 ||
	        check_backends(a, &l, err, sizeof(err)) != 0) {
		printf("tern-proxy: reload failed, pool unchanged: ");
		app_print_escaped(stdout, err);
		printf("\n");
		return;
	}
	if (l.n == 0 && px->cli_be.n == 0) {
		printf("tern-proxy: reload failed, pool unchanged: %s has no backend\n",
		        px->config);
		return;
	}
	for (k = 0; k < MAX_SLOTS; k++)
		was[k] = k < px->nslots && px->be[k].in_pool;
	if (pool_publish(&l, &px->cli_be) != 0) {
		printf("tern-proxy: reload failed, pool unchanged: more than %d backends in one "
		       "run\n",
		        MAX_SLOTS);
		return;
	}
	px->file_be = l;
	for (k = 0; k < px->nslots; k++) {
		added += !was[k] && px->be[k].in_pool;
		kept += was[k] && px->be[k].in_pool;
		removed += was[k] && !px->be[k].in_pool;
	}
	printf("tern-proxy: reload: pool of %u backends (%u added, %u kept, %u removed):",
	        px->pool->n, added, kept, removed);
	for (k = 0; k < px->pool->n; k++) {
		printf(" %s", px->be[px->pool->slot[k]].name);
		if (px->pool->weight[k] != 1)
			printf("/weight=%u", px->pool->weight[k]);
	}
	printf("\n");
	if (unapplied[0] != '\0') {
		printf("tern-proxy: reload: changed lines not applied (they need a restart): ");
		app_print_escaped(stdout, unapplied);
		printf("\n");
	}
}

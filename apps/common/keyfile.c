/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --key-file: the ISN and timestamp key kept on disk (keyfile.h).
 *
 * Threat: whoever reads the key can predict our ISNs and forge segments into our
 * connections (RFC 6528 §3), so it is treated as a private key: never world- or
 * group-readable, never followed through a symbolic link, never taken from a directory where
 * someone else could have swapped it. A file that fails a check is refused with the reason,
 * never repaired or replaced: the operator decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"

#define KEY_HEX 32

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The directory of @p path must exist and be writable only by us (or sticky). */
static int
check_dir(const char *path, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	const char *dir;
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return fail(err, errlen, "path too long");
	dir = dirname(buf);
	if (stat(dir, &st) != 0)
		return fail(err, errlen, "directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(err, errlen, "%s is not a directory", dir);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(st.st_mode & S_ISVTX))
		return fail(err, errlen,
		        "directory %s is writable by others (mode %04o): they could replace the "
		        "key",
		        dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* 32 hex digits and an optional newline. */
static int
parse_key(const char *buf, size_t len, uint64_t key[2], char *err, size_t errlen)
{
	size_t i;

	if (len == KEY_HEX + 1 && buf[KEY_HEX] == '\n')
		len--;
	if (len != KEY_HEX)
		return fail(err, errlen, "not a key: expected 32 hex digits and a newline");
	key[0] = key[1] = 0;
	for (i = 0; i < KEY_HEX; i++) {
		int v = hexval((unsigned char)buf[i]);
		if (v < 0)
			return fail(err, errlen, "not a key: expected 32 hex digits and a newline");
		key[i / 16] = key[i / 16] << 4 | (uint64_t)v;
	}
	if (key[0] == 0 && key[1] == 0)
		return fail(err, errlen, "the key is all zeros");
	return 0;
}

/* Read and check an existing key file. @return 0, -1 (err set), or -2: it does not exist. */
static int
read_key(const char *path, uint64_t key[2], char *err, size_t errlen)
{
	char buf[KEY_HEX + 2];
	struct stat st;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return -2;
	if (fd < 0 && errno == ELOOP)
		return fail(err, errlen, "is a symbolic link (give the file itself)");
	if (fd < 0)
		return fail(err, errlen, "%s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = fail(err, errlen, "%s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		rc = fail(err, errlen, "not a regular file");
	} else if (st.st_uid != geteuid()) {
		rc = fail(err, errlen, "owned by uid %u, not by us (uid %u)", (unsigned)st.st_uid,
		        (unsigned)geteuid());
	} else if ((st.st_mode & 077) != 0) {
		rc = fail(err, errlen,
		        "mode %04o lets others read or write the key (chmod 600 it, or make a new "
		        "one)",
		        (unsigned)(st.st_mode & 07777));
	} else {
		n = read(fd, buf, sizeof(buf));
		rc = n < 0 ? fail(err, errlen, "%s", strerror(errno))
		           : parse_key(buf, (size_t)n, key, err, errlen);
	}
	close(fd);
	return rc;
}

/* A fresh random key into a temporary file, linked to @p path. @return 0, -1 (err set), or
 * -2: someone else created @p path meanwhile (read theirs). */
static int
create_key(const char *path, uint64_t key[2], char *err, size_t errlen)
{
	char tmp[PATH_MAX], line[KEY_HEX + 2];
	uint8_t raw[16];
	int fd, rc = 0, i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return fail(err, errlen, "no random bytes: %s", strerror(errno));
	key[0] = key[1] = 0;
	for (i = 0; i < 16; i++)
		key[i / 8] = key[i / 8] << 8 | raw[i];
	if (key[0] == 0 && key[1] == 0)
		key[1] = 1;
	snprintf(line, sizeof(line), "%016llx%016llx\n", (unsigned long long)key[0],
	        (unsigned long long)key[1]);
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return fail(err, errlen, "path too long");
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0)
		return fail(err, errlen, "cannot create it: %s", strerror(errno));
	if (fchmod(fd, 0600) != 0 || write(fd, line, KEY_HEX + 1) != KEY_HEX + 1 || fsync(fd) != 0)
		rc = fail(err, errlen, "cannot write it: %s", strerror(errno));
	close(fd);
	if (rc == 0 && link(tmp, path) != 0)
		rc = errno == EEXIST ? -2
		                     : fail(err, errlen, "cannot create it: %s", strerror(errno));
	unlink(tmp);
	memset(raw, 0, sizeof(raw));
	memset(line, 0, sizeof(line));
	return rc;
}

int
app_keyfile_load(const char *path, uint64_t key[2], bool *created, char *err, size_t errlen)
{
	int rc;

	*created = false;
	if (path == NULL || *path == '\0')
		return fail(err, errlen, "empty path");
	if (check_dir(path, err, errlen) != 0)
		return -1;
	rc = read_key(path, key, err, errlen);
	if (rc != -2)
		return rc;
	rc = create_key(path, key, err, errlen);
	if (rc == 0) {
		*created = true;
		return 0;
	}
	if (rc == -2) /* another process won the race: its key */
		rc = read_key(path, key, err, errlen);
	return rc == -2 ? fail(err, errlen, "vanished while being created") : rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --key-file (apps/common/keyfile.c): created once with mode 0600 and read back the same
 * by the next "process"; every bad file, directory or content refused with its reason and
 * left as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyfile.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tern-keyfile-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* @return the error of loading @p path ("" when it loaded). */
static const char *
load_err(const char *path)
{
	static char err[256];
	uint64_t key[2];
	bool created;

	err[0] = '\0';
	if (app_keyfile_load(path, key, &created, err, sizeof(err)) == 0)
		return "";
	assert_true(err[0] != '\0');
	return err;
}

static void
created_once_then_read(void **state)
{
	char path[128], err[256];
	uint64_t k1[2], k2[2];
	bool created;
	struct stat st;
	FILE *f;
	char line[64];

	(void)state;
	snprintf(path, sizeof(path), "%s/isn.key", dir);
	assert_int_equal(app_keyfile_load(path, k1, &created, err, sizeof(err)), 0);
	assert_true(created);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 33);
	assert_false(k1[0] == 0 && k1[1] == 0);
	/* the next process: the same key, nothing created */
	assert_int_equal(app_keyfile_load(path, k2, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_memory_equal(k1, k2, sizeof(k1));
	/* what is on disk is that key, in hex; no temporary file left */
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	snprintf(err, sizeof(err), "%016llx%016llx\n", (unsigned long long)k1[0],
	        (unsigned long long)k1[1]);
	assert_string_equal(line, err);
	snprintf(err, sizeof(err), "ls %s | grep -vqx isn.key", dir);
	assert_int_not_equal(system(err), 0);
}

static void
operator_made_key(void **state)
{
	char path[128], err[256];
	uint64_t k[2];
	bool created;

	(void)state;
	snprintf(path, sizeof(path), "%s/op.key", dir);
	write_file(path, "00112233445566778899AABBCCDDEEFF\n", 0400);
	assert_int_equal(app_keyfile_load(path, k, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_true(k[0] == 0x0011223344556677ull && k[1] == 0x8899aabbccddeeffull);
}

static void
bad_mode(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/open.key", dir);
	write_file(path, "00112233445566778899aabbccddeeff\n", 0644);
	assert_non_null(strstr(load_err(path), "mode 0644 lets others read"));
	assert_int_equal(chmod(path, 0620), 0);
	assert_non_null(strstr(load_err(path), "mode 0620"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_string_equal(load_err(path), "");
}

static void
bad_content(void **state)
{
	static const char *bad[] = {"", "\n", "0011223344556677889\n",
	        "00112233445566778899aabbccddeeff00\n", "00112233445566778899aabbccddeefg\n",
	        "00112233445566778899aabbccddeeff\n\n", " 00112233445566778899aabbccddeef\n"};
	char path[128];
	unsigned i;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.key", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unlink(path);
		write_file(path, bad[i], 0600);
		assert_non_null(strstr(load_err(path), "not a key"));
	}
	unlink(path);
	write_file(path, "00000000000000000000000000000000\n", 0600);
	assert_non_null(strstr(load_err(path), "all zeros"));
	/* refused files are left alone */
	assert_int_equal(access(path, F_OK), 0);
}

static void
bad_places(void **state)
{
	char path[160], target[128], sub[128];

	(void)state;
	/* a symbolic link, even to a good key */
	snprintf(target, sizeof(target), "%s/real.key", dir);
	write_file(target, "00112233445566778899aabbccddeeff\n", 0600);
	snprintf(path, sizeof(path), "%s/link.key", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_non_null(strstr(load_err(path), "symbolic link"));
	/* no such directory */
	snprintf(path, sizeof(path), "%s/nodir/isn.key", dir);
	assert_non_null(strstr(load_err(path), "No such file or directory"));
	/* the "directory" is a file */
	snprintf(path, sizeof(path), "%s/isn.key", target);
	assert_non_null(strstr(load_err(path), "is not a directory"));
	/* a directory as the key */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_non_null(strstr(load_err(sub), "not a regular file"));
	/* a directory others can write to (not sticky): refused, nothing created */
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/isn.key", sub);
	assert_non_null(strstr(load_err(path), "writable by others (mode 0777)"));
	assert_int_not_equal(access(path, F_OK), 0);
	/* sticky, like /tmp: fine */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_string_equal(load_err(path), "");
	/* a directory we may not write to (as root: only when not root) */
	if (geteuid() != 0) {
		assert_int_equal(chmod(sub, 0500), 0);
		snprintf(path, sizeof(path), "%s/other.key", sub);
		assert_non_null(strstr(load_err(path), "cannot create it"));
		assert_int_equal(chmod(sub, 0700), 0);
	}
	assert_non_null(strstr(load_err(""), "empty path"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(created_once_then_read, setup, teardown),
	        cmocka_unit_test_setup_teardown(operator_made_key, setup, teardown),
	        cmocka_unit_test_setup_teardown(bad_mode, setup, teardown),
	        cmocka_unit_test_setup_teardown(bad_content, setup, teardown),
	        cmocka_unit_test_setup_teardown(bad_places, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

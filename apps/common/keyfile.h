/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The key file of --key-file: the 128-bit key of the ISN and timestamp clocks
 * (tern_engine_conf.clock_key) kept on disk, so that the next process continues this one's
 * sequence numbers and timestamps (docs/TCP.md "Restarts"). Plain POSIX, no DPDK: unit-tested
 * alone (tests/unit/test_keyfile.c).
 *
 * Format: 32 lowercase or uppercase hex digits and a newline (`openssl rand -hex 16` makes
 * one). The file must be a regular file (not a symbolic link) owned by the effective user,
 * readable and writable by nobody else (mode 0600 or 0400), in a directory that others
 * cannot write to (unless it is sticky, like /tmp); the key must not be all zeros.
 */
#ifndef TERN_APP_KEYFILE_H
#define TERN_APP_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Read the key of @p path, or create the file with a fresh random key when it does not
 * exist: written to a temporary file of mode 0600 in the same directory, synced, then
 * linked to @p path, so that a reader never sees a partial file and of two processes
 * creating it at once both end up with the one that won.
 * @param[out] key     the key
 * @param[out] created true when this call made the file
 * @param[out] err     on failure, one line saying what is wrong (without the path)
 * @return 0, or -1 with @p err set
 */
int app_keyfile_load(const char *path, uint64_t key[2], bool *created, char *err, size_t errlen);

#endif

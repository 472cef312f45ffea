/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Compiler attributes that not every compiler we build with has.
 */
#ifndef TERN_UTIL_COMPILER_H
#define TERN_UTIL_COMPILER_H

/**
 * GCC's access attribute, where the compiler has it (GCC 10 on; clang 14 does not): which
 * pointer arguments a function only reads or only writes, and through which argument their
 * length is given. With it, GCC's -Wmaybe-uninitialized knows that only the first n
 * elements of an array argument are read.
 */
#if defined(__has_attribute)
#if __has_attribute(access)
#define UTIL_ACCESS(...) __attribute__((access(__VA_ARGS__)))
#endif
#endif
#ifndef UTIL_ACCESS
#define UTIL_ACCESS(...)
#endif

#endif

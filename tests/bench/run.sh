#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run the benchmarks already built in a meson build directory and print their results.
# Builds nothing: `ninja -C <builddir>` first.
#   usage: tests/bench/run.sh [builddir]   (default: build)
set -eu

builddir=${1:-build}
benchdir=$builddir/tests/bench

if [ ! -d "$benchdir" ]; then
	echo "run.sh: no $benchdir (is '$builddir' a configured and built meson build dir?)" >&2
	exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "# tern benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# host: ${cpu:-unknown cpu}, $(nproc) cpu(s), kernel $(uname -r)"

found=0
status=0
for exe in "$benchdir"/bench_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	found=1
	echo
	echo "## $(basename "$exe")"
	"$exe" || { echo "run.sh: $(basename "$exe") failed" >&2; status=1; }
done
if [ "$found" = 0 ]; then
	echo "run.sh: no bench_* executable in $benchdir (build first)" >&2
	exit 1
fi
exit $status

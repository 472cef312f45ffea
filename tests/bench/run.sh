#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run the benchmarks already built in a meson build directory and print their results.
# Builds nothing: `ninja -C <builddir>` first.
#   usage: tests/bench/run.sh [builddir] [--lab | --no-lab]   (default builddir: build)
# Runs every bench_* executable (micro-benchmarks, engine-only; no root needed), then the
# lab benchmarks lab_bulk.sh, lab_synflood.sh and lab_proxy.sh (tern vs. the Linux kernel over the lab
# veth; need root and create their own namespaces): by default only when run as root,
# --lab to insist (fails without root), --no-lab to skip. Never pass/fail tests: the exit
# status is 1 only when a benchmark could not run.
set -eu

builddir=build
lab=auto
for a in "$@"; do
	case "$a" in
	--lab) lab=1 ;;
	--no-lab) lab=0 ;;
	-*)
		echo "usage: tests/bench/run.sh [builddir] [--lab | --no-lab]" >&2
		exit 2
		;;
	*) builddir=$a ;;
	esac
done
benchdir=$builddir/tests/bench
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -d "$benchdir" ]; then
	echo "run.sh: no $benchdir (is '$builddir' a configured and built meson build dir?)" >&2
	exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "# tern benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# host: ${cpu:-unknown cpu}, $(nproc) cpu(s), kernel $(uname -r)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"

found=0
status=0
for exe in "$benchdir"/bench_*; do
	if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then continue; fi
	found=1
	echo
	echo "## $(basename "$exe")"
	"$exe" || { echo "run.sh: $(basename "$exe") failed" >&2; status=1; }
done
if [ "$found" = 0 ]; then
	echo "run.sh: no bench_* executable in $benchdir (build first)" >&2
	exit 1
fi

if [ "$lab" = auto ]; then
	if [ "$(id -u)" -eq 0 ]; then
		lab=1
	else
		lab=0
		echo
		echo "## lab_bulk, lab_synflood, lab_proxy: skipped (need root)"
	fi
fi
if [ "$lab" = 1 ]; then
	for l in lab_bulk lab_synflood lab_proxy; do
		echo
		echo "## $l"
		"$here/$l.sh" "$builddir" || { echo "run.sh: $l.sh failed" >&2; status=1; }
	done
fi
exit $status

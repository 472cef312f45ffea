#!/bin/bash
# Instruction counts of the engine-only benchmarks under callgrind (issue 12's per-packet
# figures in docs/BENCHMARKS.md): deterministic, or within about 10 instructions, so two
# trees can be compared on a noisy machine where their timings cannot.
#
#   tests/bench/instr.sh [builddir] [figure...]     (default builddir: build; all figures)
#
# Figures (each the difference of two runs, so that set-up and tear-down cancel):
#   cookie, synq, ack    bench_synflood --only CASE --syns 4096 --rounds 1 --reps 1: the
#                        inclusive count of pump() (what the timed part spends on tern) per
#                        frame; each also with --offload
#   cc, sc               bench_cps --lockstep 6000 and 2000 (--mode client-closes /
#                        server-closes), tern_engine_poll's count: per connection, both
#                        engines; each also with --offload when the build's bench_cps has it
#   seg                  bench_tcp_bulk --bytes 50331648 and 16777216 (--echo-bytes 1 MiB,
#                        --reps 1), tern_run's count per data segment one-way (23,290
#                        segments of 1,441 bytes between the two); also with --offload
#                        (there the in-memory link's NIC work is counted too)
# Output: one line per figure, "figure[ --offload] N". Needs valgrind (callgrind_annotate).
# Runs one valgrind at a time; about three minutes for all figures. Never a pass/fail test.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$top/build}
[ $# -gt 0 ] && shift
figs=("$@")
[ ${#figs[@]} -eq 0 ] && figs=(cookie synq ack cc sc seg)
bench=$build/tests/bench
command -v valgrind >/dev/null || {
	echo "instr: valgrind is not installed (apt-get install valgrind)" >&2
	exit 2
}
for b in bench_synflood bench_cps bench_tcp_bulk; do
	[ -x "$bench/$b" ] || {
		echo "instr: $bench/$b not built (ninja -C $build)" >&2
		exit 2
	}
done
tmp=$(mktemp -d /tmp/tern-instr.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# callgrind TOGGLE OUT CMD...: count only inside TOGGLE; fail loudly if the run fails
callgrind() {
	local toggle=$1 out=$2
	shift 2
	if ! valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$toggle" \
		"$@" >"$out.log" 2>&1; then
		echo "instr: failed: $*" >&2
		tail -5 "$out.log" >&2
		exit 1
	fi
}

total() { # the run's whole count (callgrind_annotate's PROGRAM TOTALS)
	# (awk reads to the end: an early exit would fail the pipe under pipefail)
	callgrind_annotate "$1" | awk '!n && /PROGRAM TOTALS/ {gsub(",", "", $1); print $1; n = 1}'
}

inclusive() { # FILE FUNCTION: FUNCTION's inclusive count
	callgrind_annotate --inclusive=yes "$1" |
		awk -v f=":$2 " '!n && index($0, f) {gsub(",", "", $1); print $1; n = 1}'
}

syn() { # CASE [--offload]
	local out=$tmp/syn
	callgrind timed_part "$out" "$bench/bench_synflood" --only "$1" --syns 4096 --rounds 1 \
		--reps 1 "${@:2}"
	echo "$1${2:+ $2} $(($(inclusive "$out" pump) / 4096))"
}

cps() { # MODE NAME [--offload]
	local a b
	callgrind tern_engine_poll "$tmp/c6" "$bench/bench_cps" --lockstep 6000 --mode "$1" "${@:3}"
	callgrind tern_engine_poll "$tmp/c2" "$bench/bench_cps" --lockstep 2000 --mode "$1" "${@:3}"
	a=$(total "$tmp/c6")
	b=$(total "$tmp/c2")
	echo "$2${3:+ $3} $(((a - b) / 4000))"
}

seg() { # [--offload]
	local a b
	callgrind tern_run "$tmp/b48" "$bench/bench_tcp_bulk" --echo-bytes 1048576 --reps 1 \
		--bytes 50331648 "$@"
	callgrind tern_run "$tmp/b16" "$bench/bench_tcp_bulk" --echo-bytes 1048576 --reps 1 \
		--bytes 16777216 "$@"
	a=$(total "$tmp/b48")
	b=$(total "$tmp/b16")
	echo "seg${1:+ $1} $(((a - b) / 23290))"
}

cps_offload=false
usage=$("$bench/bench_cps" --help 2>&1 || true) # (older trees' bench_cps has no --offload)
if [[ $usage == *--offload* ]]; then cps_offload=true; fi
for f in "${figs[@]}"; do
	case $f in
	cookie | synq | ack)
		syn "$f"
		syn "$f" --offload
		;;
	cc | sc)
		mode=client-closes
		[ "$f" = sc ] && mode=server-closes
		cps $mode "$f"
		if $cps_offload; then cps $mode "$f" --offload; fi
		;;
	seg)
		seg
		seg --offload
		;;
	*)
		echo "instr: unknown figure '$f' (cookie synq ack cc sc seg)" >&2
		exit 2
		;;
	esac
done

#!/bin/bash
# Run tern's libFuzzer targets for a short, bounded time each (docs/FUZZING.md).
#
# Builds the fuzz build directory if needed (clang, -Dfuzz=enabled, ASan + UBSan), then runs
# the targets one after the other, one fuzzer process at a time. Before fuzzing a target, the
# reproducers of past bugs in tests/fuzz/crashes/<target>-* are replayed: each must pass. Each target starts from the
# seeds in tests/fuzz/corpus/<target>/ plus what earlier runs found (kept under $FUZZ_WORK).
# A crash, a sanitizer report, a leak, a timeout or an out-of-memory stops that target; the
# script then goes on with the others and exits non-zero, printing each reproducer's path.
#
# usage: tests/fuzz/run.sh [target...]        (default: eth arp ipv4 ipv6 icmp icmp6 tcp nd engine)
# env:   FUZZ_BUILD   build directory (default build-fuzz in the source tree)
#        FUZZ_WORK    corpora found and crash artifacts (default /tmp/tern-fuzz)
#        FUZZ_TIME_PARSER  seconds per parser target (default 20)
#        FUZZ_TIME_V6      seconds for ipv6, icmp6 and nd (default half of FUZZ_TIME_PARSER)
#        FUZZ_TIME_ENGINE  seconds for the engine target (default 60)
#        FUZZ_ALLOW   engine protocol checks to skip while a known bug is open (comma list)
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FUZZ_BUILD:-$top/build-fuzz}
work=${FUZZ_WORK:-/tmp/tern-fuzz}
t_parser=${FUZZ_TIME_PARSER:-20}
t_engine=${FUZZ_TIME_ENGINE:-60}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(eth arp ipv4 ipv6 icmp icmp6 tcp nd engine)

if ! command -v clang >/dev/null; then
	echo "fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
	echo "fuzz: configuring $build"
	# werror off: clang warns about things gcc does not; the gcc builds gate warnings.
	if ! CC=clang meson setup "$build" "$top" -Dfuzz=enabled -Db_sanitize=address,undefined \
		-Db_lundef=false -Dwerror=false >"$build.setup.log" 2>&1; then
		cat "$build.setup.log"
		exit 2
	fi
fi
bins=()
for t in "${targets[@]}"; do bins+=("tests/fuzz/fuzz_$t"); done
if ! ninja -C "$build" "${bins[@]}" >"$build.ninja.log" 2>&1; then
	tail -40 "$build.ninja.log"
	echo "fuzz: build failed" >&2
	exit 2
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
summary=()
for t in "${targets[@]}"; do
	corpus="$work/corpus/$t"
	art="$work/artifacts"
	mkdir -p "$corpus" "$art"
	secs=$t_parser
	# The IPv6 targets are small and their seeds reach every branch: half the time.
	case "$t" in ipv6 | icmp6 | nd) secs=${FUZZ_TIME_V6:-$(((t_parser + 1) / 2))} ;; esac
	args=(-max_len=4096)
	if [ "$t" = engine ]; then
		secs=$t_engine
		# Long scripts from the start; plain (not entropic) scheduling is 3x faster here.
		args=(-max_len=2048 -len_control=0 -entropic=0)
	fi
	log="$work/$t.log"
	# Reproducers of past bugs first: each must now run clean.
	mapfile -t old < <(find "$top/tests/fuzz/crashes" -maxdepth 1 -type f -name "$t-*" | sort)
	if [ ${#old[@]} -gt 0 ]; then
		if ! "$build/tests/fuzz/fuzz_$t" "${old[@]}" >"$log.replay" 2>&1; then
			grep -E 'Running:|ERROR:|SUMMARY:|fuzz invariant failed' "$log.replay" | tail -6
			echo "fuzz_$t: a reproducer in tests/fuzz/crashes/ fails (open bug or regression); log: $log.replay"
			failed+=("$t")
			summary+=("$(printf '%-7s FAIL  regression, see %s' "$t" "$log.replay")")
			continue
		fi
		echo "=== fuzz_$t: ${#old[@]} past reproducer(s) run clean"
	fi
	echo "=== fuzz_$t: ${secs}s"
	"$build/tests/fuzz/fuzz_$t" "${args[@]}" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/$t-" \
		"$corpus" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	if [ $rc -ne 0 ]; then
		crash=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -1)
		grep -E 'ERROR:|SUMMARY:|fuzz invariant failed|^ +#[0-9] ' "$log" | head -20
		echo "fuzz_$t: FAILED (exit $rc); reproducer: ${crash:-none written}; log: $log"
		echo "  reproduce: $build/tests/fuzz/fuzz_$t ${crash:-<input>}"
		failed+=("$t")
		summary+=("$(printf '%-7s FAIL  %s' "$t" "${crash:-see $log}")")
	else
		summary+=("$(printf '%-7s ok    %4ss %9s runs %7s exec/s  cov %5s  ft %6s' "$t" "$secs" \
			"${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}")")
	fi
done

# The engine target's EAL leaves a runtime directory per process (--file-prefix
# tern-fuzz-PID); remove those whose process is gone.
for d in /var/run/dpdk/tern-fuzz-*; do
	[ -d "$d" ] || continue
	kill -0 "${d##*-}" 2>/dev/null || rm -rf "$d"
done

echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
	exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran clean"

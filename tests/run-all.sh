#!/bin/bash
# tern's whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. install what is missing (apt-get), 2. build (plain, release -O3 and ASan+UBSan),
#   3. format check, 4. cmocka unit tests in both builds,
#   5. integration tests against the Linux kernel in a lab namespace
#      (af_packet, tap and virtio-user modes, netem impairment interop), and a subset with
#      the apps built with ASan + UBSan, 6. short libFuzzer
#      runs, 7. the scapy TCP conformance suite.
# Ends with one line "N passed, N failed"; exits non-zero if anything failed.
#
# usage: tests/run-all.sh [--no-integration] [--modes "af_packet tap virtio-user"]
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1

integration=1
modes="af_packet tap virtio-user"
while [ $# -gt 0 ]; do
	case "$1" in
	--no-integration) integration=0 ;;
	--modes)
		modes=$2
		shift
		;;
	*)
		echo "usage: $0 [--no-integration] [--modes \"af_packet tap virtio-user\"]" >&2
		exit 2
		;;
	esac
	shift
done

tmp=$(mktemp /tmp/tern-run-all-XXXXXX)
trap 'rm -f "$tmp"' EXIT
passed=0
failed=0
failures=()
pass() {
	passed=$((passed + $1))
}
fail() {
	failed=$((failed + $1))
	failures+=("$2")
}
step() { printf '\n=== %s === (at %dm%02ds)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

step "dependencies"
if ! bash dpdk-config/install-deps.sh all; then
	echo "0 passed, 1 failed"
	exit 1
fi

build() { # dir, meson args...
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log"
			return 1
		}
	fi
	ninja -C "$dir" -j2
}

step "build (debugoptimized: gcc -O2 -g, -Werror)"
if build build; then pass 1; else fail 1 "build"; fi
# The release build (-O3) is what docs/BENCHMARKS.md's recipes use; gcc warns differently
# at -O3 (maybe-uninitialized), so it must compile too (nothing runs from it here).
step "build (release: gcc -O3, -Werror)"
if build build-rel -Dbuildtype=release; then pass 1; else fail 1 "build-rel"; fi
step "build (ASan + UBSan)"
if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
	pass 1
else
	fail 1 "build-asan"
fi

step "format (.clang-format)"
mapfile -t srcs < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
if [ ${#srcs[@]} -gt 0 ] && clang-format --dry-run --Werror "${srcs[@]}"; then
	pass 1
else
	fail 1 "clang-format"
fi

unit() { # build dir, label
	local out ok nfail
	out=$(meson test -C "$1" --suite unit --print-errorlogs --no-rebuild 2>&1)
	echo "$out" | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Timeout|Skipped):' || echo "$out" | tail -20
	ok=$(echo "$out" | awk '/^Ok:/ {print $2}')
	nfail=$(echo "$out" | awk '/^(Fail|Timeout|Unexpected Pass|Expected Fail):/ {s+=$NF} END {print s+0}')
	if [ -z "$ok" ]; then
		echo "$out" | tail -30
		fail 1 "unit tests ($2): meson test did not run"
		return
	fi
	[ "$(echo "$out" | awk '/^Skipped:/ {print $2}')" -gt 0 ] 2>/dev/null &&
		fail 1 "unit tests ($2): skipped tests"
	pass "$ok"
	[ "$nfail" -gt 0 ] && fail "$nfail" "unit tests ($2)"
	[ "$nfail" -gt 0 ] && echo "$out" | sed -n '/Failed tests\|stdout:\|FAIL/,+40p' | head -120
	return 0
}

step "unit tests"
[ -f build/build.ninja ] && unit build debugoptimized
step "unit tests under ASan + UBSan"
[ -f build-asan/build.ninja ] &&
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		unit build-asan asan

count_summary() { # output of a script that ends with "N passed, N failed"; label
	local line p f
	line=$(echo "$1" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		fail 1 "$2: printed no summary"
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed*}
	pass "$p"
	[ "$f" -gt 0 ] && fail "$f" "$2"
	return 0
}

if [ "$integration" = 1 ]; then
	step "bad input and misconfiguration (tern-echo CLI, port errors)"
	bash tests/integration/t_cli_errors.sh "$top/build" 2>&1 | tee "$tmp"
	count_summary "$(cat "$tmp")" "cli errors"
	bash tests/integration/t_gen_cli.sh "$top/build" 2>&1 | tee "$tmp"
	count_summary "$(cat "$tmp")" "tern-gen cli errors"
	if [ -f build-asan/build.ninja ]; then
		step "bad input again, the apps built with ASan + UBSan"
		# (a config value kept past its line buffer was a stack use after return, a
		# missing --ip a shift by 32: only the sanitizers see such; a report fails a case)
		ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=1:verify_asan_link_order=0 \
			UBSAN_OPTIONS=print_stacktrace=1 \
			bash tests/integration/t_cli_errors.sh "$top/build-asan" 2>&1 | tee "$tmp"
		count_summary "$(cat "$tmp")" "cli errors (ASan)"
	fi

	step "integration tests against the Linux kernel ($modes)"
	# shellcheck disable=SC2086
	TERN_BUILD="$top/build" bash tests/integration/run.sh $modes 2>&1 | tee "$tmp"
	count_summary "$(cat "$tmp")" "integration: $(grep -E '^FAIL ' "$tmp" | head -5 | cut -c1-200 | tr '\n' ';')"
	step "integration subset with the apps built with ASan + UBSan (af_packet)"
	# An app-level memory bug must fail here: keepalive, user and FIN_WAIT_2 timeouts (close
	# reasons beyond the first few), two engines (tern-echo, tern-http), the proxy's timeouts,
	# the --metrics control thread (it reads the engines while they run). (The tests start the
	# apps under stdbuf, whose preloaded library comes before ASan's: harmless, so the
	# link-order check is off.)
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:verify_asan_link_order=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		TERN_BUILD="$top/build-asan" TESTS="${ASAN_TESTS:-keepalive user_timeout fin_timeout echo_engines http_engines proxy_timeouts metrics}" \
		bash tests/integration/run.sh af_packet 2>&1 | tee "$tmp"
	count_summary "$(cat "$tmp")" "integration (ASan): $(grep -E '^FAIL ' "$tmp" | head -5 | cut -c1-200 | tr '\n' ';')"
	step "fuzzing (libFuzzer, ASan + UBSan, bounded time per target; docs/FUZZING.md)"
	# CI's share of fuzzing is a smoke run within the 20-minute budget: 8 s per parser
	# target (4 s for the IPv6 ones), 45 s for the engine; longer runs by hand
	# (docs/FUZZING.md). The reproducers of past bugs are replayed first either way.
	FUZZ_TIME_PARSER=${FUZZ_TIME_PARSER:-8} FUZZ_TIME_ENGINE=${FUZZ_TIME_ENGINE:-45} \
		bash tests/fuzz/run.sh 2>&1 | tee "$tmp"
	p=$(grep -cE '^[a-z0-9_]+ +ok ' "$tmp")
	f=$(grep -cE '^[a-z0-9_]+ +(FAIL|fail|crash|CRASH|leak|timeout|oom)' "$tmp")
	pass "$p"
	# The sanitizer's or libFuzzer's own words go into the final summary, which is what a
	# CI log's tail shows.
	[ "$f" -gt 0 ] && fail "$f" "fuzzing: $(grep -E '^[a-z0-9_]+ +FAIL|ERROR:|SUMMARY:|fuzz invariant failed|FAILED \(exit|build failed' "$tmp" | head -8 | tr '\n' ';')"
	[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && fail 1 "fuzzing: no summary"

	step "TCP conformance (scapy over the wire, docs/CONFORMANCE.md)"
	TERN_BUILD="$top/build" bash tests/conformance/run.sh 2>&1 | tee "$tmp"
	count_summary "$(cat "$tmp")" "conformance: $(grep -E '^FAIL ' "$tmp" | head -5 | cut -c1-200 | tr '\n' ';')"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

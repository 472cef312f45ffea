#!/bin/bash
# Lab bulk benchmark: tern against the Linux kernel as the TCP server, with the same client
# over the same veth, in one run.
#
#   tests/bench/lab_bulk.sh [builddir]          (root; default builddir: build)
#
# The lab (dpdk-config/lab.sh, af_packet mode, its own prefix TERNLAB_PREFIX=ternbench):
# the client, tests/bench/bulk_tool, runs in the peer namespace; the server runs in the
# tern-side namespace on the lab veth end, either
#   tern   tern-echo / tern-sink (af_packet on the veth, qdisc_bypass=0, 1 engine), or
#   Linux  bulk_tool server (blocking echo / discard) with the tern address put on that same
#          veth end (offloads off as the lab sets them: 1500-byte frames, software
#          checksums, no GSO/GRO), removed again before tern runs.
# Cases, each BULK_REPS times, the four servers alternating within a round:
#   echo     the client sends BULK_BYTES and reads the echo at the same time (checked
#            against the pattern); MB/s each way = bytes / time to the last echoed byte
#   one-way  the client sends BULK_BYTES and half-closes; the server discards and closes;
#            MB/s = bytes / time to EOF
# Pinning: the server (tern's lcore, or the Linux server process) on CPU BULK_SERVER_CPU (0),
# the client on BULK_CLIENT_CPU (1), so both arms get the same two CPUs. tern busy-polls its
# CPU; the Linux server sleeps in recv() and the kernel's softirq work lands where it may.
#
# Environment: BULK_BYTES (209715200), BULK_REPS (3), BULK_PORT (7020), BULK_TIMEOUT (120 s
# per transfer), BULK_SERVER_CPU, BULK_CLIENT_CPU, TERNLAB_* (dpdk-config/common.sh).
# Prints one line per transfer and a summary with medians and the ratio tern / Linux.
# Never a pass/fail test: exit status 1 only when a transfer failed or set-up went wrong.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${TERNLAB_PREFIX:=ternbench}"
# shellcheck source=../../dpdk-config/common.sh
. "$root/dpdk-config/common.sh"

if ! build=$(cd "${1:-build}" 2>/dev/null && pwd); then
	echo "lab_bulk.sh: no build dir '${1:-build}'" >&2
	exit 1
fi
: "${BULK_BYTES:=209715200}"
: "${BULK_REPS:=3}"
: "${BULK_PORT:=7020}"
: "${BULK_TIMEOUT:=120}"
: "${BULK_SERVER_CPU:=0}"
: "${BULK_CLIENT_CPU:=1}"
LAB=$root/dpdk-config/lab.sh
PY=/usr/bin/python3
tern_echo=$build/apps/tern-echo/tern-echo
tern_sink=$build/tests/bench/tern-sink
tool=$build/tests/bench/bulk_tool
for b in "$tern_echo" "$tern_sink" "$tool"; do
	[ -x "$b" ] || { echo "lab_bulk.sh: $b not built (ninja -C $build)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "lab_bulk.sh: needs root (namespaces, DPDK)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tern-bench-bulk-XXXXXX)
lab_created=0
srv_pid=
srv_kind=
dpdk_prefix=
nst() { ip netns exec "$TERNLAB_NS_T" "$@"; }
nsp() { ip netns exec "$TERNLAB_NS_P" "$@"; }

stop_server() {
	[ -n "$srv_pid" ] || return 0
	ternlab_stop_pid "$srv_pid" 10 >/dev/null 2>&1 || true
	wait "$srv_pid" 2>/dev/null || true
	srv_pid=
	if [ "$srv_kind" = linux ]; then
		nst ip addr del "$TERNLAB_TERN_IP/$TERNLAB_PLEN" dev "$TERNLAB_IF_T" 2>/dev/null || true
	fi
	[ -z "$dpdk_prefix" ] || ternlab_dpdk_cleanup "$dpdk_prefix"
	dpdk_prefix=
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT
	set +e
	stop_server
	if [ "$lab_created" = 1 ]; then timeout 60 "$LAB" down >/dev/null 2>&1; fi
	if [ "$rc" -eq 0 ]; then rm -rf "$tmp"; else echo "lab_bulk.sh: logs in $tmp" >&2; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_ready LOG WORD: until LOG has WORD, the server died, or 30 s.
wait_ready() {
	local t=300
	until grep -q "$2" "$1" 2>/dev/null; do
		if ! kill -0 "$srv_pid" 2>/dev/null; then
			echo "lab_bulk.sh: server exited: $(tail -n 3 "$1")" >&2
			return 1
		fi
		[ "$t" -gt 0 ] || { echo "lab_bulk.sh: server not ready in 30 s" >&2; return 1; }
		t=$((t - 1))
		sleep 0.1
	done
}

n=0
# start_server KIND MODE: KIND tern | linux, MODE echo | discard.
start_server() {
	local kind=$1 mode=$2 log bin eal
	n=$((n + 1))
	log=$tmp/server.$n.log
	srv_kind=$kind
	nsp ip neigh flush dev "$TERNLAB_IF_P" >/dev/null 2>&1 || true
	if [ "$kind" = tern ]; then
		bin=$tern_echo
		[ "$mode" = echo ] || bin=$tern_sink
		dpdk_prefix=$TERNLAB_PREFIX-bulk-$$-$n
		eal=$("$root/dpdk-config/eal-args.sh" af_packet --file-prefix "$dpdk_prefix" \
			-l "$BULK_SERVER_CPU")
		# shellcheck disable=SC2086 # eal: words without whitespace
		timeout -k 5 900 ip netns exec "$TERNLAB_NS_T" "$bin" $eal -- \
			--ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" --listen "$BULK_PORT" --stats-interval 0 \
			</dev/null >"$log" 2>&1 &
		srv_pid=$!
		wait_ready "$log" ready
	else
		nst ip addr add "$TERNLAB_TERN_IP/$TERNLAB_PLEN" dev "$TERNLAB_IF_T"
		timeout -k 5 900 ip netns exec "$TERNLAB_NS_T" taskset -c "$BULK_SERVER_CPU" "$tool" server \
			--port "$BULK_PORT" --mode "$mode" </dev/null >"$log" 2>&1 &
		srv_pid=$!
		wait_ready "$log" ready
	fi
}

# run_client MODE: one transfer; prints the client's JSON line (status 1 on failure).
run_client() {
	timeout -k 5 $((BULK_TIMEOUT + 15)) ip netns exec "$TERNLAB_NS_P" taskset -c "$BULK_CLIENT_CPU" \
		"$tool" client --host "$TERNLAB_TERN_IP" --port "$BULK_PORT" --bytes "$BULK_BYTES" \
		--mode "$1" --timeout "$BULK_TIMEOUT"
}

ternlab_ns_exists "$TERNLAB_NS_T" || lab_created=1
out=$(timeout 60 "$LAB" up af_packet 2>&1) || { echo "lab_bulk.sh: lab.sh up: $out" >&2; exit 1; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "lab bulk: $BULK_BYTES bytes per transfer, $BULK_REPS rounds," \
	"server on CPU $BULK_SERVER_CPU," \
	"client on CPU $BULK_CLIENT_CPU; $(nproc) CPUs ($cpu), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lab: $TERNLAB_NS_T/$TERNLAB_IF_T <-> $TERNLAB_NS_P/$TERNLAB_IF_P, MTU $TERNLAB_MTU," \
	"offloads off"

results=$tmp/results.tsv
: >"$results"
status=0
for rep in $(seq 1 "$BULK_REPS"); do
	for c in "tern echo echo" "linux echo echo" "tern discard send" "linux discard send"; do
		read -r kind smode cmode <<<"$c"
		start_server "$kind" "$smode" || { status=1; stop_server; continue; }
		nsp env NSTAT_HISTORY="$tmp/nstat.hist" nstat -n
		if json=$(run_client "$cmode" 2>"$tmp/client.err"); then
			mbps=$(echo "$json" |
				"$PY" -c 'import json,sys; print(json.load(sys.stdin)["MBps"])' 2>/dev/null ||
				echo 0)
		else
			mbps=0
			status=1
			json="failed: $(tail -n 1 "$tmp/client.err")"
		fi
		# The client's retransmissions (Linux's TCP, same in both arms).
		rtx=$(nsp env NSTAT_HISTORY="$tmp/nstat.hist" nstat -j 2>/dev/null |
			"$PY" -c 'import json,sys; print(json.load(sys.stdin)["kernel"].get("TcpRetransSegs", 0))' \
				2>/dev/null || echo '?')
		stop_server
		extra="client retransmitted $rtx"
		if [ "$kind" = tern ]; then
			extra="$extra; tern: $(grep -h 'final:' "$tmp/server.$n.log" |
				sed 's/.*| accepted [0-9]* //; s/ | mbufs.*//' | tr -s ' ')"
		fi
		case "$cmode" in echo) what="echo (each way)" ;; *) what="one-way" ;; esac
		printf 'round %s  %-6s %-16s %8.1f MB/s   %s\n' "$rep" "$kind" "$what" "$mbps" "${extra:-}"
		[[ $json == failed* ]] && echo "    $json"
		printf '%s\t%s\t%s\t%s\n' "$rep" "$kind" "$cmode" "$mbps" >>"$results"
	done
done

"$PY" - "$results" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
print("\nsummary (median over rounds; ratio per round in brackets):")
print(f"  {'case':<17} {'tern MB/s':>10} {'Linux MB/s':>11} {'tern/Linux':>11}")
for mode, what in (("echo", "echo (each way)"), ("send", "one-way")):
    t = {r[0]: float(r[3]) for r in rows if r[1] == "tern" and r[2] == mode}
    l = {r[0]: float(r[3]) for r in rows if r[1] == "linux" and r[2] == mode}
    if not t or not l:
        continue
    ratios = [t[k] / l[k] for k in sorted(t) if k in l and l[k] > 0]
    mt, ml = statistics.median(t.values()), statistics.median(l.values())
    print(f"  {what:<17} {mt:>10.1f} {ml:>11.1f} {mt / ml if ml else 0:>11.2f}   "
          f"[{', '.join(f'{x:.2f}' for x in ratios)}]")
EOF
exit "$status"

#!/bin/bash
# tern-echo against the Linux kernel over an impaired link. For every case a fresh tern-echo
# runs in af_packet mode and a Linux client in the peer namespace sends NETEM_BYTES (24 MiB)
# of a pseudo-random stream while reading the echo (both directions at once), checking every
# byte as it arrives (bulk_client.py). A case fails on a wrong byte, a short echo, no
# progress for NETEM_STALL seconds, or NETEM_CASE_TIMEOUT.
#
# Cases (netem words; p2t = on what Linux sends, at the peer veth's egress; t2p = on what
# tern sends, at the tern-side veth's egress, which tern's af_packet port reaches because
# it keeps the qdisc, qdisc_bypass=0):
#   clean                  no impairment (reference)
#   pass-p2t  pass-t2p     "loss 0%": the impairer in the path, impairing nothing (its own
#                          cost, the reference for the cases below)
#   loss-p2t  loss-t2p     loss 5%
#   reorder-p2t ...-t2p    delay 10ms reorder 25% 50%
#   dup-p2t   dup-t2p      duplicate 2%
#   corrupt-p2t ...-t2p    corrupt 0.5%
# Before the cases, a 10 ms delay on the tern side must show in ping RTT (qdisc path check).
# The impairment is the kernel's netem when it has one, else netem_lite.c, a userspace model
# of it (netem.sh).
#
# Per case it logs: result, seconds, MB/s each way, tern counters (retransmissions, RTOs,
# fast retransmits, out-of-order queued, drops by reason), Linux's (nstat: retransmitted
# segments, timeouts, checksum errors), the impairer's (frames lost/duplicated/...) and
# "path loss": frames the tern-side veth received that tern did not (ring = af_packet ring
# overruns while tern is off its CPU) and the veth ends' drop counters, i.e. losses nobody
# asked for. The whole run takes about 2.5 minutes (docs/BENCHMARKS.md has figures).
#
# usage: t_netem.sh [af_packet]
# Environment:
#   NETEM_CASES          cases, in order (default: all of the above)
#   NETEM_BYTES          bytes each way (default 25165824; the figures in docs/BENCHMARKS.md were taken
#                        with 50 MiB)
#   NETEM_STALL          seconds without progress that fail a case (default 20)
#   NETEM_CASE_TIMEOUT   seconds per case (default 150)
#   NETEM_IMPL           auto | netem | lite (see netem.sh)
#   NETEM_PCAP=1         capture headers of every case on both veth ends ($IT_TMP, kept)
#   NETEM_REPORT=FILE    also write the result table there (TSV)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=netem.sh
. "$IT_DIR/netem.sh"
: "${NETEM_FAMILY:=4}"
if [ "$NETEM_FAMILY" = 6 ]; then it_begin netem6 "${1:-}"; else it_begin netem "${1:-}"; fi
[ "$IT_MODE" = af_packet ] || it_fail "runs in af_packet mode only (t2p impairs the veth qdisc)"
# NETEM_FAMILY=6 (t_netem6.sh): the same over IPv6, the client connecting to tern's IPv6
# address (the impairer takes IPv6 frames, Neighbour Discovery included, as netem would).
tern_ip=$TERNLAB_TERN_IP
v6opts=()
if [ "$NETEM_FAMILY" = 6 ]; then
	tern_ip=$TERNLAB_TERN_IP6
	v6opts=(--ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6")
fi
port=7010
all_cases="clean pass-p2t pass-t2p loss-p2t loss-t2p reorder-p2t reorder-t2p dup-p2t dup-t2p"
all_cases+=" corrupt-p2t corrupt-t2p"
read -ra cases <<<"${NETEM_CASES:-$all_cases}"
: "${NETEM_BYTES:=25165824}"
: "${NETEM_STALL:=20}"
: "${NETEM_CASE_TIMEOUT:=150}"
[ "${NETEM_PCAP:-0}" = 1 ] && IT_KEEP_TMP=1
PCAP_PIDS=()

case_spec() {
	case "$1" in
	clean) echo "" ;;
	pass-*) echo "loss 0%" ;;
	loss-*) echo "loss 5%" ;;
	reorder-*) echo "delay 10ms reorder 25% 50%" ;;
	dup-*) echo "duplicate 2%" ;;
	corrupt-*) echo "corrupt 0.5%" ;;
	*) return 1 ;;
	esac
}
# What the impairer must have done at least once for the case to count (netem_lite only).
case_effect() {
	case "$1" in
	loss-*) echo lost ;;
	reorder-*) echo reordered ;;
	dup-*) echo duplicated ;;
	corrupt-*) echo corrupted ;;
	*) echo "" ;;
	esac
}
for c in "${cases[@]}"; do
	case_spec "$c" >/dev/null || it_fail "unknown case '$c' (have: $all_cases)"
done

pcap_start() {
	[ "${NETEM_PCAP:-0}" = 1 ] || return 0
	local c=$1 ns
	for ns in "$TERNLAB_NS_T:$TERNLAB_IF_T:t" "$TERNLAB_NS_P:$TERNLAB_IF_P:p"; do
		IFS=: read -r n i s <<<"$ns"
		timeout -k 2 $((NETEM_CASE_TIMEOUT + 30)) ip netns exec "$n" tcpdump -i "$i" -s 128 -U \
			-w "$IT_TMP/$c.$s.pcap" tcp >/dev/null 2>&1 &
		PCAP_PIDS+=($!)
	done
	sleep 0.5
}
pcap_stop() {
	local p
	for p in "${PCAP_PIDS[@]}"; do
		ternlab_stop_pid "$p" 3 >/dev/null 2>&1
		wait "$p" 2>/dev/null || true
	done
	PCAP_PIDS=()
}
it_defer pcap_stop

# path_snap: one JSON line with the veth ends' packet and drop counters and tern's rx/tx
# packets, to tell frames lost on the way (af_packet ring overrun while tern is off its CPU,
# veth backlog) from frames the impairment dropped.
path_snap() {
	local t p
	t=$(ip netns exec "$TERNLAB_NS_T" ip -s -j link show dev "$TERNLAB_IF_T" 2>/dev/null) || t='[]'
	p=$(ip netns exec "$TERNLAB_NS_P" ip -s -j link show dev "$TERNLAB_IF_P" 2>/dev/null) || p='[]'
	"$PY" -c '
import json, sys
def link(s):
    try:
        st = json.loads(s)[0]["stats64"]
        return st["rx"]["packets"], st["rx"]["dropped"], st["tx"]["packets"], st["tx"]["dropped"]
    except (ValueError, LookupError):
        return 0, 0, 0, 0
tern = json.loads(sys.argv[3] or "{}")
out = dict(zip(("t_rx", "t_rxdrop", "t_tx", "t_txdrop"), link(sys.argv[1])))
out.update(zip(("p_rx", "p_rxdrop", "p_tx", "p_txdrop"), link(sys.argv[2])))
out.update(tern_rx=tern.get("rx_pkts", 0), tern_tx=tern.get("tx_pkts", 0))
print(json.dumps(out))' "$t" "$p" "$(tel_json /tern/stats)"
}

# fail_reason CASE: the client's error with how far the case got (time, bytes echoed,
# rate) and tern's retransmission counters, e.g. "timeout after 150s: 150.0 s, echoed
# 41.9 of 52.4 MB (0.3 MB/s); tern rtx/rto/fast 1884/322/1379, spurious recoveries 1".
# Fails when the client left no error in its JSON.
fail_reason() {
	"$PY" - "$IT_TMP/$1.client.json" "$IT_TMP/$1.tern.json" <<'EOF'
import json, sys
def load(path):
    try:
        with open(path) as f:
            return json.loads(f.read() or "{}")
    except (OSError, ValueError):
        return {}
cl, t = load(sys.argv[1]), load(sys.argv[2])
if not cl.get("error"):
    sys.exit(1)
out = (f"{cl['error']}: {cl.get('secs', 0):.1f} s, echoed {cl.get('received', 0) / 1e6:.1f} of "
       f"{cl.get('bytes', 0) / 1e6:.1f} MB ({cl.get('rx_MBps', 0):.1f} MB/s)")
if t:
    g = lambda k: t.get(k, 0)
    out += f"; tern rtx/rto/fast {g('tcp_retrans')}/{g('tcp_rto')}/{g('tcp_fast_retrans')}"
    if g("tcp_spurious_recovery"):
        out += f", spurious recoveries {g('tcp_spurious_recovery')}"
else:
    out += "; no tern counters"
print(out)
EOF
}

nstat_p() { ip netns exec "$TERNLAB_NS_P" env NSTAT_HISTORY="$IT_TMP/nstat.hist" nstat "$@"; }

# ping_min: minimum RTT (ms) of 10 pings from the peer, or "" when they failed. The minimum,
# not the average: on a loaded machine the average moves with scheduling, the minimum
# stays near the path's fixed delay.
ping_min() {
	local out
	out=$(peer ping -c 10 -i 0.1 -w 10 "$tern_ip" 2>&1) || return 0
	echo "$out" | sed -n 's|^rtt [^=]*= \([0-9.]*\)/.*|\1|p'
}

lab_up
if [ "$NETEM_FAMILY" = 6 ]; then
	peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
	it_defer peer_ipv6_off
	timeout 30 "$LAB" ipv6 on >/dev/null || it_fail "lab.sh ipv6 on failed"
fi
netem_init
it_log "impairment: $NETEM_IMPL; cases: ${cases[*]}; $NETEM_BYTES bytes each way; stall" \
	"${NETEM_STALL}s; case timeout ${NETEM_CASE_TIMEOUT}s"
it_log "offloads: $TERNLAB_IF_P $(ip netns exec "$TERNLAB_NS_P" ethtool -k "$TERNLAB_IF_P" |
	grep -E '^(tx-checksumming|generic-segmentation-offload|tcp-segmentation-offload):' |
	tr -d '\n' | tr -s ' \t' ' ')"
t_all=$SECONDS

# qdisc path: a delay on tern's veth must show in ping RTT, else t2p cases test nothing.
# Proof: the replies went through the impairer (netem_lite counts them) and no reply came
# back faster than the delay.
tern_start "$port" --stats-interval 0 "${v6opts[@]}"
[ "$NETEM_FAMILY" = 4 ] || wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
rtt0=$(ping_min)
netem_on t2p delay 10ms
rtt1=$(ping_min)
netem_off
it_log "qdisc path: min ping RTT ${rtt0:-?} ms without, ${rtt1:-?} ms with 'delay 10ms' on" \
	"$TERNLAB_IF_T egress (impairer: $NETEM_STATS)"
if [ -z "$rtt0" ] || [ -z "$rtt1" ]; then it_fail "ping to tern failed during the qdisc path check"; fi
awk -v b="$rtt1" 'BEGIN { exit !(b >= 9.5) }' ||
	it_fail "delay on $TERNLAB_IF_T did not show in RTT ($rtt0 -> $rtt1 ms): is qdisc_bypass on?"
if [ "$NETEM_IMPL" = lite ]; then
	"$PY" -c 'import json,sys; sys.exit(json.loads(sys.argv[1]).get("in", 0) < 10)' "$NETEM_STATS" ||
		it_fail "tern's replies did not pass $TERNLAB_IF_T's egress qdisc: $NETEM_STATS"
fi
tern_stop

failed=()
for c in "${cases[@]}"; do
	read -ra spec <<<"$(case_spec "$c")"
	tern_start "$port" --stats-interval 0 "${v6opts[@]}"
	[ "$NETEM_FAMILY" = 4 ] || wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
	nstat_p -n
	NETEM_STATS={}
	pcap_start "$c"
	[ ${#spec[@]} -eq 0 ] || netem_on "${c##*-}" "${spec[@]}"
	it_log "case $c: ${spec[*]:-no impairment}"
	path_snap >"$IT_TMP/$c.path0.json"
	rc=0
	# Like lib.sh's peer, but the redirection is on the client only: a signal's trap
	# must still log to this script's stderr.
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 $((NETEM_CASE_TIMEOUT + 15)) \
		"$PY" "$IT_DIR/bulk_client.py" --host "$tern_ip" --port "$port" \
		--bytes "$NETEM_BYTES" --stall "$NETEM_STALL" --timeout "$NETEM_CASE_TIMEOUT" \
		--progress 10 --json >"$IT_TMP/$c.client.json" 2>"$IT_TMP/$c.client.err" &
	IT_CHILD=$!
	wait "$IT_CHILD" || rc=$?
	IT_CHILD=
	path_snap >"$IT_TMP/$c.path1.json"
	netem_off
	pcap_stop
	echo "$NETEM_STATS" >"$IT_TMP/$c.netem.json"
	tel_json /tern/stats >"$IT_TMP/$c.tern.json"
	tel_json /tern/drops >"$IT_TMP/$c.drops.json"
	nstat_p -j >"$IT_TMP/$c.linux.json" 2>/dev/null || echo '{}' >"$IT_TMP/$c.linux.json"
	tern_stop
	verdict=PASS
	why=
	if [ "$rc" -ne 0 ]; then
		verdict=FAIL
		why=$(fail_reason "$c" 2>/dev/null || tail -n 1 "$IT_TMP/$c.client.err")
		why=${why:-client exit status $rc}
	fi
	eff=$(case_effect "$c")
	if [ "$verdict" = PASS ] && [ -n "$eff" ] && [ "$NETEM_IMPL" = lite ] &&
		! "$PY" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])).get(sys.argv[2], 0) == 0)' \
			"$IT_TMP/$c.netem.json" "$eff"; then
		verdict=FAIL
		why="impairment not applied (no frame $eff)"
	fi
	if [ "$verdict" = PASS ] && [ "$NETEM_FAMILY" = 6 ] &&
		! "$PY" -c 'import json,sys; t=json.load(open(sys.argv[1])); sys.exit(t.get("tcp6_seg_rx", 0) < t.get("tcp_seg_rx", 0) or t.get("tcp6_seg_rx", 0) == 0)' \
			"$IT_TMP/$c.tern.json"; then
		verdict=FAIL
		why="not all of tern's TCP segments were IPv6 (tcp6_seg_rx below tcp_seg_rx)"
	fi
	echo "$verdict" >"$IT_TMP/$c.verdict"
	echo "$why" >"$IT_TMP/$c.why"
	[ "$verdict" = PASS ] || failed+=("$c: $why")
	it_log "case $c: $verdict${why:+ ($why)}"
done

# The table: one row per case.
"$PY" - "$IT_TMP" "${NETEM_REPORT:-}" "${cases[@]}" <<'EOF' >&2
import json, os, sys
tmp, report, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
def load(c, kind):
    try:
        with open(os.path.join(tmp, f"{c}.{kind}")) as f:
            return json.loads(f.read() or "{}") if kind.endswith("json") else f.read().strip()
    except (OSError, ValueError):
        return {} if kind.endswith("json") else ""
hdr = ["case", "result", "secs", "MB/s", "tern rtx/rto/fast", "tern ooo", "tern drops",
       "linux rtx/to/csumerr", "impairer", "path loss"]
rows = []
for c in cases:
    cl, t, d = load(c, "client.json"), load(c, "tern.json"), load(c, "drops.json")
    lx = load(c, "linux.json").get("kernel", {})
    nm = load(c, "netem.json")
    p0, p1 = load(c, "path0.json"), load(c, "path1.json")
    dp = lambda k: p1.get(k, 0) - p0.get(k, 0)
    # Frames the tern-side veth received that tern did not: af_packet ring overruns.
    ring = max(0, dp("t_rx") - dp("tern_rx"))
    vdrop = dp("t_rxdrop") + dp("p_rxdrop") + dp("t_txdrop") + dp("p_txdrop")
    g = lambda k: t.get(k, 0)
    rows.append([
        c, load(c, "verdict"), f"{cl.get('secs', 0):.1f}", f"{cl.get('rx_MBps', 0):.1f}",
        f"{g('tcp_retrans')}/{g('tcp_rto')}/{g('tcp_fast_retrans')}", str(g("tcp_ooo_queued")),
        ",".join(f"{k}={v}" for k, v in sorted(d.items())) or "-",
        f"{lx.get('TcpRetransSegs', 0)}/{lx.get('TcpExtTCPTimeouts', 0)}/"
        f"{lx.get('TcpInCsumErrors', 0)}",
        ",".join(f"{k}={v}" for k, v in nm.items() if v and k not in ("in", "sent")) or "-",
        f"ring={ring},veth={vdrop}" if p0 and p1 else "?",
    ])
w = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
for r in [hdr] + rows:
    print("  " + "  ".join(v.ljust(w[i]) for i, v in enumerate(r)))
if report:
    with open(report, "w") as f:
        for r in [hdr] + rows:
            f.write("\t".join(r) + "\n")
EOF
it_log "all cases in $((SECONDS - t_all))s"
[ "${NETEM_PCAP:-0}" != 1 ] || it_log "pcaps and logs kept in $IT_TMP"
# Every failed case with its reason: CI shows only the log's tail, maybe not the table.
if [ ${#failed[@]} -gt 0 ]; then
	reasons=$(printf '%s | ' "${failed[@]}")
	it_fail "${#failed[@]} case(s) failed: ${reasons% | } (logs in $IT_TMP)"
fi
it_pass

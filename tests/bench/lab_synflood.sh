#!/bin/bash
# Lab SYN flood benchmark: tern-echo against the Linux kernel as the flooded listener, with
# the same generator, the same real client and the same veth, in one run.
#
#   tests/bench/lab_synflood.sh [builddir]          (root; default builddir: build)
#
# The lab (dpdk-config/lab.sh, af_packet mode, its own prefix TERNLAB_PREFIX=sf):
#   responder, in the tern-side namespace on the lab veth end tern-t (CPU SF_RESP_CPU, 0):
#     tern:MODE:FRAMES   tern-echo --syncookies auto --poll-mode MODE (af_packet on tern-t
#            with an RX ring of FRAMES frames, one engine, default backlog 1024 and SYN queue
#            65536, --gw the peer); the arms SF_KINDS (default "tern:busy:512
#            tern:busy:4096 tern:backoff:4096 linux": tern before issue 15, the larger
#            ring alone, ring and idle backoff, Linux), or
#     Linux  synflood_tool.py server (echo, listen backlog SF_BACKLOG = 1024, pinned) with
#            tern's address put on tern-t, net.ipv4.tcp_syncookies=1 (cookies once the
#            listener's SYN queue is full, as tern's auto), a default route via the peer;
#            the address is removed again before tern runs;
#   generator, in the peer namespace on tern-p (CPU SF_GEN_CPU, 1): SF_GEN=tern-gen (default;
#     tern-gen --mode synflood on its own af_packet port on tern-p, address SF_GEN_IP, SYNs
#     with an MSS option from random sources in SF_SRC, off-link for the responder, so both
#     answer through their gateway / the SYN's MAC without one ARP per source) or
#     SF_GEN=hping3 (hping3 --flood -S --rand-source: no options, sources anywhere);
#     bounded by SF_SECS and SF_COUNT;
#   a real client, Linux in the peer namespace (synflood_tool.py client, CPU SF_GEN_CPU):
#     SF_CONNECTS connections at SF_CLIENT_RATE per second started 0.5 s into the flood, each
#     connect + 1-byte echo + close within SF_CLIENT_TIMEOUT s; the same client runs first
#     without a flood (SF_IDLE_CONNECTS) as the reference.
# RPS (SF_RPS=1) steers the kernel's receive work on tern-t to the responder's CPU and on
# tern-p to the generator's, so each side pays for its own kernel path (without it, veth
# runs the responder's receive path on the sender's CPU, inside the generator's send).
# Measured per flood: SYNs sent (tern-gen's count, or hping3's), frames that reached
# tern-t, SYNs the responder took in (tern rx_pkts; Linux IpInReceives), SYN-ACKs that came
# back (IpInAddrErrors in the peer namespace: segments to the spoofed sources, which the
# peer kernel drops; cross-checked with tern-p's RX counter), SYN-ACK/s over the flood,
# responder counters (tern: cookies, SYN queue, drops; Linux: SyncookiesSent,
# ListenDrops ...), CPU time of both CPUs from /proc/stat (user / system / softirq / idle),
# softnet backlog drops, and the client's success ratio and connect latency.
# Each case SF_REPS times; within a round the arms alternate (tern, Linux) for each rate in
# SF_RATES (SYN/s, 0 = as fast as the generator goes). Prints one block per flood and a
# summary with medians and the ratios tern / Linux.
#
# Environment: SF_KINDS (above), SF_RATES ("20000 0"), SF_SECS (5), SF_COUNT (2000000), SF_REPS (3), SF_GEN
# (tern-gen), SF_SRC (198.19.0.0/16), SF_GEN_IP (198.18.0.3), SF_PORT (7030), SF_BACKLOG
# (1024), SF_CONNECTS (300), SF_CLIENT_RATE (100), SF_CLIENT_TIMEOUT (3.5),
# SF_IDLE_CONNECTS (100), SF_RESP_CPU (0), SF_GEN_CPU (1), SF_RPS (1), SF_NICE (0: the
# responder's nice value; on a CPU shared with other jobs a busy-polling tern-echo gets only
# a fair share, while the kernel's softirq work preempts them: -10 gives it about 90 % of
# its CPU), TERNLAB_*.
# Never a pass/fail test: exit status 1 only when set-up failed or a run could not happen.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${TERNLAB_PREFIX:=sf}"
# shellcheck source=../../dpdk-config/common.sh
. "$root/dpdk-config/common.sh"

if ! build=$(cd "${1:-build}" 2>/dev/null && pwd); then
	echo "lab_synflood.sh: no build dir '${1:-build}'" >&2
	exit 1
fi
: "${SF_KINDS:=tern:busy:512 tern:busy:4096 tern:backoff:4096 linux}"
: "${SF_RATES:=20000 0}"
: "${SF_SECS:=5}"
: "${SF_COUNT:=2000000}"
: "${SF_REPS:=3}"
: "${SF_GEN:=tern-gen}"
: "${SF_SRC:=198.19.0.0/16}"
: "${SF_GEN_IP:=198.18.0.3}"
: "${SF_PORT:=7030}"
: "${SF_BACKLOG:=1024}"
: "${SF_CONNECTS:=300}"
: "${SF_CLIENT_RATE:=100}"
: "${SF_CLIENT_TIMEOUT:=3.5}"
: "${SF_IDLE_CONNECTS:=100}"
: "${SF_RESP_CPU:=0}"
: "${SF_GEN_CPU:=1}"
: "${SF_RPS:=1}"
: "${SF_NICE:=0}"
LAB=$root/dpdk-config/lab.sh
PY=/usr/bin/python3
TOOL=$here/synflood_tool.py
TEL=$root/tests/integration/telemetry.py
tern_echo=$build/apps/tern-echo/tern-echo
tern_gen=$build/apps/tern-gen/tern-gen
for b in "$tern_echo" "$tern_gen"; do
	[ -x "$b" ] || { echo "lab_synflood.sh: $b not built (ninja -C $build)" >&2; exit 1; }
done
case "$SF_GEN" in
tern-gen) ;;
hping3) command -v hping3 >/dev/null || { echo "lab_synflood.sh: no hping3" >&2; exit 1; } ;;
*) echo "lab_synflood.sh: SF_GEN must be tern-gen or hping3" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "lab_synflood.sh: needs root (namespaces, DPDK)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tern-bench-synflood-XXXXXX)
lab_created=0
srv_pid=
resp_pid=
srv_kind=
gen_pid=
cli_pid=
dpdk_prefix=
gen_prefix=
old_cookies=
nst() { ip netns exec "$TERNLAB_NS_T" "$@"; }
nsp() { ip netns exec "$TERNLAB_NS_P" "$@"; }

stop_pid() { # stop_pid PID: SIGTERM (then SIGKILL), reap
	[ -n "$1" ] || return 0
	ternlab_stop_pid "$1" 10 >/dev/null 2>&1 || true
	wait "$1" 2>/dev/null || true
}
stop_server() {
	[ -n "$srv_pid" ] || return 0
	stop_pid "$srv_pid"
	srv_pid=
	resp_pid=
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
	stop_pid "$cli_pid"
	stop_pid "$gen_pid"
	[ -z "$gen_prefix" ] || ternlab_dpdk_cleanup "$gen_prefix"
	stop_server
	if [ -n "$old_cookies" ]; then
		nst sysctl -qw net.ipv4.tcp_syncookies="$old_cookies" 2>/dev/null
	fi
	if [ "$lab_created" = 1 ]; then
		timeout 60 "$LAB" down >/dev/null 2>&1
	else
		# A lab that was already there: undo the RPS settings.
		nst sh -c "echo 0 > /sys/class/net/$TERNLAB_IF_T/queues/rx-0/rps_cpus" 2>/dev/null
		nsp sh -c "echo 0 > /sys/class/net/$TERNLAB_IF_P/queues/rx-0/rps_cpus" 2>/dev/null
	fi
	if [ "$rc" -eq 0 ]; then rm -rf "$tmp"; else echo "lab_synflood.sh: logs in $tmp" >&2; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_ready LOG WORD PID: until LOG has WORD, PID died, or 30 s.
wait_ready() {
	local t=300
	until grep -q "$2" "$1" 2>/dev/null; do
		if ! kill -0 "$3" 2>/dev/null; then
			echo "lab_synflood.sh: process exited: $(tail -n 3 "$1")" >&2
			return 1
		fi
		[ "$t" -gt 0 ] || { echo "lab_synflood.sh: not ready in 30 s: $1" >&2; return 1; }
		t=$((t - 1))
		sleep 0.1
	done
}

n=0
# start_server KIND: tern | linux.
start_server() {
	local kind=$1 log eal
	n=$((n + 1))
	log=$tmp/server.$n.log
	srv_kind=$kind
	if [ "$kind" != linux ]; then
		local mode frames
		IFS=: read -r _ mode frames <<<"$kind"
		dpdk_prefix=$TERNLAB_PREFIX-sfecho-$$-$n
		eal=$(TERNLAB_AF_FRAMECNT=${frames:-4096} "$root/dpdk-config/eal-args.sh" af_packet \
			--file-prefix "$dpdk_prefix" -l "$SF_RESP_CPU")
		# shellcheck disable=SC2086 # eal: words without whitespace
		timeout -k 5 300 ip netns exec "$TERNLAB_NS_T" nice -n "$SF_NICE" "$tern_echo" $eal -- \
			--ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" --gw "$TERNLAB_PEER_IP" --listen "$SF_PORT" \
			--syncookies auto --stats-interval 0 --poll-mode "${mode:-auto}" \
			</dev/null >"$log" 2>&1 &
		srv_pid=$!
	else
		nst ip addr add "$TERNLAB_TERN_IP/$TERNLAB_PLEN" dev "$TERNLAB_IF_T"
		nst ip route replace default via "$TERNLAB_PEER_IP" dev "$TERNLAB_IF_T"
		timeout -k 5 300 ip netns exec "$TERNLAB_NS_T" nice -n "$SF_NICE" taskset -c "$SF_RESP_CPU" \
			"$PY" "$TOOL" \
			server --host "$TERNLAB_TERN_IP" --port "$SF_PORT" --backlog "$SF_BACKLOG" \
			</dev/null >"$log" 2>&1 &
		srv_pid=$!
	fi
	wait_ready "$log" ready "$srv_pid" || return 1
	# timeout's child: ip netns exec and taskset exec, so it is the server itself.
	resp_pid=$(pgrep -P "$srv_pid" | head -n 1)
}

# run_client COUNT RATE: the Linux client in the peer namespace; prints its JSON line.
run_client() {
	timeout -k 5 120 ip netns exec "$TERNLAB_NS_P" taskset -c "$SF_GEN_CPU" "$PY" "$TOOL" client \
		--host "$TERNLAB_TERN_IP" --port "$SF_PORT" --count "$1" --rate "$2" \
		--timeout "$SF_CLIENT_TIMEOUT"
}

# start_gen RATE: the flood, in the background (gen_pid); output in $tmp/gen.$n.*
start_gen() {
	local rate=$1 eal
	if [ "$SF_GEN" = tern-gen ]; then
		gen_prefix=$TERNLAB_PREFIX-sfgen-$$-$n
		eal=$("$root/dpdk-config/eal-args.sh" af_packet --file-prefix "$gen_prefix" \
			-l "$SF_GEN_CPU" --iface "$TERNLAB_IF_P")
		# shellcheck disable=SC2086 # eal: words without whitespace
		timeout -k 5 $((${SF_SECS%.*} + 60)) ip netns exec "$TERNLAB_NS_P" "$tern_gen" $eal -- \
			--ip "$SF_GEN_IP/$TERNLAB_PLEN" --target "$TERNLAB_TERN_IP:$SF_PORT" \
			--mode synflood --rate "$rate" --duration "$SF_SECS" --count "$SF_COUNT" \
			--src-range "$SF_SRC" --stats-interval 0 \
			</dev/null >"$tmp/gen.$n.json" 2>"$tmp/gen.$n.log" &
	else
		local r=(--flood)
		# hping3 -i uN: one SYN every N microseconds; --flood: as fast as it can.
		[ "$rate" = 0 ] || r=(-i "u$((1000000 / rate))")
		timeout -s INT -k 5 "$SF_SECS" ip netns exec "$TERNLAB_NS_P" taskset -c "$SF_GEN_CPU" \
			hping3 "${r[@]}" -S -p "$SF_PORT" --rand-source "$TERNLAB_TERN_IP" \
			</dev/null >"$tmp/gen.$n.json" 2>"$tmp/gen.$n.log" &
	fi
	gen_pid=$!
}

# Counters of both namespaces, both CPUs and tern (telemetry), as one JSON object.
cat >"$tmp/snap.py" <<'EOF'
import json, subprocess, sys, time
ns_t, ns_p, if_t, if_p, tel, prefix, pid = sys.argv[1:8]
def sh(*a):
    return subprocess.run(list(a), capture_output=True, text=True, timeout=20).stdout
def ifc(ns, ifn, what):
    return int(sh("ip", "netns", "exec", ns, "cat", f"/sys/class/net/{ifn}/statistics/{what}") or 0)
def nstat(ns):
    try:
        return json.loads(sh("ip", "netns", "exec", ns, "nstat", "-asz", "-j"))["kernel"]
    except Exception:
        return {}
cpu = {}
for l in open("/proc/stat"):
    f = l.split()
    if f[0].startswith("cpu") and f[0] != "cpu":
        cpu[f[0]] = [int(x) for x in f[1:9]]
softnet = [int(l.split()[1], 16) for l in open("/proc/net/softnet_stat")]
d = {"t": time.monotonic(), "p_tx": ifc(ns_p, if_p, "tx_packets"),
     "p_rx": ifc(ns_p, if_p, "rx_packets"), "t_rx": ifc(ns_t, if_t, "rx_packets"),
     "t_tx": ifc(ns_t, if_t, "tx_packets"), "nst_t": nstat(ns_t), "nst_p": nstat(ns_p),
     "cpu": cpu, "softnet_drop": sum(softnet), "tern": None, "proc": [0, 0]}
try:  # the responder process: utime, stime (clock ticks)
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    d["proc"] = [int(f[11]), int(f[12])]
except (OSError, IndexError, ValueError):
    pass
if prefix != "-":
    try:
        d["tern"] = json.loads(sh("/usr/bin/python3", tel, "-p", prefix, "-w", "2", "/tern/stats"))
    except Exception:
        d["tern"] = None
print(json.dumps(d))
EOF
snap() { "$PY" "$tmp/snap.py" "$TERNLAB_NS_T" "$TERNLAB_NS_P" "$TERNLAB_IF_T" "$TERNLAB_IF_P" \
	"$TEL" "${dpdk_prefix:--}" "${resp_pid:-0}" >"$1"; }

# One flood's figures from the snapshots, the generator's and the client's output.
cat >"$tmp/calc.py" <<'EOF'
import json, re, sys
kind, rate, rep, gen, b_f, a_f, gen_out, gen_err, cli_f, idle_f, secs, rcpu, gcpu = sys.argv[1:14]
b, a = json.load(open(b_f)), json.load(open(a_f))
secs = float(secs)
def dk(k, sec):
    return a[sec].get(k, 0) - b[sec].get(k, 0)
def d(k):
    return a[k] - b[k]
if gen == "tern-gen":
    g = json.loads([l for l in open(gen_out) if l.startswith("{")][-1])
    sent, fsecs = g["sent"], g["open_s"] or secs
else:
    m = re.search(r"(\d+) packets transmitted", open(gen_err).read() + open(gen_out).read())
    sent, fsecs = (int(m.group(1)) if m else d("p_tx")), secs
cli = json.loads(open(cli_f).read().strip().splitlines()[-1])
idle = json.loads(open(idle_f).read().strip().splitlines()[-1])
synack = dk("IpInAddrErrors", "nst_p")  # segments to spoofed sources, dropped by the peer
r = {"kind": kind, "rate": int(rate), "rep": int(rep), "sent": sent, "flood_s": fsecs,
     "reached": d("t_rx"), "p_rx": d("p_rx"), "synacks": synack,
     "synack_ps": synack / fsecs if fsecs else 0, "sent_ps": sent / fsecs if fsecs else 0,
     "softnet_drop": d("softnet_drop"), "client": cli, "idle": idle}
def cpu(c):
    x = [a["cpu"][c][i] - b["cpu"][c][i] for i in range(8)]
    tot = sum(x) or 1
    # user nice system idle iowait irq softirq steal
    return {"user": 100 * (x[0] + x[1]) / tot, "sys": 100 * x[2] / tot,
            "softirq": 100 * (x[5] + x[6]) / tot, "idle": 100 * (x[3] + x[4]) / tot,
            "steal": 100 * x[7] / tot, "secs": tot / 100}
r["cpu_resp"], r["cpu_gen"] = cpu("cpu" + rcpu), cpu("cpu" + gcpu)
# The responder process's own CPU time (user, system), in % of the window.
win = r["cpu_resp"]["secs"] or 1
r["proc"] = [100 * (a["proc"][i] - b["proc"][i]) / 100 / win for i in range(2)]
if kind.startswith("tern"):
    tb, ta = b["tern"] or {}, a["tern"] or {}
    td = {k: ta.get(k, 0) - tb.get(k, 0) for k in ta if isinstance(ta.get(k), int)}
    r["took_in"] = td.get("rx_pkts", 0)
    r["resp"] = {k: v for k, v in td.items() if v and k in (
        "rx_pkts", "tx_pkts", "tcp_syncookie_sent", "tcp_syncookie_ok", "tcp_syncookie_failed",
        "tcp_passive_open", "tcp_retrans", "tcp_synq_expired", "tcp_seg_rx", "tcp_seg_tx")}
else:
    r["took_in"] = dk("IpInReceives", "nst_t")
    r["resp"] = {k: dk(k, "nst_t") for k in (
        "IpInReceives", "TcpOutSegs", "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
        "TcpExtSyncookiesFailed", "TcpExtTCPReqQFullDoCookies", "TcpExtTCPReqQFullDrop",
        "TcpExtListenDrops", "TcpExtListenOverflows", "TcpPassiveOpens", "TcpRetransSegs")
        if dk(k, "nst_t")}
c, cr = r["cpu_resp"], r["cpu_gen"]
cm = cli["connect_ms"]
print(f"round {rep} {kind:<18} rate {'max' if rate == '0' else rate}: sent {sent} SYNs in "
      f"{fsecs:.2f} s ({r['sent_ps']:.0f}/s), {r['reached']} frames reached {'tern-t'}, "
      f"responder took in {r['took_in']}, SYN-ACKs back {synack} ({r['synack_ps']:.0f}/s, "
      f"{100 * synack / sent if sent else 0:.1f} % of sent); softnet drops {r['softnet_drop']}")
print(f"    responder CPU {rcpu}: user {c['user']:.0f} % sys {c['sys']:.0f} % softirq "
      f"{c['softirq']:.0f} % idle {c['idle']:.0f} % (the responder process: user "
      f"{r['proc'][0]:.0f} % sys {r['proc'][1]:.0f} %) | generator CPU {gcpu}: user "
      f"{cr['user']:.0f} % sys {cr['sys']:.0f} % softirq {cr['softirq']:.0f} % idle "
      f"{cr['idle']:.0f} %")
def ms(v):
    return "-" if v is None else f"{v:.2f}"
im = idle["connect_ms"]
print(f"    client during flood: {cli['ok']}/{cli['attempted']} ok, connect p50 {ms(cm['p50'])} ms "
      f"p99 {ms(cm['p99'])} ms max {ms(cm['max'])} ms, >= 1 s: {cli['slow_1s']}, failures "
      f"{cli['failures'] or '-'} | idle: {idle['ok']}/{idle['attempted']} ok, p50 "
      f"{ms(im['p50'])} ms p99 {ms(im['p99'])} ms")
print(f"    responder counters: {' '.join(f'{k}={v}' for k, v in r['resp'].items())}")
with open(sys.argv[14], "a") as f:
    f.write(json.dumps(r) + "\n")
EOF

ternlab_ns_exists "$TERNLAB_NS_T" || lab_created=1
out=$(timeout 60 "$LAB" up af_packet 2>&1) || { echo "lab_synflood.sh: lab.sh up: $out" >&2; exit 1; }
old_cookies=$(nst sysctl -n net.ipv4.tcp_syncookies)
nst sysctl -qw net.ipv4.tcp_syncookies=1
if [ "$SF_RPS" = 1 ]; then
	nst sh -c "printf %x $((1 << SF_RESP_CPU)) > /sys/class/net/$TERNLAB_IF_T/queues/rx-0/rps_cpus"
	nsp sh -c "printf %x $((1 << SF_GEN_CPU)) > /sys/class/net/$TERNLAB_IF_P/queues/rx-0/rps_cpus"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "lab SYN flood: $SF_GEN from $TERNLAB_NS_P (CPU $SF_GEN_CPU) for $SF_SECS s (at most" \
	"$SF_COUNT SYNs) at rate(s) $SF_RATES (0 = max) to port $SF_PORT, responder on CPU" \
	"$SF_RESP_CPU (nice $SF_NICE), $SF_REPS rounds, RPS $SF_RPS; client: $SF_CONNECTS connects at" \
	"$SF_CLIENT_RATE/s (idle reference: $SF_IDLE_CONNECTS)"
echo "host: $(nproc) CPUs ($cpu), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg);" \
	"Linux: tcp_syncookies 1, backlog $SF_BACKLOG, somaxconn $(nst sysctl -n net.core.somaxconn)," \
	"tcp_max_syn_backlog $(nst sysctl -n net.ipv4.tcp_max_syn_backlog)"

results=$tmp/results.jsonl
: >"$results"
status=0
for rep in $(seq 1 "$SF_REPS"); do
	for rate in $SF_RATES; do
		for kind in $SF_KINDS; do
			start_server "$kind" || { status=1; stop_server; continue; }
			run_client "$SF_IDLE_CONNECTS" "$SF_CLIENT_RATE" >"$tmp/idle.$n.json" 2>&1 ||
				status=1
			nsp ip neigh flush dev "$TERNLAB_IF_P" >/dev/null 2>&1 || true
			snap "$tmp/before.$n.json"
			start_gen "$rate"
			# tern-gen floods once its EAL is up and the target resolved ("ready").
			[ "$SF_GEN" != tern-gen ] || wait_ready "$tmp/gen.$n.log" ready "$gen_pid" ||
				status=1
			sleep 0.5
			run_client "$SF_CONNECTS" "$SF_CLIENT_RATE" >"$tmp/client.$n.json" 2>&1 &
			cli_pid=$!
			wait "$gen_pid" || [ "$SF_GEN" = hping3 ] || status=1
			gen_pid=
			wait "$cli_pid" || status=1
			cli_pid=
			[ -z "$gen_prefix" ] || ternlab_dpdk_cleanup "$gen_prefix"
			gen_prefix=
			sleep 0.5 # the responder's last answers
			snap "$tmp/after.$n.json"
			stop_server
			if ! "$PY" "$tmp/calc.py" "$kind" "$rate" "$rep" "$SF_GEN" "$tmp/before.$n.json" \
				"$tmp/after.$n.json" "$tmp/gen.$n.json" "$tmp/gen.$n.log" \
				"$tmp/client.$n.json" "$tmp/idle.$n.json" "$SF_SECS" "$SF_RESP_CPU" \
				"$SF_GEN_CPU" "$results"; then
				echo "round $rep $kind rate $rate: no figures (see $tmp)"
				status=1
			fi
			if [ "$kind" != linux ]; then
				grep -h 'final:' "$tmp/server.$n.log" | sed 's/^/    /' || true
			fi
		done
	done
done

"$PY" - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = statistics.median
kinds = list(dict.fromkeys(r["kind"] for r in rows))
terns = [k for k in kinds if k != "linux"]
print("\nsummary (median over rounds; then each tern arm / Linux, and per round in brackets):")
print(f"  {'rate':<6} {'figure':<30} " + " ".join(f"{k:>18}" for k in kinds))
for rate in sorted({r["rate"] for r in rows}):
    by = {k: {r["rep"]: r for r in rows if r["kind"] == k and r["rate"] == rate} for k in kinds}
    l = by.get("linux", {})
    figs = [
        ("SYNs sent /s", lambda r: r["sent_ps"], "{:.0f}"),
        ("SYN-ACKs back /s", lambda r: r["synack_ps"], "{:.0f}"),
        ("SYN-ACKs / SYNs sent (%)", lambda r: 100 * r["synacks"] / max(r["sent"], 1), "{:.1f}"),
        ("responder CPU busy (%)", lambda r: 100 - r["cpu_resp"]["idle"], "{:.0f}"),
        ("  of which softirq (%)", lambda r: r["cpu_resp"]["softirq"], "{:.0f}"),
        ("  responder process (%)", lambda r: sum(r["proc"]), "{:.0f}"),
        ("generator CPU busy (%)", lambda r: 100 - r["cpu_gen"]["idle"], "{:.0f}"),
        ("client ok during flood (%)",
         lambda r: 100 * r["client"]["ok"] / max(r["client"]["attempted"], 1), "{:.1f}"),
        ("client connect p50 (ms)", lambda r: r["client"]["connect_ms"]["p50"] or 0, "{:.2f}"),
        ("client connect p99 (ms)", lambda r: r["client"]["connect_ms"]["p99"] or 0, "{:.1f}"),
        ("client idle connect p50 (ms)", lambda r: r["idle"]["connect_ms"]["p50"] or 0, "{:.2f}"),
    ]
    for name, f, fmt in figs:
        meds = {k: med([f(r) for r in by[k].values()]) for k in kinds if by[k]}
        print(f"  {'max' if rate == 0 else rate:<6} {name:<30} " +
              " ".join(f"{(fmt.format(meds[k]) if k in meds else '-'):>18}" for k in kinds))
        if not l or not meds.get("linux"):
            continue
        for k in terns:
            if k not in meds:
                continue
            ratios = [f(by[k][i]) / f(l[i]) for i in sorted(by[k]) if i in l and f(l[i])]
            print(f"  {'':<6} {'  ' + k + ' / Linux':<30} {meds[k] / meds['linux']:>18.2f}   "
                  f"[{', '.join(f'{x:.2f}' for x in ratios)}]")
EOF
exit "$status"

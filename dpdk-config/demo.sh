#!/bin/bash
# The main job: tern-proxy in front of nginx backends, real Linux clients, on one machine.
#
#   1. installs what is missing (apt-get) and builds tern (meson + ninja);
#   2. brings up the lab: namespace NS_P whose Linux kernel is the peer, joined by a veth
#      pair to NS_T where tern runs on net_af_packet (tap and virtio-user also work);
#      NS_P holds the clients (198.18.0.2) and two nginx backends on addresses of their own
#      (198.18.0.11 "A", 198.18.0.12 "B", port 8080);
#   3. proxy demo (the default): curl through tern-proxy (round robin over A and B); wrk
#      with tern's stats line live; a SYN flood (tern-gen, spoofed sources) absorbed by SYN
#      cookies while curl clients still connect; backend B stopped (the proxy marks it
#      down at the first refused connect, clients see no error) and started again (taken
#      back after --retry-down); a summary;
#      echo demo (`demo.sh echo`): tern-echo answering ping, a Python socket, nc, a 10 MiB
#      echo and 200 short connections, then its counters;
#   4. cleans up (everything it started, by pid; the namespaces), also on Ctrl-C or failure.
#
# usage: dpdk-config/demo.sh [proxy|echo] [af_packet|tap|virtio-user]      (as root)
# Environment: TERNLAB_PREFIX (default terndemo: namespaces terndemo-t / terndemo-p),
#   DEMO_FLOOD_PPS (tern-gen's SYN rate, default 30000 on af_packet, 10000 on tap and
#   virtio-user), DEMO_FLOOD_SECS (default 8).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo=proxy
mode=af_packet
for arg in "$@"; do
	case "$arg" in
	proxy | echo) demo=$arg ;;
	af_packet | tap | virtio-user) mode=$arg ;;
	*)
		echo "usage: $0 [proxy|echo] [af_packet|tap|virtio-user]" >&2
		exit 2
		;;
	esac
done
export TERNLAB_PREFIX=${TERNLAB_PREFIX:-terndemo}
# shellcheck source=common.sh
. "$top/dpdk-config/common.sh"
PY=/usr/bin/python3
# tap and virtio-user carry fewer frames a second than af_packet here: a gentler flood
if [ "$mode" = af_packet ]; then : "${DEMO_FLOOD_PPS:=30000}"; else : "${DEMO_FLOOD_PPS:=10000}"; fi
: "${DEMO_FLOOD_SECS:=8}"
prefix="$TERNLAB_PREFIX-$demo-$$"
gen_prefix="$TERNLAB_PREFIX-flood-$$"
dir=$TERNLAB_RUN/demo
log=$dir/tern.log
net=${TERNLAB_PEER_IP%.*}
be_a=$net.11
be_b=$net.12
pidfile=$dir/pids # every process the demo starts in the background, by pid, one a line
# (commands in a namespace are started with ip netns exec itself, which execs them, never
# through a shell function, so that the pid is the command's)
tern_pid=""
ngx_a="" ngx_b=""
t_start=$(date +%s)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
peer() { ip netns exec "$TERNLAB_NS_P" "$@"; }

# stop PID: SIGTERM, up to 5 s, then SIGKILL (a process of ours, by its pid).
stop() {
	local p=$1
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
}

# track PID: stop it at the end (cleanup), latest first.
track() { echo "$1" >>"$pidfile"; }

# The demo runs in a background subshell (main) that this shell waits for: `wait` returns
# at once on Ctrl-C, so the trap below runs whatever main is doing (bash runs no trap while
# a foreground child that survived the Ctrl-C, e.g. one that caught it, is still running).
cleanup() {
	local p
	set +e
	trap - INT TERM
	stop "$main_pid"
	if [ -f "$pidfile" ]; then
		for p in $(tac "$pidfile"); do stop "$p"; done
	fi
	[ -f "$log" ] && grep -q ready "$log" && {
		say "tern's last words"
		grep -E 'final|drop|backend' "$log" | tail -n 6
	}
	wait 2>/dev/null
	rm -rf "$dir" # (first: lab.sh down removes the run directory, which must be empty)
	"$top/dpdk-config/lab.sh" down >/dev/null 2>&1
	rm -rf "${DPDK_RUNTIME_DIR:?}/$prefix" "${DPDK_RUNTIME_DIR:?}/$gen_prefix"
	rm -f "$TERN_HUGE_DIR/${prefix}map_"* "$TERN_HUGE_DIR/${gen_prefix}map_"* 2>/dev/null
}
[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, af_packet, hugepages)" >&2; exit 1; }

prepare() {
	say "installing what is missing and building"
	bash "$top/dpdk-config/install-deps.sh" all
	[ -f "$top/build/build.ninja" ] || meson setup "$top/build" >/dev/null
	ninja -C "$top/build" -j2 >/dev/null
	echo "built $top/build/apps/"

	say "lab up ($mode): $TERNLAB_NS_P (Linux, $TERNLAB_PEER_IP) <=veth=> $TERNLAB_NS_T (tern, $TERNLAB_TERN_IP)"
	"$top/dpdk-config/lab.sh" down >/dev/null 2>&1 || true
	"$top/dpdk-config/lab.sh" up "$mode"
}

# tern_start APP ARGS...: APP (tern-echo, tern-proxy) in NS_T on lcore 0; waits for ready.
tern_start() {
	local app=$1 eal
	shift
	read -r -a eal <<<"$("$top/dpdk-config/eal-args.sh" "$mode" --file-prefix "$prefix" -l 0)"
	echo "$app ${eal[*]} -- --ip $TERNLAB_TERN_IP/$TERNLAB_PLEN $*"
	ip netns exec "$TERNLAB_NS_T" stdbuf -oL -eL "$top/build/apps/$app/$app" "${eal[@]}" -- \
		--ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" "$@" >"$log" 2>&1 &
	tern_pid=$!
	track "$tern_pid"
	for _ in $(seq 150); do
		grep -q "ready" "$log" && break
		kill -0 "$tern_pid" 2>/dev/null || { cat "$log"; exit 1; }
		sleep 0.1
	done
	grep -q "ready" "$log" || { cat "$log"; echo "demo: $app not ready in 15 s" >&2; exit 1; }
	grep -E "key|ready" "$log"
	if [ "$mode" = tap ]; then "$top/dpdk-config/lab.sh" attach-tap 10; fi
	return 0
}

# ---- the echo demo (the previous main demo) ----
echo_demo() {
	say "starting tern-echo on port 7"
	tern_start tern-echo --listen 7 --stats-interval 5

	say "Linux pings tern"
	peer ping -c 3 -i 0.2 -W 2 "$TERNLAB_TERN_IP"

	say "a Python socket client says hello"
	peer "$PY" - "$TERNLAB_TERN_IP" <<'PYEOF'
import socket, sys
with socket.create_connection((sys.argv[1], 7), timeout=5) as s:
    s.sendall(b"hello, tern\n")
    print("echoed:", s.recv(100))
PYEOF

	say "nc sends a line and half-closes"
	printf 'echo through nc\n' | peer timeout 5 nc -N "$TERNLAB_TERN_IP" 7

	say "10 MiB of random bytes echoed back, compared byte for byte"
	peer timeout 60 "$PY" "$top/tests/integration/echo_client.py" --host "$TERNLAB_TERN_IP" \
		--port 7 --bytes $((10 << 20))

	say "200 short connections, one after the other"
	peer timeout 60 "$PY" "$top/tests/integration/seq_client.py" --host "$TERNLAB_TERN_IP" \
		--port 7 --count 200

	say "Linux closed first, so Linux holds the TIME_WAITs"
	echo "$(peer ss -tan state time-wait | tail -n +2 | wc -l) sockets in TIME-WAIT in $TERNLAB_NS_P"

	say "tern's counters (DPDK telemetry, /tern/stats and /tern/gauges)"
	"$PY" "$top/tests/integration/telemetry.py" -p "$prefix" /tern/gauges
	"$PY" "$top/tests/integration/telemetry.py" -p "$prefix" /tern/drops
	"$PY" "$top/tests/integration/telemetry.py" -p "$prefix" /tern/stats | tr ',' '\n' |
		grep -E '"(rx_pkts|tx_pkts|tcp_passive_open|tcp_data_rx|tcp_data_tx|tcp_retrans|icmp_echo)"'
	say "done: tern terminated real Linux TCP connections"
}

# ---- the proxy demo ----

# ngx_start a|b ADDR: nginx on ADDR:8080 in NS_P, its own config, pid file and logs.
ngx_start() {
	local n=$1 addr=$2 d=$dir/nginx-$1 pid
	mkdir -p "$d/www"
	echo "served by backend ${n^^} ($addr)" >"$d/www/index.html"
	head -c 100000 /dev/zero | tr '\0' "$n" >"$d/www/100k"
	cat >"$d/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    types { text/html html; }
    default_type application/octet-stream;
    server {
        listen $addr:8080;
        root $d/www;
    }
}
CONF
	# ip netns exec execs nginx: $! is the master's pid (a shell function would fork)
	ip netns exec "$TERNLAB_NS_P" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" \
		</dev/null >"$d/out" 2>&1 &
	pid=$!
	track "$pid"
	if [ "$n" = a ]; then ngx_a=$pid; else ngx_b=$pid; fi
	for _ in $(seq 50); do
		peer ss -Hltn "sport = :8080" | grep -q "$addr:8080" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$d/error.log" "$d/out" >&2
	echo "demo: nginx $n did not start" >&2
	exit 1
}

# ngx_stop a|b [QUIT]: SIGTERM to its master (by the pid we started), or SIGQUIT (nginx's
# graceful stop, `nginx -s quit`: listeners closed, requests in flight finished); wait.
ngx_stop() {
	local pid
	if [ "$1" = a ]; then pid=$ngx_a; ngx_a=""; else pid=$ngx_b; ngx_b=""; fi
	[ -n "$pid" ] || return 0
	if [ "${2:-}" = QUIT ]; then
		kill -QUIT "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	stop "$pid"
	wait "$pid" 2>/dev/null || true
}

# clients NAME COUNT GAP: COUNT curls one after another (a new connection each, GAP s
# apart) in the background; one "code time_total" line each in $dir/NAME.
clients() {
	local name=$1 count=$2 gap=$3
	(
		for _ in $(seq "$count"); do
			[ -e "$dir" ] || break # the demo ended
			peer curl -s -o /dev/null -m 10 -w "%{http_code} %{time_total} $(date +%s.%N)\n" \
				"http://$TERNLAB_TERN_IP/" || true
			sleep "$gap"
		done
	) >"$dir/$name" 2>/dev/null &
	CLIENTS_PID=$!
	track "$CLIENTS_PID"
}
ok_of() { grep -c '^200 ' "$dir/$1" || true; }
all_of() { wc -l <"$dir/$1"; }
slowest_of() { awk '$1 == 200 && $2 > m { m = $2 } END { printf "%.3f", m }' "$dir/$1"; }

# brief: tern-proxy's stats lines (stdin), shortened to the live figures: connections,
# packet rates, SYN queue and cookies, clients, and each backend's state.
brief() {
	"$PY" -u -c '
import re, sys
for line in sys.stdin:
    if not line.startswith("tern-proxy: stats:"):
        continue
    f = lambda pat, none="?": (re.search(pat, line) or [None, none])[1]
    out = "est %s syn_rcvd %s | rx %s/s tx %s/s | cookies sent %s | clients %s active %s rejected %s" % (
        f(r" est (\d+)"), f(r"syn_rcvd (\d+)"), f(r"rx \d+ pkt \((\d+)/s"), f(r"tx \d+ pkt \((\d+)/s"),
        f(r"cookies sent (\d+)", "0"), f(r"clients (\d+)"), f(r"active (\d+) rejected"), f(r"rejected (\d+)"))
    for b in re.findall(r"\| (\d+\.\d+\.\d+\.\d+:\d+ (?:up|down) conns \d+ active \d+ fail \d+)", line):
        out += " | " + b
    print(out, flush=True)
'
}

# live SECS: tern's stats lines as they come (every 2 s), for SECS seconds. A loop of
# foreground sleeps, not `timeout tail -f`: Ctrl-C kills a sleep, and bash then runs its
# trap at once (timeout runs in a process group of its own and would hold the trap back).
live() {
	local end=$((SECONDS + ${1%.*})) n m
	n=$(wc -l <"$log")
	while [ "$SECONDS" -lt "$end" ]; do
		sleep 0.5
		m=$(wc -l <"$log")
		[ "$m" -le "$n" ] || sed -n "$((n + 1)),${m}p" "$log" | brief
		n=$m
	done
}
tel() { "$PY" "$top/tests/integration/telemetry.py" -p "$prefix" "$@" 2>/dev/null || echo 0; }

proxy_demo() {
	local wrk_out flood_out sent cookies cookie_ok synq_max b_down b_up served

	say "two nginx backends in $TERNLAB_NS_P: A on $be_a:8080, B on $be_b:8080"
	peer ip addr add "$be_a/$TERNLAB_PLEN" dev "$TERNLAB_IF_P"
	peer ip addr add "$be_b/$TERNLAB_PLEN" dev "$TERNLAB_IF_P"
	ngx_start a "$be_a"
	ngx_start b "$be_b"
	echo "nginx A (pid $ngx_a) and B (pid $ngx_b) listening"

	say "tern-proxy on $TERNLAB_TERN_IP:80 in front of both (round robin)"
	tern_start tern-proxy --listen 80 --backend "$be_a:8080,$be_b:8080" --retry-down 2 \
		--connect-timeout 1000 --key-file "$dir/proxy.key" --stats-interval 2

	say "curl through the proxy: four requests"
	for _ in 1 2 3 4; do peer curl -s -m 5 "http://$TERNLAB_TERN_IP/"; done

	say "load: wrk, 32 connections for 6 s, with tern's stats line live"
	wrk_out=$dir/wrk.out
	ip netns exec "$TERNLAB_NS_P" timeout 20 wrk -t 1 -c 32 -d 6 --timeout 5s \
		"http://$TERNLAB_TERN_IP/100k" >"$wrk_out" 2>&1 &
	local wrk_pid=$!
	track "$wrk_pid"
	live 7
	wait "$wrk_pid" || true
	grep -E 'requests in|Requests/sec|Transfer/sec|Socket errors|Non-2xx' "$wrk_out" | sed 's/^ */wrk: /'
	WRK_REQ=$(awk '/requests in/ {print $1}' "$wrk_out")
	WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$wrk_out")
	WRK_ERR=$(grep -c 'Socket errors\|Non-2xx' "$wrk_out" || true)

	say "SYN flood: tern-gen, $DEMO_FLOOD_PPS SYN/s for ${DEMO_FLOOD_SECS}s from spoofed $net.128/25, while curl clients connect"
	flood_out=$dir/flood.json
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 $((DEMO_FLOOD_SECS + 15)) \
		"$top/build/apps/tern-gen/tern-gen" \
		--no-huge --no-pci --no-shconf -m 256 --file-prefix "$gen_prefix" -l 1 \
		--vdev "net_af_packet1,iface=$TERNLAB_IF_P,qpairs=1" -- \
		--ip "$net.4/$TERNLAB_PLEN" --target "$TERNLAB_TERN_IP:80" --mode synflood \
		--rate "$DEMO_FLOOD_PPS" --duration "$DEMO_FLOOD_SECS" --src-range "$net.128/25" \
		--stats-interval 0 </dev/null >"$flood_out" 2>"$dir/flood.log" &
	local flood_pid=$!
	track "$flood_pid"
	for _ in $(seq 100); do
		[ "$(tel /tern/stats tcp_syncookie_sent)" != 0 ] && break
		kill -0 "$flood_pid" 2>/dev/null || break
		sleep 0.1
	done
	clients flood $((DEMO_FLOOD_SECS * 6)) 0.1
	synq_max=0
	( # the SYN queue gauge while the flood runs
		while kill -0 "$flood_pid" 2>/dev/null; do tel /tern/gauges syn_queue; sleep 0.5; done
	) >"$dir/synq" &
	track $!
	live "$DEMO_FLOOD_SECS"
	wait "$flood_pid" || true
	wait "$CLIENTS_PID" || true
	sent=$(grep '^{' "$flood_out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["sent"])' 2>/dev/null || echo "?")
	cookies=$(tel /tern/stats tcp_syncookie_sent)
	cookie_ok=$(tel /tern/stats tcp_syncookie_ok)
	synq_max=$(sort -n "$dir/synq" | tail -n 1)
	FLOOD_LINE="tern-gen sent $sent SYNs; tern answered with $cookies SYN cookies (SYN queue at most ${synq_max:-0} entries, backlog 1024)"
	CLIENTS_FLOOD="$(ok_of flood)/$(all_of flood) curl clients got 200 during the flood (slowest $(slowest_of flood) s)"
	echo "$FLOOD_LINE"
	echo "$CLIENTS_FLOOD"
	awk '$1 != 200 { printf "  failed: code %s after %s s\n", $1, $2 }' "$dir/flood"

	say "backend B goes down: nginx B stopped while clients keep coming"
	clients down 40 0.1
	sleep 0.5
	b_down=$(date +%s.%N)
	ngx_stop b QUIT
	echo "nginx B stopped (graceful: nginx -s quit)"
	live 3
	say "backend B comes back: nginx B started again"
	ngx_start b "$be_b"
	b_up=$(date +%s.%N)
	echo "nginx B (pid $ngx_b) listening again; the proxy tries it after --retry-down (2 s)"
	served=""
	for _ in $(seq 40); do
		if peer curl -s -m 2 "http://$TERNLAB_TERN_IP/" | grep -q 'backend B'; then
			served=$(date +%s.%N)
			break
		fi
		sleep 0.25
	done
	wait "$CLIENTS_PID" || true
	DOWN_LINE="$(ok_of down)/$(all_of down) curl clients got 200 while B went down and came back (slowest $(slowest_of down) s)"
	if [ -n "$served" ]; then
		BACK_LINE="backend B served again $(awk -v a="$b_up" -v b="$served" 'BEGIN { printf "%.1f", b - a }') s after nginx B restarted"
	else
		BACK_LINE="backend B NOT served again within 10 s of its restart"
	fi
	echo "$DOWN_LINE"
	awk -v t="$b_down" '$1 != 200 { printf "  failed: code %s, started %+.2f s from the stop\n", $1, $3 - t }' "$dir/down"
	echo "$BACK_LINE"
	sleep 2.2 # a stats line from after B's return (--stats-interval 2), not one from before
	grep -E '^tern-proxy: stats:' "$log" | tail -n 1 | brief

	say "summary ($(($(date +%s) - t_start)) s)"
	echo "load:      wrk: $WRK_REQ requests, $WRK_RPS req/s through tern-proxy, $WRK_ERR error lines"
	echo "SYN flood: $FLOOD_LINE"
	echo "           $CLIENTS_FLOOD; cookie handshakes completed: $cookie_ok"
	echo "failover:  $DOWN_LINE"
	echo "           $BACK_LINE"
	echo "tern:      $(tel /tern/stats tcp_passive_open) connections accepted, $(tel /tern/stats tcp_active_open) opened to backends, drops: $(tel /tern/drops | tr -d '{}"' | cut -c1-150)"
	local fails=$(($(all_of flood) - $(ok_of flood) + $(all_of down) - $(ok_of down)))
	if [ "$fails" -eq 0 ] && [ -n "$served" ] && [ "$WRK_ERR" = 0 ] && [ "${cookies:-0}" != 0 ]; then
		say "done: tern-proxy carried Linux clients to nginx through a SYN flood and a backend restart"
	else
		say "done, with problems: $fails client requests failed (see above)"
		return 1
	fi
}

main() {
	prepare
	if [ "$demo" = echo ]; then echo_demo; else proxy_demo; fi
}

rm -rf "$dir"
mkdir -p "$TERNLAB_RUN"
mkdir -m 0700 "$dir"
: >"$pidfile"
main_pid=""
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up" >&2; exit 130' INT TERM
main &
main_pid=$!
wait "$main_pid"

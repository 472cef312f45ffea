#!/bin/bash
# Lab proxy benchmark: tern-proxy against nginx's stream proxy, and tern-http against nginx
# serving the same body, with the same clients, the same backend and the same veth, in one
# run (docs/BENCHMARKS.md "Proxy and HTTP").
#
#   tests/bench/lab_proxy.sh [builddir]          (root; default builddir: build)
#
# The lab (dpdk-config/lab.sh, af_packet mode, its own prefix TERNLAB_PREFIX=bpx):
#   server side, in the tern-side namespace on the lab veth end tern-t, pinned to CPU
#   BP_SRV_CPU (0), one of:
#     tern-proxy   af_packet on tern-t, one engine, --backend PEER:8080
#     tern-proxy-2e the same with two engines (qpairs=2, lcores 0@SRV,1@SRV,2@CLI: on a
#                  2-CPU machine the second engine shares the client CPU)
#     nginx-stream the kernel with tern's address on tern-t, nginx (1 worker, stream module)
#                  proxy_pass PEER:8080, net.ipv4.tcp_tw_reuse=1 (tern reuses TIME_WAIT too)
#     tern-http    --body-size BP_BODY
#     nginx-http   1 worker serving a BP_BODY-byte file
#   peer namespace, CPU BP_CLI_CPU (1): the backend nginx (PEER:8080, the same file) and the
#   clients:
#     conn/s   tern-churn: BP_CONNS connections, BP_CONC at a time, GET + response + close
#              by the client (one request per connection). The client's TIME_WAIT sockets
#              may be reused after BP_TW_REUSE_DELAY ms (net.ipv4.tcp_tw_reuse_delay,
#              Linux 6.13 and later; the kernel's default, 1000, where it is missing):
#              with the default a client connecting at 25,000/s or more runs out of
#              reusable ports (connect() prefers even ports, about 25,500 in 10000-60999)
#              and the figure measures the client's port search, not the server
#     req/s    wrk -t1 -c BP_CONC -d BP_SECS (keep-alive), errors counted
# The kernel's receive work for tern-t is steered to the server CPU (RPS), as in
# lab_synflood.sh. Each arm BP_REPS times, arms alternating; medians and ratios
# tern / nginx. tern pays for af_packet (a copy and a system call per burst each way);
# nginx runs on the kernel's own veth path.
# Environment: BP_REPS (3), BP_CONNS (60000), BP_CONC (32), BP_SECS (5), BP_BODY (1000),
# BP_SRV_CPU (0), BP_CLI_CPU (1), BP_TW_REUSE_DELAY (1), BP_ARMS (all five), TERNLAB_*,
# BP_TERN_ARGS (more options for the tern arms' apps, e.g. "--poll-mode busy"; default none).
# Never a pass/fail test: exit status 1 only when set-up failed or a run could not happen.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${TERNLAB_PREFIX:=bpx}"
# shellcheck source=../../dpdk-config/common.sh
. "$root/dpdk-config/common.sh"

if ! build=$(cd "${1:-build}" 2>/dev/null && pwd); then
	echo "lab_proxy.sh: no build dir '${1:-build}'" >&2
	exit 1
fi
: "${BP_REPS:=3}"
: "${BP_CONNS:=60000}"
: "${BP_CONC:=32}"
: "${BP_SECS:=5}"
: "${BP_BODY:=1000}"
: "${BP_SRV_CPU:=0}"
: "${BP_CLI_CPU:=1}"
: "${BP_TW_REUSE_DELAY:=1}"
PY=/usr/bin/python3
LAB=$root/dpdk-config/lab.sh
CHURN=$build/tests/tools/tern-churn
for b in "$CHURN" "$build/apps/tern-proxy/tern-proxy" "$build/apps/tern-http/tern-http"; do
	[ -x "$b" ] || { echo "lab_proxy.sh: $b not built" >&2; exit 1; }
done
for c in nginx wrk; do
	command -v "$c" >/dev/null || { echo "lab_proxy.sh: $c not installed (dpdk-config/install-deps.sh test)" >&2; exit 1; }
done
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] ||
	{ echo "lab_proxy.sh: nginx stream module missing (apt-get install libnginx-mod-stream)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tern-bp-XXXXXX)
srv_pid=
ngx_back=
dpdk_prefix=
nst() { ip netns exec "$TERNLAB_NS_T" "$@"; }
nsp() { ip netns exec "$TERNLAB_NS_P" "$@"; }
stop_srv() {
	[ -z "$srv_pid" ] || ternlab_stop_pid "$srv_pid" 10 >/dev/null 2>&1 || true
	[ -z "$srv_pid" ] || wait "$srv_pid" 2>/dev/null || true
	srv_pid=
	[ -z "$dpdk_prefix" ] || ternlab_dpdk_cleanup "$dpdk_prefix"
	dpdk_prefix=
	nst ip addr flush dev "$TERNLAB_IF_T" >/dev/null 2>&1 || true
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT
	stop_srv
	[ -z "$ngx_back" ] || ternlab_stop_pid "$ngx_back" 5 >/dev/null 2>&1 || true
	timeout 60 "$LAB" down >/dev/null 2>&1 || true
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

timeout 60 "$LAB" up af_packet >/dev/null || { echo "lab_proxy.sh: lab.sh up failed" >&2; exit 1; }
mkdir -p "$tmp/www" "$tmp/nb" "$tmp/ns"
head -c "$BP_BODY" /dev/urandom >"$tmp/www/body"
# RPS: the server CPU does the kernel receive work of tern-t, the client CPU that of tern-p.
nst sh -c "printf '%x' $((1 << BP_SRV_CPU)) > /sys/class/net/$TERNLAB_IF_T/queues/rx-0/rps_cpus" 2>/dev/null || true
nsp sh -c "printf '%x' $((1 << BP_CLI_CPU)) > /sys/class/net/$TERNLAB_IF_P/queues/rx-0/rps_cpus" 2>/dev/null || true
nst sysctl -qw net.ipv4.tcp_tw_reuse=1
nsp sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 60999"
tw_delay="1000 (the kernel has no tcp_tw_reuse_delay)"
if nsp test -e /proc/sys/net/ipv4/tcp_tw_reuse_delay; then
	nsp sysctl -qw net.ipv4.tcp_tw_reuse_delay="$BP_TW_REUSE_DELAY" ||
		{ echo "lab_proxy.sh: BP_TW_REUSE_DELAY '$BP_TW_REUSE_DELAY' refused" >&2; exit 1; }
	tw_delay=$BP_TW_REUSE_DELAY
fi

# ngx_conf DIR BODY: nginx config head (own pid, logs, temp paths).
ngx_head() {
	cat <<CONF
daemon off;
worker_processes 1;
user root;
pid $1/nginx.pid;
error_log $1/error.log warn;
CONF
}
{
	ngx_head "$tmp/nb"
	cat <<CONF
events { worker_connections 16384; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path $tmp/nb/b;
  proxy_temp_path $tmp/nb/p; fastcgi_temp_path $tmp/nb/f; uwsgi_temp_path $tmp/nb/u;
  scgi_temp_path $tmp/nb/s;
  server { listen $TERNLAB_PEER_IP:8080 backlog=4096; root $tmp/www; } }
CONF
} >"$tmp/nb/nginx.conf"
timeout -k 5 1800 ip netns exec "$TERNLAB_NS_P" taskset -c "$BP_CLI_CPU" nginx -p "$tmp/nb" \
	-c "$tmp/nb/nginx.conf" -e "$tmp/nb/error.log" </dev/null >"$tmp/nb/out" 2>&1 &
ngx_back=$!

# start_srv ARM: the server side of one arm, on the server CPU; waits until it answers.
start_srv() {
	local arm=$1 eal n=0
	case $arm in
	tern-*)
		dpdk_prefix=$TERNLAB_PREFIX-bp-$$-$RANDOM
		local app=${arm%-2e} lc=$BP_SRV_CPU q=1
		[ "$app" = "$arm" ] || { lc="0@$BP_SRV_CPU,1@$BP_SRV_CPU,2@$BP_CLI_CPU"; q=2; }
		eal=$("$root/dpdk-config/eal-args.sh" af_packet --file-prefix "$dpdk_prefix" -l "$lc" -q "$q")
		local args=(--listen 80 --backend "$TERNLAB_PEER_IP:8080")
		[ "$app" = tern-proxy ] || args=(--listen 80 --body-size "$BP_BODY")
		# shellcheck disable=SC2206 # BP_TERN_ARGS: options split on whitespace
		args+=(${BP_TERN_ARGS:-})
		# shellcheck disable=SC2086 # eal: words without whitespace
		timeout -k 5 600 ip netns exec "$TERNLAB_NS_T" "$build/apps/$app/$app" $eal -- \
			--ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" "${args[@]}" --stats-interval 0 \
			</dev/null >"$tmp/srv.log" 2>&1 &
		srv_pid=$!
		;;
	nginx-*)
		nst ip addr add "$TERNLAB_TERN_IP/$TERNLAB_PLEN" dev "$TERNLAB_IF_T"
		{
			[ "$arm" = nginx-http ] || echo "load_module /usr/lib/nginx/modules/ngx_stream_module.so;"
			ngx_head "$tmp/ns"
			echo "events { worker_connections 16384; }"
			if [ "$arm" = nginx-stream ]; then
				echo "stream { server { listen $TERNLAB_TERN_IP:80 backlog=4096; proxy_pass $TERNLAB_PEER_IP:8080; } }"
			else
				echo "http { access_log off; keepalive_requests 1000000; client_body_temp_path $tmp/ns/b;"
				echo "  proxy_temp_path $tmp/ns/p; fastcgi_temp_path $tmp/ns/f; uwsgi_temp_path $tmp/ns/u;"
				echo "  scgi_temp_path $tmp/ns/s; server { listen $TERNLAB_TERN_IP:80 backlog=4096; root $tmp/www; } }"
			fi
		} >"$tmp/ns/nginx.conf"
		timeout -k 5 600 ip netns exec "$TERNLAB_NS_T" taskset -c "$BP_SRV_CPU" nginx -p "$tmp/ns" \
			-c "$tmp/ns/nginx.conf" -e "$tmp/ns/error.log" </dev/null >"$tmp/srv.log" 2>&1 &
		srv_pid=$!
		;;
	esac
	nsp ip neigh flush dev "$TERNLAB_IF_P" >/dev/null 2>&1 || true
	until nsp curl -s -o /dev/null --max-time 1 "http://$TERNLAB_TERN_IP/body"; do
		n=$((n + 1))
		[ "$n" -lt 60 ] || { echo "lab_proxy.sh: $arm did not answer: $(tail -n 3 "$tmp/srv.log")" >&2; exit 1; }
		sleep 0.5
	done
}

results=$tmp/results.jsonl
: >"$results"
measure() {
	local arm=$1 rep=$2 cj wo
	start_srv "$arm"
	cj=$(nsp taskset -c "$BP_CLI_CPU" timeout 300 "$CHURN" --target "$TERNLAB_TERN_IP:80" \
		--path /body --count "$BP_CONNS" --concurrency "$BP_CONC" --close client \
		--max-seconds 240 2>/dev/null || true)
	wo=$(nsp taskset -c "$BP_CLI_CPU" timeout 60 wrk -t1 -c "$BP_CONC" -d "${BP_SECS}s" \
		"http://$TERNLAB_TERN_IP/body" 2>&1 || true)
	stop_srv
	ARM=$arm REP=$rep CJ=$cj WO=$wo "$PY" - >>"$results" <<'EOF'
import json, os, re
cj = json.loads(os.environ["CJ"] or "{}")
wo = os.environ["WO"]
m = re.search(r"Requests/sec:\s+([\d.]+)", wo)
err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wo)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wo)
print(json.dumps({"arm": os.environ["ARM"], "rep": int(os.environ["REP"]),
    "conn_per_s": cj.get("conn_per_s", 0), "conn_ok": cj.get("ok", 0),
    "conn_failed": cj.get("failed", -1), "req_per_s": float(m.group(1)) if m else 0,
    "wrk_errors": sum(int(x) for x in err.groups()) if err else 0,
    "wrk_non2xx": int(non2xx.group(1)) if non2xx else 0}))
EOF
	tail -n 1 "$results"
}

echo "# lab proxy/http benchmark: $BP_CONNS connections x $BP_CONC (tern-churn), wrk -c $BP_CONC -d ${BP_SECS}s, body $BP_BODY B, $BP_REPS reps, client TIME_WAIT reuse after $tw_delay ms"
for rep in $(seq 1 "$BP_REPS"); do
	for arm in ${BP_ARMS:-tern-proxy tern-proxy-2e nginx-stream tern-http nginx-http}; do
		measure "$arm" "$rep"
	done
done
"$PY" - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(arm, k):
    v = [r[k] for r in rows if r["arm"] == arm]
    return statistics.median(v) if v else 0
print("# medians")
for arm in ("tern-proxy", "tern-proxy-2e", "nginx-stream", "tern-http", "nginx-http"):
    if not any(r["arm"] == arm for r in rows):
        continue
    print(f"{arm:13s} conn/s {med(arm, 'conn_per_s'):9.0f}  req/s {med(arm, 'req_per_s'):9.0f}"
          f"  failed conns {sum(r['conn_failed'] for r in rows if r['arm'] == arm)}"
          f"  wrk errors {sum(r['wrk_errors'] + r['wrk_non2xx'] for r in rows if r['arm'] == arm)}")
def ratio(a, b, k):
    return med(a, k) / med(b, k) if med(b, k) else float("nan")
def line(name, a, b):
    if med(a, "conn_per_s") and med(b, "conn_per_s"):
        print(f"{name} conn/s {ratio(a, b, 'conn_per_s'):.2f}x  req/s {ratio(a, b, 'req_per_s'):.2f}x")
print("# ratios tern / nginx")
line("proxy:", "tern-proxy", "nginx-stream")
line("http: ", "tern-http", "nginx-http")
print("# ratios two engines / one engine (same clients, same run)")
line("proxy:", "tern-proxy-2e", "tern-proxy")
EOF

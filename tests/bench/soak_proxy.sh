#!/bin/bash
# A bounded "chaos soak" of tern-proxy with two engines (af_packet, qpairs=2, lcores
# 0@0,1@0,2@1) in front of three nginx backends in the peer namespace. NOT a pass/fail CI
# test: it runs for SOAK_CYCLES x ~7 minutes, writes a timeline, one sample line every
# SOAK_SAMPLE seconds and a summary of what it checked at the end, and leaves everything in
# its output directory for a person to read.
#
# tern-proxy: --config FILE (3 backends, rr, --health-check http:/hc.txt=200 every 500 ms,
# --msl 5000, --fin-timeout 10000, --metrics), two engines. Each cycle runs these phases,
# every load bounded in count and time, clients niced in the peer namespace:
#   keepalive  wrk keep-alive (16 connections, 100 KB bodies)
#   churn      tern-churn short connections (client closes first; server first in odd cycles)
#   bulk       parallel 16 MiB downloads (sha256 checked) and 8 MiB PUT uploads (nginx DAV,
#              sha256 of the stored file checked)
#   slow_rst   slow readers (slow_get.py), clients that RST mid-download / mid-upload
#              (soak_rst.py), light wrk
#   kill       a backend SIGKILLed, restarted 20 s later, under wrk and a curl loop
#   reload     SIGHUP reloads: weights changed, a backend removed, a bad file, re-added
#   synflood   tern-gen --mode synflood (its own af_packet port on the peer veth) with a curl
#              loop
#   mixed      all of the above at once (no kill/reload)
#   idle       nothing
# Then a quiet period (every client stopped, tern's TIME_WAIT gone) and the checks: mbufs
# back to the level after warm-up, no connection left established or half-open in tern
# (gauges) or in the peer (ss), proxy active 0, RSS after warm-up vs end, counters
# (clients vs passive opens, metrics vs telemetry vs stats line), then SIGTERM: exit status
# and the drained line.
#
# usage (as root, from the repository): TERN_BUILD=build tests/bench/soak_proxy.sh
# Environment: TERNLAB_PREFIX (default ausk: namespaces ausk-t / ausk-p; every DPDK file
#   prefix starts with it), SOAK_CYCLES (2), SOAK_SAMPLE (5 s), SOAK_OUT (output directory,
#   default /tmp/soak-proxy-DATE), SOAK_FLOOD_PPS (20000).
# Output: $SOAK_OUT/timeline.log, samples.jsonl (soak_sample.py), tern.log (tern-proxy's
#   output), summary.txt (soak_summary.py), and the clients' outputs. Helpers: soak_sample.py
#   (the sampler), soak_rst.py (clients that RST mid-transfer); soak_hog.sh is a separate
#   reproducer of mbuf-pool pressure by non-reading clients.
# A run (af_packet, SOAK_CYCLES=3, the 2-vCPU lab VM): about 17 minutes.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail
export TERNLAB_PREFIX=${TERNLAB_PREFIX:-ausk}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT=$HERE/../integration
: "${TERN_BUILD:=$(cd "$HERE/../.." && pwd)/build}"
TERN_BUILD=$(cd "$TERN_BUILD" && pwd)
export TERN_BUILD
: "${SOAK_CYCLES:=2}"
: "${SOAK_SAMPLE:=5}"
: "${SOAK_FLOOD_PPS:=20000}"
: "${SOAK_OUT:=/tmp/soak-proxy-$(date +%Y%m%d-%H%M%S)}"
export TERN_MAX_LIFETIME=$((SOAK_CYCLES * 480 + 600))
IT_KEEP_TMP=1
# shellcheck source=../integration/lib.sh
. "$IT/lib.sh"
it_begin soak af_packet
mkdir -p "$SOAK_OUT"
OUT=$SOAK_OUT
TERN_ECHO=$TERN_BUILD/apps/tern-proxy/tern-proxy
CHURN=$TERN_BUILD/tests/tools/tern-churn
GEN=$TERN_BUILD/apps/tern-gen/tern-gen
for b in "$TERN_ECHO" "$CHURN" "$GEN"; do [ -x "$b" ] || it_fail "not built: $b"; done
command -v wrk >/dev/null || it_fail "wrk not installed"
command -v nginx >/dev/null || it_fail "nginx not installed"
tern_engines 2
port=8000
peer_ip=$TERNLAB_PEER_IP
tip=$TERNLAB_TERN_IP
url=http://$tip:$port
NGP=(8381 8382 8383)
mport=$((19100 + RANDOM % 1000))
T0=$(date +%s)

tl() { printf '%s +%4ss %s\n' "$(date +%T)" "$(($(date +%s) - T0))" "$*" | tee -a "$OUT/timeline.log" >&2; }
phase() { echo "$1" >"$OUT/phase"; tl "== phase $1"; }
# pin CMD...: a bounded, niced command in the peer namespace, in the background
pin() { local secs=$1; shift; ip netns exec "$TERNLAB_NS_P" timeout -k 5 "$secs" nice -n 10 "$@"; }

lab_up
ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_tw_reuse=1

# ---- content and backends ----
www=$OUT/www
mkdir -p "$www/up"
chmod 755 "$OUT" "$www" "$www/up"
echo ok >"$www/ok.txt"
echo ok >"$www/hc.txt"
head -c 1000 /dev/urandom >"$www/f1k"
head -c 100000 /dev/urandom >"$www/f100k"
head -c $((16 << 20)) /dev/urandom >"$www/big.bin"
head -c $((8 << 20)) /dev/urandom >"$OUT/up.bin"
BIG_SHA=$(sha256sum <"$www/big.bin" | cut -d' ' -f1)
UP_SHA=$(sha256sum <"$OUT/up.bin" | cut -d' ' -f1)

declare -A NGX_PID=()
ngx_conf() { # PORT
	local d=$OUT/ngx$1
	mkdir -p "$d"
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
    client_max_body_size 64m;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    types { application/octet-stream bin; text/html html; }
    server {
        listen $peer_ip:$1;
        root $www;
        location /up/ { dav_methods PUT; create_full_put_path on; }
    }
}
CONF
}
ngx_up() { # PORT
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 "$TERN_MAX_LIFETIME" nginx -p "$OUT/ngx$1" \
		-c "$OUT/ngx$1/nginx.conf" -e "$OUT/ngx$1/error.log" </dev/null >>"$OUT/ngx$1/out" 2>&1 &
	NGX_PID[$1]=$!
	wait_until 10 peer_port_listening "$1" || tl "nginx $1 not listening"
}
# ngx_kill PORT: SIGKILL master and worker (an abrupt death, not a graceful stop)
ngx_kill() {
	local m w
	m=$(cat "$OUT/ngx$1/nginx.pid" 2>/dev/null)
	w=$(pgrep -P "$m" 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -KILL "$m" $w 2>/dev/null
	wait "${NGX_PID[$1]}" 2>/dev/null
	rm -f "$OUT/ngx$1/nginx.pid"
	NGX_PID[$1]=
}
ngx_down_all() {
	local p m
	for p in "${NGP[@]}"; do
		[ -n "${NGX_PID[$p]:-}" ] || continue
		m=$(cat "$OUT/ngx$p/nginx.pid" 2>/dev/null)
		[ -z "$m" ] || kill -TERM "$m" 2>/dev/null
		ternlab_stop_pid "${NGX_PID[$p]}" 5 >/dev/null 2>&1
		NGX_PID[$p]=
	done
}
peer_port_listening() { ip netns exec "$TERNLAB_NS_P" ss -Hltn "sport = :$1" | grep -q .; }
it_defer ngx_down_all
for p in "${NGP[@]}"; do ngx_conf "$p"; ngx_up "$p"; done

# ---- tern-proxy ----
cfg=$OUT/proxy.conf
write_cfg() { # backend lines...
	{
		echo "# soak_proxy.sh $(date +%T)"
		local b
		for b in "$@"; do echo "backend $b"; done
		cat <<EOF
lb rr
health-check http:/hc.txt=200
health-interval 500
health-timeout 400
health-rise 2
health-fall 2
retry-down 3
connect-timeout 2000
idle-timeout 300
drain-timeout 15
msl 5000
fin-timeout 10000
stats-interval 5
metrics 127.0.0.1:$mport
EOF
	} >"$cfg.new"
	mv "$cfg.new" "$cfg"
}
B1=$peer_ip:${NGP[0]} B2=$peer_ip:${NGP[1]} B3=$peer_ip:${NGP[2]}
write_cfg "$B1" "$B2" "$B3"
tern_start "$port" --config "$cfg"
tern_steering
cp "$TERN_LOG" "$OUT/tern.log" 2>/dev/null
PX=$(pgrep -P "$TERN_PID" | head -n 1)
tl "tern-proxy pid $PX (timeout $TERN_PID), prefix $TERN_PREFIX, log $TERN_LOG, metrics 127.0.0.1:$mport"
reload() { kill -HUP "$PX"; sleep 0.5; tl "reload: $(grep -E 'reload' "$TERN_LOG" | tail -n 1)"; }

echo start >"$OUT/phase"
touch "$OUT/stop.new"; rm -f "$OUT/stop" "$OUT/stop.new"
ip netns exec "$TERNLAB_NS_T" /usr/bin/python3 "$HERE/soak_sample.py" "$TERN_PREFIX" "$PX" \
	"$TERNLAB_NS_T" "127.0.0.1:$mport" "$TERNLAB_NS_P" "$tip" "$OUT/phase" "$SOAK_SAMPLE" \
	"$OUT/stop" >"$OUT/samples.jsonl" 2>"$OUT/sampler.err" &
SAMPLER=$!
sampler_stop() { touch "$OUT/stop"; ternlab_wait_pid "$SAMPLER" 10 || kill "$SAMPLER" 2>/dev/null; }
it_defer sampler_stop

# ---- loads (each in the background; $! collected in JOBS, waited by phase_wait) ----
JOBS=()
bg() { "$@" & JOBS+=($!); }
phase_wait() { local j; for j in "${JOBS[@]}"; do wait "$j" 2>/dev/null; done; JOBS=(); }
nm() { echo "$1.$(date +%H%M%S).$RANDOM"; }

L_wrk() { # SECS CONNS PATH
	local o; o=$OUT/$(nm wrk)
	pin $(($1 + 15)) wrk -d "$1" -c "$2" -t 1 --timeout 5s "$url/$3" >"$o" 2>&1
	tl "wrk -c $2 $3: $(grep -E 'requests in|Socket errors|Non-2xx' "$o" | tr -s ' ' | tr '\n' ';')"
}
L_churn() { # COUNT SECS CLOSE
	local o; o=$OUT/$(nm churn)
	pin $(($2 + 20)) "$CHURN" --target "$tip:$port" --path /f1k --count "$1" --concurrency 16 \
		--close "$3" --max-seconds "$2" --timeout-ms 10000 >"$o" 2>"$o.err"
	tl "churn ($3 closes): $(cat "$o")"
}
L_dl() { # N
	local d i ok=0 bad=0
	d=$OUT/$(nm dl)
	mkdir -p "$d"
	for i in $(seq "$1"); do
		pin 120 curl -sS -m 110 -o "$d/b.$i" -w '%{http_code}' "$url/big.bin" >"$d/code.$i" 2>"$d/err.$i" &
	done
	wait
	for i in $(seq "$1"); do
		if [ "$(cat "$d/code.$i")" = 200 ] && [ "$(sha256sum <"$d/b.$i" | cut -d' ' -f1)" = "$BIG_SHA" ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			tl "download $d/$i BAD: code $(cat "$d/code.$i") size $(stat -c %s "$d/b.$i" 2>/dev/null) $(tr '\n' ' ' <"$d/err.$i")"
		fi
	done
	rm -f "$d"/b.*
	tl "downloads 16 MiB: $ok ok, $bad bad"
}
L_up() { # N
	local d i ok=0 bad=0 f
	d=$OUT/$(nm up)
	mkdir -p "$d"
	for i in $(seq "$1"); do
		pin 120 curl -sS -m 110 -T "$OUT/up.bin" -o /dev/null -w '%{http_code}' \
			"$url/up/$(basename "$d")_$i" >"$d/code.$i" 2>"$d/err.$i" &
	done
	wait
	for i in $(seq "$1"); do
		f=$www/up/$(basename "$d")_$i
		if [[ "$(cat "$d/code.$i")" =~ ^20[14]$ ]] && [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$UP_SHA" ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			tl "upload $d/$i BAD: code $(cat "$d/code.$i") stored $(stat -c %s "$f" 2>/dev/null) $(tr '\n' ' ' <"$d/err.$i")"
		fi
		rm -f "$f"
	done
	tl "uploads 8 MiB: $ok ok, $bad bad"
}
L_slow() { # N RATE
	local d i ok=0
	d=$OUT/$(nm slow)
	mkdir -p "$d"
	for i in $(seq "$1"); do
		pin 90 /usr/bin/python3 "$IT/slow_get.py" "$tip" "$port" /big.bin "$2" "$d/b.$i" >"$d/out.$i" 2>&1 &
	done
	wait
	for i in $(seq "$1"); do
		[ "$(sha256sum <"$d/b.$i" 2>/dev/null | cut -d' ' -f1)" = "$BIG_SHA" ] && ok=$((ok + 1)) ||
			tl "slow $i BAD: $(tail -n 1 "$d/out.$i")"
	done
	rm -f "$d"/b.*
	tl "slow readers ($2 B/s): $ok of $1 byte-exact"
}
L_rst() { # COUNT SECS
	local o; o=$OUT/$(nm rst)
	pin $(($2 + 15)) /usr/bin/python3 "$HERE/soak_rst.py" "$tip" "$port" "$1" "$2" >"$o" 2>&1
	tl "rst clients: $(tail -n 1 "$o")"
	rm -f "$www"/up/rst_*
}
L_loop() { # SECS (a new connection every 0.1 s)
	local o; o=$OUT/$(nm loop)
	pin $(($1 + 10)) bash -c 'end=$((SECONDS + $1)); ok=0; bad=0
		while [ $SECONDS -lt $end ]; do
			c=$(curl -sS -m 5 -o /dev/null -w "%{http_code}" "$2/ok.txt" 2>&1)
			if [ "$c" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "fail: $c"; fi
			sleep 0.1
		done; echo "loop ok $ok bad $bad"' _ "$1" "$url" >"$o" 2>&1
	tl "curl loop: $(tail -n 1 "$o") $(grep -m3 fail "$o" | tr '\n' ';')"
}
L_flood() { # SECS
	local o; o=$OUT/$(nm flood)
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 $(($1 + 15)) "$GEN" --no-huge --no-pci --no-shconf -m 256 \
		--file-prefix "$TERNLAB_PREFIX-flood-$$" -l 1 --vdev "net_af_packet1,iface=$TERNLAB_IF_P,qpairs=1" -- \
		--ip "${peer_ip%.*}.4/$TERNLAB_PLEN" --target "$tip:$port" --mode synflood \
		--rate "$SOAK_FLOOD_PPS" --duration "$1" --src-range "${peer_ip%.*}.128/25" \
		--stats-interval 0 </dev/null >"$o" 2>"$o.err"
	tl "synflood: rc $? $(grep '^{' "$o" | tail -n 1 | cut -c1-200)"
	ternlab_dpdk_cleanup "$TERNLAB_PREFIX-flood-$$"
}

# ---- the soak ----
phase warmup
sleep 15
pin 30 curl -sS -o /dev/null "$url/f100k" || tl "warm-up curl failed"
for c in $(seq "$SOAK_CYCLES"); do
	close=client
	[ $((c % 2)) = 0 ] && close=server
	phase "c$c.keepalive"
	bg L_wrk 40 16 f100k
	phase_wait
	phase "c$c.churn"
	bg L_churn 150000 40 "$close"
	phase_wait
	phase "c$c.bulk"
	bg L_dl 12
	bg L_up 6
	phase_wait
	phase "c$c.slow_rst"
	bg L_slow 3 600000
	bg L_rst 150 40
	bg L_wrk 40 4 f1k
	phase_wait
	phase "c$c.kill"
	kb=${NGP[$((c % 3))]}
	bg L_loop 45
	bg L_wrk 45 8 f1k
	bg L_dl 2
	sleep 5
	tl "SIGKILL nginx :$kb"
	ngx_kill "$kb"
	sleep 20
	ngx_up "$kb"
	tl "nginx :$kb restarted"
	phase_wait
	tl "health lines: $(grep -cE 'backend .* (up|down): health' "$TERN_LOG")"
	phase "c$c.reload"
	bg L_wrk 45 8 f1k
	bg L_dl 4
	bg L_loop 45
	sleep 5
	write_cfg "$B1/weight=3" "$B2" "$B3"; reload
	sleep 8
	write_cfg "$B1/weight=3" "$B2"; reload
	sleep 8
	printf 'backend 198.18.0:80\n' >"$cfg"; reload
	sleep 4
	write_cfg "$B1" "$B2" "$B3/weight=2"; reload
	sleep 8
	write_cfg "$B1" "$B2" "$B3"; reload
	phase_wait
	phase "c$c.synflood"
	bg L_loop 20
	sleep 2
	bg L_flood 8
	phase_wait
	phase "c$c.mixed"
	bg L_wrk 50 8 f100k
	bg L_churn 60000 50 "$close"
	bg L_dl 4
	bg L_up 2
	bg L_rst 60 40
	bg L_slow 2 1000000
	phase_wait
	phase "c$c.idle"
	sleep 40
done

# ---- quiet, then the checks ----
phase quiet
quiet_done() {
	local g
	g=$(tel_json /tern/gauges)
	"$PY" -c 'import json,sys; g=json.loads(sys.argv[1]); sys.exit(0 if g and g.get("time_wait",1)==0 and g.get("established",1)==0 and g.get("syn_queue",1)==0 else 1)' "$g"
}
wait_until 90 quiet_done || tl "quiet: not quiet after 90 s: $(tel_json /tern/gauges)"
sleep $((SOAK_SAMPLE * 2 + 1)) # a couple of samples at rest
tl "gauges: $(tel_json /tern/gauges)"
tl "gauges,0: $(tel_json /tern/gauges,0)"
tl "gauges,1: $(tel_json /tern/gauges,1)"
tel_json /tern/stats >"$OUT/final_stats.json"
tel_json /tern/gauges >"$OUT/final_gauges.json"
ip netns exec "$TERNLAB_NS_T" curl -sS -m 5 "http://127.0.0.1:$mport/metrics" >"$OUT/final.prom"
ip netns exec "$TERNLAB_NS_P" ss -tan >"$OUT/final_peer_ss.txt"
tl "peer sockets toward tern (not TIME-WAIT): $(grep "$tip:" "$OUT/final_peer_ss.txt" | grep -vc TIME-WAIT)"
tl "last stats line: $(grep 'stats:' "$TERN_LOG" | tail -n 1)"
sampler_stop
# SIGTERM: exit status and the drained line
kill -TERM "$PX"
rc=0
ternlab_wait_pid "$TERN_PID" 30 || tl "tern-proxy still running 30 s after SIGTERM"
wait "$TERN_PID" || rc=$?
TERN_PID=
tl "tern-proxy exit status $rc; $(grep 'drained:' "$TERN_LOG")"
cp "$TERN_LOG" "$OUT/tern.log"
"$PY" "$HERE/soak_summary.py" "$OUT" | tee "$OUT/summary.txt"
ngx_down_all
it_pass

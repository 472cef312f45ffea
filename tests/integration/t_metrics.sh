#!/bin/bash
# --metrics: Prometheus text from the apps, scraped with curl inside tern's namespace.
#   1. tern-proxy in front of nginx and a dead backend port, 4 requests through it, then
#      idle: the scrape passes prom_check.py (the format, promtool being unavailable); every
#      counter, drop reason and gauge of telemetry (/tern/stats, /tern/gauges) has its
#      metric with the same value (read between two identical scrapes, so nothing moved);
#      the proxy's figures: 4 clients, 4 connections to the live backend (up), the dead one
#      down with failures; / is a 404, POST a 405; a bad address is refused (exit 2);
#      tern-http's requests, connections and body bytes after 3 curl requests.
#   2. tern-echo with --mbufs 1024 and mbuf_hold.py filling the pool step by step (4
#      connections that never read), a scrape between steps: once fewer than 1/8 are free
#      the filling stops; the pool then stays low but not dry: tern_mbufs_low 1 and the stats line's "WARNING mbufs low"
#      with a non-zero free count; released (RST), everything comes back: low 0, 1024 free.
#   3. the same filled past the mark without pauses: data is dropped (tcp_rcv_pool_low) before
#      the pool runs dry, so the clients' RSTs still arrive and everything comes back.
# usage: t_metrics.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin metrics "${1:-}"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
port=8000
ng=8086
dead=8097
mport=$((19100 + RANDOM % 1000))
maddr=127.0.0.1:$mport
peer_ip=$TERNLAB_PEER_IP
lab_up

# scrape NAME: GET /metrics inside tern's namespace into $IT_TMP/NAME.prom, checked by
# prom_check.py into $IT_TMP/NAME.json.
scrape() {
	ip netns exec "$TERNLAB_NS_T" curl -sS -m 5 -o "$IT_TMP/$1.prom" -w '%{http_code} %{content_type}\n' \
		"http://$maddr/metrics" >"$IT_TMP/$1.code" 2>&1 || it_fail "scrape $1: $(cat "$IT_TMP/$1.code")"
	grep -q '^200 text/plain; version=0.0.4' "$IT_TMP/$1.code" || it_fail "scrape $1: $(cat "$IT_TMP/$1.code")"
	"$PY" "$IT_DIR/prom_check.py" "$IT_TMP/$1.prom" >"$IT_TMP/$1.json" 2>"$IT_TMP/$1.err" ||
		it_fail "scrape $1 is not valid Prometheus text: $(cat "$IT_TMP/$1.err")"
}
# metric NAME SERIES: one value of scrape NAME (an integer), empty if absent.
metric() { "$PY" -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else int(v))' "$IT_TMP/$1.json" "$2"; }

# --- 1. tern-proxy: format, agreement with telemetry, per-backend figures ---
www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
head -c 50000 /dev/urandom >"$www/f.bin"
ngx_start "$www" "$ng"
TERN_ECHO=$TERN_BUILD/apps/tern-proxy/tern-proxy
tern_start "$port" --backend "$peer_ip:$dead,$peer_ip:$ng" --retry-down 60 --metrics "$maddr"
for i in 1 2 3 4; do
	peer curl -sS -m 10 -o /dev/null -w '%{http_code}\n' "http://$TERNLAB_TERN_IP:$port/f.bin" \
		>"$IT_TMP/code" 2>&1 || it_fail "curl $i through the proxy: $(cat "$IT_TMP/code")"
	[ "$(cat "$IT_TMP/code")" = 200 ] || it_fail "curl $i: status $(cat "$IT_TMP/code")"
done
wait_until 10 grep -q 'clients 4 active 0 ' "$TERN_LOG" || it_fail "pairs still open after the requests"
ok=0
for try in 1 2 3 4 5 6; do
	scrape a
	tel /tern/stats >"$IT_TMP/tel_stats.json" || it_fail "telemetry /tern/stats unreachable"
	tel /tern/gauges >"$IT_TMP/tel_gauges.json" || it_fail "telemetry /tern/gauges unreachable"
	scrape b
	if cmp -s "$IT_TMP/a.json" "$IT_TMP/b.json"; then ok=1; break; fi
	it_log "scrape $try: values moved between two scrapes, again"
	sleep 0.5
done
# an engine that is not one: a readable error, not a bare null
bad=$(tel /tern/stats,5 error 2>&1) || it_fail "telemetry /tern/stats,5: no error answer: $bad"
[[ $bad == "not an engine index: expected 0..0 (1 engine)" ]] || it_fail "telemetry /tern/stats,5: '$bad'"
[ "$ok" = 1 ] || it_fail "no two identical scrapes in 6 tries while idle"
res=$("$PY" - "$IT_TMP/a.json" "$IT_TMP/tel_stats.json" "$IT_TMP/tel_gauges.json" 2>&1 <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
st = json.load(open(sys.argv[2]))
ga = json.load(open(sys.argv[3]))
bad, n = [], 0
for k, v in st.items():
    if k == "engines":
        key = "tern_engines"
    elif k.startswith("drop_"):
        key = 'tern_drops_total{reason="%s"}' % k[5:]
    else:
        key = "tern_%s_total" % k
    n += 1
    if key not in m:
        bad.append("%s: no metric %s" % (k, key))
    elif m[key] != v:
        bad.append("%s: telemetry %s, metric %s" % (k, v, m[key]))
for k, v in ga.items():
    key = "tern_" + k
    n += 1
    if key not in m:
        bad.append("gauge %s: no metric %s" % (k, key))
    elif m[key] != v:
        bad.append("gauge %s: telemetry %s, metric %s" % (k, v, m[key]))
if bad:
    sys.exit("; ".join(bad[:8]))
print("%d telemetry values, all equal to their metrics (%d series scraped)" % (n, len(m)))
PYEOF
) || it_fail "metrics and telemetry disagree: $res"
it_log "$res"
want() { # want SERIES VALUE
	local v
	v=$(metric a "$1")
	[ "$v" = "$2" ] || it_fail "$1 is '$v', want $2"
}
want tern_proxy_clients_total 4
want tern_proxy_active 0
want tern_proxy_rejected_total 0
want "tern_proxy_backend_connections_total{backend=\"$peer_ip:$ng\"}" 4
want "tern_proxy_backend_up{backend=\"$peer_ip:$ng\"}" 1
want "tern_proxy_backend_up{backend=\"$peer_ip:$dead\"}" 0
want "tern_proxy_backend_in_pool{backend=\"$peer_ip:$dead\"}" 1
want "tern_proxy_backend_connections_total{backend=\"$peer_ip:$dead\"}" 0
[ "$(metric a "tern_proxy_backend_failures_total{backend=\"$peer_ip:$dead\"}")" -ge 1 ] ||
	it_fail "the dead backend shows no failure"
[ "$(metric a "tern_proxy_backend_received_bytes_total{backend=\"$peer_ip:$ng\"}")" -gt 200000 ] ||
	it_fail "received bytes from nginx: $(metric a "tern_proxy_backend_received_bytes_total{backend=\"$peer_ip:$ng\"}"), want > 4 x 50000"
want tern_mbufs_low 0
it_log "proxy figures: 4 clients, 4 connections to $ng (up), $dead down with failures"
code=$(ip netns exec "$TERNLAB_NS_T" curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://$maddr/") || true
[ "$code" = 404 ] || it_fail "GET / answered $code, want 404"
code=$(ip netns exec "$TERNLAB_NS_T" curl -sS -m 5 -o /dev/null -w '%{http_code}' -d x "http://$maddr/metrics") || true
[ "$code" = 405 ] || it_fail "POST /metrics answered $code, want 405"
# The port is taken: a second app on it must refuse to start, with one line and status 2.
rc=0
out=$(timeout 30 ip netns exec "$TERNLAB_NS_T" "$TERN_ECHO" --no-huge -m 256 --no-pci \
	--file-prefix "$TERNLAB_PREFIX-metrics2-$$" -l 0 --vdev net_null0 -- \
	--ip 198.18.0.1/24 --listen 80 --backend "$peer_ip:$ng" --metrics "$maddr" 2>&1) || rc=$?
ternlab_dpdk_cleanup "$TERNLAB_PREFIX-metrics2-$$"
[ "$rc" = 2 ] || it_fail "a second --metrics $maddr: status $rc, want 2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
grep -q "^tern-proxy: --metrics $maddr: cannot listen: Address already in use" <<<"$out" ||
	it_fail "a second --metrics $maddr: status $rc, $(echo "$out" | tail -n 2 | tr '\n' ' ')"
tern_stop
ngx_stop

# --- tern-http's own figures ---
TERN_ECHO=$TERN_BUILD/apps/tern-http/tern-http
tern_start 8080 --body-size 1000 --metrics "$maddr"
for i in 1 2 3; do
	peer curl -sS -m 10 -o /dev/null "http://$TERNLAB_TERN_IP:8080/" || it_fail "curl $i to tern-http"
done
scrape h
for kv in tern_http_requests_total=3 tern_http_connections_total=3 tern_http_body_bytes_total=3000 tern_http_errors_total=0; do
	[ "$(metric h "${kv%=*}")" = "${kv#*=}" ] || it_fail "tern-http: ${kv%=*} is $(metric h "${kv%=*}"), want ${kv#*=}"
done
it_log "tern-http: 3 requests, 3 connections, 3000 body bytes in its metrics"
tern_stop

# --- 2. tern-echo: the mbuf warning before the pool runs dry ---
TERN_ECHO=$TERN_BUILD/apps/tern-echo/tern-echo
tern_start 7 --mbufs 1024 --metrics "$maddr"
HOLD=
hold_stop() { [ -z "$HOLD" ] || ternlab_stop_pid "$HOLD" 3; HOLD=; }
it_defer hold_stop
ip netns exec "$TERNLAB_NS_P" timeout 60 "$PY" "$IT_DIR/mbuf_hold.py" --host "$TERNLAB_TERN_IP" \
	--port 7 --conns 4 --steps "$IT_TMP/steps" --done "$IT_TMP/done" \
	--release "$IT_TMP/release" --max-secs 50 >"$IT_TMP/hold.out" 2>&1 &
HOLD=$!
wait_until 10 grep -q '^connected' "$IT_TMP/hold.out" || it_fail "mbuf_hold.py: $(cat "$IT_TMP/hold.out")"
# In lockstep: scrape, and while at least 1/8 is free, ask for more steps (a step of 16 KiB
# holds about 10 to 20 mbufs: (free - 128) / 32 at a time, at least one) and wait until
# they are sent. No clock in it: the pool is looked at between steps.
steps=0
low=
for _ in $(seq 1 200); do
	scrape fill
	free=$(metric fill tern_mbufs_free)
	if [ "$free" -lt 128 ]; then low=$free; break; fi
	n=$(((free - 128) / 32)) # a step holds at most about 20 mbufs: never past the mark
	steps=$((steps + (n > 0 ? n : 1)))
	echo "$steps" >"$IT_TMP/steps"
	for _ in $(seq 1 1000); do # up to 10 s
		! grep -qx "$steps" "$IT_TMP/done" 2>/dev/null || break
		sleep 0.01
	done
	grep -qx "$steps" "$IT_TMP/done" || it_fail "mbuf_hold.py did not send step $steps: $(cat "$IT_TMP/hold.out")"
	sleep 0.02 # the step's segments reach tern
done
[ -n "$low" ] || it_fail "the pool never went below 1/8 free in $steps steps (last: $free of 1024)"
it_log "$steps steps of 16 KiB: $low of 1024 mbufs free"
sleep 1.2 # a stats line (every second) with the pool held
scrape held
free=$(metric held tern_mbufs_free)
[ "$(metric held tern_mbufs_low)" = 1 ] || it_fail "tern_mbufs_low is not 1 with $free free"
[ "$free" -gt 0 ] || it_fail "the pool ran dry before the warning could be seen (free $free)"
line=$(grep 'stats: ' "$TERN_LOG" | tail -n 1)
[[ $line =~ mbufs\ free\ ([0-9]+)\ WARNING\ mbufs\ low: ]] || it_fail "no warning in the stats line: $line"
[ "${BASH_REMATCH[1]}" -gt 0 ] || it_fail "the stats line warns only at 0 free: $line"
it_log "held: $free of 1024 free, stats line: ${line##*| }"
touch "$IT_TMP/release"
wait_until 5 grep -q '^released' "$IT_TMP/hold.out" || it_fail "mbuf_hold.py did not release"
# shellcheck disable=SC2317 # called by wait_until
back() { scrape back && [ "$(metric back tern_mbufs_low)" = 0 ] && [ "$(metric back tern_established)" = 0 ]; }
wait_until 10 back || it_fail "after the release: low $(metric back tern_mbufs_low), established $(metric back tern_established), free $(metric back tern_mbufs_free)"
it_log "released: $(metric back tern_mbufs_free) free, no warning"
hold_stop

# --- 3. Past the mark: the pool never runs dry ---
# Eight connections that never read, filled without pauses (up to 3 MiB: more than 1024
# mbufs can hold; each connection's buffers take about 300). tern drops data segments once it is down to half its reserve
# (tcp_rcv_pool_low), so the NIC keeps mbufs to receive with: the clients' RSTs still
# arrive and free everything (before the fix the pool ran dry and even the RSTs were lost).
rm -f "$IT_TMP/steps" "$IT_TMP/done" "$IT_TMP/release"
ip netns exec "$TERNLAB_NS_P" timeout 60 "$PY" "$IT_DIR/mbuf_hold.py" --host "$TERNLAB_TERN_IP" \
	--port 7 --conns 8 --steps "$IT_TMP/steps" --done "$IT_TMP/done" \
	--release "$IT_TMP/release" --max-secs 50 >"$IT_TMP/hold2.out" 2>&1 &
HOLD=$!
wait_until 10 grep -q '^connected' "$IT_TMP/hold2.out" || it_fail "mbuf_hold.py: $(cat "$IT_TMP/hold2.out")"
for steps in $(seq 8 8 192); do # 192 steps of 16 KiB over about 2.5 s
	echo "$steps" >"$IT_TMP/steps"
	sleep 0.1
done
# shellcheck disable=SC2317 # called by wait_until
pool_low_drops() { scrape over && [ "$(metric over 'tern_drops_total{reason="tcp_rcv_pool_low"}')" -gt 0 ]; }
wait_until 10 pool_low_drops || it_fail "no tcp_rcv_pool_low drop after 192 steps (free $(metric over tern_mbufs_free); established $(metric over tern_established); mbuf_hold.py: $(tr "\n" " " <"$IT_TMP/hold2.out"))"
over_free=$(metric over tern_mbufs_free)
[ "$over_free" -gt 0 ] || it_fail "the pool ran dry: $over_free free"
it_log "past the mark: $over_free of 1024 free, tcp_rcv_pool_low $(metric over 'tern_drops_total{reason="tcp_rcv_pool_low"}')"
touch "$IT_TMP/release"
wait_until 5 grep -q '^released' "$IT_TMP/hold2.out" || it_fail "mbuf_hold.py did not release"
wait_until 10 back || it_fail "RSTs lost with the pool low: established $(metric back tern_established), free $(metric back tern_mbufs_free)"
[ "$(metric back tern_mbufs_free)" = 1024 ] || it_fail "after the RSTs only $(metric back tern_mbufs_free) of 1024 mbufs free"
it_log "released again: the RSTs arrived, $(metric back tern_mbufs_free) free"
hold_stop
tern_stop
it_pass

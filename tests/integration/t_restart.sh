#!/bin/bash
# A tern-proxy restart that the backend does not notice (issue 14; docs/TCP.md "Restarts"):
# clients in the peer namespace fetch through tern-proxy from nginx in the same namespace,
# with "Connection: close", so nginx closes first and Linux holds TIME_WAIT for every
# backend 4-tuple tern used. tern-proxy's backend side has 16 4-tuples (8 local addresses x
# 2 ports), so every new process reuses tuples that Linux still holds. Each scenario:
# process 1 makes 32 connections (every tuple twice: Linux takes its own process's SYNs,
# newer timestamps), then a restarted process makes 16 at once (every tuple again). For
# each restart the test counts the requests slower than 0.8 s, tern's tcp_syn_sent_bad
# drops (Linux answered the SYN with the old connection's ACK: tern sends a RST and the SYN
# again 1 s later), and Linux's TcpExtPAWS* counters (SYNs refused by PAWS in TIME_WAIT).
#   with --key-file (the same file for every process), two restarts: none of them;
#   without (a random key per process, the old behaviour): some are delayed, by about 1 s
#   (8 address pairs, each with its own timestamp clock, each older with even odds: none
#   delayed is 1 in 256, and then a second restart is tried), so the test can fail.
# af_packet only, about 15 s.
# usage: t_restart.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin restart "${1:-}"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
PROXY=$TERN_BUILD/apps/tern-proxy/tern-proxy
[ -x "$PROXY" ] || it_fail "tern-proxy not built: $PROXY"
command -v curl >/dev/null || it_fail "curl not installed"
lab_up

# A backend port on which the peer holds no TIME_WAIT (a run of this test in the last 60 s
# leaves some on its port): the first process's SYNs then all pass.
peer_tw() { ip netns exec "$TERNLAB_NS_P" ss -Htan state time-wait "( sport = :$1 )" | wc -l; }
be_port=
for p in $(seq 8190 8199); do
	if [ "$(peer_tw "$p")" -eq 0 ] && ! peer_port_listening "$p"; then be_port=$p; break; fi
done
[ -n "$be_port" ] || it_fail "every port 8190-8199 has TIME_WAIT in the peer (a run in the last minute?)"
mkdir -p "$IT_TMP/www"
head -c 2000 /dev/urandom >"$IT_TMP/www/f2k"
ngx_start "$IT_TMP/www" "$be_port"
keydir=$(mktemp -d "$IT_TMP/keys-XXXXXX") # mode 0700
key=$keydir/isn.key

# TcpExt counters of PAWS refusals in the peer (their sum; the names vary by kernel).
paws_sum() {
	ip netns exec "$TERNLAB_NS_P" cat /proc/net/netstat | awk '
		$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == "TcpExt:" && h { for (i = 2; i <= NF; i++) if (n[i] ~ /^PAWS/) s += $i }
		END { print s + 0 }'
}

# fetch N: N curls at once through the proxy; $IT_TMP/times gets one time_total each.
fetch() {
	local n=$1 pids=()
	: >"$IT_TMP/times"
	for _ in $(seq 1 "$n"); do
		ip netns exec "$TERNLAB_NS_P" timeout 10 curl -s -o /dev/null -H 'Connection: close' \
			--max-time 8 -w '%{http_code} %{time_total}\n' \
			"http://$TERNLAB_TERN_IP:80/f2k" >>"$IT_TMP/times" 2>/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	[ "$(grep -c '^200 ' "$IT_TMP/times")" -eq "$n" ] ||
		it_fail "not every request answered 200: $(sort "$IT_TMP/times" | uniq -c | head -n 5 | tr '\n' ' ')"
}

# proc NAME RANGE [--key-file FILE]: one tern-proxy process on 16 backend 4-tuples: 8 local
# addresses (--ip and 7 --src-ip) x the 2 ports of RANGE. The timestamp clock is per address
# pair, so these are 8 independent clocks toward the backend.
base=${TERNLAB_TERN_IP%.*}
srcs=$base.101,$base.102,$base.103,$base.104,$base.105,$base.106,$base.107
proc() {
	local name=$1 range=$2
	shift 2
	it_log "$name"
	TERN_ECHO=$PROXY tern_start 80 --backend "$TERNLAB_PEER_IP:$be_port" --port-range "$range" \
		--src-ip "$srcs" --stats-interval 0 "$@"
}

# scenario NAME RANGE RESTARTS STOP [--key-file FILE]: process 1 makes 32 connections (each
# tuple twice); then up to RESTARTS times a new process makes 16 at once (each tuple once),
# stopping after the first restart with a delay when STOP is 1. Sets SLOW, BAD, PAWS (sums
# over the restarts), MAXT (slowest request) and RUNS (restarts made).
scenario() {
	local name=$1 range=$2 restarts=$3 stop=$4 p0 r slow bad paws
	shift 4
	SLOW=0 BAD=0 PAWS=0 MAXT=0 RUNS=0
	proc "$name.1" "$range" "$@"
	fetch 16
	fetch 16
	it_log "$name: process 1: 32 requests; the peer holds $(peer_tw "$be_port") TIME_WAIT on :$be_port"
	tern_stop
	for r in $(seq 2 $((restarts + 1))); do
		p0=$(paws_sum)
		proc "$name.$r" "$range" "$@"
		fetch 16
		slow=$(awk '$2 > 0.8' "$IT_TMP/times" | wc -l)
		MAXT=$(awk -v m="$MAXT" '$2 > m { m = $2 } END { print m + 0 }' "$IT_TMP/times")
		bad=$(tel_num /tern/drops tcp_syn_sent_bad)
		tern_stop
		paws=$(($(paws_sum) - p0))
		SLOW=$((SLOW + slow)) BAD=$((BAD + bad)) PAWS=$((PAWS + paws)) RUNS=$((RUNS + 1))
		it_log "$name: process $r: 16 requests, $slow slower than 0.8 s, tern's SYNs answered by a TIME_WAIT ACK (tcp_syn_sent_bad) $bad, Linux PAWS refusals $paws"
		[ "$stop" = 0 ] || [ "$slow" -eq 0 ] || break
	done
}

scenario with_key 41000-41001 2 0 --key-file "$key"
grep -q "ISN and timestamp key made in $key" "$IT_TMP/tern-echo.1.log" ||
	it_fail "process 1 did not say it made the key file"
grep -q "ISN and timestamp key from $key" "$IT_TMP/tern-echo.2.log" ||
	it_fail "process 2 did not say it read the key file"
[ "$(stat -c %a "$key")" = 600 ] || it_fail "key file mode $(stat -c %a "$key"), want 600"
k_slow=$SLOW k_bad=$BAD k_paws=$PAWS k_max=$MAXT

# Without a key each restart draws 8 new clocks, each older than the last one with even
# odds: no delay at all is 1 in 256 a restart; a second restart is tried then.
scenario without_key 41100-41101 2 1
if [ "$k_slow" -ne 0 ] || [ "$k_bad" -ne 0 ] || [ "$k_paws" -ne 0 ]; then
	it_fail "with --key-file the backend noticed the restarts: $k_slow slow (slowest $k_max s), $k_bad SYNs answered by TIME_WAIT, $k_paws PAWS refusals"
fi
if [ "$SLOW" -eq 0 ] || [ "$BAD" -eq 0 ]; then
	it_fail "without --key-file no connection was delayed in $RUNS restarts ($SLOW slow, $BAD SYNs answered by TIME_WAIT): the test shows nothing"
fi
it_log "summary: with the key file 0/32 requests delayed over 2 restarts (slowest $k_max s, PAWS refusals $k_paws); without it $SLOW/$((RUNS * 16)) delayed after $RUNS restart(s) (slowest $MAXT s, PAWS refusals $PAWS)"
it_pass

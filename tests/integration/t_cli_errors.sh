#!/bin/bash
# tern-echo's, tern-http's and tern-proxy's answers to bad input and misconfiguration: each
# case must exit with the documented status and one readable line naming the problem - never
# a crash.
# Needs no lab: a private namespace with only `lo` gives af_packet an interface.
# Prints "PASS cli_<case>" / "FAIL cli_<case>: why" lines and "N passed, N failed".
# usage: t_cli_errors.sh [BUILD_DIR | MODE]  (run.sh passes a mode, which changes nothing here;
# the last line is then "PASS cli_errors" or "FAIL cli_errors: N failed")
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "${1:-}" in af_packet | tap | virtio-user) set -- ;; esac
build=${1:-${TERN_BUILD:-$top/build}}
echo_bin=$build/apps/tern-echo/tern-echo
http_bin=$build/apps/tern-http/tern-http
proxy_bin=$build/apps/tern-proxy/tern-proxy
bin=$echo_bin
ns=terncli-$$
passed=0
failed=0
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf /var/run/dpdk/terncli-$$-* 2>/dev/null
}
trap cleanup EXIT
ip netns add "$ns" && ip -n "$ns" link set lo up || { echo "FAIL cli: cannot make a namespace"; exit 1; }

n=0
# check NAME WANT_STATUS REGEX -- args... (of $bin: tern-echo, then tern-http, tern-proxy)
check() {
	local name=$1 want=$2 re=$3 out rc
	shift 4
	n=$((n + 1))
	out=$(timeout 30 ip netns exec "$ns" "$bin" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL cli_$name: exit status $rc, want $want; output: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		failed=$((failed + 1))
	elif echo "$out" | grep -qE 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer'; then
		# (built with sanitizers: a report is a failure even when the status is right)
		echo "FAIL cli_$name: sanitizer report: $(echo "$out" | grep -m1 -E 'runtime error:|ERROR: [A-Za-z]+Sanitizer')"
		failed=$((failed + 1))
	elif ! echo "$out" | grep -qE "$re"; then
		echo "FAIL cli_$name: no line matching /$re/; output: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
		failed=$((failed + 1))
	else
		echo "PASS cli_$name: $(echo "$out" | grep -E "$re" | head -n 1)"
		passed=$((passed + 1))
	fi
}
# wait_for LOG REGEX [PID]: up to 20 s for a line matching REGEX in LOG (sooner fails when
# PID has ended)
wait_for() {
	for _ in $(seq 1 40); do
		grep -qE "$2" "$1" && return 0
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}
# bg_verdict NAME LOG REGEX PID: PASS when LOG has a line matching REGEX and no sanitizer
# report; then PID is stopped and LOG removed
# pass_fail NAME STATUS DETAIL: a PASS (STATUS 0) or FAIL line
pass_fail() {
	if [ "$2" = 0 ]; then
		echo "PASS cli_$1: $3"
		passed=$((passed + 1))
	else
		echo "FAIL cli_$1: $3"
		failed=$((failed + 1))
	fi
}
bg_verdict() {
	local name=$1 log=$2 re=$3 pid=$4
	if grep -qE "$re" "$log" && ! grep -qE 'runtime error:|ERROR: AddressSanitizer' "$log"; then
		pass_fail "$name" 0 "$(grep -m1 -E "$re" "$log")"
	else
		pass_fail "$name" 1 "no line matching /$re/ (or a sanitizer report); output: $(tail -n 3 "$log" | tr '\n' ' ')"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$log"
}
# check_ready NAME REGEX -- args...: $bin starts and prints a line matching REGEX within 20 s
check_ready() {
	local name=$1 re=$2 log pid
	shift 3
	n=$((n + 1))
	log=$(mktemp /tmp/terncli-ready-XXXXXX)
	timeout 30 ip netns exec "$ns" "$bin" "$@" >"$log" 2>&1 &
	pid=$!
	wait_for "$log" "$re" "$pid"
	bg_verdict "$name" "$log" "$re" "$pid"
}
# check_reload NAME NEW_CONTENT REGEX -- args...: $bin started with --config $cfgdir/live.conf
# (listen 80, one backend); once ready the file becomes NEW_CONTENT (printf format; DIR: a
# directory) and it gets a SIGHUP: a line matching REGEX must follow within 20 s.
check_reload() {
	local name=$1 content=$2 re=$3 log pid
	shift 4
	n=$((n + 1))
	rm -rf "$cfgdir/live.conf"
	printf 'listen 80\nbackend 198.18.0.2:80\n' >"$cfgdir/live.conf"
	log=$(mktemp /tmp/terncli-reload-XXXXXX)
	timeout 50 ip netns exec "$ns" "$bin" "$@" --config "$cfgdir/live.conf" >"$log" 2>&1 &
	pid=$!
	wait_for "$log" 'ready:' "$pid"
	if [ "$content" = DIR ]; then # the file becomes a directory
		rm -f "$cfgdir/live.conf" && mkdir "$cfgdir/live.conf"
	else
		# shellcheck disable=SC2059 # the content is a format
		printf "$content" >"$cfgdir/live.conf"
	fi
	pkill -HUP -f -- "--config $cfgdir/live.conf" 2>/dev/null
	wait_for "$log" "$re" "$pid"
	bg_verdict "$name" "$log" "$re" "$pid"
}
eal() { echo "--no-huge -m ${2:-256} --no-pci --file-prefix terncli-$$-$1 -l 0"; }
vdev="--vdev net_af_packet0,iface=lo"

# shellcheck disable=SC2046
{
check help 0 '^Usage: tern-echo' -- --help
check no_ip 2 '^tern-echo: --ip A.B.C.D/LEN is required' -- $(eal a) $vdev -- --listen 7
check bad_ip 2 "^tern-echo: --ip '1.2.3/24'" -- $(eal b) $vdev -- --ip 1.2.3/24 --listen 7
check bad_prefix 2 'prefix length must be 1..32' -- $(eal c) $vdev -- --ip 10.0.0.1/33 --listen 7
check no_listen 2 '^tern-echo: --listen PORT is required' -- $(eal d) $vdev -- --ip 198.18.0.1/24
check bad_port 2 "^tern-echo: --listen '70000'" -- $(eal e) $vdev -- --ip 198.18.0.1/24 --listen 70000
check unknown_opt 2 "^tern-echo: unknown option '--bogus'" -- $(eal f) $vdev -- --ip 198.18.0.1/24 --listen 7 --bogus
check missing_value 2 "needs a value" -- $(eal g) $vdev -- --ip 198.18.0.1/24 --listen
check bad_msl 2 "^tern-echo: --msl 'abc'" -- $(eal h) $vdev -- --ip 198.18.0.1/24 --listen 7 --msl abc
check no_port 2 '^tern-echo: no DPDK port' -- $(eal i) -- --ip 198.18.0.1/24 --listen 7
check bad_vdev 2 '^tern-echo: no DPDK port: the --vdev device did not probe' -- $(eal j) --vdev net_af_packet0,iface=nosuchif0 -- --ip 198.18.0.1/24 --listen 7
check lcores_gt_queues 1 'use fewer lcores' -- --no-huge -m 256 --no-pci --file-prefix terncli-$$-k --lcores 0@0,1@0,2@0 $vdev -- --ip 198.18.0.1/24 --listen 7
check no_memory 1 '^tern-echo: cannot allocate [0-9]+ mbufs' -- $(eal l 64) $vdev -- --ip 198.18.0.1/24 --listen 7 --mbufs 400000
check bad_cc 2 "^tern-echo: --cc 'vegas': unknown algorithm \\(have: cubic, newreno\\)" -- $(eal m) $vdev -- --ip 198.18.0.1/24 --listen 7 --cc vegas
check bad_delack 2 "^tern-echo: --delack-ms '600': expected 0..500" -- $(eal n) $vdev -- --ip 198.18.0.1/24 --listen 7 --delack-ms 600
check bad_keepalive 2 "^tern-echo: --keepalive '10,20': expected IDLE_MS,INTERVAL_MS,PROBES" -- $(eal o) $vdev -- --ip 198.18.0.1/24 --listen 7 --keepalive 10,20
check bad_rcvbuf 2 "^tern-echo: --rcvbuf '12': expected bytes" -- $(eal p) $vdev -- --ip 198.18.0.1/24 --listen 7 --rcvbuf 12
check bad_syncookies 2 "^tern-echo: --syncookies 'yes': expected auto, always or off" -- $(eal q) $vdev -- --ip 198.18.0.1/24 --listen 7 --syncookies yes
check bad_synq_size 2 "^tern-echo: --synq-size '0': expected 1..16777216" -- $(eal r) $vdev -- --ip 198.18.0.1/24 --listen 7 --synq-size 0
check bad_syn_retries 2 "^tern-echo: --syn-retries '11': expected 1..10" -- $(eal s) $vdev -- --ip 198.18.0.1/24 --listen 7 --syn-retries 11
check synq_no_memory 1 "^tern-echo: engine 0: out of memory .*--synq-size / --max-tw" -- $(eal t) $vdev -- --ip 198.18.0.1/24 --listen 7 --synq-size 16777216
check bad_tw_reuse 2 "^tern-echo: --tw-reuse 'yes': expected on or off" -- $(eal u) $vdev -- --ip 198.18.0.1/24 --listen 7 --tw-reuse yes
check bad_tw_reuse_delay 2 "^tern-echo: --tw-reuse-delay '0': expected milliseconds, 1..3600000" -- $(eal v) $vdev -- --ip 198.18.0.1/24 --listen 7 --tw-reuse-delay 0
check bad_max_tw 2 "^tern-echo: --max-tw '-1': expected 1..16777216" -- $(eal w) $vdev -- --ip 198.18.0.1/24 --listen 7 --max-tw -1
check bad_port_range 2 "^tern-echo: --port-range '5000': expected LO-HI with 1 <= LO <= HI <= 65535" -- $(eal pr1) $vdev -- --ip 198.18.0.1/24 --listen 7 --port-range 5000
check port_range_reversed 2 "^tern-echo: --port-range '6000-5000': expected LO-HI" -- $(eal pr2) $vdev -- --ip 198.18.0.1/24 --listen 7 --port-range 6000-5000
check port_range_too_small 2 "^tern-echo: --port-range 40000-40000: 1 port for 2 engines; each engine needs a share" -- --no-huge -m 256 --no-pci --file-prefix terncli-$$-pr3 --lcores 0@0,1@0,2@0 --vdev net_af_packet0,iface=lo,qpairs=2 -- --ip 198.18.0.1/24 --listen 7 --port-range 40000-40000
check bad_src_ip 2 "^tern-echo: --src-ip '198.18.0.3,1.2.3': '1.2.3' is not a unicast IPv4 address" -- $(eal si1) $vdev -- --ip 198.18.0.1/24 --listen 7 --src-ip 198.18.0.3,1.2.3
check src_ip_is_ip 2 "^tern-echo: --src-ip: 198.18.0.1 is already the --ip address" -- $(eal si2) $vdev -- --ip 198.18.0.1/24 --listen 7 --src-ip 198.18.0.1
check src_ip_twice 2 "^tern-echo: --src-ip '198.18.0.3,198.18.0.3': '198.18.0.3' given twice" -- $(eal si3) $vdev -- --ip 198.18.0.1/24 --listen 7 --src-ip 198.18.0.3,198.18.0.3
check bad_ip6 2 "^tern-echo: --ip '2001:2::zz/64': '2001:2::zz' is not an IPv6 address" -- $(eal v6a) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::zz/64 --listen 7
check bad_prefix6 2 "^tern-echo: --ip '2001:2::1/129': IPv6 prefix length must be 1..128" -- $(eal v6b) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/129 --listen 7
check ip6_linklocal 2 "^tern-echo: --ip 'fe80::1/64': expected a unicast IPv6 address that is not link-local" -- $(eal v6c) $vdev -- --ip 198.18.0.1/24 --ip fe80::1/64 --listen 7
check ip6_twice 2 "^tern-echo: --ip '2001:2::3/64': an IPv6 address was given already" -- $(eal v6d) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/64 --ip 2001:2::3/64 --listen 7
check ip4_twice 2 "^tern-echo: --ip '198.18.0.3/24': an IPv4 address was given already" -- $(eal v6e) $vdev -- --ip 198.18.0.1/24 --ip 198.18.0.3/24 --listen 7
check gw6_no_ip6 2 "^tern-echo: --gw: an IPv6 gateway needs an IPv6 --ip" -- $(eal v6f) $vdev -- --ip 198.18.0.1/24 --gw 2001:2::2 --listen 7
check bad_gw6 2 "^tern-echo: --gw 'ff02::1' is not a unicast IPv6 address" -- $(eal v6g) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/64 --gw ff02::1 --listen 7
check ip6_only 2 '^tern-echo: --ip A.B.C.D/LEN is required' -- $(eal v6h) $vdev -- --ip 2001:2::1/64 --listen 7

bin=$http_bin
ip="--ip 198.18.0.1/24"
check http_help 0 '^Usage: tern-http' -- --help
check http_no_body 2 '^tern-http: --body-size BYTES is required' -- $(eal ha) $vdev -- $ip --listen 80
check http_bad_body 2 "^tern-http: --body-size '-5': expected bytes" -- $(eal hb) $vdev -- $ip --listen 80 --body-size -5
check http_big_body 2 "^tern-http: --body-size '2000000000000': expected bytes, 0..1099511627776" -- $(eal hc) $vdev -- $ip --listen 80 --body-size 2000000000000
check http_no_listen 2 '^tern-http: --listen PORT is required' -- $(eal hd) $vdev -- $ip --body-size 10
check http_bad_header 2 "^tern-http: --max-header '100': expected bytes, 256..1048576" -- $(eal he) $vdev -- $ip --listen 80 --body-size 10 --max-header 100
check http_unknown 2 "^tern-http: unknown option '--backend'" -- $(eal hf) $vdev -- $ip --listen 80 --body-size 10 --backend 1.2.3.4:5

bin=$proxy_bin
be="--backend 198.18.0.2:80"
check proxy_help 0 '^Usage: tern-proxy' -- --help
check proxy_no_backend 2 '^tern-proxy: --backend IP:PORT\[,IP:PORT...\] is required' -- $(eal pa) $vdev -- $ip --listen 80
check proxy_empty_list 2 "^tern-proxy: --backend '': empty list" -- $(eal pb) $vdev -- $ip --listen 80 --backend ''
check proxy_empty_entry 2 "^tern-proxy: --backend '198.18.0.2:80,': empty entry" -- $(eal pc) $vdev -- $ip --listen 80 --backend 198.18.0.2:80,
check proxy_bad_ip 2 "^tern-proxy: --backend '198.18.0:80': '198.18.0' is not an IPv4 address" -- $(eal pd) $vdev -- $ip --listen 80 --backend 198.18.0:80
check proxy_no_port 2 "^tern-proxy: --backend '198.18.0.2': '198.18.0.2' is not IP:PORT" -- $(eal pe) $vdev -- $ip --listen 80 --backend 198.18.0.2
check proxy_bad_port 2 "^tern-proxy: --backend '198.18.0.2:70000': port '70000' is not 1..65535" -- $(eal pf) $vdev -- $ip --listen 80 --backend 198.18.0.2:70000
check proxy_port0 2 "port '0' is not 1..65535" -- $(eal pg) $vdev -- $ip --listen 80 --backend 198.18.0.2:0
check proxy_duplicate 2 "^tern-proxy: --backend '198.18.0.2:80,198.18.0.3:80,198.18.0.2:80': 198.18.0.2:80 given twice" -- $(eal ph) $vdev -- $ip --listen 80 --backend 198.18.0.2:80,198.18.0.3:80,198.18.0.2:80
check proxy_duplicate_opts 2 "198.18.0.2:80 given twice" -- $(eal pi) $vdev -- $ip --listen 80 $be $be
check proxy_own_ip 2 "^tern-proxy: --backend 198.18.0.1:80: that is our own address" -- $(eal pj) $vdev -- $ip --listen 80 --backend 198.18.0.1:80
check proxy_v6_needs_ip6 2 "^tern-proxy: --backend \[2001:2::9\]:80: an IPv6 backend needs an IPv6 --ip" -- $(eal pv1) $vdev -- $ip --listen 80 --backend '[2001:2::9]:80'
check proxy_v6_bad 2 "^tern-proxy: --backend '\[2001:2::zz\]:80': '\[2001:2::zz\]' is not an IPv4 address or a bracketed IPv6" -- $(eal pv2) $vdev -- $ip --listen 80 --backend '[2001:2::zz]:80'
check proxy_v6_unbracketed 2 "^tern-proxy: --backend '2001:2::9:80': '2001:2::9' is not an IPv4 address" -- $(eal pv3) $vdev -- $ip --listen 80 --backend 2001:2::9:80
check proxy_off_link 2 "^tern-proxy: --backend 10.1.1.1:80: not on-link for --ip and no --gw" -- $(eal pk) $vdev -- $ip --listen 80 --backend 10.1.1.1:80
check proxy_bad_lb 2 "^tern-proxy: --lb 'random': expected rr, least-conn or maglev" -- $(eal pl) $vdev -- $ip --listen 80 $be --lb random
check proxy_bad_connect_timeout 2 "^tern-proxy: --connect-timeout '0': expected milliseconds, 1..600000" -- $(eal pm) $vdev -- $ip --listen 80 $be --connect-timeout 0
check proxy_bad_idle 2 "^tern-proxy: --idle-timeout '1d': expected seconds, 0..86400" -- $(eal pn) $vdev -- $ip --listen 80 $be --idle-timeout 1d
check proxy_bad_retry 2 "^tern-proxy: --retry-down '0': expected seconds, 1..3600" -- $(eal po) $vdev -- $ip --listen 80 $be --retry-down 0
check proxy_bad_buffer 2 "^tern-proxy: --buffer '100': expected bytes, 2048..1073741824" -- $(eal pp) $vdev -- $ip --listen 80 $be --buffer 100
check proxy_no_listen 2 '^tern-proxy: --listen PORT is required' -- $(eal pq) $vdev -- $ip $be
check proxy_bad_pp 2 "^tern-proxy: --proxy-protocol 'v3': expected v1, v2 or none" -- $(eal pr) $vdev -- $ip --listen 80 $be --proxy-protocol v3
check proxy_bad_pp_backend 2 "^tern-proxy: --backend '198.18.0.2:80/V2': '/V2' is not /v1, /v2 or /none" -- $(eal ps) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/V2
check proxy_empty_pp_backend 2 "^tern-proxy: --backend '198.18.0.2:80/': '/' is not /v1" -- $(eal pt) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/
check proxy_weight0 2 "^tern-proxy: --backend '198.18.0.2:80/weight=0': '/weight=0' is not /weight=1..100" -- $(eal pu) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/weight=0
check proxy_weight_big 2 "'/weight=101' is not /weight=1..100" -- $(eal pv) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/v1/weight=101
check proxy_weight_twice 2 "^tern-proxy: --backend '198.18.0.2:80/weight=2/weight=3': /weight given twice" -- $(eal pw) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/weight=2/weight=3
check proxy_pp_twice 2 "'/v2' is not /v1, /v2 or /none \(PROXY protocol\) nor /weight=N" -- $(eal px) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/v1/v2
check proxy_bad_health 2 "^tern-proxy: --health-check 'udp': expected tcp, http:/PATH\[=STATUS\] or none" -- $(eal qf) $vdev -- $ip --listen 80 $be --health-check udp
check proxy_bad_health_status 2 "^tern-proxy: --health-check 'http:/x=99': status '99' is not 100..599" -- $(eal qg) $vdev -- $ip --listen 80 $be --health-check http:/x=99
check proxy_bad_health_path 2 "^tern-proxy: --health-check 'http:x': the path must start with /" -- $(eal qh) $vdev -- $ip --listen 80 $be --health-check http:x
check proxy_bad_health_interval 2 "^tern-proxy: --health-interval '50': expected milliseconds, 100..3600000" -- $(eal qi) $vdev -- $ip --listen 80 $be --health-interval 50
check proxy_bad_health_rise 2 "^tern-proxy: --health-rise '0': expected 1..100" -- $(eal qj) $vdev -- $ip --listen 80 $be --health-rise 0
check proxy_bad_drain 2 "^tern-proxy: --drain-timeout '-1': expected seconds, 0..86400" -- $(eal qk) $vdev -- $ip --listen 80 $be --drain-timeout -1
check proxy_bad_allow 2 "^tern-proxy: --allow '10.0.0.0/33': '10.0.0.0/33' is not A.B.C.D or A.B.C.D/LEN \(0..32\), nor X:X::X or X:X::X/LEN \(0..128\)" -- $(eal sa) $vdev -- $ip --listen 80 $be --allow 10.0.0.0/33
check proxy_bad_deny6 2 "^tern-proxy: --deny '2001:db8::/129': '2001:db8::/129' is not A.B.C.D" -- $(eal sx6) $vdev -- $ip --listen 80 $be --deny 2001:db8::/129
check proxy_bad_deny 2 "^tern-proxy: --deny '10.0.0.1,,10.0.0.2': empty or overlong entry" -- $(eal sb) $vdev -- $ip --listen 80 $be --deny 10.0.0.1,,10.0.0.2
check proxy_empty_allow 2 "^tern-proxy: --allow '': empty list" -- $(eal sc) $vdev -- $ip --listen 80 $be --allow ''
check proxy_bad_limit 2 "^tern-proxy: --max-per-client '0': expected 1..1000000" -- $(eal sd) $vdev -- $ip --listen 80 $be --max-per-client 0
# --config FILE: the same checks, with FILE:LINE in front; the command line's errors as usual
cfgdir=$(mktemp -d /tmp/terncli-cfg-XXXXXX)
trap 'cleanup; rm -rf "$cfgdir"' EXIT
printf '# ok so far\nlisten 80\n\nbackend 198.18.0.2:80\nbogus 1\n' >"$cfgdir/unknown.conf"
printf 'backend 198.18.0.2:80,198.18.0.3:80/v3\n' >"$cfgdir/badbe.conf"
printf 'listen\n' >"$cfgdir/novalue.conf"
printf '  --no-sack 1\n' >"$cfgdir/flagvalue.conf"
printf 'msl abc\n' >"$cfgdir/common.conf"
printf 'backend 198.18.0.2:80\nbackend 198.18.0.2:80\n' >"$cfgdir/twice.conf"
printf 'config %s\n' "$cfgdir/twice.conf" >"$cfgdir/nested.conf"
printf 'listen 80\nbackend 198.18.0.2:80\n' >"$cfgdir/good.conf"
printf 'ip 198.18.0.1/24\nlisten 80\nbackend 198.18.0.2:80\n' >"$cfgdir/withip.conf"
check proxy_cfg_missing 2 "^tern-proxy: --config '$cfgdir/none.conf': No such file or directory" -- $(eal ra) $vdev -- $ip --config "$cfgdir/none.conf"
check proxy_cfg_unknown 2 "^tern-proxy: $cfgdir/unknown.conf:5: 'bogus' is not an option of tern-proxy" -- $(eal rb) $vdev -- $ip --config "$cfgdir/unknown.conf"
check proxy_cfg_bad_backend 2 "^tern-proxy: $cfgdir/badbe.conf:1: --backend '198.18.0.2:80,198.18.0.3:80/v3': '/v3' is not" -- $(eal rc) $vdev -- $ip --config "$cfgdir/badbe.conf"
check proxy_cfg_no_value 2 "^tern-proxy: $cfgdir/novalue.conf:1: 'listen' needs a value" -- $(eal rd) $vdev -- $ip --config "$cfgdir/novalue.conf"
check proxy_cfg_flag_value 2 "^tern-proxy: $cfgdir/flagvalue.conf:1: 'no-sack' takes no value" -- $(eal re) $vdev -- $ip --config "$cfgdir/flagvalue.conf"
check proxy_cfg_common 2 "^tern-proxy: $cfgdir/common.conf:1: --msl 'abc': expected milliseconds" -- $(eal rf) $vdev -- $ip --config "$cfgdir/common.conf"
check proxy_cfg_twice 2 "^tern-proxy: $cfgdir/twice.conf:2: --backend '198.18.0.2:80': 198.18.0.2:80 given twice" -- $(eal rg) $vdev -- $ip --config "$cfgdir/twice.conf"
check proxy_cfg_nested 2 "^tern-proxy: $cfgdir/nested.conf:1: 'config' is not an option of tern-proxy" -- $(eal rh) $vdev -- $ip --config "$cfgdir/nested.conf"
check proxy_cfg_cli_wins 2 "^tern-proxy: --connect-timeout '0'" -- $(eal ri) $vdev -- $ip --config "$cfgdir/good.conf" --connect-timeout 0
check proxy_cfg_ip_from_file 2 "^tern-proxy: --backend 10.1.1.1:80: not on-link" -- $(eal rk) $vdev -- --config "$cfgdir/withip.conf" --backend 10.1.1.1:80
check proxy_cfg_cli_backend 2 "^tern-proxy: --backend 10.1.1.1:80: not on-link" -- $(eal rj) $vdev -- $ip --config "$cfgdir/good.conf" --backend 10.1.1.1:80
# The file is read whole and kept: options that keep their value (cc, key-file) keep it
# past the line (they pointed into a reused line buffer). A file that does not read (a
# directory), has a NUL byte or control bytes in a name; --config abbreviated or given twice
# (getopt took them, the file went unread).
printf 'cc newreno\nlisten 80\nbackend 198.18.0.2:80\n' >"$cfgdir/cc.conf"
printf 'listen 80\nbackend 198.18.0.2:80\0,198.18.0.3:80\n' >"$cfgdir/nul.conf"
printf 'listen 80\n\001\033[31mred\n' >"$cfgdir/ctrl.conf"
mkdir "$cfgdir/adir"
mkfifo "$cfgdir/fifo"
printf 'listen 80\nbackend 198.18.0.2:80\nlb \033[31mred\n' >"$cfgdir/ctrlval.conf"
{ echo 'listen 80'; head -c 1100000 /dev/zero | tr '\0' '#'; echo; } >"$cfgdir/huge.conf"
check_ready proxy_cfg_cc_kept 'engine 0 ready|ready:' -- $(eal rl) $vdev -- $ip --config "$cfgdir/cc.conf"
check proxy_cfg_dir 2 "^tern-proxy: --config '$cfgdir/adir': Is a directory" -- $(eal rm) $vdev -- $ip --config "$cfgdir/adir"
check proxy_cfg_huge 2 "^tern-proxy: --config '$cfgdir/huge.conf': longer than 1048576 bytes" -- $(eal rx) $vdev -- $ip --config "$cfgdir/huge.conf"
check proxy_cfg_fifo 2 "^tern-proxy: --config '$cfgdir/fifo': not a regular file" -- $(eal ry) $vdev -- $ip --config "$cfgdir/fifo"
check proxy_cfg_ctrl_value 2 "^tern-proxy: $cfgdir/ctrlval.conf:3: --lb '\\\\x1b\\[31mred': expected rr" -- $(eal rz) $vdev -- $ip --config "$cfgdir/ctrlval.conf"
check proxy_cfg_nul 2 "^tern-proxy: --config '$cfgdir/nul.conf': line 2: a NUL byte" -- $(eal rn) $vdev -- $ip --config "$cfgdir/nul.conf"
check proxy_cfg_ctrl 2 "^tern-proxy: $cfgdir/ctrl.conf:2: '\\\\x01\\\\x1b\\[31mred' is not an option" -- $(eal ro) $vdev -- $ip --config "$cfgdir/ctrl.conf"
check proxy_cfg_abbrev 2 "^tern-proxy: --config '$cfgdir/common.conf': give one --config FILE, spelled out" -- $(eal rp) $vdev -- $ip --conf "$cfgdir/common.conf" --listen 80 $be
check proxy_cfg_two 2 "^tern-proxy: --config '$cfgdir/common.conf': give one --config FILE, spelled out" -- $(eal rq) $vdev -- $ip --config "$cfgdir/common.conf" --config "$cfgdir/good.conf"
# SIGHUP checks the whole file as a start would: what the next start would refuse is refused
check_reload proxy_reload_ok 'listen 80\nbackend 198.18.0.2:80,198.18.0.3:80\n' '^tern-proxy: reload: pool of 2 backends \(1 added, 1 kept, 0 removed\)' -- $(eal ta) $vdev -- $ip
check_reload proxy_reload_unapplied 'listen 80\nlb maglev\nbackend 198.18.0.2:80\nconnect-timeout 500\n' '^tern-proxy: reload: changed lines not applied \(they need a restart\): lb, connect-timeout$' -- $(eal tj) $vdev -- $ip
check_reload proxy_reload_bad_listen 'listen 70000\nbackend 198.18.0.2:80\n' "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf:1: --listen '70000'" -- $(eal tb) $vdev -- $ip
check_reload proxy_reload_bad_common 'listen 80\nmsl abc\nbackend 198.18.0.2:80\n' "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf:2: --msl 'abc'" -- $(eal tc) $vdev -- $ip
check_reload proxy_reload_nul 'listen 80\nbackend 198.18.0.2:80\0,198.18.0.6:80\n' "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf: line 2: a NUL byte" -- $(eal td) $vdev -- $ip
check_reload proxy_reload_ip_twice 'ip 198.18.0.1/24\nlisten 80\nbackend 198.18.0.2:80\n' "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf with the command line: --ip '198.18.0.1/24': an IPv4 address was given already" -- $(eal tf) $vdev -- $ip --backend 198.18.0.2:80
check_reload proxy_reload_gw_off_link 'listen 80\ngw 10.9.9.9\nbackend 198.18.0.2:80\n' "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf with the command line: --gw: 10.9.9.9 is not on-link" -- $(eal th) $vdev -- $ip
check_reload proxy_reload_no_listen 'backend 198.18.0.2:80\n' "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf with the command line: --listen PORT is required" -- $(eal ti) $vdev -- $ip
check_reload proxy_reload_dir DIR "^tern-proxy: reload failed, pool unchanged: $cfgdir/live.conf: Is a directory" -- $(eal te) $vdev -- $ip
# after a reload that removed a backend, --metrics says so (tern_proxy_backend_in_pool 0)
n=$((n + 1))
rm -rf "$cfgdir/live.conf"
printf 'listen 80\nbackend 198.18.0.2:80\n' >"$cfgdir/live.conf"
mlog=$(mktemp /tmp/terncli-metrics-XXXXXX)
timeout 50 ip netns exec "$ns" "$bin" $(eal tg) $vdev -- $ip --metrics 127.0.0.1:9109 \
	--config "$cfgdir/live.conf" >"$mlog" 2>&1 &
mpid=$!
wait_for "$mlog" 'ready:' "$mpid"
printf 'listen 80\nbackend 198.18.0.3:80\n' >"$cfgdir/live.conf"
pkill -HUP -f -- "--config $cfgdir/live.conf" 2>/dev/null
wait_for "$mlog" 'reload: pool of 1 backends \(1 added, 0 kept, 1 removed\)' "$mpid"
scrape=$(ip netns exec "$ns" curl -sS -m 5 http://127.0.0.1:9109/metrics 2>&1 | grep '^tern_proxy_backend_in_pool' | tr '\n' ' ')
[[ $scrape == *'in_pool{backend="198.18.0.2:80"} 0'* && $scrape == *'in_pool{backend="198.18.0.3:80"} 1'* ]]
pass_fail proxy_reload_metrics $? "after the reload: $scrape; log: $(tail -n 1 "$mlog")"
kill "$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null
rm -f "$mlog"
# A run has 256 backend slots: 40 backends, then reloads to 64 new ones each (232 slots);
# the next 64 do not fit and are refused whole, with no slot made for any of them (24 of
# them once got slots and showed up in the final lines as "removed", never in a pool).
n=$((n + 1))
bes() { # FIRST_PORT COUNT: a file of COUNT backends from that port on
	{ echo "listen 80"; for i in $(seq 0 $(($2 - 1))); do echo "backend 198.18.0.2:$(($1 + i))"; done; } >"$cfgdir/live.conf"
}
rm -rf "$cfgdir/live.conf"
bes 9000 40
slog=$(mktemp /tmp/terncli-slots-XXXXXX)
timeout 50 ip netns exec "$ns" "$bin" $(eal tk) $vdev -- $ip --config "$cfgdir/live.conf" >"$slog" 2>&1 &
spid=$!
wait_for "$slog" 'ready:' "$spid"
for first in 9040 9104 9168 9232; do
	bes "$first" 64
	pkill -HUP -f -- "--config $cfgdir/live.conf" 2>/dev/null
	wait_for "$slog" "reload.*(198.18.0.2:$first|more than 256)" "$spid"
done
kill -INT "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
grep -q 'reload: pool of 64 backends (64 added, 0 kept, 64 removed).*198.18.0.2:9168' "$slog" &&
	grep -q 'reload failed, pool unchanged: more than 256 backends in one run' "$slog" &&
	grep -q 'backend 198.18.0.2:9231 ' "$slog" && ! grep -q '198.18.0.2:9232' "$slog"
pass_fail proxy_reload_slots $? "$(grep -m1 'more than 256' "$slog"); lines naming a refused backend: $(grep -cE '198.18.0.2:(923[2-9]|92[4-9][0-9])' "$slog")"
rm -f "$slog"
# addresses: --ip, --gw and backends a host can have
check proxy_no_ip 2 '^tern-proxy: --ip A.B.C.D/LEN is required' -- $(eal rr) $vdev -- --listen 80 $be
check proxy_be_bcast 2 "^tern-proxy: --backend 198.18.0.255:80: that is --ip's subnet's own or broadcast address" -- $(eal rs) $vdev -- $ip --listen 80 --backend 198.18.0.255:80
check proxy_be_mcast 2 "^tern-proxy: --backend '224.0.0.1:80': '224.0.0.1' is not an IPv4 address" -- $(eal rt) $vdev -- $ip --listen 80 --backend 224.0.0.1:80 --gw 198.18.0.254
check proxy_be_ll6 2 "^tern-proxy: --backend '\[fe80::2\]:80': '\[fe80::2\]' is not an IPv4 address or a bracketed IPv6" -- $(eal ru) $vdev -- $ip --ip 2001:2::1/64 --listen 80 --backend '[fe80::2]:80'
check proxy_be_mapped6 2 "'\[::ffff:198.18.0.2\]' is not an IPv4 address or a bracketed IPv6" -- $(eal rv) $vdev -- $ip --ip 2001:2::1/64 --listen 80 --backend '[::ffff:198.18.0.2]:80'
check proxy_be_off_link6 2 "^tern-proxy: --backend \[2001:3::9\]:80: not on-link for --ip and no IPv6 --gw" -- $(eal rw) $vdev -- $ip --ip 2001:2::1/64 --listen 80 --backend '[2001:3::9]:80'
bin=$echo_bin
check ip_mcast 2 "^tern-echo: --ip '224.0.0.1/24': '224.0.0.1' is not a unicast IPv4 address" -- $(eal ia) $vdev -- --ip 224.0.0.1/24 --listen 7
check ip_loopback 2 "^tern-echo: --ip '127.0.0.1/8': '127.0.0.1' is not a unicast IPv4 address" -- $(eal ib) $vdev -- --ip 127.0.0.1/8 --listen 7
check ip_subnet 2 "^tern-echo: --ip '198.18.0.0/24': that is the subnet's own address" -- $(eal ic) $vdev -- --ip 198.18.0.0/24 --listen 7
check ip_bcast 2 "^tern-echo: --ip '198.18.0.255/24': that is the subnet's broadcast address" -- $(eal id) $vdev -- --ip 198.18.0.255/24 --listen 7
check gw_zero 2 "^tern-echo: --gw '0.0.0.0' is not a unicast IPv4 address" -- $(eal ie) $vdev -- --ip 198.18.0.1/24 --gw 0.0.0.0 --listen 7
check gw_self 2 "^tern-echo: --gw: 198.18.0.1 is our own --ip address" -- $(eal if) $vdev -- --ip 198.18.0.1/24 --gw 198.18.0.1 --listen 7
check_ready gw_host_route 'ready:' -- $(eal ga) $vdev -- --ip 198.18.0.1/32 --gw 198.18.0.254 --listen 7
check gw_off_link 2 "^tern-echo: --gw: 10.1.1.1 is not on-link for --ip's /24" -- $(eal ig) $vdev -- --ip 198.18.0.1/24 --gw 10.1.1.1 --listen 7
check gw6_off_link 2 "^tern-echo: --gw: the IPv6 gateway is neither link-local nor on-link for --ip's /64" -- $(eal ih) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/64 --gw 2001:3::1 --listen 7
# numbers: digits only, no wrap-around past 2^32 or 2^64, nothing after
check port_range_wraps 2 "^tern-echo: --port-range '1000-4294968296': expected LO-HI" -- $(eal ii) $vdev -- --ip 198.18.0.1/24 --listen 7 --port-range 1000-4294968296
check keepalive_negative 2 "^tern-echo: --keepalive '-18446744073709551615,1000,3': expected IDLE_MS" -- $(eal ij) $vdev -- --ip 198.18.0.1/24 --listen 7 --keepalive -18446744073709551615,1000,3
check keepalive_trailing 2 "^tern-echo: --keepalive '1000,1000,3x': expected IDLE_MS" -- $(eal ik) $vdev -- --ip 198.18.0.1/24 --listen 7 --keepalive 1000,1000,3x
check listen_plus 2 "^tern-echo: --listen '\+80'" -- $(eal il) $vdev -- --ip 198.18.0.1/24 --listen +80
check listen_blank 2 "^tern-echo: --listen ' 80'" -- $(eal im) $vdev -- --ip 198.18.0.1/24 --listen ' 80'
# --metrics (a common option): syntax at parse time, the address when it is bound (before
# the port starts), each one line and status 2 (these run in a namespace with only lo).
bin=$echo_bin
check metrics_no_port 2 "^tern-echo: --metrics '127.0.0.1': expected IP:PORT" -- $(eal ma) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics 127.0.0.1
check metrics_bad_ip 2 "^tern-echo: --metrics 'localhost:9100': 'localhost' is not an IPv4 address" -- $(eal mb) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics localhost:9100
check metrics_port0 2 "^tern-echo: --metrics '127.0.0.1:0': port '0' is not 1..65535" -- $(eal mc) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics 127.0.0.1:0
check metrics_not_local 2 "^tern-echo: --metrics 10.9.9.9:9100: cannot listen: Cannot assign requested address" -- $(eal md) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics 10.9.9.9:9100
check bad_poll_mode 2 "^tern-echo: --poll-mode 'spin': expected busy, backoff or auto" -- $(eal qa) $vdev -- --ip 198.18.0.1/24 --listen 7 --poll-mode spin
check empty_poll_mode 2 "^tern-echo: --poll-mode '': expected busy, backoff or auto" -- $(eal qb) $vdev -- --ip 198.18.0.1/24 --listen 7 --poll-mode ''
check bad_idle_sleep 2 "^tern-echo: --idle-sleep-us '0': expected microseconds, 1..100000" -- $(eal qc) $vdev -- --ip 198.18.0.1/24 --listen 7 --idle-sleep-us 0
check big_idle_sleep 2 "^tern-echo: --idle-sleep-us '1000000': expected microseconds, 1..100000" -- $(eal qd) $vdev -- --ip 198.18.0.1/24 --listen 7 --idle-sleep-us 1000000
# --key-file (a common option): a file that is not a safe key, one line and status 2 before
# the port starts; nothing is made where it may not be.
kd=$(mktemp -d /tmp/terncli-key-XXXXXX)
printf '00112233445566778899aabbccddeeff\n' >"$kd/open.key" && chmod 644 "$kd/open.key"
printf 'hello\n' >"$kd/bad.key" && chmod 600 "$kd/bad.key"
check key_mode 2 "^tern-echo: --key-file $kd/open.key: mode 0644 lets others read or write the key" -- $(eal ka) $vdev -- --ip 198.18.0.1/24 --listen 7 --key-file "$kd/open.key"
check key_content 2 "^tern-echo: --key-file $kd/bad.key: not a key: expected 32 hex digits" -- $(eal kb) $vdev -- --ip 198.18.0.1/24 --listen 7 --key-file "$kd/bad.key"
check key_no_dir 2 "^tern-echo: --key-file $kd/none/k: directory $kd/none: No such file or directory" -- $(eal kc) $vdev -- --ip 198.18.0.1/24 --listen 7 --key-file "$kd/none/k"
chmod 777 "$kd"
check key_open_dir 2 "^tern-echo: --key-file $kd/k: directory $kd is writable by others \\(mode 0777\\)" -- $(eal kd) $vdev -- --ip 198.18.0.1/24 --listen 7 --key-file "$kd/k"
rm -rf "$kd"
bin=$http_bin
check http_bad_poll_mode 2 "^tern-http: --poll-mode 'BUSY': expected busy, backoff or auto" -- $(eal qe) $vdev -- --ip 198.18.0.1/24 --listen 80 --poll-mode BUSY
# eal-args.sh's --mac: tern's MAC on tap and virtio-user (t_ping restarts tern with it)
bin=$top/dpdk-config/eal-args.sh
check eal_stable_mac 0 '^-l 0 .*--vdev net_tap0,iface=terntap0,mac=02:74:bb:45:7f:b8$' -- tap --file-prefix terncli-$$-ea --tap terntap0
check eal_given_mac 0 ' --vdev net_tap0,iface=t1,mac=02:00:00:00:00:05$' -- tap --file-prefix terncli-$$-eb --tap t1 --mac 02:00:00:00:00:05
check eal_random_mac 0 ' --vdev net_tap0,iface=t1$' -- tap --file-prefix terncli-$$-ec --tap t1 --mac random
check eal_bad_mac 2 "^eal-args.sh: error: --mac wants xx:xx:xx:xx:xx:xx or random, not '02:00:00:00:05'" -- tap --mac 02:00:00:00:05
check eal_multicast_mac 2 '^eal-args.sh: error: --mac 01:00:5e:00:00:01 is a multicast address' -- tap --mac 01:00:5e:00:00:01
check eal_mac_af_packet 2 "^eal-args.sh: error: --mac: profile af_packet uses the interface's own MAC" -- af_packet --mac 02:00:00:00:00:01
bin=$echo_bin
}
# Nothing of ours is left running, nor any EAL run directory of ours.
n=$((n + 1))
if pgrep -f -- "--file-prefix terncli-$$-" >/dev/null; then
	echo "FAIL cli_nothing_left: $(pgrep -af -- "--file-prefix terncli-$$-" | head -n 3 | tr '\n' ' ')"
	failed=$((failed + 1))
else
	echo "PASS cli_nothing_left: no process with --file-prefix terncli-$$-"
	passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ]; then echo "PASS cli_errors"; else echo "FAIL cli_errors: $failed failed"; fi
[ "$failed" -eq 0 ]

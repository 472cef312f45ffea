#!/bin/bash
# tern-gen's answers to bad command lines: each case must exit with status 2 (bad usage)
# and one line naming the problem, never start generating. Needs no lab: a private
# namespace with only `lo`; the checks run before any port is set up.
# Prints "PASS gen_cli_<case>" / "FAIL gen_cli_<case>: why" lines and "N passed, N failed".
# usage: t_gen_cli.sh [BUILD_DIR]   (run.sh passes its mode instead: then $TERN_BUILD)
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case ${1:-} in
'' | af_packet | tap | virtio-user) build=${TERN_BUILD:-$top/build} ;;
*) build=$1 ;;
esac
gen=${TERN_GEN:-$build/apps/tern-gen/tern-gen}
ns=terngencli-$$
pfx=terngencli-$$
passed=0
failed=0
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf /var/run/dpdk/"$pfx"-* 2>/dev/null
}
trap cleanup EXIT
[ -x "$gen" ] || { echo "FAIL gen_cli: tern-gen not built: $gen"; exit 1; }
if ! ip netns add "$ns" || ! ip -n "$ns" link set lo up; then
	echo "FAIL gen_cli: cannot make a namespace"
	exit 1
fi

n=0
lcores=(-l 0) # one engine; a case may set more
# check NAME WANT_STATUS REGEX -- tern-gen options after '--' ...
check() {
	local name=$1 want=$2 re=$3 out rc
	shift 4
	n=$((n + 1))
	out=$(timeout 30 ip netns exec "$ns" "$gen" --no-huge -m 64 --no-pci --file-prefix "$pfx-$n" \
		"${lcores[@]}" --vdev net_af_packet0,iface=lo -- "$@" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL gen_cli_$name: exit status $rc, want $want; output: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		failed=$((failed + 1))
	elif ! echo "$out" | grep -qE "$re"; then
		echo "FAIL gen_cli_$name: no line matching /$re/; output: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
		failed=$((failed + 1))
	elif [ "$want" -ne 0 ] && echo "$out" | grep -q '^{'; then
		echo "FAIL gen_cli_$name: printed a summary (it should not have run)"
		failed=$((failed + 1))
	else
		echo "PASS gen_cli_$name: $(echo "$out" | grep -E "$re" | head -n 1)"
		passed=$((passed + 1))
	fi
}
ip=(--ip 198.18.0.1/24)
t=(--target 198.18.0.2:80)

if out=$(timeout 10 "$gen" --help 2>&1) && echo "$out" | grep -q '^Usage: tern-gen'; then
	echo "PASS gen_cli_help"; passed=$((passed + 1))
else
	echo "FAIL gen_cli_help: $(echo "$out" | head -n 2 | tr '\n' ' ')"; failed=$((failed + 1))
fi
check no_mode 2 '^tern-gen: --mode connect\|http\|synflood is required' -- "${ip[@]}" "${t[@]}" --rate 10 --count 5
check bad_mode 2 "^tern-gen: --mode 'flood': expected connect, http or synflood" -- "${ip[@]}" "${t[@]}" --mode flood --rate 1 --count 1
check no_target 2 '^tern-gen: --target IP:PORT is required' -- "${ip[@]}" --mode connect --rate 10 --count 5
check target_no_port 2 "^tern-gen: --target '198.18.0.2': expected A.B.C.D:PORT" -- "${ip[@]}" --target 198.18.0.2 --mode connect --rate 1 --count 1
check target_bad_ip 2 "^tern-gen: --target 'host:80': 'host' is not an IPv4 address" -- "${ip[@]}" --target host:80 --mode connect --rate 1 --count 1
check target_port0 2 "^tern-gen: --target '198.18.0.2:0': port must be 1..65535" -- "${ip[@]}" --target 198.18.0.2:0 --mode connect --rate 1 --count 1
check target_port_big 2 "^tern-gen: --target '198.18.0.2:70000': port must be 1..65535" -- "${ip[@]}" --target 198.18.0.2:70000 --mode connect --rate 1 --count 1
check target_bcast 2 "^tern-gen: --target '255.255.255.255:80': not a unicast address" -- "${ip[@]}" --target 255.255.255.255:80 --mode connect --rate 1 --count 1
check target_self 2 "^tern-gen: --target is tern's own address" -- "${ip[@]}" --target 198.18.0.1:80 --mode connect --rate 1 --count 1
check no_rate 2 '^tern-gen: --rate N is required' -- "${ip[@]}" "${t[@]}" --mode connect --count 5
check rate_negative 2 "^tern-gen: --rate '-5': expected a whole number per second" -- "${ip[@]}" "${t[@]}" --mode connect --rate -5 --count 5
check rate_text 2 "^tern-gen: --rate 'fast': expected a whole number per second" -- "${ip[@]}" "${t[@]}" --mode connect --rate fast --count 5
check rate_float 2 "^tern-gen: --rate '1.5': expected a whole number per second" -- "${ip[@]}" "${t[@]}" --mode connect --rate 1.5 --count 5
check unbounded 2 '^tern-gen: --duration S or --count N is required \(tern-gen never runs unbounded\)' -- "${ip[@]}" "${t[@]}" --mode connect --rate 10
check duration_zero 2 "^tern-gen: --duration '0': expected seconds" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --duration 0
check duration_text 2 "^tern-gen: --duration '3s': expected seconds" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --duration 3s
check count_zero 2 "^tern-gen: --count '0': expected a number >= 1" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 0
check concurrency_zero 2 "^tern-gen: --concurrency '0': expected 1..16777216" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --concurrency 0
check concurrency_gt_conns 2 '^tern-gen: --concurrency 5000 is above --max-conns \(1000\)' -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --concurrency 5000 --max-conns 1000
check bad_close 2 "^tern-gen: --close 'soft': expected fin or rst" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --close soft
check close_not_connect 2 '^tern-gen: --close applies to --mode connect only' -- "${ip[@]}" "${t[@]}" --mode http --rate 10 --count 1 --close rst
check path_not_http 2 '^tern-gen: --path and --http-keepalive apply to --mode http only' -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --path /x
check bad_path 2 "^tern-gen: --path 'x': expected an absolute path" -- "${ip[@]}" "${t[@]}" --mode http --rate 10 --count 1 --path x
check syn_no_src 2 '^tern-gen: --mode synflood needs --src A.B.C.D or --src-range' -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1
check syn_bad_range 2 "^tern-gen: --src-range '198.18.0.1/25': host bits set" -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src-range 198.18.0.1/25
check syn_range_len 2 "^tern-gen: --src-range '198.18.0.0/31': prefix length must be 8..30" -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src-range 198.18.0.0/31
check syn_src_self 2 "^tern-gen: --src must differ from tern's and the target's address" -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.1
check syn_both_src 2 '^tern-gen: --src and --src-range exclude each other' -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.9 --src-range 198.18.0.128/25
check syn_concurrency 2 '^tern-gen: --concurrency, --close, --path and --http-keepalive do not apply' -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.9 --concurrency 5
check src_not_syn 2 '^tern-gen: --src and --src-range apply to --mode synflood only \(or to --attack\)' -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --src 198.18.0.9
check bad_sport 2 "^tern-gen: --sport '0-10': expected LO-HI within 1..65535" -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.9 --sport 0-10
check unknown_opt 2 "^tern-gen: unknown option '--bogus'" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --bogus
check no_ip 2 '^tern-gen: --ip A.B.C.D/LEN is required' -- "${t[@]}" --mode connect --rate 10 --count 1
# mixed runs (--attack)
c=(--mode connect --rate 10 --count 5)
blk=src=198.18.0.128/25
check atk_kind 2 "^tern-gen: --attack 'flood:10': unknown kind" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack flood:10
check atk_no_rate 2 "^tern-gen: --attack 'syn': expected KIND:RATE" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack syn
check atk_bad_rate 2 "^tern-gen: --attack 'syn:fast,$blk': RATE: expected a whole number" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:fast,$blk"
check atk_no_src 2 "^tern-gen: --attack 'syn:10': no source block" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack syn:10
check atk_src_bits 2 "^tern-gen: --attack 'syn:10,src=198.18.0.1/25': host bits set" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack syn:10,src=198.18.0.1/25
check atk_src_self 2 "^tern-gen: --attack 'syn:10,src=198.18.0.1': src=: a source must differ" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack syn:10,src=198.18.0.1
check atk_src_many 2 "^tern-gen: --attack .*: src=: at most 8 blocks" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack syn:10,src=10.1.0.0/16+10.2.0.0/16+10.3.0.0/16+10.4.0.0/16+10.5.0.0/16+10.6.0.0/16+10.7.0.0/16+10.8.0.0/16+10.9.0.0/16
check atk_seq_syn 2 "^tern-gen: --attack 'syn:10,$blk,seq=plausible': seq= applies to ack and rst only" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,seq=plausible"
check atk_seq_bad 2 "^tern-gen: --attack 'ack:10,seq=exact': seq=: expected random or plausible" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack ack:10,seq=exact
check atk_plausible_alone 2 "^tern-gen: --attack 'rst:10,seq=plausible': seq=plausible .* needs --mode connect or http" -- "${ip[@]}" "${t[@]}" --duration 1 --attack rst:10,seq=plausible
check atk_mix_sum 2 "^tern-gen: --attack .*: mix=: the shares must add up to 100" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn-real:10,$blk,mix=linux:50+windows:20"
check atk_mix_stack 2 "^tern-gen: --attack .*: mix=: unknown stack" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn-real:10,$blk,mix=bsd:100"
check atk_mix_kind 2 "^tern-gen: --attack .*: mix= applies to syn-real only" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,mix=linux:100"
check atk_unknown_opt 2 "^tern-gen: --attack 'syn:10,$blk,ttl=3': unknown option" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,ttl=3"
check atk_engines 2 "^tern-gen: --attack .*: engines=: expected I or I-J" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,engines=3-1"
check atk_engines_none 2 "^tern-gen: --attack .*: engines=2: 1 engine in this run" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,engines=2"
check atk_synflood 2 '^tern-gen: --attack goes with --mode connect or http' -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.9 --attack syn:10
check atk_unbounded 2 '^tern-gen: --duration S or --count N is required' -- "${ip[@]}" "${t[@]}" --attack "syn:10,$blk"
check atk_alone_rate 2 "^tern-gen: --rate and --count are the legitimate traffic's" -- "${ip[@]}" "${t[@]}" --duration 1 --rate 5 --attack "syn:10,$blk"
check atk_ramp_count 2 "^tern-gen: --attack .*: ramp grows the rate over --duration" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,ramp"
check atk_too_many 2 '^tern-gen: --attack: at most 8 streams' -- "${ip[@]}" "${t[@]}" "${c[@]}" --src-range 198.18.0.128/25 --attack syn:1 --attack syn:1 --attack syn:1 --attack syn:1 --attack syn:1 --attack syn:1 --attack syn:1 --attack syn:1 --attack syn:1
check atk_concurrency 2 '^tern-gen: --concurrency, --close, --path and --http-keepalive need --mode connect or http' -- "${ip[@]}" "${t[@]}" --duration 1 --concurrency 5 --attack "syn:10,$blk"
check legit_engines_alone 2 '^tern-gen: --legit-engines needs --mode connect or http' -- "${ip[@]}" "${t[@]}" --duration 1 --legit-engines 0 --attack "syn:10,$blk"
lcores=(--lcores 0@0,1@0,2@0) # two engines
check concurrency_below_engines 2 '^tern-gen: --concurrency 1 is below the 2 engines of the legitimate traffic' -- "${ip[@]}" "${t[@]}" --mode http --http-keepalive --rate 10 --count 5 --concurrency 1
lcores=(-l 0)
check legit_engines_none 2 '^tern-gen: --legit-engines 1: 1 engine in this run' -- "${ip[@]}" "${t[@]}" "${c[@]}" --legit-engines 1 --attack "syn:10,$blk"
check proxy_arp_alone 2 '^tern-gen: --proxy-arp answers for the attack sources' -- "${ip[@]}" "${t[@]}" "${c[@]}" --proxy-arp
check csv_no_interval 2 '^tern-gen: --csv writes a row every --stats-interval' -- "${ip[@]}" "${t[@]}" "${c[@]}" --csv /dev/null --stats-interval 0
check csv_unwritable 2 "^tern-gen: --csv '/nonexistent/x.csv': No such file" -- "${ip[@]}" "${t[@]}" "${c[@]}" --csv /nonexistent/x.csv
# IPv6 targets and sources (bad combinations)
ip6=(--ip 198.18.0.1/24 --ip 2001:2::1/64)
t6=(--target "[2001:2::2]:80")
blk6=src=2001:2::8000/113
check v6_no_ip6 2 '^tern-gen: --target \[2001:2::2\]:80 is IPv6: give tern an IPv6 address' -- "${ip[@]}" "${t6[@]}" "${c[@]}"
check v6_no_brackets 2 "^tern-gen: --target '2001:2::2:80': an IPv6 target goes in brackets" -- "${ip6[@]}" --target 2001:2::2:80 "${c[@]}"
check v6_bad_addr 2 "^tern-gen: --target '\[2001:zz::2\]:80': '2001:zz::2' is not an IPv6 address" -- "${ip6[@]}" --target "[2001:zz::2]:80" "${c[@]}"
check v6_multicast 2 "^tern-gen: --target '\[ff02::1\]:80': not a unicast address" -- "${ip6[@]}" --target "[ff02::1]:80" "${c[@]}"
check v6_self 2 "^tern-gen: --target is tern's own address" -- "${ip6[@]}" --target "[2001:2::1]:80" "${c[@]}"
check v6_no_ip4 2 '^tern-gen: --target 198.18.0.2:80 is IPv4: give tern an IPv4 address' -- --ip 2001:2::1/64 "${t[@]}" "${c[@]}"
check v6_src_v4_for_v6 2 "^tern-gen: --attack 'syn:10,$blk': src=: an IPv4 block for an IPv6 target" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack "syn:10,$blk"
check v6_src_v6_for_v4 2 "^tern-gen: --attack 'syn:10,$blk6': src=: an IPv6 block for an IPv4 target" -- "${ip6[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk6"
check v6_src_mixed 2 "^tern-gen: --attack 'syn:10,$blk6\+198.18.0.128/25': src=: an IPv4 block for an IPv6 target" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack "syn:10,$blk6+198.18.0.128/25"
check v6_src_bits 2 "^tern-gen: --attack 'syn:10,src=2001:2::8001/113': host bits set" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack syn:10,src=2001:2::8001/113
check v6_src_len 2 "^tern-gen: --attack 'syn:10,src=2001:2::/4': IPv6 prefix length must be 8..128" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack syn:10,src=2001:2::/4
check v6_src_127 2 "^tern-gen: --attack 'syn:10,src=2001:2::8000/127': a /127 has no usable source" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack syn:10,src=2001:2::8000/127
check v6_src_self 2 "^tern-gen: --attack 'syn:10,src=2001:2::2': src=: a source must differ" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack syn:10,src=2001:2::2
check v6_src_mcast 2 "^tern-gen: --attack 'syn:10,src=ff02::/16': not a unicast block" -- "${ip6[@]}" "${t6[@]}" "${c[@]}" --attack syn:10,src=ff02::/16
check v6_synflood_v4src 2 "^tern-gen: --src/--src-range '198.18.0.128/25' is IPv4, the target IPv6" -- "${ip6[@]}" "${t6[@]}" --mode synflood --rate 10 --count 1 --src-range 198.18.0.128/25
check v6_synflood_v6src 2 "^tern-gen: --src/--src-range '2001:2::8000/113' is IPv6, the target IPv4" -- "${ip6[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src-range 2001:2::8000/113
check v6_src_range_len 2 "^tern-gen: --src-range '2001:2::/128': IPv6 prefix length must be 8..126" -- "${ip6[@]}" "${t6[@]}" --mode synflood --rate 10 --count 1 --src-range 2001:2::/128
# numbers and ranges: digits only, no wrap-around past 2^32 (sscanf's %u took 4294968296
# for 1000), no trailing text
check sport_wraps 2 "^tern-gen: --sport '1000-4294968296': expected LO-HI within 1..65535" -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.9 --sport 1000-4294968296
check sport_plus 2 "^tern-gen: --sport '\+1000-2000': expected LO-HI" -- "${ip[@]}" "${t[@]}" --mode synflood --rate 10 --count 1 --src 198.18.0.9 --sport +1000-2000
check atk_sport_wraps 2 "^tern-gen: --attack .*: sport=: expected LO-HI within 1..65535" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,sport=5-4294967301"
check legit_engines_trailing 2 "^tern-gen: --legit-engines '0x': expected I or I-J" -- "${ip[@]}" "${t[@]}" "${c[@]}" --legit-engines 0x --attack "syn:10,$blk"
check legit_engines_open 2 "^tern-gen: --legit-engines '0-': expected I or I-J" -- "${ip[@]}" "${t[@]}" "${c[@]}" --legit-engines 0- --attack "syn:10,$blk"
check atk_engines_trailing 2 "^tern-gen: --attack .*: engines=: expected I or I-J" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn:10,$blk,engines=0zz"
check atk_mix_twice 2 "^tern-gen: --attack .*: mix=: a stack given twice" -- "${ip[@]}" "${t[@]}" "${c[@]}" --attack "syn-real:10,$blk,mix=windows:50+windows:50"
check duration_tiny 2 "^tern-gen: --duration '1e-300': expected seconds, 0.001..604800" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --duration 1e-300
check path_control 2 "^tern-gen: --path '/a\\\\x01b': expected an absolute path without blanks or control bytes" -- "${ip[@]}" "${t[@]}" --mode http --rate 10 --count 1 --path $'/a\x01b'
check ambiguous 2 "^tern-gen: ambiguous option '--no' \(could be --no-" -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --count 1 --no
# --csv: a run that never starts leaves the file as it was
csvd=$(mktemp -d /tmp/terngencli-csv-XXXXXX)
echo "earlier results" >"$csvd/keep.csv"
check csv_kept_on_error 2 '^tern-gen: --ip A.B.C.D/LEN is required' -- "${t[@]}" "${c[@]}" --csv "$csvd/keep.csv"
n=$((n + 1))
if [ "$(cat "$csvd/keep.csv")" = "earlier results" ]; then
	echo "PASS gen_cli_csv_untouched: the failed run left --csv's file as it was"
	passed=$((passed + 1))
else
	echo "FAIL gen_cli_csv_untouched: --csv's file now holds: $(head -c 120 "$csvd/keep.csv" | tr '\n' ' ')"
	failed=$((failed + 1))
fi
rm -rf "$csvd"
# --csv to something that is not a regular file (/dev/null, a pipe): nothing to cut, no error
n=$((n + 1))
out=$(timeout 30 ip netns exec "$ns" "$gen" --no-huge -m 256 --no-pci --file-prefix "$pfx-$n" -l 0 \
	--vdev net_af_packet0,iface=lo -- "${ip[@]}" "${t[@]}" --mode connect --rate 10 --duration 0.5 \
	--csv /dev/null 2>&1 </dev/null)
if echo "$out" | grep -q 'verdict:' && ! echo "$out" | grep -q -- '--csv'; then
	echo "PASS gen_cli_csv_devnull: a run with --csv /dev/null, no complaint about it"
	passed=$((passed + 1))
else
	echo "FAIL gen_cli_csv_devnull: $(echo "$out" | grep -E -- '--csv|verdict' | head -n 2 | tr '\n' ' ')"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

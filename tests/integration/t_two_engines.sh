#!/bin/bash
# Two engines on one port (two queue pairs, one per worker lcore): Linux connections spread
# over both, each flow is processed by the engine that owns it, byte-exact echo, no drops but
# duplicates and reordering (see below), steering method in the ready line. Checks that a passive
# open on an engine that never saw the ARP exchange still answers (ARP gleaning).
# af_packet only (qpairs=2, PACKET_FANOUT spreads flows): run.sh runs it in that mode only,
# and it fails if asked for another.
# usage: t_two_engines.sh af_packet
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin two_engines "${1:-}"
[ "$IT_MODE" = af_packet ] || it_fail "two engines are tested in af_packet mode only (qpairs=)"
port=7005
n=100
lab_up
# One CPU per engine: the main lcore (it mostly sleeps) shares CPU 0 with engine 0.
# Issue 2 saw a 4 MiB echo stall about 1 run in 8 with both engines busy-polling ONE CPU
# (0@0,1@1,2@1); since reassembly and SACK (issue 3) it no longer reproduces (20 of 20
# runs passed), but it was never root-caused: "not seen", not "explained".
tern_engines 2
tern_start "$port"
client seq_client.py --host "$TERNLAB_TERN_IP" --port "$port" --count "$n" --timeout 120
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes $((4 << 20)) --timeout 60
e0=$(tel_num /tern/stats,0 tcp_passive_open)
e1=$(tel_num /tern/stats,1 tcp_passive_open)
it_log "passive opens: engine 0 $e0, engine 1 $e1"
[ $((e0 + e1)) -ge $((n + 1)) ] || it_fail "passive opens $e0 + $e1 < $((n + 1))"
[ "$e0" -gt 0 ] && [ "$e1" -gt 0 ] || it_fail "flows did not spread: engine 0 $e0, engine 1 $e1"
tern_steering
# Retransmitted data that had arrived already (Linux's tail loss probe beating our delayed
# ACK) is counted as tcp_dup_data. A segment handed to its owner over a ring can be
# overtaken by one that came straight in (af_packet's ROLLOVER splits a flow over both
# queues), which shows as an old ACK failing PAWS, a segment behind the window or an
# out-of-order duplicate: those are reordering, not loss. Anything else is a real drop.
drops=$(tel /tern/drops | "$PY" -c 'import json,sys; d=json.load(sys.stdin)
for k in ("tcp_dup_data", "tcp_paws", "tcp_out_of_window", "tcp_reass_dup"): d.pop(k, None)
print(json.dumps(d))')
[ "$drops" = "{}" ] || it_fail "drops: $drops"
tern_stop
it_pass

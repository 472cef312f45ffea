#!/bin/bash
# Plot a tern-gen --csv time series with gnuplot (Debian: apt-get install gnuplot-nox):
# goodput (legitimate completions per second, and the success ratio) and latency (p50,
# p99, p999) against the attack's rate, one point per --stats-interval. With
# `--attack KIND:RATE,ramp` one run sweeps the attack from 0 to RATE; several CSV files
# (runs at different rates) are drawn together.
#
# usage: apps/tern-gen/plot.sh OUT.png|OUT.svg RUN.csv [RUN.csv...]
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $0 OUT.png|OUT.svg RUN.csv [RUN.csv...]" >&2
	exit 2
fi
out=$1
shift
command -v gnuplot >/dev/null || { echo "$0: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
case $out in
*.svg) term="svg size 900,700 dynamic" ;;
*.png) term="pngcairo size 900,700" ;;
*) echo "$0: OUT must end in .png or .svg" >&2; exit 2 ;;
esac
for f in "$@"; do
	head -n 1 "$f" | grep -q '^t_s,legit_per_s,ok_per_s' ||
		{ echo "$0: $f is not a tern-gen --csv file" >&2; exit 2; }
done
files=$(printf "'%s' " "$@")
# Columns (docs/TERN-GEN.md "CSV"): 1 t_s, 2 legit_per_s, 3 ok_per_s, 4 failed_per_s,
# 5 success_pct, 6-8 latency p50/p99/p999 (us), 9 attack_pps, 10 syn_pps, 11 synack_per_s,
# 12 synack_per_syn, 13 cookie_pct, 14 rst_per_s.
gnuplot <<EOF
set terminal $term
set output '$out'
set datafile separator ','
set key autotitle columnhead
set multiplot layout 2,1 title 'tern-gen: legitimate traffic against attack rate'
set grid
set xlabel 'attack rate (frames/s)'
set ylabel 'completed per second'
set yrange [0:*]
set y2label 'success (%)'
set y2range [0:105]
set ytics nomirror
set y2tics
plot for [f in "$files"] f every ::1 using 9:3 with points pt 7 ps 0.6 title 'ok/s '.f, \
     for [f in "$files"] f every ::1 using 9:5 axes x1y2 with points pt 6 ps 0.6 title 'success % '.f
unset y2label
unset y2tics
set ytics mirror
set ylabel 'latency (us)'
set yrange [*:*]
set logscale y
plot for [f in "$files"] f every ::1 using 9:(\$6 > 0 ? \$6 : 1/0) with points pt 7 ps 0.5 title 'p50 '.f, \
     for [f in "$files"] f every ::1 using 9:(\$7 > 0 ? \$7 : 1/0) with points pt 9 ps 0.5 title 'p99 '.f, \
     for [f in "$files"] f every ::1 using 9:(\$8 > 0 ? \$8 : 1/0) with points pt 5 ps 0.5 title 'p999 '.f
unset multiplot
EOF
echo "$out"

# Instructions per packet by step (issue 12): callgrind counts copied from docs/BENCHMARKS.md
# (section "Line-rate fast path (issue 12), first steps"; the .dat's header says where each
# figure comes from). Per connection figures (both engines) are divided by the frames of a
# connection: 7 when the client closes, 6 when the server does. '?' in the .dat = no figure
# at that step; a line joins the steps that have one. Steps are in the order main received
# them; the branches of one session ran in parallel from the session's start.
# cd docs/img && gnuplot issue12-instr.gp > issue12-instr.svg
set terminal svg size 900,500 font "sans,11"
set title "tern instructions per packet by step, issue 12 (callgrind, lower is better)"
set ylabel "instructions per packet"
set yrange [0:5000]
set ytics 500
set grid ytics lc rgb "#dddddd"
set style data linespoints
set datafile separator "\t"
set datafile missing "?"
set key outside right top Left reverse font ",9" samplen 2 width -6 spacing 1.1
set xtics rotate by -90 font ",8" nomirror
set bmargin 6
set xrange [-0.5:55.5]

# branches, from the .dat's row order (0-based rows)
set for [x in "0.5 6.5 15.5 22.5 24.5 25.5 33.5 34.5 38.5 44.5 46.5"] arrow from x+0, graph 0 to x+0, graph 1 nohead lc rgb "#bbbbbb" dt 3
set arrow from 23.5, graph 0 to 23.5, graph 1 nohead lc rgb "#555555" dt 2
set label "syn"  at 3.5,  graph 0.97 center font ",8"
set label "cps"  at 11,   graph 0.97 center font ",8"
set label "syn2" at 19,   graph 0.97 center font ",8"
set label "mem"  at 25,   graph 0.97 center font ",8"
set label "bulk" at 29.5, graph 0.97 center font ",8"
set label "syn"  at 36.5, graph 0.97 center font ",8"
set label "cps"  at 41.5, graph 0.97 center font ",8"
set label "second session" at 24, graph 0.91 left font ",8" tc rgb "#555555"
set arrow from 45.5, graph 0 to 45.5, graph 1 nohead lc rgb "#555555" dt 2
set label "third" at 47.5, graph 0.97 center font ",8"
set arrow from 49.5, graph 0 to 49.5, graph 1 nohead lc rgb "#555555" dt 2
set label "fourth" at 50.5, graph 0.97 center font ",8"
set arrow from 51.5, graph 0 to 51.5, graph 1 nohead lc rgb "#555555" dt 2
set label "fifth" at 53.5, graph 0.97 center font ",8"

plot "issue12-instr.dat" using 3:xtic(1) title "cookie SYN -> SYN-ACK" lc rgb "#1f77b4" pt 7 ps 0.6 lw 1.5, \
     "" using 4 title "cookie SYN, --offload" lc rgb "#1f77b4" dt 2 pt 6 ps 0.6 lw 1.5, \
     "" using 5 title "SYN -> SYN queue entry" lc rgb "#2ca02c" pt 5 ps 0.6 lw 1.5, \
     "" using 6 title "SYN queue entry, --offload" lc rgb "#2ca02c" dt 2 pt 4 ps 0.6 lw 1.5, \
     "" using 7 title "cookie ACK -> connection" lc rgb "#d62728" pt 9 ps 0.7 lw 1.5, \
     "" using 8 title "cookie ACK, --offload" lc rgb "#d62728" dt 2 pt 8 ps 0.7 lw 1.5, \
     "" using ($9/7) title "connection, client closes / 7" lc rgb "#9467bd" pt 13 ps 0.7 lw 1.5, \
     "" using ($10/6) title "connection, server closes / 6" lc rgb "#8c564b" pt 11 ps 0.7 lw 1.5, \
     "" using 11 title "data segment, one-way, off" lc rgb "#ff7f0e" pt 3 ps 0.7 lw 1.5, \
     570 title "2.5x reflect (SYN target), 570" with lines lc rgb "#000000" dt 2 lw 1, \
     228 title "reflect baseline, 228" with lines lc rgb "#000000" lw 1

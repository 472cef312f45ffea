# Issue 12, fourth and fifth sessions of 2026-12-07: time against the same run's baseline
# (left) and connections/s per core pair (right), each session's start and end (0ff5f30 and
# f77aba3; 6dbfb00 and 915d4f9), each pair alternating on one machine, with the targets
# (dashed). Compare within a pair: the machine's speed moved between the sessions. Data: issue12-time.dat, issue12-cps.dat (their headers say where
# from). "offload": --offload (checksum offload; for bulk also chains and TSO, with the
# link's NIC work taken out).
# cd docs/img && gnuplot issue12-time.gp > issue12-time.svg
set terminal svg size 1100,480 font "sans,11"
set datafile separator "\t"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key top right font ",9"
set xtics font ",8" nomirror
set bmargin 4
set multiplot title "tern issue 12: start and end of the fourth (0ff5f30, f77aba3) and fifth (6dbfb00, 915d4f9) sessions of 2026-12-07, each pair alternating"
set origin 0,0
set size 0.64,0.95
set title "time / the same run's baseline (lower is better)" font ",10"
set yrange [0:7]
set ytics 1
set ylabel "x baseline"
set arrow 1 from -0.5,2.5 to 1.5,2.5 nohead lc rgb "#d62728" dt 2 lw 2 front
set arrow 2 from 5.5,2 to 7.5,2 nohead lc rgb "#9467bd" dt 2 lw 2 front
plot "issue12-time.dat" using 2:xtic(1) title "0ff5f30" lc rgb "#aaaaaa", \
     "" using 3 title "f77aba3" lc rgb "#1f77b4", \
     "" using 5 title "6dbfb00" lc rgb "#f5c28a", \
     "" using 6 title "915d4f9" lc rgb "#ff7f0e", \
     NaN title "target: cookie SYN 2.5x reflect" with lines lc rgb "#d62728" dt 2 lw 2, \
     NaN title "target: bulk 2x mbuf+link" with lines lc rgb "#9467bd" dt 2 lw 2
unset arrow 1
unset arrow 2
set origin 0.64,0
set size 0.36,0.95
set title "connections/s per core pair (higher is better)" font ",10"
set yrange [0:3.4]
set ytics 0.5
set ylabel "M connections/s"
set arrow 3 from -0.5,2.5 to 3.5,2.5 nohead lc rgb "#d62728" dt 2 lw 2 front
plot "issue12-cps.dat" using 2:xtic(1) title "0ff5f30" lc rgb "#aaaaaa", \
     "" using 3 title "f77aba3" lc rgb "#1f77b4", \
     "" using 4 title "6dbfb00" lc rgb "#f5c28a", \
     "" using 5 title "915d4f9" lc rgb "#ff7f0e", \
     NaN title "target 2.5 M" with lines lc rgb "#d62728" dt 2 lw 2
unset multiplot

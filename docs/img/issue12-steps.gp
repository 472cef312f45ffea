# Cost per packet by step (issue 12): medians of three alternating rounds, ratios to the
# same run's baseline (docs/BENCHMARKS.md). The last two rows are quiet-machine runs of
# single trees (offloads off; medians of two or three runs); their CPS column is left out
# (the bench's reflect baseline changed in f307a6a). gnuplot issue12-steps.gp > issue12-steps.svg
set terminal svg size 860,420 font "sans,11"
set title "tern engine-only cost by step (tern / same-run baseline, lower is better)"
set ylabel "ratio to baseline"
set yrange [0:8]
set style data linespoints
set datafile missing "?"
set key outside right
set xtics rotate by -20
plot "issue12-steps.dat" using 2:xtic(1) title "bulk one-way / mbuf+link", \
     "" using 3 title "bulk echo / mbuf+link", \
     "" using 4 title "cookie SYN / reflect", \
     "" using 5 title "SYN queue entry / reflect", \
     "" using 6 title "cookie ACK / reflect", \
     "" using 7 title "CPS: reflected frames per conn / 100"

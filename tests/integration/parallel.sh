#!/bin/bash
# Run N copies of a command at once and wait for all (used inside the peer namespace).
#   parallel.sh N DIR NAME [--seed] CMD...
# Copy i (1..N) writes its output to DIR/NAME.i and its exit status to DIR/NAME.rc.i;
# with --seed, "--seed i" is appended to its command line.
n=$1 dir=$2 name=$3
shift 3
seed=0
if [ "${1:-}" = --seed ]; then seed=1; shift; fi
for i in $(seq "$n"); do
	(
		rc=0
		if [ "$seed" = 1 ]; then "$@" --seed "$i"; else "$@"; fi >"$dir/$name.$i" 2>&1 || rc=$?
		echo "$rc" >"$dir/$name.rc.$i"
	) &
done
wait

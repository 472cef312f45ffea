#!/bin/sh
# libtern.so exports exactly its public API: every dynamic symbol it defines is a function
# declared in include/tern/*.h, and every function declared there is exported.
#   usage: check_exports.sh LIBTERN_SO INCLUDE_DIR
set -eu
so=$1
inc=$2
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sort -u)
declared=$(sed -n 's/^[a-z][a-z0-9_ *]*[ *]\(tern_[a-z0-9_]*\)(.*/\1/p' "$inc"/tern/*.h | sort -u)
bad=0
for s in $exported; do
	echo "$declared" | grep -qx "$s" || { echo "exported but not public: $s"; bad=1; }
done
for s in $declared; do
	echo "$exported" | grep -qx "$s" || { echo "public but not exported: $s"; bad=1; }
done
[ "$bad" = 0 ] && echo "libtern.so exports the $(echo "$exported" | wc -l) public functions, nothing else"
exit "$bad"

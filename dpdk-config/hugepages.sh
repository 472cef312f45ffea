#!/bin/bash
# Hugepages for DPDK: reserve 2 MiB pages and mount hugetlbfs.
#
#   hugepages.sh setup [PAGES]   reserve PAGES (default $TERN_HUGEPAGES = 512) and mount
#   hugepages.sh teardown        unmount (only if setup mounted it) and release the pages
#                                 setup reserved (back to the count it found)
#   hugepages.sh status          show reservation, mount and files in use
#
# Idempotent: setup twice or teardown twice is fine.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

marker=/run/tern-hugepages.mounted-by-tern
before=/run/tern-hugepages.reserved-before # what setup found, when it reserved more
nr=/proc/sys/vm/nr_hugepages

mounted() { awk -v d="$TERN_HUGE_DIR" '$2 == d && $3 == "hugetlbfs" {f=1} END {exit !f}' /proc/mounts; }
meminfo() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

setup() {
	local want=${1:-$TERN_HUGEPAGES} have
	[ "$(id -u)" -eq 0 ] || ternlab_die "setup needs root"
	have=$(cat "$nr")
	if [ "$have" -lt "$want" ]; then
		[ -e "$before" ] || echo "$have" >"$before"
		echo "$want" >"$nr" || ternlab_die "cannot write $nr"
		have=$(cat "$nr")
		[ "$have" -ge "$want" ] ||
			ternlab_log "warning: asked for $want hugepages, kernel gave $have (memory fragmented?)"
	fi
	[ "$have" -gt 0 ] || ternlab_die "no hugepages could be reserved"
	if ! mounted; then
		mkdir -p "$TERN_HUGE_DIR"
		mount -t hugetlbfs nodev "$TERN_HUGE_DIR" || ternlab_die "cannot mount hugetlbfs on $TERN_HUGE_DIR"
		: >"$marker"
	fi
	echo "hugepages: $have x $(meminfo Hugepagesize) kB reserved, $(meminfo HugePages_Free) free," \
		"hugetlbfs on $TERN_HUGE_DIR"
}

teardown() {
	[ "$(id -u)" -eq 0 ] || ternlab_die "teardown needs root"
	if mounted; then
		if [ -n "$(ls -A "$TERN_HUGE_DIR" 2>/dev/null)" ]; then
			ternlab_log "files still in $TERN_HUGE_DIR (a DPDK process running?):"
			ls -l "$TERN_HUGE_DIR" >&2
			ternlab_die "not tearing down; stop DPDK processes first"
		fi
		if [ -e "$marker" ]; then
			umount "$TERN_HUGE_DIR"
			rm -f "$marker"
			echo "hugepages: unmounted $TERN_HUGE_DIR"
		else
			echo "hugepages: $TERN_HUGE_DIR was not mounted by hugepages.sh, leaving it mounted"
		fi
	fi
	# Only what setup reserved is given back: pages that were there before stay.
	if [ -e "$before" ]; then
		cat "$before" >"$nr" 2>/dev/null || ternlab_log "warning: cannot write $nr"
		rm -f "$before"
	else
		echo "hugepages: the reservation was not made by hugepages.sh, leaving it"
	fi
	echo "hugepages: $(cat "$nr") reserved"
}

status() {
	echo "reserved:  $(cat "$nr") pages of $(meminfo Hugepagesize) kB" \
		"(free $(meminfo HugePages_Free), rsvd $(meminfo HugePages_Rsvd))"
	if mounted; then
		echo "mounted:   $TERN_HUGE_DIR (hugetlbfs)"
		local n
		n=$(find "$TERN_HUGE_DIR" -maxdepth 1 -type f | wc -l)
		echo "files:     $n in $TERN_HUGE_DIR"
	else
		echo "mounted:   no ($TERN_HUGE_DIR)"
	fi
	if ternlab_huge_ok 64; then echo "usable:    yes"; else echo "usable:    no (EAL profiles fall back to --no-huge)"; fi
}

case "${1:-}" in
setup) setup "${2:-}" ;;
teardown) teardown ;;
status) status ;;
*)
	echo "usage: ${0##*/} setup [PAGES] | teardown | status" >&2
	exit 2
	;;
esac

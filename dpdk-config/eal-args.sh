#!/bin/bash
# Print the EAL argument line for a tern attachment profile (dpdk-config/profiles/NAME.conf).
#
# usage: eal-args.sh PROFILE [options]
#   PROFILE              af_packet | tap | virtio-user | vfio-pci
#   --file-prefix NAME   EAL --file-prefix (default: $TERNLAB_PREFIX-PROFILE-<pid>); every DPDK
#                        process needs its own. Telemetry: /var/run/dpdk/NAME/dpdk_telemetry.v2
#   -l, --lcores LIST    lcore list (default: $TERN_LCORES or 0); with @ (0@0,1@1,2@1),
#                        passed as --lcores to map several lcores onto fewer CPUs
#   -q, --queues N       queue pairs (af_packet qpairs, virtio-user queues; default 1)
#   --iface IF           af_packet interface (default $TERNLAB_IF_T)
#   --tap IF             tap interface name (default $TERNLAB_TAP)
#   --sock PATH          vhost-user socket (default $TERNLAB_VHOST_SOCK)
#   --pci ADDR           PCI address for vfio-pci (default $TERN_PCI)
#   --mac ADDR|random    tern's MAC on tap and virtio-user (default: 02:74 and four bytes of a
#                        CRC of the tap's name or the socket's path, the same at every start,
#                        so the peer's neighbour entry stays right across restarts; random: a
#                        new one at every start, as the PMDs do by themselves)
#   --no-huge            force --no-huge (only for profiles that allow it)
#   -m MB                memory with --no-huge (default 512)
#   -v, --verbose        also describe the profile on stderr
#   --list               list profiles and exit
#
# Without hugepages mounted (hugepages.sh setup) the af_packet and tap profiles fall back to
# `--no-huge -m MB`; virtio-user and vfio-pci fail with an error instead.
# Output: one line of words with no whitespace inside them, e.g.
#   eal=($(dpdk-config/eal-args.sh af_packet --file-prefix t1)); tern-echo "${eal[@]}" -- ...
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

usage() { sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
bad() { echo "${0##*/}: error: $*" >&2; exit 2; }

[ $# -ge 1 ] || usage
profile=$1
shift
case "$profile" in
-h | --help) usage ;;
--list)
	for f in "$here"/profiles/*.conf; do f=${f##*/}; echo "${f%.conf}"; done
	exit 0
	;;
esac
conf=$here/profiles/$profile.conf
list_profiles() { local f; for f in "$here"/profiles/*.conf; do f=${f##*/}; echo "${f%.conf}"; done; }
[ -r "$conf" ] || bad "unknown profile '$profile' (have: $(list_profiles | tr '\n' ' '))"

prefix="$TERNLAB_PREFIX-$profile-$$"
lcores=${TERN_LCORES:-0}
queues=1
iface=$TERNLAB_IF_T
tap=$TERNLAB_TAP
sock=$TERNLAB_VHOST_SOCK
pci=${TERN_PCI:-}
mac=
force_nohuge=0
mem=512
need() { if [ $# -lt 2 ] || [ -z "$2" ]; then bad "option $1 needs a value"; fi; }
verbose=0
# iface, tap, sock and pci are read by the sourced profile.
# shellcheck disable=SC2034
while [ $# -gt 0 ]; do
	case "$1" in
	--file-prefix) need "$@"; prefix=$2; shift ;;
	-l | --lcores) need "$@"; lcores=$2; shift ;;
	-q | --queues) need "$@"; queues=$2; shift ;;
	--iface) need "$@"; iface=$2; shift ;;
	--tap) need "$@"; tap=$2; shift ;;
	--sock) need "$@"; sock=$2; shift ;;
	--pci) need "$@"; pci=$2; shift ;;
	--mac) need "$@"; mac=$2; shift ;;
	-m) need "$@"; mem=$2; shift ;;
	-v | --verbose) verbose=1 ;;
	--no-huge) force_nohuge=1 ;;
	-h | --help) usage ;;
	*) bad "unknown option '$1'" ;;
	esac
	shift
done
[[ $queues =~ ^[1-9][0-9]*$ ]] || bad "--queues must be a positive integer"
[[ $mem =~ ^[1-9][0-9]*$ ]] || bad "-m must be a positive integer (MB)"
[[ $lcores =~ ^[0-9,@()-]+$ ]] || bad "bad lcore list '$lcores'"
[[ $prefix =~ ^[A-Za-z0-9_.-]+$ ]] || bad "bad file prefix '$prefix'"
if [ "$profile" = vfio-pci ]; then
	[[ $pci =~ ^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]] ||
		bad "vfio-pci needs --pci DDDD:BB:DD.F (or TERN_PCI)"
fi

if [ -n "$mac" ] && [ "$mac" != random ]; then
	[[ $mac =~ ^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$ ]] ||
		bad "--mac wants xx:xx:xx:xx:xx:xx or random, not '$mac'"
	(((16#${mac:0:2} & 1) == 0)) || bad "--mac $mac is a multicast address"
	[ "${mac//[0:]/}" != "" ] || bad "--mac $mac is all zeros"
fi
# stable_mac NAME: 02:74 (locally administered, unicast) and the 32-bit CRC of NAME.
stable_mac() {
	local c
	c=$(printf '%s' "$1" | cksum | awk '{print $1}')
	printf '02:74:%02x:%02x:%02x:%02x' $((c >> 24 & 255)) $((c >> 16 & 255)) $((c >> 8 & 255)) \
		$((c & 255))
}
# mac_arg NAME: the devarg that gives the port its MAC (--mac, else stable_mac NAME), or
# nothing with --mac random. (Read by the tap and virtio-user profiles.)
# shellcheck disable=SC2317
mac_arg() {
	case $mac in
	random) ;;
	'') echo ",mac=$(stable_mac "$1")" ;;
	*) echo ",mac=$mac" ;;
	esac
}

desc='' huge=auto no_pci=1 vdevs=() extra=() takes_mac=0
# shellcheck source=/dev/null
. "$conf"
[ -z "$mac" ] || [ "$takes_mac" = 1 ] ||
	bad "--mac: profile $profile uses the interface's own MAC (ip link set IF address ADDR)"

# A plain list goes to -l; a list mapping lcores to CPUs (0@0,1@1,2@1) needs --lcores.
if [[ $lcores == *[@\(]* ]]; then
	args=(--lcores "$lcores" --file-prefix "$prefix")
else
	args=(-l "$lcores" --file-prefix "$prefix")
fi
[ "$no_pci" = 1 ] && args+=(--no-pci)
if [ "$huge" = required ]; then
	[ "$force_nohuge" = 0 ] || bad "profile $profile cannot run with --no-huge"
	ternlab_huge_ok 1 ||
		bad "profile $profile needs hugepages: none free on a hugetlbfs at $TERN_HUGE_DIR (run dpdk-config/hugepages.sh setup)"
elif [ "$force_nohuge" = 1 ] || ! ternlab_huge_ok 64; then
	args+=(--no-huge -m "$mem")
fi
for v in "${vdevs[@]}"; do args+=(--vdev "$v"); done
args+=("${extra[@]}")
for a in "${args[@]}"; do [[ $a =~ [[:space:]] ]] && bad "argument '$a' contains whitespace"; done
[ "$verbose" = 0 ] || echo "${0##*/}: $profile: $desc" >&2
echo "${args[*]}"

#!/bin/bash
# Install what building and testing tern needs on Debian 12, as root.
# Runs `apt-get update` only when something is missing, so a machine that has
# everything is not slowed down (and works offline).
#
# usage: dpdk-config/install-deps.sh [build|test|all]   (default all)
set -euo pipefail

build_pkgs=(gcc meson ninja-build pkg-config libdpdk-dev dpdk-dev libnuma-dev libcmocka-dev)
test_pkgs=(iproute2 ethtool iputils-ping procps python3 python3-scapy tcpdump clang-format
	netcat-openbsd clang libclang-rt-14-dev hping3 nginx libnginx-mod-stream wrk curl
	tshark)

case "${1:-all}" in
build) want=("${build_pkgs[@]}") ;;
test | all) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
	echo "usage: $0 [build|test|all]" >&2
	exit 2
	;;
esac

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get, network namespaces, hugepages)" >&2
	exit 1
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# The tests start nginx themselves, in the lab namespaces with their own configs: keep
# the package from starting (and enabling) the system service on port 80.
rc_was=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	rc_was=absent
fi
rc=0
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[ "$rc_was" != absent ] || rm -f /usr/sbin/policy-rc.d
[ "$rc" -eq 0 ] || exit "$rc"
echo "install-deps: done"

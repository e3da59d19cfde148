#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Remakes the firewalld captures of this directory (root): real firewalld,
# run where it cannot touch this machine, configured with firewall-cmd,
# its ruleset saved with `nft list ruleset` as NAME.nft. Not run by the
# test suite: CI reads the committed files and needs no firewalld.
#
#     mkdir debs && cd debs && apt-get download firewalld python3-firewall \
#         python3-nftables python3-jsonschema python3-attr python3-pyrsistent
#     capture.sh DEBS_DIR [NAME]...
#
# The packages are unpacked (`dpkg -x`), never installed. For each NAME:
# two network namespaces joined by a veth named as tests/diff/fw/run.py's
# Pair names it (sgfw0, the server's side, 192.0.2.1 and 2001:db8::1;
# sgfw1, the client's), then in the server's namespace and a private mount
# namespace: the unpacked /usr and /etc laid over the machine's (overlayfs;
# /etc writable in a tmpfs), a tmpfs on /run and /var/log, a system
# dbus-daemon of its own (Debian's system.conf, its socket in that private
# /run), `firewalld --nofork --nopid` (Debian's firewalld.conf:
# FirewallBackend=nftables, DefaultZone=public, IPv6_rpfilter=yes), the
# firewall-cmd commands of NAME below, then `nft list ruleset`. Every
# process left in the namespace (firewalld, the bus, the polkitd the bus
# started) is ended and both namespaces deleted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

scenario() {
	case $1 in
	public-default) ;;
	no-ssh)
		firewall-cmd --permanent --remove-service=ssh
		firewall-cmd --reload ;;
	default-drop)
		firewall-cmd --set-default-zone=drop ;;
	rich-reject-other-source)
		firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="198.51.100.0/24" service name="ssh" reject'
		firewall-cmd --reload ;;
	ssh-moved-2222)
		firewall-cmd --permanent --remove-service=ssh
		firewall-cmd --permanent --add-port=2222/tcp
		firewall-cmd --reload ;;
	panic-on)
		firewall-cmd --panic-on ;;
	sgfw0-in-drop)
		firewall-cmd --permanent --zone=drop --add-interface=sgfw0
		firewall-cmd --reload ;;
	other-if-in-drop)
		firewall-cmd --permanent --zone=drop --add-interface=sgfw9
		firewall-cmd --reload ;;
	ipv6-rich-reject)
		firewall-cmd --permanent --add-rich-rule='rule family="ipv6" service name="ssh" reject'
		firewall-cmd --reload ;;
	*) echo "capture.sh: no scenario $1" >&2; return 1 ;;
	esac
}
ALL="public-default no-ssh default-drop rich-reject-other-source ssh-moved-2222 panic-on sgfw0-in-drop other-if-in-drop ipv6-rich-reject"

if [ "${1:-}" = --inner ]; then
	# in the server's network namespace and a private mount namespace
	name=$2 root=$3 tmp=$4
	mount -t tmpfs capture-tmp "$tmp"
	mkdir -p "$tmp/alt/usr/share/polkit-1/actions" "$tmp/etc-up" "$tmp/etc-work"
	# what firewalld's postinst makes with update-alternatives (the higher priority)
	ln -s /usr/share/polkit-1/actions/org.fedoraproject.FirewallD1.server.policy.choice \
		"$tmp/alt/usr/share/polkit-1/actions/org.fedoraproject.FirewallD1.policy"
	mount -t overlay capture-usr -o "lowerdir=$tmp/alt/usr:$root/usr:/usr" /usr
	mount -t overlay capture-etc -o "lowerdir=$root/etc:/etc,upperdir=$tmp/etc-up,workdir=$tmp/etc-work" /etc
	mount -t tmpfs capture-run /run
	mount -t tmpfs capture-log /var/log
	mkdir -p /run/dbus
	dbus-daemon --system --nofork --nopidfile >/dev/null 2>&1 &
	for i in $(seq 50); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
	firewalld --nofork --nopid >"$tmp/firewalld.out" 2>&1 &
	for i in $(seq 100); do [ "$(firewall-cmd --state 2>/dev/null)" = running ] && break; sleep 0.2; done
	[ "$(firewall-cmd --state)" = running ]
	scenario "$name" >/dev/null
	if [ -s "$tmp/firewalld.out" ] || [ -s /var/log/firewalld ]; then
		echo "capture.sh: $name: firewalld said:" >&2
		cat "$tmp/firewalld.out" /var/log/firewalld >&2
	fi
	echo "$name: firewalld $(firewall-cmd --version), default zone $(firewall-cmd --get-default-zone), panic $(firewall-cmd --query-panic || true)" >&2
	nft list ruleset
	exit 0
fi

[ $# -ge 1 ] || { echo "usage: capture.sh DEBS_DIR [NAME]..." >&2; exit 2; }
debs=$(cd "$1" && pwd); shift
work=$(mktemp -d /tmp/sg-firewalld-capture.XXXXXX)
srv=sgcap-srv-$$ cli=sgcap-cli-$$
cleanup() {
	# every process in the server's namespace was started here
	for p in $(ip netns pids "$srv" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	ip netns del "$srv" 2>/dev/null || true
	ip netns del "$cli" 2>/dev/null || true
}
trap 'cleanup; rm -rf "$work"' EXIT
mkdir "$work/root" "$work/tmp"
for d in "$debs"/*.deb; do dpkg -x "$d" "$work/root"; done
for name in ${*:-$ALL}; do
	ip netns add "$srv"; ip netns add "$cli"
	ip link add sgfw0 netns "$srv" type veth peer name sgfw1 netns "$cli"
	for x in "$srv sgfw0 192.0.2.1 2001:db8::1" "$cli sgfw1 192.0.2.2 2001:db8::2"; do
		set -- $x
		ip -n "$1" link set lo up
		ip -n "$1" addr add "$3/24" dev "$2"
		ip -n "$1" addr add "$4/64" dev "$2" nodad
		ip -n "$1" link set "$2" up
	done
	ip netns exec "$srv" unshare --mount --propagation private \
		bash "$here/capture.sh" --inner "$name" "$work/root" "$work/tmp" > "$here/$name.nft.new"
	mv "$here/$name.nft.new" "$here/$name.nft"
	cleanup
done

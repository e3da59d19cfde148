# nft: a netdev ingress chain (policy drop) bound to another device (a second, unconnected veth) does not see the client's traffic.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
ip link add sgfwx0 type veth peer name sgfwx1
ip link set sgfwx0 up
nft -f - <<'NFT'
table netdev edge {
	chain ingress {
		type filter hook ingress device "sgfwx0" priority 0; policy drop;
	}
}
NFT

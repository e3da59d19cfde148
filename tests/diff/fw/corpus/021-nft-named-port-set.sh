# nft: named set of ports.
# frontend: nftables
# expect ipv4: reject inet filter input 3
# expect ipv6: reject inet filter input 3
nft -f - <<'NFT'
table inet filter {
	set blocked_ports {
		type inet_service
		elements = { 22, 2222, 8022 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport @blocked_ports reject
	}
}
NFT

# iptables-nft (ip filter INPUT, prio 0) accepts; a native nft inet table at prio 10 rejects: accept is not final.
# frontend: nftables
# expect ipv4: reject inet later input 2
# expect ipv6: reject inet later input 2
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
nft -f - <<'NFT'
table inet later {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 22 reject
	}
}
NFT

# nft: `reject with icmpx admin-prohibited`: the client gets EHOSTUNREACH/EACCES (reject), not a time-out.
# frontend: nftables
# expect ipv4: reject inet filter input 2
# expect ipv6: reject inet filter input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 reject with icmpx admin-prohibited
	}
}
NFT

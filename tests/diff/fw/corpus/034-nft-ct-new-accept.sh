# nft: `ct state new tcp dport 22 accept` before a final reject.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state established,related accept
		ct state new tcp dport 22 accept
		reject with icmpx admin-prohibited
	}
}
NFT

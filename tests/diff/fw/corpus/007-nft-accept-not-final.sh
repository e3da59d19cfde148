# nft: accept in one base chain (prio 0) does not end the hook: a second base chain (other table, prio 10) drops.
# frontend: nftables
# expect ipv4: drop inet second input 2
# expect ipv6: drop inet second input 2
nft -f - <<'NFT'
table inet first {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
}
table inet second {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 22 drop
	}
}
NFT

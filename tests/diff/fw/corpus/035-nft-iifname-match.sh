# nft: `iifname "sgfw0"` (the server veth) matches.
# frontend: nftables
# expect ipv4: drop inet filter input 2
# expect ipv6: drop inet filter input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "sgfw0" tcp dport 22 drop
	}
}
NFT

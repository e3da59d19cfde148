# nft: rules for other interface names (and a wildcard that does not match) do not apply.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "eth0" tcp dport 22 drop
		iifname "wg*" tcp dport 22 drop
		iifname != "sgfw0" tcp dport 22 drop
	}
}
NFT

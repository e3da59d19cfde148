# nft: counters and comments have no effect on the verdict.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop ip6 strict input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		counter comment "count everything"
		tcp dport 22 counter accept comment "ssh ok"
		counter reject comment "never reached for ssh"
	}
}
table ip6 strict {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 22 counter packets 0 bytes 0 drop comment "no ssh over v6"
	}
}
NFT

# nft: `tcp sport 1024-65535 drop`: covers every ephemeral source port, a certain drop; `tcp sport != 22` and a sport set pass the ports they are meant for (issue 10).
# frontend: nftables
# expect ipv4: drop inet filter input 5
# expect ipv6: drop inet filter input 5
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp sport { 1-1023, 6000 } reject
		tcp sport != 22 tcp dport 2222 drop
		tcp sport 1024-65535 tcp dport 22 drop
	}
}
NFT

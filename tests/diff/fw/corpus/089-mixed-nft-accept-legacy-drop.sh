# mixed: nft inet accepts 22 (prio 0); iptables-legacy filter INPUT (prio 0 too) drops. Both base chains run: legacy decides.
# frontend: iptables-legacy
# expect ipv4: drop ip filter INPUT 1 (legacy)
# expect ipv6: reject ip6 filter INPUT 1 (legacy)
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
}
NFT
iptables-legacy -A INPUT -p tcp --dport 22 -j DROP
ip6tables-legacy -A INPUT -p tcp --dport 22 -j REJECT

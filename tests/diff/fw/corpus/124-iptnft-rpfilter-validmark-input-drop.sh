# iptables-nft: 098's first shape: -m rpfilter --validmark --invert -j DROP in raw PREROUTING, then ip6tables INPUT --dport 22 -j DROP. "Any external source" is a client routed back where it arrives: the INPUT rule alone blocks it (deleting it is the fix; the rpfilter rule drops only a source whose route back leaves elsewhere, asked with --from). A client whose route back is right is dropped by INPUT.
# frontend: iptables-nft
# expect ipv4: reject ip filter INPUT 2
# expect ipv6: drop ip6 filter INPUT 2
iptables-nft -t raw -A PREROUTING -m rpfilter --validmark --invert -j DROP
iptables-nft -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
ip6tables-nft -t raw -A PREROUTING -m rpfilter --validmark --invert -j DROP
ip6tables-nft -A INPUT -p tcp --dport 22 -j DROP

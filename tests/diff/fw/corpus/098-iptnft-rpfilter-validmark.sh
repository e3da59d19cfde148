# iptables-nft: -m rpfilter --validmark --invert (nft lists it as `fib saddr . mark . iif oif 0`) in raw PREROUTING passes a client whose route back leaves where it came from; then REJECT (issue 10).
# frontend: iptables-nft
# expect ipv4: reject ip filter INPUT 2
# expect ipv6: reject ip6 filter INPUT 2
iptables-nft -t raw -A PREROUTING -m rpfilter --validmark --invert -j DROP
iptables-nft -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
ip6tables-nft -t raw -A PREROUTING -m rpfilter --validmark --invert -j DROP
ip6tables-nft -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset

# Empty ruleset: nothing filters, both families connect.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept

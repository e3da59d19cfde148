# kind: ruleset
# expect: invalid
# Valid on a host with that table; not on this one (nft -c alone says fine).
candidate() {
	printf 'add rule inet filter input tcp dport 22 accept\n' > "$CAND"
}

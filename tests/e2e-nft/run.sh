#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kernel-differential check of the nftables evaluator (root; touches only
# the two network namespaces it creates).  For every rulesets/*.nft: load it
# into a server namespace, ask `nft-capture eval live` for the verdict of a
# new TCP connection from the client to PORT (default 22; a "# port: N"
# line in the file overrides), then connect() from the client namespace over
# a veth pair; both families.  For drops and rejects, the rule (or chain
# policy) that `nft monitor trace` names must be the one we name, and its
# text as the trace prints it must be ours.  Exit status: number of
# disagreements.
#
#   tests/e2e-nft/run.sh BUILDDIR_WITH_nft-capture [RULESET...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
tool=$1/nft-capture
shift
[ -x "$tool" ] || { echo "no $tool" >&2; exit 2; }
srv=sgt-e2e-srv-$$
cli=sgt-e2e-cli-$$
listener=
cleanup() {
        [ -n "$listener" ] && kill "$listener" 2>/dev/null
        ip netns del "$srv" 2>/dev/null
        ip netns del "$cli" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$srv" && ip netns add "$cli" || exit 2
ip link add sgt-v0 netns "$srv" type veth peer name sgt-v1 netns "$cli" || exit 2
ip -n "$srv" link set lo up; ip -n "$cli" link set lo up
ip -n "$srv" addr add 192.0.2.1/24 dev sgt-v0
ip -n "$cli" addr add 192.0.2.2/24 dev sgt-v1
ip -n "$srv" addr add 2001:db8::1/64 dev sgt-v0 nodad
ip -n "$cli" addr add 2001:db8::2/64 dev sgt-v1 nodad
ip -n "$srv" link set sgt-v0 up; ip -n "$cli" link set sgt-v1 up
ip netns exec "$srv" python3 "$here/listen.py" 22 2222 &
listener=$!
sleep 0.5

fail=0 total=0
files=("$@")
[ ${#files[@]} -eq 0 ] && files=("$here"/rulesets/*.nft)
for f in "${files[@]}"; do
        port=$(sed -n 's/^# port: *//p' "$f" | head -1); port=${port:-22}
        ip netns exec "$srv" nft flush ruleset
        if ! ip netns exec "$srv" nft -f "$f"; then
                echo "LOAD-FAILED $(basename "$f")"; fail=$((fail + 1)); continue
        fi
        # which rule decides: trace every probe from the first hook on
        ip netns exec "$srv" nft -f - <<-TRACE || { echo "TRACE-SETUP-FAILED"; exit 2; }
		table netdev sgt_trace {
			chain in {
				type filter hook ingress device "sgt-v0" priority -500; policy accept;
				tcp dport { 22, $port } meta nftrace set 1
			}
		}
		table inet sgt_trace {
			chain pre {
				type filter hook prerouting priority -500; policy accept;
				tcp dport { 22, $port } meta nftrace set 1
			}
		}
	TRACE
        for pair in "192.0.2.2 192.0.2.1" "2001:db8::2 2001:db8::1"; do
                set -- $pair
                ours=$(ip netns exec "$srv" "$tool" eval live "$1" "$port" sgt-v0 "$2")
                trace=$(mktemp)
                ip netns exec "$srv" stdbuf -oL nft -a monitor trace > "$trace" 2>/dev/null &
                tracer=$!
                sleep 0.3
                kernel=$(ip netns exec "$cli" python3 "$here/probe.py" "$2" "$port")
                sleep 0.2
                kill "$tracer"; wait "$tracer" 2>/dev/null
                total=$((total + 1))
                verdict=${ours%% *}
                if [ "$verdict" != "$kernel" ]; then
                        echo "DIFF $(basename "$f") $1: kernel=$kernel ours=$ours"
                        fail=$((fail + 1))
                elif [ "$verdict" = drop ] || [ "$verdict" = reject ]; then
                        # "trace id X FAMILY TABLE CHAIN rule TEXT # handle N (verdict drop)"
                        # or "trace id X FAMILY TABLE CHAIN policy drop"
                        line=$(grep -m1 -E '\(verdict (drop|reject)\)|policy drop' "$trace")
                        read -r _ _ _ tf tt tc kind rest <<< "$line"
                        if [ "$kind" = policy ]; then
                                theirs="$tf $tt $tc policy"
                        else
                                h=$(sed -n 's/.* # handle \([0-9]*\) (verdict.*/\1/p' <<< "$line")
                                text=$(sed -n 's/.* rule \(.*\) # handle [0-9]* (verdict.*/\1/p' <<< "$line")
                                theirs="$tf $tt $tc $h \"$text\""
                        fi
                        mine=$(sed -E 's/^[a-z]+ //; s/ (rate-limited|rule-ambiguous|dport=[0-9]+).*$//' <<< "$ours")
                        if [ "$mine" = "$theirs" ]; then
                                echo "ok   $(basename "$f") $1: $ours"
                        else
                                echo "RULE $(basename "$f") $1: trace=[$theirs] ours=[$mine]"
                                fail=$((fail + 1))
                        fi
                else
                        echo "ok   $(basename "$f") $1: $ours"
                fi
                rm -f "$trace"
        done
done
echo "$((total - fail)) passed, $fail failed"
exit $fail

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every cause's MESSAGE_ID (lib/findings.c) has exactly one entry in the
journal catalog, with Subject, Confirm and Fix, and the catalog names no
other id.  `journalctl --update-catalog` style syntax: "-- ID" headers.
Every further argument is a man page that must name every cause code (as
a word: roff escapes the hyphen as "\-")."""
import re, sys
src, catalog = open(sys.argv[1]).read(), open(sys.argv[2]).read()
man_pages = sys.argv[3:]
ids = dict((m[1], m[0]) for m in re.findall(r'\[SG_CAUSE_\w+\]\s*=\s*\{\s*"([a-z-]+)",\s*"([0-9a-f]{32})"', src))
entries = re.split(r"^-- ([0-9a-f]{32})\s*$", catalog, flags=re.M)[1:]
seen = {}
for mid, body in zip(entries[::2], entries[1::2]):
    seen[mid] = seen.get(mid, 0) + 1
    for part in ("Subject: ", "Confirm: ", "Fix: "):
        if part not in body:
            print("MISMATCH %s: no %s" % (mid, part.strip()))
failed = [m for m in ids if seen.get(m) != 1] + [m for m in seen if m not in ids]
for m in failed:
    print("MISMATCH %s (%s): %d entries" % (m, ids.get(m, "unknown id"), seen.get(m, 0)))
passed = len(ids) - len([m for m in failed if m in ids])
for page in man_pages:
    text = open(page).read().replace("\\-", "-")
    for cause in sorted(ids.values()):
        if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(cause), text):
            passed += 1
        else:
            print("MISMATCH %s: cause %s is not mentioned" % (page, cause))
            failed.append(cause)
print("%d passed, %d failed" % (passed, len(failed)))
# DESIGN.md's cause table: 23 codes
sys.exit(1 if failed or len(ids) != 23 else 0)

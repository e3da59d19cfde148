#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test: sshguardian's sshd_config model against the real sshd.

    run.py SSHGUARDIANCTL SSHD CORPUS_DIR

Every top-level CORPUS_DIR/*.conf is a case.  For each case the corpus is
copied into a fresh temporary directory with "@DIR@" replaced by that
directory's absolute path (so Include lines can name companion files), then
`SSHD -T -f CASE` and `SSHGUARDIANCTL config --json -f CASE` are run and
compared:

  * validity (sshd's exit status 0 <=> "valid": true);
  * valid files: the set of (address, port) sshd prints as `listenaddress`
    equals the set of the model's "listen" entries (rdomain is compared too
    when the model's entries carry an "rdomain" key);
  * valid files, again: `SSHGUARDIANCTL config --dump` is a file sshd -T
    accepts with the same listen set (the model's round trip, judged by sshd);
  * invalid files: the model's first error has sshd's file, line and message
    (the text after "FILE line N: " / "FILE: line N: "); when sshd names no
    file, only the message (sshd's whole first error line) is compared.

A case may carry a line `# sshd-connection: SPEC` (e.g. for `Match LocalPort`,
which `sshd -T` refuses without connection parameters although the daemon
accepts it); SPEC is passed to sshd as `-C SPEC`.

Prints `ok NAME` or `MISMATCH NAME: details` per case and a final
`N passed, M failed`; exits 1 if anything failed or fewer than MIN_CASES ran.
Python standard library only.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 10
MIN_CASES = 40
PLACEHOLDER = b"@DIR@"

# "FILE line N: message" and "FILE: line N: message".  sshd names files by
# the path it opened; the harness always passes absolute paths, so requiring
# a leading "/" keeps out lines such as "reprocess config line 1: ...".
FILE_LINE_RE = re.compile(r"^(?P<file>/.*?):? line (?P<line>\d+): (?P<msg>.*)$")
CONNECTION_RE = re.compile(rb"^#\s*sshd-connection:\s*(\S+)\s*$", re.M)


def is_note(msg):
    """sshd logs these and carries on: they are not errors."""
    return msg.startswith("Deprecated option ") or msg.startswith("Unsupported option ")


def decode(b):
    return b.decode("utf-8", errors="backslashreplace")


def prepare(corpus, case):
    """Copies the corpus into a fresh directory, expanding @DIR@."""
    tmp = tempfile.mkdtemp(prefix="sshd-diff-")
    root = os.path.join(tmp, "corpus")
    shutil.copytree(corpus, root, symlinks=True)
    needle = os.path.abspath(root).encode()
    for dirpath, _dirnames, filenames in os.walk(root):
        for fn in filenames:
            p = os.path.join(dirpath, fn)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            with open(p, "rb") as f:
                data = f.read()
            if PLACEHOLDER in data:
                with open(p, "wb") as f:
                    f.write(data.replace(PLACEHOLDER, needle))
    return tmp, root, os.path.join(root, case)


def parse_listen(value):
    """`[::1]:22 rdomain lo` -> ("::1", 22, "lo")."""
    parts = value.split()
    rdomain = None
    if len(parts) >= 3 and parts[1] == "rdomain":
        rdomain = parts[2]
    ep = parts[0]
    if ep.startswith("["):
        end = ep.index("]")
        addr, port = ep[1:end], ep[end + 2:]
    else:
        addr, _, port = ep.rpartition(":")
    return addr, int(port), rdomain


def run_sshd(sshd, path, text):
    """Returns a dict: valid, listen (set of (addr, port, rdomain)), error
    (file, line, message) or None, or 'fail' with a reason."""
    argv = [sshd, "-T", "-f", path]
    m = CONNECTION_RE.search(text)
    if m:
        argv += ["-C", decode(m.group(1))]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"fail": "sshd timed out after %d s" % TIMEOUT}
    except OSError as e:
        return {"fail": "cannot run sshd: %s" % e}
    if p.returncode < 0:
        return {"fail": "sshd killed by signal %d" % -p.returncode}
    res = {"valid": p.returncode == 0, "listen": set(), "error": None,
           "rc": p.returncode,
           "options": set(l for l in decode(p.stdout).split("\n") if l)}
    for line in decode(p.stdout).split("\n"):
        kw, _, value = line.partition(" ")
        if kw == "listenaddress":
            try:
                res["listen"].add(parse_listen(value))
            except (ValueError, IndexError):
                return {"fail": "cannot parse sshd output line %r" % line}
    # sshd ends its stderr lines with "\r\n".
    lines = [l.rstrip("\r") for l in decode(p.stderr).split("\n")]
    lines = [l for l in lines if l.strip()]
    res["stderr"] = lines
    if not res["valid"]:
        first_plain = None
        for l in lines:
            m = FILE_LINE_RE.match(l)
            if m:
                if is_note(m.group("msg")):
                    continue
                res["error"] = (m.group("file"), int(m.group("line")), m.group("msg"))
                break
            if first_plain is None and not is_note(l) \
                    and not l.startswith("reprocess config line "):
                first_plain = l
        if res["error"] is None:
            res["error"] = (None, None, first_plain)
    return res


def run_model(ctl, path):
    try:
        p = subprocess.run([ctl, "config", "--json", "-f", path],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"fail": "sshguardianctl timed out after %d s" % TIMEOUT}
    except OSError as e:
        return {"fail": "cannot run sshguardianctl: %s" % e}
    if p.returncode < 0:
        return {"fail": "sshguardianctl killed by signal %d; stderr: %s"
                % (-p.returncode, decode(p.stderr).strip()[:300])}
    try:
        obj = json.loads(p.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return {"fail": "stdout of sshguardianctl is not one JSON object (%s): %r; stderr: %s"
                % (e, p.stdout[:200], decode(p.stderr).strip()[:300])}
    if not isinstance(obj, dict):
        return {"fail": "stdout of sshguardianctl is JSON but not an object: %r" % p.stdout[:200]}
    valid = obj.get("valid")
    if not isinstance(valid, bool):
        return {"fail": "\"valid\" is not a boolean: %r" % (valid,)}
    want_rc = 0 if valid else 1
    if p.returncode != want_rc:
        return {"fail": "sshguardianctl exited %d with \"valid\": %s (expected exit %d)"
                % (p.returncode, json.dumps(valid), want_rc)}
    listen = set()
    with_rdomain = False
    entries = obj.get("listen")
    if not isinstance(entries, list):
        return {"fail": "\"listen\" is not a list: %r" % (entries,)}
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("address"), str) \
                or not isinstance(e.get("port"), int) or isinstance(e.get("port"), bool):
            return {"fail": "bad \"listen\" entry: %r" % (e,)}
        if "rdomain" in e:
            with_rdomain = True
        listen.add((e["address"], e["port"], e.get("rdomain")))
    errors = obj.get("errors")
    if not isinstance(errors, list):
        return {"fail": "\"errors\" is not a list: %r" % (errors,)}
    first = None
    if errors:
        e = errors[0]
        if not isinstance(e, dict):
            return {"fail": "bad \"errors\" entry: %r" % (e,)}
        first = (e.get("file"), e.get("line"), e.get("message"))
    return {"valid": valid, "listen": listen, "with_rdomain": with_rdomain,
            "error": first, "n_errors": len(errors)}


def fmt_listen(s):
    out = []
    for a, p, r in sorted(s, key=lambda t: (t[0], t[1], t[2] or "")):
        ep = ("[%s]:%d" if ":" in a else "%s:%d") % (a, p)
        out.append(ep + (" rdomain %s" % r if r else ""))
    return "{" + ", ".join(out) + "}"


def fmt_error(e):
    if e is None:
        return "(none)"
    f, l, m = e
    where = "%s line %s: " % (f, l) if f is not None or l is not None else ""
    return where + json.dumps(m)


def compare(sshd, model):
    """Returns a list of differences (empty: the case passes)."""
    if "fail" in sshd:
        return [sshd["fail"]]
    if "fail" in model:
        return [model["fail"]]
    diffs = []
    if sshd["valid"] != model["valid"]:
        if sshd["valid"]:
            diffs.append("sshd accepts the file (listen %s), model says invalid, first error %s"
                         % (fmt_listen(sshd["listen"]), fmt_error(model["error"])))
        else:
            diffs.append("sshd rejects the file (exit %d: %s), model says valid (listen %s)"
                         % (sshd["rc"], fmt_error(sshd["error"]), fmt_listen(model["listen"])))
        return diffs
    if sshd["valid"]:
        if model["with_rdomain"]:
            a, b = sshd["listen"], model["listen"]
        else:
            a = {(x, p, None) for x, p, _r in sshd["listen"]}
            b = model["listen"]
        if a != b:
            diffs.append("listen differs: sshd %s, model %s (only sshd: %s, only model: %s)"
                         % (fmt_listen(a), fmt_listen(b), fmt_listen(a - b), fmt_listen(b - a)))
        return diffs
    # Both invalid.
    sfile, sline, smsg = sshd["error"]
    if model["error"] is None:
        diffs.append("model says invalid but lists no error; sshd: %s" % fmt_error(sshd["error"]))
        return diffs
    mfile, mline, mmsg = model["error"]
    if sfile is not None:
        if (mfile, mline) != (sfile, sline):
            diffs.append("first error at %s line %s, sshd says %s line %d"
                         % (mfile, mline, sfile, sline))
    if smsg is not None and mmsg != smsg:
        diffs.append("first error message %s, sshd says %s"
                     % (json.dumps(mmsg), json.dumps(smsg)))
    return diffs


def check_dump(ctl, sshd, path, text, original):
    """The round trip, judged by sshd: `config --dump` of a valid file is a
    file sshd accepts, and `sshd -T` prints the same effective configuration
    (every option, not only the endpoints) for it as for the original."""
    dump_path = path + ".dump"
    try:
        p = subprocess.run([ctl, "config", "--dump", "-f", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return ["config --dump timed out"]
    if p.returncode != 0:
        return ["config --dump exited %d: %s" % (p.returncode, decode(p.stderr).strip())]
    with open(dump_path, "wb") as f:
        f.write(p.stdout)
    # the connection spec of the original applies to its dump too
    m = CONNECTION_RE.search(text)
    d = run_sshd(sshd, dump_path, m.group(0) + b"\n" if m else b"")
    if not d["valid"]:
        return ["sshd rejects the dump: %s" % fmt_error(d["error"])]
    if d["listen"] != original["listen"]:
        return ["sshd binds %s for the dump, %s for the original"
                % (fmt_listen(d["listen"]), fmt_listen(original["listen"]))]
    if d["options"] != original["options"]:
        return ["sshd -T differs for the dump: %s" % "; ".join(
            sorted(original["options"] ^ d["options"]))]
    return []


def main(argv):
    if len(argv) != 4:
        print("usage: %s SSHGUARDIANCTL SSHD CORPUS_DIR" % argv[0], file=sys.stderr)
        return 2
    ctl, sshd, corpus = (os.path.abspath(a) for a in argv[1:])
    cases = sorted(f for f in os.listdir(corpus)
                   if f.endswith(".conf") and os.path.isfile(os.path.join(corpus, f)))
    # An sshd that cannot run here (no host keys, no /run/sshd) would make
    # every case look like a model error: say so once instead.
    try:
        os.makedirs("/run/sshd", exist_ok=True)
    except OSError as e:
        print("cannot create /run/sshd (run as root): %s" % e, file=sys.stderr)
    try:
        p = subprocess.run([sshd, "-T", "-f", "/dev/null"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
        if p.returncode != 0:
            print("sshd -T -f /dev/null fails here (exit %d): %s"
                  % (p.returncode, decode(p.stderr).strip()), file=sys.stderr)
            print("0 passed, %d failed" % len(cases))
            return 1
    except (OSError, subprocess.TimeoutExpired) as e:
        print("cannot run %s: %s" % (sshd, e), file=sys.stderr)
        print("0 passed, %d failed" % len(cases))
        return 1
    passed = failed = 0
    for case in cases:
        name = case[:-len(".conf")]
        tmp, root, path = prepare(corpus, case)
        try:
            with open(path, "rb") as f:
                text = f.read()
            s = run_sshd(sshd, path, text)
            m = run_model(ctl, path)
            diffs = compare(s, m)
            if not diffs and s["valid"]:
                diffs = check_dump(ctl, sshd, path, text, s)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if diffs:
            failed += 1
            print("MISMATCH %s: %s" % (name, "; ".join(diffs).replace(root, "@DIR@")))
        else:
            passed += 1
            print("ok %s" % name)
        sys.stdout.flush()
    if passed + failed < MIN_CASES:
        print("only %d cases ran, at least %d expected" % (passed + failed, MIN_CASES))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed + failed < MIN_CASES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The pre-flight recipes of README.md and sshguardianctl(1), run (root).

    recipes.py SSHGUARDIANCTL README MANPAGE

Each `<!-- recipe:NAME -->` block of README.md must be in the man page's
EXAMPLES too (the same lines, roff escapes undone), and each is run as an
administrator would run it, in a server namespace of tests/diff/fw's pair
(a listener named sshd on port 22), with SSHGUARDIANCTL for
/usr/bin/sshguardianctl and a file of the test's own for the one the recipe
names:

  shell-guard      `nft_safe LOCKOUT.nft` fails and the namespace's ruleset
                   is byte for byte what it was; `nft_safe SAFE.nft` loads it;
  nftables-dropin  `systemd-analyze verify` accepts nftables.service with the
                   drop-in; its ExecStartPre= fails for a lockout and passes
                   for a safe file and for an invalid one (nft -f, run next,
                   refuses that itself); its ExecReload= lines, run in
                   order as systemd runs them, stop before `nft -f` for a
                   lockout (ruleset unchanged) and load a safe file;
  ansible-sshd     ansible-playbook (real Ansible, connection local) with the
                   task as written: a safe sshd_config is installed; a
                   lockout (exit 1) and an invalid file (exit 2) are refused
                   and the destination keeps its old content;
  ansible-iptables the same with iptables-restore files;
  iptables-guard   refuses a lockout (the namespace's iptables unchanged),
                   applies a safe file.

Prints `ok NAME: ...` / `FAIL NAME: ...`; exits 1 on any failure.
"""

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("fwrun", os.path.join(HERE, "..", "diff", "fw", "run.py"))
fw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fw)

RECIPE_RE = re.compile(r"<!-- recipe:(\S+) -->\n```\w*\n(.*?)```", re.S)

NFT_LOCKOUT = """flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		tcp dport 80 accept
	}
}
"""
# the pair's listener (named sshd) holds 22 and 2222: both are expected
NFT_SAFE = NFT_LOCKOUT.replace("tcp dport 80 accept", "tcp dport { 22, 80, 2222 } accept")
IPT_LOCKOUT = """*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp --dport 80 -j ACCEPT
COMMIT
"""
IPT_SAFE = IPT_LOCKOUT.replace("--dport 80", "-m multiport --dports 22,80,2222")
IPT_INVALID = IPT_LOCKOUT.replace("-j ACCEPT\nCOMMIT", "-j ACCEPTT\nCOMMIT")
SSHD_SAFE = "Port 22\nPermitRootLogin prohibit-password\n"
SSHD_LOCKOUT = "Port 22\nListenAddress 127.0.0.1\n"
SSHD_INVALID = "Port 22\nPermitRootLogon no\n"


class Fail(Exception):
    pass


def roff_text(s):
    return s.replace("\\-", "-").replace("\\e", "\\")


def recipes(readme, manpage):
    with open(readme) as f:
        found = dict(RECIPE_RE.findall(f.read()))
    with open(manpage) as f:
        man = roff_text(f.read())
    missing = {}
    for name, text in found.items():
        lines = [l for l in text.splitlines() if l.strip()]
        absent = [l for l in lines if l not in man]
        if absent:
            missing[name] = absent
    return found, missing


def nft_state(pair):
    out = pair.srv_exec(["nft", "list", "ruleset"], check=False).stdout
    ipt = "\n".join(l for l in pair.srv_exec(["iptables-legacy-save"], check=False).stdout.splitlines()
                    if not l.startswith("#"))
    return out + "\n=====\n" + ipt


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def subst(text, ctl, work):
    return text.replace("/usr/bin/sshguardianctl", ctl)


def check_shell_guard(pair, recipe, ctl, work):
    env_path = os.path.dirname(ctl) + ":" + os.environ.get("PATH", "")
    script = subst(recipe, ctl, work) + '\nnft_safe "$1"\n'
    lock, safe = write(os.path.join(work, "lock.nft"), NFT_LOCKOUT), write(os.path.join(work, "safe.nft"), NFT_SAFE)
    before = nft_state(pair)
    p = pair.srv_exec(["env", "PATH=" + env_path, "bash", "-c", script, "guard", lock], check=False)
    if p.returncode == 0:
        raise Fail("nft_safe loaded a lockout file")
    if nft_state(pair) != before:
        raise Fail("nft_safe changed the ruleset for a lockout file")
    p = pair.srv_exec(["env", "PATH=" + env_path, "bash", "-c", script, "guard", safe], check=False)
    if p.returncode != 0 or "tcp dport { 22, 80, 2222 } accept" not in nft_state(pair):
        raise Fail("nft_safe did not load a safe file (exit %d): %s" % (p.returncode, p.stderr[-300:]))
    pair.srv_exec(["nft", "flush", "ruleset"])
    return "refuses a lockout (exit %d, ruleset unchanged), loads a safe file" % 1


def systemd_lines(dropin, key):
    out = []
    for line in dropin.splitlines():
        if line.startswith(key + "="):
            v = line[len(key) + 1:]
            if v:
                out.append(v)
            else:
                out = []        # an empty assignment resets the list
    return out


def run_exec_line(pair, line, env_path):
    # systemd: "$$" is a literal "$"; no shell unless the line runs one
    argv = [a.replace("$$", "$") for a in shlex.split(line)]
    return pair.srv_exec(["env", "PATH=" + env_path] + argv, check=False)


def check_nftables_dropin(pair, recipe, ctl, work):
    env_path = os.path.dirname(ctl) + ":" + os.environ.get("PATH", "")
    unitdir = os.path.join(work, "units")
    os.makedirs(os.path.join(unitdir, "nftables.service.d"))
    shutil.copy("/lib/systemd/system/nftables.service", unitdir)
    write(os.path.join(unitdir, "nftables.service.d", "sshguardian.conf"), subst(recipe, ctl, work))
    v = subprocess.run(["systemd-analyze", "verify", os.path.join(unitdir, "nftables.service")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       env=dict(os.environ, SYSTEMD_UNIT_PATH=unitdir + ":"))
    bad = [l for l in v.stderr.splitlines() if "sshguardian.conf" in l or "nftables.service:" in l]
    if bad:
        raise Fail("systemd-analyze verify: %s" % " | ".join(bad))
    results = {}
    for kind, text in (("lockout", NFT_LOCKOUT), ("safe", NFT_SAFE)):
        f = write(os.path.join(work, "nftables-%s.conf" % kind), text)
        lines = [subst(l, ctl, work).replace("/etc/nftables.conf", f) for l in systemd_lines(recipe, "ExecStartPre")]
        p = [run_exec_line(pair, l, env_path) for l in lines]
        results["start-" + kind] = all(x.returncode == 0 for x in p)
        before = nft_state(pair)
        ok = True
        for l in systemd_lines(recipe, "ExecReload"):
            l = subst(l, ctl, work).replace("/etc/nftables.conf", f)
            if run_exec_line(pair, l, env_path).returncode != 0:
                ok = False
                break
        results["reload-" + kind] = ok
        if kind == "lockout" and nft_state(pair) != before:
            raise Fail("the ExecReload= lines changed the ruleset for a lockout file")
        if kind == "safe" and "tcp dport { 22, 80, 2222 } accept" not in nft_state(pair):
            raise Fail("the ExecReload= lines did not load a safe file")
        pair.srv_exec(["nft", "flush", "ruleset"])
    # an invalid file (exit 2) is nft's own to refuse in ExecStart=: the
    # start guard lets it through
    f = write(os.path.join(work, "nftables-invalid.conf"), "table inet x {\n chain y {\n  bogus\n }\n}\n")
    lines = [subst(l, ctl, work).replace("/etc/nftables.conf", f) for l in systemd_lines(recipe, "ExecStartPre")]
    results["start-invalid"] = all(run_exec_line(pair, l, env_path).returncode == 0 for l in lines)
    want = {"start-lockout": False, "start-safe": True, "reload-lockout": False, "reload-safe": True,
            "start-invalid": True}
    if results != want:
        raise Fail("passes %s, want %s" % (results, want))
    return "verify ok; ExecStartPre refuses a lockout, passes safe and invalid (nft's own to refuse); " \
           "ExecReload stops before nft -f for a lockout"


def ansible_task(recipe, ctl, src, dest, work):
    text = subst(recipe, ctl, work)
    text = re.sub(r"src: \S+", "src: " + src, text)
    text = re.sub(r"dest: \S+", "dest: " + dest, text)
    notify = re.findall(r"notify: (.*)", text)
    play = "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
    play += "".join("    " + l + "\n" for l in text.splitlines())
    if notify:
        play += "  handlers:\n" + "".join(
            "    - name: %s\n      ansible.builtin.debug:\n        msg: handled\n" % n.strip() for n in notify)
    return play


def check_ansible(pair, recipe, ctl, work, cases, dest_name):
    dest = os.path.join(work, dest_name)
    write(dest, "# the file in place before\n")
    env = ["env", "ANSIBLE_NOCOLOR=1", "ANSIBLE_LOCALHOST_WARNING=0", "ANSIBLE_INVENTORY_UNPARSED_WARNING=0",
           "HOME=" + work, "ANSIBLE_LOCAL_TEMP=" + os.path.join(work, "ansible-tmp")]
    out = []
    for kind, text, want in cases:
        src = write(os.path.join(work, "%s-%s.j2" % (dest_name, kind)), text)
        play = write(os.path.join(work, "play-%s-%s.yml" % (dest_name, kind)), ansible_task(recipe, ctl, src, dest, work))
        old = open(dest).read()
        p = pair.srv_exec(env + ["ansible-playbook", "-i", "localhost,", "-c", "local", play], check=False,
                          timeout=120)
        now = open(dest).read()
        if want == "installed" and (p.returncode != 0 or now != text):
            raise Fail("%s: not installed (ansible exit %d): %s" % (kind, p.returncode, p.stdout[-600:]))
        if want == "refused":
            if p.returncode == 0 or now != old:
                raise Fail("%s: not refused (ansible exit %d)" % (kind, p.returncode))
            if "failed validating" not in p.stdout.lower() and "validat" not in p.stdout.lower():
                raise Fail("%s: refused, but not by validate: %s" % (kind, p.stdout[-600:]))
        out.append("%s %s" % (kind, want))
    return ", ".join(out)


def check_iptables_guard(pair, recipe, ctl, work):
    env_path = os.path.dirname(ctl) + ":" + os.environ.get("PATH", "")
    lock = write(os.path.join(work, "rules.v4"), IPT_LOCKOUT)
    before = pair.srv_exec(["iptables-save"], check=False).stdout
    p = pair.srv_exec(["env", "PATH=" + env_path, "bash", "-c", subst(recipe, ctl, work)], check=False)
    after = pair.srv_exec(["iptables-save"], check=False).stdout
    strip = lambda s: "\n".join(l for l in s.splitlines() if not l.startswith("#"))
    if p.returncode == 0 or strip(before) != strip(after):
        raise Fail("a lockout was applied (exit %d)" % p.returncode)
    write(lock, IPT_SAFE)
    p = pair.srv_exec(["env", "PATH=" + env_path, "bash", "-c", subst(recipe, ctl, work)], check=False)
    if p.returncode != 0 or "--dports 22,80,2222" not in pair.srv_exec(["iptables-save"]).stdout:
        raise Fail("a safe file was not applied (exit %d): %s" % (p.returncode, p.stderr[-300:]))
    return "refuses a lockout, applies a safe file"


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("recipes.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    ctl, readme, manpage = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    for tool in ("ansible-playbook", "systemd-analyze", "nft", "iptables-restore"):
        if not shutil.which(tool):
            print("recipes.py: %s not found (README's install line installs it)" % tool, file=sys.stderr)
            return 2
    found, missing = recipes(readme, manpage)
    failed = 0
    want = ("shell-guard", "nftables-dropin", "ansible-sshd", "ansible-iptables", "iptables-guard")
    for name in want:
        if name not in found:
            print("FAIL %s: not in README.md" % name)
            failed += 1
    for name, lines in missing.items():
        print("FAIL %s: not in the man page as in README.md: %s" % (name, " | ".join(lines)))
        failed += 1
    cwd = os.getcwd()
    for name in want:
        if name not in found:
            continue
        work = tempfile.mkdtemp(prefix="sgpf-recipe-")
        os.chdir(work)
        try:
            with fw.Pair("rc%d" % next(fw.PAIR_SEQ)) as pair:
                recipe = found[name]
                if name == "shell-guard":
                    msg = check_shell_guard(pair, recipe, ctl, work)
                elif name == "nftables-dropin":
                    msg = check_nftables_dropin(pair, recipe, ctl, work)
                elif name == "ansible-sshd":
                    msg = check_ansible(pair, recipe, ctl, work, (("safe", SSHD_SAFE, "installed"),
                                                                   ("lockout", SSHD_LOCKOUT, "refused"),
                                                                   ("invalid", SSHD_INVALID, "refused")),
                                        "sshd_config")
                elif name == "ansible-iptables":
                    msg = check_ansible(pair, recipe, ctl, work, (("safe", IPT_SAFE, "installed"),
                                                                   ("lockout", IPT_LOCKOUT, "refused"),
                                                                   ("invalid", IPT_INVALID, "refused")),
                                        "rules.v4")
                else:
                    msg = check_iptables_guard(pair, recipe, ctl, work)
            print("ok %s: %s" % (name, msg))
        except (Fail, fw.Fail, subprocess.TimeoutExpired, OSError) as x:
            print("FAIL %s: %s" % (name, x))
            failed += 1
        finally:
            os.chdir(cwd)
            shutil.rmtree(work, ignore_errors=True)
        sys.stdout.flush()
    print("%d recipes, %d failed" % (len(want), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

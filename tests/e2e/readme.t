#!/bin/sh
# README.md's commands are run, so the README cannot drift from the programs.
# Every code block is fenced and says what it is:
#
#   ```console   a session: each "$ " line (with the lines that continue it
#                after a trailing | or \) is run, and what follows it, up to
#                the next "$ ", is its output: standard output, then standard
#                error.  A line "..." stands for any lines, "..." inside a line
#                for any text.  "$ cat FILE" of a file that does not exist yet
#                writes the output shown into FILE: that is how a session
#                brings its own input.
#   ```sh        commands that must exit 0 (output not compared)
#   ```make      make targets: `make -n TARGET` must work
#   ```cron      a crontab line that must be the one in pipeline/crontab.example
#   ```text, ```csv, ```conf   listings, not run
#
# Each block runs in a folder of its own, holding samples/ (a link) and
# with the build's programs and pipeline/kpo-nightly first in PATH.
. tests/e2e/lib.sh

python3 - "$TOP" "$T" <<'EOF'
import os, re, subprocess, sys

top, tmp = sys.argv[1], sys.argv[2]
text = open(os.path.join(top, "README.md"), encoding="utf-8").read().split("\n")
n = failed = 0

def ok(good, name, diag=""):
    global n, failed
    n += 1
    print(("ok" if good else "not ok"), n, "-", name)
    if not good:
        failed += 1
        for line in diag.rstrip("\n").split("\n"):
            print("#", line)

def matches(want, got):
    """WANT lines against GOT lines; '...' is any lines, '...' in a line any text."""
    if not want:
        return not got
    w = want[0]
    if w == "...":
        return any(matches(want[1:], got[i:]) for i in range(len(got) + 1))
    if not got:
        return False
    pat = "^" + ".*".join(re.escape(p) for p in w.split("...")) + "$"
    return re.match(pat, got[0]) is not None and matches(want[1:], got[1:])

# The fenced blocks, with their first line number; indented ones are refused
# (the test would not see them).
blocks, i, fence = [], 0, None
while i < len(text):
    m = re.match(r"^```(\S*)\s*$", text[i])
    if m:
        start, lang, body = i + 1, m.group(1), []
        i += 1
        while i < len(text) and text[i] != "```":
            body.append(text[i])
            i += 1
        blocks.append((start, lang, body))
    elif re.match(r"^    \S", text[i]) and (i == 0 or text[i - 1].strip() == ""):
        ok(False, "README.md:%d: an indented code block (fence it and say what it is)" % (i + 1))
    i += 1

def sandbox(k):
    d = os.path.join(tmp, "block%d" % k)
    os.makedirs(d)
    os.symlink(os.path.join(top, "samples"), os.path.join(d, "samples"))
    return d

def commands(lines):
    """(command, output lines) of a console block."""
    out, cur = [], None
    for line in lines:
        if line.startswith("$ "):
            cur = [line[2:], []]
            out.append(cur)
        elif cur is not None and not cur[1] and re.search(r"[|\\]\s*$", cur[0]):
            cur[0] += "\n" + line
        elif cur is not None:
            cur[1].append(line.rstrip())
    for _, want in out:
        while want and want[-1] == "":
            want.pop()
    return out

# kpo-nightly as installed: from pipeline/, with the build's stages.
env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC",
           PATH=os.path.join(top, "pipeline") + ":" + os.environ["PATH"])
for k, (line, lang, body) in enumerate(blocks):
    where = "README.md:%d" % line
    if lang == "console":
        d, status = sandbox(k), 0
        for cmd, want in commands(body):
            first = cmd.split("\n")[0]
            m = re.match(r"^cat (\S+)$", cmd)
            if m and not os.path.exists(os.path.join(d, m.group(1))):
                with open(os.path.join(d, m.group(1)), "w", encoding="utf-8") as f:
                    f.write("".join(l + "\n" for l in want))
                continue
            p = subprocess.run(["bash", "-c", "(exit %d); %s" % (status, cmd)], cwd=d, env=env,
                               capture_output=True, text=True)
            if cmd.strip() != "echo $?":
                status = p.returncode
            got = [l.rstrip() for l in (p.stdout + p.stderr).rstrip("\n").split("\n")]
            if got == [""]:
                got = []
            ok(matches(want, got), "%s: $ %s" % (where, first),
               "--- expected:\n%s\n--- got (exit %d):\n%s" % ("\n".join(want), p.returncode, "\n".join(got)))
    elif lang == "sh":
        d = sandbox(k)
        script = "\n".join(l for l in body if not l.lstrip().startswith("#"))
        p = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=d, env=env,
                           capture_output=True, text=True)
        ok(p.returncode == 0, "%s: the commands exit 0" % where,
           "exit %d\n%s" % (p.returncode, p.stderr[-2000:]))
    elif lang == "make":
        for l in body:
            target = l.split("#")[0].split()
            if not target:
                continue
            p = subprocess.run(["make", "-n", "-C", top] + target[1:], capture_output=True, text=True)
            ok(target[0] == "make" and p.returncode == 0, "%s: %s is a make target" % (where, " ".join(target)),
               p.stderr[-2000:])
    elif lang == "cron":
        cron = open(os.path.join(top, "pipeline/crontab.example"), encoding="utf-8").read().split("\n")
        for l in body:
            ok(l in cron, "%s: the cron line is pipeline/crontab.example's" % where, l)
    elif lang in ("text", "csv", "conf"):
        continue
    else:
        ok(False, "%s: a code block says what it is (console, sh, make, cron, text, csv, conf)" % where,
           "it says '%s'" % lang)
ok(any(l == "console" for _, l, _ in blocks), "README.md has sessions to run")
print("1..%d" % n)
sys.exit(1 if failed else 0)
EOF

#!/usr/bin/env python3
"""Summarises a JFR recording's execution samples: the top frames (self time), the methods by the share of
samples they are on the stack of (inclusive), and the stacks in collapsed form (one line per stack, its count
last), which flame graph tools read.  Usage: jfr-summary.py RECORDING.jfr OUT_PREFIX (writes OUT_PREFIX.txt and
OUT_PREFIX.collapsed; needs the JDK's jfr tool on the PATH)."""
import json, subprocess, sys, collections
jfr, out_prefix = sys.argv[1], sys.argv[2]
data = json.loads(subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", "--stack-depth", "64", jfr],
                                 capture_output=True, text=True, check=True).stdout)
events = data["recording"]["events"]
selfc = collections.Counter(); incl = collections.Counter(); stacks = collections.Counter()
def name(f):
    m = f["method"]; t = m["type"]["name"]
    return t.split(".")[-1] if False else t + "." + m["name"]
for e in events:
    v = e["values"]; frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
    names = [name(f) for f in frames]
    if not names: continue
    selfc[names[0]] += 1
    for n in set(names): incl[n] += 1
    stacks[";".join(reversed(names))] += 1
total = len(events)
with open(out_prefix + ".txt", "w") as o:
    o.write(f"{total} execution samples (jdk.ExecutionSample) from {jfr.split('/')[-1]}\n")
    o.write("\ntop frames (self)\n")
    for k, c in selfc.most_common(40): o.write(f"{100*c/total:6.1f}%  {k}\n")
    o.write("\ninclusive (method anywhere on the stack)\n")
    for k, c in incl.most_common(120): o.write(f"{100*c/total:6.1f}%  {k}\n")
with open(out_prefix + ".collapsed", "w") as o:
    for k, c in stacks.most_common(): o.write(f"{k} {c}\n")

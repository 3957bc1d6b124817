#!/usr/bin/env python3
"""Summarises what a JFR recording's threads allocated (jdk.ObjectAllocationSample, whose weights estimate
the bytes behind each sample) and which execution samples copy bytes, for the threads whose names start
with a prefix (default felix-ws, the WebSocket loops): bytes by class and by allocating method, and
bytes per delivery when the deliveries are given.
Usage: jfr-alloc.py RECORDING.jfr [DELIVERIES] [THREAD_PREFIX]  (needs the JDK's jfr tool on the PATH)."""
import collections, json, subprocess, sys

jfr = sys.argv[1]
deliveries = float(sys.argv[2]) if len(sys.argv) > 2 else 0
prefix = sys.argv[3] if len(sys.argv) > 3 else "felix-ws"


def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--events", kind, "--stack-depth", "32", jfr],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def thread(v):
    t = v.get("eventThread") or v.get("sampledThread") or {}
    return t.get("javaName") or t.get("osName") or ""


def frames(v):
    st = v.get("stackTrace")
    return [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in st["frames"]] if st else []


by_class = collections.Counter()
by_site = collections.Counter()
total = 0
for e in events("jdk.ObjectAllocationSample"):
    v = e["values"]
    if not thread(v).startswith(prefix):
        continue
    w = v["weight"]
    total += w
    by_class[v["objectClass"]["name"]] += w
    fs = frames(v)
    site = next((f for f in fs if not f.startswith(("java.", "jdk.", "sun."))), fs[0] if fs else "?")
    by_site[site] += w

samples = 0
copying = collections.Counter()
for e in events("jdk.ExecutionSample"):
    v = e["values"]
    if not thread(v).startswith(prefix):
        continue
    samples += 1
    fs = frames(v)
    for marker in ("newDirectBuffer", "copyMemory", "MessageToMessageEncoder.write", "HubShard.drain",
                   "writeBytesMultiple", "doWriteMultiple"):
        if any(marker in f for f in fs):
            copying[marker] += 1

print(f"{jfr.split('/')[-1]}: threads {prefix}*")
print(f"allocated (estimated from samples): {total / 2**20:,.1f} MiB"
      + (f", {total / deliveries:,.0f} bytes per delivery over {deliveries:,.0f} deliveries" if deliveries else ""))
print("\nby class")
for k, w in by_class.most_common(15):
    print(f"{w / 2**20:10.1f} MiB {100 * w / total:5.1f}%  {k}")
print("\nby allocating method (first outside the JDK)")
for k, w in by_site.most_common(15):
    print(f"{w / 2**20:10.1f} MiB {100 * w / total:5.1f}%  {k}")
print(f"\n{samples} execution samples; share with the method on the stack")
for k, c in copying.most_common():
    print(f"{100 * c / max(1, samples):6.1f}%  {k}")

#!/usr/bin/env python3
"""Summarises async-profiler's collapsed stacks recorded with the `threads` option (the first frame of
each stack names its thread): the share of CPU samples per thread, then for each thread named on the
command line its top frames (self) and the methods by inclusive share.
Usage: cpu-summary.py STACKS.collapsed [THREAD_PREFIX ...] > SUMMARY.txt"""
import collections, sys
path, prefixes = sys.argv[1], sys.argv[2:]
threads = collections.Counter()
self_by = collections.defaultdict(collections.Counter)
incl_by = collections.defaultdict(collections.Counter)
for line in open(path):
    stack, count = line.rsplit(" ", 1)
    count = int(count)
    frames = stack.split(";")
    thread = frames[0].strip("[]").split(" tid=")[0]
    threads[thread] += count
    for p in prefixes:
        if thread.startswith(p):
            self_by[p][frames[-1]] += count
            for m in set(frames[1:]):
                incl_by[p][m] += count
total = sum(threads.values())
print(f"{total} CPU samples (1 ms) from {path.split('/')[-1]}\n\nby thread")
for t, c in threads.most_common(12):
    print(f"{100 * c / total:6.1f}%  {t}")
for p in prefixes:
    n = sum(c for t, c in threads.items() if t.startswith(p))
    print(f"\n{p}*: {n} samples; top frames (self), % of this thread")
    for k, c in self_by[p].most_common(25):
        print(f"{100 * c / n:6.1f}%  {k}")
    print(f"\n{p}*: inclusive, % of this thread")
    for k, c in incl_by[p].most_common(90):
        print(f"{100 * c / n:6.1f}%  {k}")

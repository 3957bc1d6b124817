#!/usr/bin/env bash
# CPU per write of felix in the writes scenario: runs `compare --servers felix --scenarios writes
# --write-listeners 0` (both phases then write without listeners) on the felix jar under HOME, and over
# 10 s of steady writes (28-38 s after the server starts: JIT warm) reads each server thread's CPU time
# from /proc, the count of committed writes from /metrics, and records async-profiler (CPU, 1 ms,
# per thread). Needs the built bench jar and Maven (for async-profiler from Maven Central).
# Usage: bench/profiles/writes-cpu.sh HOME LABEL   (writes /tmp/felix-profile/LABEL.{cpu,collapsed,bench})
set -u
home=$(cd "$1" && pwd); label=$2; out=/tmp/felix-profile; mkdir -p "$out/ap"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -f "$out/ap/linux-x64/libasyncProfiler.so" ]; then
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:3.0 -DoutputDirectory="$out/ap"
  (cd "$out/ap" && unzip -q -o async-profiler-3.0.jar 'linux-x64/*')
fi
lib=$out/ap/linux-x64/libasyncProfiler.so
cat > "$out/ap/Attach.java" <<'JAVA'
public class Attach {
    public static void main(String[] a) throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(a[0]);
        try { vm.loadAgentPath(a[1], a[2]); } finally { vm.detach(); }
    }
}
JAVA
attach() { java "$out/ap/Attach.java" "$@"; }
( uptime; java -jar "$root/felix-bench/target/felix-bench.jar" compare --felix-java-opts -Xmn64m --servers felix \
    --scenarios writes --write-listeners 0 --duration 10 --warmup 10 --home "$home" ) > "$out/$label.bench" 2>&1 &
bench=$!
pid=""
for _ in $(seq 1 300); do
  pid=$(pgrep -f "$home/felix-server/target/felix.jar serve" | head -1)
  [ -n "$pid" ] && break
  sleep 0.2
done
port=$(tr '\0' ' ' < "/proc/$pid/cmdline" | sed -E 's/.*--http-port ([0-9]+).*/\1/')
sleep 28
cpu() { for t in /proc/$pid/task/*; do echo "$(tr ' ' _ < "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done; }
writes() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^felix_store_writes_seconds_count/ {s += $2} END {print s}'; }
w0=$(writes); cpu > "$out/$label.cpu0"; t0=$(date +%s.%N)
attach "$pid" "$lib" "start,event=cpu,interval=1ms,threads"
sleep 10
attach "$pid" "$lib" "stop,file=$out/$label.collapsed,collapsed"
w1=$(writes); cpu > "$out/$label.cpu1"; t1=$(date +%s.%N)
wait $bench
python3 - "$out/$label" "$w0" "$w1" "$t0" "$t1" > "$out/$label.cpu" <<'PY'
import collections, sys
p, w0, w1, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
def ticks(f):
    d = collections.Counter()
    for line in open(f):
        name, v = line.split(); d[name] += int(v)
    return d
a, b = ticks(p + ".cpu0"), ticks(p + ".cpu1")
w, hz, total = w1 - w0, 100, 0
print(f"{w:.0f} writes committed in {t1 - t0:.1f} s = {w / (t1 - t0):,.0f}/s (profiler attached)")
print("thread (name cut to 15 characters by the kernel)   CPU     per write")
for n in sorted(b, key=lambda n: a[n] - b[n]):
    d = b[n] - a[n]; total += d
    if d: print(f"{n:32s} {d / hz:7.2f} s  {1e6 * d / hz / w:7.1f} us")
print(f"{'total':32s} {total / hz:7.2f} s  {1e6 * total / hz / w:7.1f} us")
PY
cat "$out/$label.cpu"; grep -E "load average|writes.alone " "$out/$label.bench"; uptime

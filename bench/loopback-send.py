#!/usr/bin/env python3
"""What one small write to a loopback TCP socket costs this machine, with no server around it.

Opens N loopback connections (2N open files), then times one send of an update-sized payload to
each, five rounds. On loopback the sender's syscall also runs the receiving socket's TCP path, so
this is a floor for a server that writes one frame to each of N listeners on this machine.
Usage: bench/loopback-send.py [N] (default 5000; N × 2 must stay under `ulimit -n`).
"""
import socket
import sys
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(4096)
port = listener.getsockname()[1]
clients, servers = [], []
for _ in range(n):
    c = socket.socket()
    c.connect(("127.0.0.1", port))
    clients.append(c)
    s, _ = listener.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    servers.append(s)
payload = b"x" * 320
for rnd in range(5):
    start = time.perf_counter()
    for s in servers:
        s.send(payload)
    took = time.perf_counter() - start
    print(f"round {rnd}: {n} sends of {len(payload)} B in {took * 1000:.1f} ms = {took / n * 1e6:.1f} µs each")
    for c in clients:
        c.recv(4096)

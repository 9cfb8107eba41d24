#!/usr/bin/env python3
"""Memory per idle IMAP connection of imap-memory-server (imap-proto's tokio adapter).

Starts the server, opens N connections that log in, SELECT INBOX and enter IDLE,
and reports the growth of the server's resident set size divided by N. Bounded:
at most 5,000 connections and 120 seconds; the server is stopped by PID.

usage: idle_memory.py BINARY [N] [plain|tls]
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
count = min(int(sys.argv[2]) if len(sys.argv) > 2 else 1000, 5000)
mode = sys.argv[3] if len(sys.argv) > 3 else "plain"
deadline = time.time() + 120

work = tempfile.mkdtemp(prefix="imap-idle-")
args = [binary, "--max-per-ip", str(count + 10)]
context = None
if mode == "tls":
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    args += ["--tls-listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key]
    context = ssl.create_default_context(cafile=cert)
else:
    args += ["--listen", "127.0.0.1:0"]

server = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    assert line.startswith("listening on "), line
    host, port = line.split()[-1].rsplit(":", 1)
    port = int(port)

    def rss_kib():
        with open(f"/proc/{server.pid}/status") as status:
            for field in status:
                if field.startswith("VmRSS:"):
                    return int(field.split()[1])
        raise RuntimeError("no VmRSS")

    def read_until(sock, marker):
        data = b""
        while marker not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"closed before {marker!r}: {data!r}")
            data += chunk
        return data

    def connect():
        raw = socket.create_connection((host, port), timeout=30)
        sock = context.wrap_socket(raw, server_hostname="127.0.0.1") if context else raw
        read_until(sock, b"\r\n")
        sock.sendall(b"a LOGIN demo demo\r\nb SELECT INBOX\r\nc IDLE\r\n")
        read_until(sock, b"+ idling\r\n")
        return sock

    # Warm up the allocator and the runtime's worker threads, then measure.
    warm = [connect() for _ in range(20)]
    for s in warm:
        s.close()
    time.sleep(1)
    before = rss_kib()
    held = []
    for _ in range(count):
        held.append(connect())
        assert time.time() < deadline, "took too long"
    time.sleep(2)
    after = rss_kib()
    per = (after - before) / count
    print(f"mode={mode} connections={count} rss_before={before} KiB rss_after={after} KiB "
          f"per_connection={per:.1f} KiB")
    for s in held:
        s.close()
finally:
    server.terminate()
    server.wait(timeout=10)

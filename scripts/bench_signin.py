#!/usr/bin/env python3
"""Sign-in storm: password sign-ins per second at argon2id OWASP parameters, and the latency
of an authenticated page while the sign-ins saturate the CPU. Standard library only.

  bench_signin.py --base-url http://127.0.0.1:3000 [--seconds 20] [--workers 8]

Loopback only: it refuses any other host.
"""
import argparse
import http.client
import os
import secrets
import statistics
import threading
import time
import urllib.parse

PASSWORD = "Storm-Lantern-" + secrets.token_hex(6)


def connect(base):
    u = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)


def post_form(conn, base, path, form, cookie=None):
    body = urllib.parse.urlencode(form)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Origin": base,
    }
    if cookie:
        headers["Cookie"] = cookie
    conn.request("POST", path, body, headers)
    resp = conn.getresponse()
    resp.read()
    cookie_out = None
    for name, value in resp.getheaders():
        if name.lower() == "set-cookie" and value.startswith("iam_session="):
            cookie_out = value.split(";")[0]
    return resp.status, cookie_out


def get(conn, path, cookie):
    conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def probe_pages(base, cookie, stop, out):
    conn = connect(base)
    while not stop.is_set():
        started = time.perf_counter()
        status = get(conn, "/", cookie)
        out.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"page answered {status}")
        time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", default="http://127.0.0.1:3000")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    host = urllib.parse.urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("this load test only targets loopback addresses")

    email = f"bench-{secrets.token_hex(6)}@example.com"
    conn = connect(base)
    status, cookie = post_form(conn, base, "/api/sign_up", {
        "email": email, "password": PASSWORD, "password_confirm": PASSWORD, "account_name": "Bench",
    })
    if status != 200 or not cookie:
        raise SystemExit(f"sign-up failed: {status}")

    # Baseline: the dashboard with nothing else going on.
    stop = threading.Event()
    baseline = []
    t = threading.Thread(target=probe_pages, args=(base, cookie, stop, baseline))
    t.start()
    time.sleep(5)
    stop.set()
    t.join()

    # The storm: every worker signs in as fast as it can; one prober loads the dashboard.
    done = []
    failures = []
    stop = threading.Event()

    def storm():
        c = connect(base)
        while not stop.is_set():
            s, got = post_form(c, base, "/api/sign_in", {"email": email, "password": PASSWORD})
            (done if s == 200 and got else failures).append(s)

    storming = []
    workers = [threading.Thread(target=storm) for _ in range(args.workers)]
    prober = threading.Thread(target=probe_pages, args=(base, cookie, stop, storming))
    started = time.perf_counter()
    for w in workers:
        w.start()
    prober.start()
    time.sleep(args.seconds)
    stop.set()
    for w in workers + [prober]:
        w.join()
    elapsed = time.perf_counter() - started

    cores = os.cpu_count() or 1
    rate = len(done) / elapsed
    print(f"cores: {cores}; workers: {args.workers}; duration: {elapsed:.1f} s")
    print(f"sign-ins: {len(done)} ok, {len(failures)} failed; {rate:.1f} per second, {rate / cores:.1f} per second per core")
    for name, values in (("dashboard, idle", baseline), ("dashboard, during the storm", storming)):
        print(f"{name}: {len(values)} loads, p50 {statistics.median(values):.1f} ms, "
              f"p99 {percentile(values, 0.99):.1f} ms, max {max(values):.1f} ms")


if __name__ == "__main__":
    main()

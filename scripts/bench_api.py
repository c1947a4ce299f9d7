#!/usr/bin/env python3
"""Signed GetUser and ListUsers against this server and moto_server, side by side: requests
per second and latency percentiles from the same client. Requests are signed once with botocore
(a SigV4 signature stays valid for 15 minutes) and replayed over keep-alive connections, so the
client's signing cost does not cap the figures.

  bench_api.py --ours http://127.0.0.1:3000 --key AKIA... --secret ... --moto http://127.0.0.1:5000
               [--seconds 10] [--workers 8]

Loopback only.
"""
import argparse
import http.client
import statistics
import threading
import time
import urllib.parse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed(base, key, secret, body):
    request = AWSRequest(method="POST", url=base + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret), "iam", "us-east-1").add_auth(request)
    return dict(request.headers.items()), body


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def storm(base, headers, body, seconds, workers):
    u = urllib.parse.urlparse(base)
    latencies, failures = [], []
    stop = threading.Event()

    def work():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        mine = []
        while not stop.is_set():
            started = time.perf_counter()
            conn.request("POST", "/", body, headers)
            resp = conn.getresponse()
            resp.read()
            mine.append((time.perf_counter() - started) * 1000)
            if resp.status != 200:
                failures.append(resp.status)
        latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()
    for base in (args.ours, args.moto):
        if urllib.parse.urlparse(base).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("this load test only targets loopback addresses")

    # The same user in both.
    moto_key, moto_secret = "AKIAMOTOEXAMPLE00000", "moto-secret-" + "x" * 28
    for base, key, secret in ((args.ours, args.key, args.secret), (args.moto, moto_key, moto_secret)):
        iam = boto3.client("iam", endpoint_url=base, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
        iam.create_user(UserName="bench-user")
        for i in range(20):
            iam.create_user(UserName=f"bench-{i:02d}")

    print(f"{args.workers} client threads, {args.seconds:.0f} s per run, requests signed once and replayed")
    for action, body in (("GetUser", "Action=GetUser&Version=2010-05-08&UserName=bench-user"),
                         ("ListUsers", "Action=ListUsers&Version=2010-05-08")):
        rates = {}
        for name, base, key, secret in (("ours", args.ours, args.key, args.secret), ("moto", args.moto, moto_key, moto_secret)):
            headers, payload = signed(base, key, secret, body)
            storm(base, headers, payload, 1, args.workers)  # warm-up
            rate, latencies, failures = storm(base, headers, payload, args.seconds, args.workers)
            rates[name] = rate
            print(f"  {action} {name}: {rate:.0f} req/s, p50 {statistics.median(latencies):.1f} ms, "
                  f"p99 {percentile(latencies, 0.99):.1f} ms, {len(failures)} failed")
        print(f"  {action}: ours / moto = {rates['ours'] / rates['moto']:.1f}x")


if __name__ == "__main__":
    main()

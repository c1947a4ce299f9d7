#!/usr/bin/env python3
"""Two server processes on one database, and that database restarted under load, driven by
the official AWS SDK (boto3):

- a policy detached through one process is enforced by the other within a second;
- the two-access-keys limit holds when both processes create keys at the same moment;
- while Postgres is down requests fail cleanly (an AWS error, at once); after it is back they
  succeed again, and every change that was acknowledged is there.

  cluster.py --server-bin target/debug/server --pg-dir DIR --pg-script scripts/pg.sh

DATABASE_URL and IAM_MASTER_KEY_FILE come from the environment (the test's throwaway cluster).
Each check prints a line; any failure exits non-zero. Bounded in time: every loop has a limit.
"""
import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        sys.exit(f"FAILED: {name} {detail}")
    PASSED.append(name)
    print(f"ok - {name}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(base, key, secret, timeout=10):
    return boto3.client(
        "iam", endpoint_url=base, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, connect_timeout=timeout, read_timeout=timeout),
    )


def start_server(binary, port, log):
    env = dict(os.environ, IAM_LISTEN=f"127.0.0.1:{port}", RUST_LOG="warn")
    proc = subprocess.Popen([binary], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"FAILED: server on port {port} did not start")


def admin(binary, *args, stdin=None):
    out = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def until(deadline_s, step_s, probe):
    """Calls probe() every step_s until it returns true or deadline_s passes."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if probe():
            return True
        time.sleep(step_s)
    return probe()


def detach_is_seen_by_the_other_process(root_a, a, b):
    root_a.create_user(UserName="worker")
    key = root_a.create_access_key(UserName="worker")["AccessKey"]
    worker_b = client(b, key["AccessKeyId"], key["SecretAccessKey"])
    policy = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    root_a.attach_user_policy(UserName="worker", PolicyArn=policy)
    allowed = until(5, 0.05, lambda: error_code(lambda: worker_b.list_users()) is None)
    check("an attachment made through A is honoured by B", allowed)
    # B has now cached the worker's policies; the detach goes through A.
    root_a.detach_user_policy(UserName="worker", PolicyArn=policy)
    denied = until(1, 0.02, lambda: error_code(lambda: worker_b.list_users()) == "AccessDenied")
    check("a detach through A is enforced by B within a second", denied)


def key_limit_holds_across_processes(root_a, root_b):
    root_a.create_user(UserName="racer")
    barrier = threading.Barrier(10)
    outcomes = []

    def create(iam):
        barrier.wait()
        outcomes.append(error_code(lambda: iam.create_access_key(UserName="racer")))

    threads = [threading.Thread(target=create, args=(root_a if i % 2 else root_b,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    created = outcomes.count(None)
    refused = outcomes.count("LimitExceeded")
    check("ten simultaneous CreateAccessKey on two processes create exactly two", created == 2 and refused == 8,
          str(outcomes))
    keys = root_a.list_access_keys(UserName="racer")["AccessKeyMetadata"]
    check("the user has two keys", len(keys) == 2, str(keys))


class Load:
    """Creates users through both processes until stopped, remembering every acknowledged one."""

    def __init__(self, clients):
        self.clients = clients
        self.acked, self.failed = [], []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        i = 0
        while not self.stop.is_set() and i < 20_000:
            name = f"load-{i}"
            started = time.monotonic()
            try:
                self.clients[i % 2].create_user(UserName=name)
                self.acked.append(name)
            except ClientError as e:
                self.failed.append((e.response["Error"]["Code"], time.monotonic() - started))
            except BotoCoreError as e:
                self.failed.append((type(e).__name__, time.monotonic() - started))
            i += 1
            time.sleep(0.01)


def database_restart_under_load(args, root_a, root_b):
    load = Load([root_a, root_b])
    load.thread.start()
    until(10, 0.05, lambda: len(load.acked) >= 20)
    check("load runs against both processes", len(load.acked) >= 20, str(len(load.acked)))
    subprocess.run([args.pg_script, "stop", args.pg_dir], check=True)
    before = len(load.failed)
    # While the database is down: each request gets an AWS error, not a hang.
    down = [error_code(lambda: root_a.get_user(UserName="worker")) for _ in range(3)]
    check("requests fail with an AWS error while the database is down",
          all(code in ("ServiceFailure", "ServiceUnavailable", "Throttling") for code in down), str(down))
    until(3, 0.05, lambda: len(load.failed) > before)
    subprocess.run([args.pg_script, "start", args.pg_dir, "--throwaway"], check=True, stdout=subprocess.DEVNULL)
    recovered = until(30, 0.1, lambda: error_code(lambda: root_b.get_user(UserName="worker")) is None
                      and error_code(lambda: root_a.get_user(UserName="worker")) is None)
    check("both processes answer again after the database is back", recovered)
    acked_after = len(load.acked)
    until(10, 0.05, lambda: len(load.acked) >= acked_after + 10)
    load.stop.set()
    load.thread.join(30)
    check("writes succeed again after the restart", len(load.acked) >= acked_after + 10)
    check("writes failed while the database was down", len(load.failed) > before, str(load.failed[-3:]))
    # Each request waits at most IAM_DB_ACQUIRE_TIMEOUT_SECONDS (5) per connection it needs.
    slow = [f for f in load.failed if f[1] > 12]
    check("no request hung while the database was down", not slow, str(slow))
    names = set()
    for page in root_b.get_paginator("list_users").paginate(PathPrefix="/"):
        names.update(u["UserName"] for u in page["Users"])
    lost = [n for n in load.acked if n not in names]
    check(f"all {len(load.acked)} acknowledged users are there after the restart", not lost, str(lost[:5]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-bin", required=True)
    parser.add_argument("--pg-dir", required=True)
    parser.add_argument("--pg-script", required=True)
    parser.add_argument("--log", default=os.devnull)
    args = parser.parse_args()
    binary = args.server_bin
    account = admin(binary, "account", "create", "--email", "cluster@example.com", "--password-stdin",
                    stdin="Cluster-Harbor-7-Lantern\n")
    key_id, secret = admin(binary, "access-key", "create", "--account", account, "--root").split("\t")
    servers = []
    with open(args.log, "ab") as log:
        try:
            pa, a = start_server(binary, free_port(), log)
            servers.append(pa)
            pb, b = start_server(binary, free_port(), log)
            servers.append(pb)
            root_a, root_b = client(a, key_id, secret), client(b, key_id, secret)
            detach_is_seen_by_the_other_process(root_a, a, b)
            key_limit_holds_across_processes(root_a, root_b)
            database_restart_under_load(args, root_a, root_b)
        finally:
            for p in servers:
                p.terminate()
            for p in servers:
                p.wait(10)
    print(f"{len(PASSED)} cluster checks passed")


if __name__ == "__main__":
    main()

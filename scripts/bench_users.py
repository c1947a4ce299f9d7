#!/usr/bin/env python3
"""The users list at scale: seeds 100,000 users and 1,000 groups into one account, then times
the list's server function (first page, a later page, a search, sorted by creation) as an IAM
user whose IAMReadOnlyAccess the engine evaluates on every call. Standard library and psql.

  bench_users.py --base-url http://127.0.0.1:3000 --database-url postgres://... [--requests 200]

Loopback only: it refuses any other host.
"""
import argparse
import json
import os
import secrets
import statistics
import subprocess
import time
import urllib.parse

from bench_signin import connect, percentile, post_form

PASSWORD = "Bench-Lantern-" + secrets.token_hex(6)

# Users with login profiles, group memberships (1-3 groups each) and some MFA devices, made by
# Postgres itself: a few seconds instead of 100,000 requests.
SEED = """
INSERT INTO iam_groups (account_id, group_name, group_id, created_at)
SELECT :'account', 'group' || lpad(g::text, 4, '0'), 'AGPA' || upper(substr(md5('g' || g), 1, 16)), now()
  FROM generate_series(1, 1000) g;
INSERT INTO iam_users (account_id, user_name, user_id, created_at)
SELECT :'account', 'user' || lpad(i::text, 6, '0'), 'AIDA' || upper(substr(md5('u' || i), 1, 16)),
       now() - make_interval(secs => i)
  FROM generate_series(1, 100000) i;
INSERT INTO login_profiles (account_id, user_name, password_hash, password_changed_at, created_at)
SELECT :'account', 'user' || lpad(i::text, 6, '0'), 'not-a-hash', now(), now()
  FROM generate_series(1, 100000, 2) i;
INSERT INTO group_members (account_id, group_name, user_name, added_at)
SELECT :'account', 'group' || lpad((1 + (i * k) % 1000)::text, 4, '0'), 'user' || lpad(i::text, 6, '0'), now()
  FROM generate_series(1, 100000) i, generate_series(1, 1 + i % 3) k
ON CONFLICT DO NOTHING;
ANALYZE;
"""


def post_json(conn, base, path, payload, cookie):
    body = json.dumps(payload)
    conn.request("POST", path, body, {
        "Content-Type": "application/json", "Accept": "application/json", "Origin": base, "Cookie": cookie,
    })
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def call(conn, base, cookie, path, form):
    """Posts a server function; returns (milliseconds, JSON body)."""
    body = urllib.parse.urlencode(form)
    started = time.perf_counter()
    conn.request("POST", path, body, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
        "Origin": base, "Cookie": cookie,
    })
    resp = conn.getresponse()
    data = resp.read()
    elapsed = (time.perf_counter() - started) * 1000
    if resp.status != 200:
        raise SystemExit(f"{path} answered {resp.status}: {data[:300]!r}")
    return elapsed, json.loads(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", default="http://127.0.0.1:3000")
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    if urllib.parse.urlparse(base).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("this load test only targets loopback addresses")

    conn = connect(base)
    email = f"bench-{secrets.token_hex(6)}@example.com"
    status, root = post_form(conn, base, "/api/sign_up", {
        "email": email, "password": PASSWORD, "password_confirm": PASSWORD, "account_name": "Bench",
    })
    if status != 200 or not root:
        raise SystemExit(f"sign-up failed: {status}")
    _, info = call(conn, base, root, "/api/session_info", {})
    account = info["account_id"]

    status, data = post_json(conn, base, "/api/create_user", {"input": {
        "user_name": "bench-reader", "path": "/", "console_access": True, "custom_password": PASSWORD,
        "require_reset": False, "groups": [], "copy_from": None,
        "policy_arns": ["arn:aws:iam::aws:policy/IAMReadOnlyAccess"], "tags": [],
    }}, root)
    if status != 200:
        raise SystemExit(f"create_user answered {status}: {data[:300]!r}")
    # The reader is made first: the account's quota of 5,000 users binds the API, not SQL.
    started = time.perf_counter()
    subprocess.run([os.environ.get("PSQL", "psql"), args.database_url, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"account={account}"],
                   input=SEED, text=True, check=True)
    print(f"seeded 100,000 users, 1,000 groups in {time.perf_counter() - started:.1f} s")

    status, reader = post_form(conn, base, "/api/sign_in", {
        "account": account, "user_name": "bench-reader", "password": PASSWORD,
    })
    if not reader:
        raise SystemExit(f"the IAM user could not sign in: {status}")

    cases = [
        ("first page, by name", {"search": "", "sort": "name", "descending": "false", "page": "1"}),
        ("page 2,500 of 5,001 (rows 49,981-50,000)", {"search": "", "sort": "name", "descending": "false", "page": "2500"}),
        ("last page, newest first", {"search": "", "sort": "created", "descending": "true", "page": "5001"}),
        ("search `user0421`", {"search": "user0421", "sort": "name", "descending": "false", "page": "1"}),
        ("search `99`, page 3", {"search": "99", "sort": "name", "descending": "false", "page": "3"}),
    ]
    print(f"{args.requests} requests each, one client, as an IAM user (engine-evaluated):")
    for name, form in cases:
        call(conn, base, reader, "/api/list_users", form)  # warm-up
        times = []
        for _ in range(args.requests):
            ms, page = call(conn, base, reader, "/api/list_users", form)
            times.append(ms)
        print(f"  {name}: total {page['total']}, rows {len(page['items'])}; "
              f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
              f"p99 {percentile(times, 0.99):.1f} ms")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs PyPI scim2-tester against a SCIM base URL and prints a summary.

usage: run_scim2_tester.py BASE_URL TOKEN [--json OUT.json] [--tags a,b] [--exclude-tags x]
                           [--resource-types User,Group]
Prints one line per check that did not succeed, then 'scim2-tester: N passed, N failed, N skipped'
(failed = ERROR, CRITICAL or DEVIATION). Exits 1 when anything failed.
"""
import argparse
import collections
import json
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server

BAD = {"ERROR", "CRITICAL", "DEVIATION"}


def csv(text):
    return set(text.split(",")) if text else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("token")
    ap.add_argument("--json")
    ap.add_argument("--tags")
    ap.add_argument("--exclude-tags")
    ap.add_argument("--resource-types")
    args = ap.parse_args()
    client = SyncSCIMClient(Client(base_url=args.url, headers={"Authorization": f"Bearer {args.token}"}, timeout=30))
    types = csv(args.resource_types)
    results = check_server(
        client,
        include_tags=csv(args.tags),
        exclude_tags=csv(args.exclude_tags),
        resource_types=sorted(types) if types else None,
    )
    counts = collections.Counter(r.status.name for r in results)
    for r in results:
        if r.status.name != "SUCCESS":
            print(f"{r.status.name:10} {r.resource_type or '-':6} {r.title}: {r.reason}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "counts": counts,
                    "results": [
                        {"status": r.status.name, "title": r.title, "reason": r.reason,
                         "resource_type": r.resource_type, "tags": sorted(r.tags)}
                        for r in results
                    ],
                },
                out, indent=1, default=str,
            )
    failed = sum(v for k, v in counts.items() if k in BAD)
    skipped = counts.get("SKIPPED", 0)
    print("by status:", dict(counts))
    print(f"scim2-tester: {len(results) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Seeds a SCIM server: users u{from}..u{to-1}, optionally a group with members.

usage: seed.py BASE TOKEN FROM TO [--group NAME --members N]   (prints JSON with ids)
"""
import argparse
import asyncio
import json

import httpx2 as httpx

ap = argparse.ArgumentParser()
ap.add_argument("base"); ap.add_argument("token"); ap.add_argument("start", type=int); ap.add_argument("end", type=int)
ap.add_argument("--group"); ap.add_argument("--members", type=int, default=0)
ap.add_argument("--concurrency", type=int, default=32)
a = ap.parse_args()
H = {"Authorization": f"Bearer {a.token}", "Content-Type": "application/scim+json"}


def user(i):
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": f"u{i}@bench.test",
            "name": {"givenName": "U", "familyName": str(i)}, "emails": [{"value": f"u{i}@bench.test", "type": "work", "primary": True}],
            "active": True}


async def main():
    ids = {}
    queue = list(range(a.start, a.end))
    async with httpx.AsyncClient(base_url=a.base, headers=H, timeout=120) as c:
        async def worker():
            while queue:
                i = queue.pop()
                r = await c.post("/Users", content=json.dumps(user(i)))
                if r.status_code != 201:
                    raise SystemExit(f"POST /Users {i}: {r.status_code} {r.text[:200]}")
                ids[i] = r.json()["id"]
        await asyncio.gather(*(worker() for _ in range(a.concurrency)))
        out = {"first_id": ids.get(a.start), "last_user": f"u{a.end - 1}@bench.test"}
        if a.group:
            r = await c.post("/Groups", content=json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": a.group}))
            if r.status_code != 201:
                raise SystemExit(f"POST /Groups: {r.status_code} {r.text[:200]}")
            gid = r.json()["id"]
            members = [{"value": ids[i]} for i in range(a.start, a.start + a.members)]
            for k in range(0, len(members), 1000):
                body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "add", "path": "members", "value": members[k:k + 1000]}]}
                r = await c.patch(f"/Groups/{gid}?excludedAttributes=members", content=json.dumps(body))
                if r.status_code not in (200, 204):
                    raise SystemExit(f"PATCH /Groups: {r.status_code} {r.text[:200]}")
            out["group_id"] = gid
            # Ids of users outside the group, for one-member adds (an environment string stays < 128 KiB).
            out["spare_ids"] = [ids[i] for i in range(a.start + a.members, a.end)][:2000]
        print(json.dumps(out))

asyncio.run(main())

#!/usr/bin/env python3
"""Creates a plan of N tasks over the API (100 units, 10 groups); prints "<plan_id> <unit_id>"."""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base, n, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def post(path, body):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token}
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


issuer = post("/api/v1/issuers", {"code": "tai-thu", "name_lines": ["ỦY BAN NHÂN DÂN", "XÃ TẢI THỬ"], "abbreviation": "UBND", "place_name": "Tải Thử",
                                   "full_name": "Ủy ban nhân dân xã", "short_name": "UBND xã", "head_title": "CHỦ TỊCH"})["id"]
units = [post("/api/v1/units", {"issuer_id": issuer, "name": f"Đơn vị {u}", "short_name": f"U{u}", "kind": "department"})["id"] for u in range(100)]
plan = post("/api/v1/plans", {"issuer_id": issuer, "year": 2025, "title": "Nhiệm vụ năm 2025"})["id"]
groups = [post("/api/v1/groups", {"plan_id": plan, "title": f"Nhóm {g}"})["id"] for g in range(10)]


def task(i):
    g = i % 10
    post("/api/v1/tasks", {"group_id": groups[g], "code": f"{g + 1}.{i // 10 + 1}", "position": i // 10 + 1,
                           "text": f"Nhiệm vụ số {i}", "lead_unit_id": units[i % 100],
                           "cooperating_unit_ids": [units[(i + 1) % 100]],
                           "deadline": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"})


with ThreadPoolExecutor(8) as pool:
    list(pool.map(task, range(n)))
print(plan, units[7])

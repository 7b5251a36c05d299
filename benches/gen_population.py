#!/usr/bin/env python3
"""Writes a synthetic change-ticket population: N rows, 8 columns, ~120 bytes a row.

Usage: gen_population.py ROWS OUT.csv   (deterministic: the same file every time)
"""
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261123)
statuses = ["Done", "Closed", "Released", "Cancelled"]
people = ["Olivia Brennan", "Kenji Watanabe", "Priya Raman", "Carlos Ruiz", "Marta Nowak", "Samuel Ortiz"]
with open(out, "w", newline="") as f:
    f.write("Issue key,Summary,Status,Assignee,Approver,Created,Resolved,Amount\n")
    for i in range(1, rows + 1):
        day = 1 + (i * 364) // rows
        month, dom = divmod(day - 1, 28)
        created = f"2026-{min(month + 1, 12):02d}-{dom + 1:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}"
        f.write(
            f"ACME-{100000 + i},\"Update {rng.choice(['billing', 'auth', 'search', 'ingest'])} service config, batch {i % 97}\","
            f"{rng.choice(statuses)},{rng.choice(people)},{rng.choice(people)},{created},{created},{rng.randrange(100000) / 100:.2f}\n"
        )

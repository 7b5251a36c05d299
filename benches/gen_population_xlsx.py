#!/usr/bin/env python3
"""Writes the rows of a population CSV (gen_population.py's) as an xlsx workbook, streaming.

Usage: gen_population_xlsx.py IN.csv OUT.xlsx   (needs openpyxl; every cell is text, as the
CSV's are, so both imports read the same values)
"""
import csv
import sys

from openpyxl import Workbook

source, out = sys.argv[1], sys.argv[2]
wb = Workbook(write_only=True)
ws = wb.create_sheet("Population")
with open(source, newline="") as f:
    for row in csv.reader(f):
        ws.append(row)
wb.save(out)

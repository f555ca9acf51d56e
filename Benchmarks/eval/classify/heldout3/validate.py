#!/usr/bin/env python3
"""Validate classify-heldout3.jsonl: JSON, fields, counts, lengths, made-up values."""
import json, re, sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIERS = ["chronological", "general", "confidential", "secret", "ultrasecret"]
WANT_LANG = {"en": 120, "de": 80, "fr": 80, "es": 80}
errors = []
rows = []
raw = (HERE / "classify-heldout3.jsonl").read_bytes()
raw.decode("utf-8")  # must be UTF-8
for i, line in enumerate(raw.decode("utf-8").splitlines(), 1):
    r = json.loads(line)
    if set(r) != {"text", "tier", "category", "lang"}:
        errors.append(f"line {i}: keys {sorted(r)}")
    if r["tier"] not in TIERS: errors.append(f"line {i}: tier {r['tier']}")
    if r["lang"] not in WANT_LANG: errors.append(f"line {i}: lang {r['lang']}")
    if not re.fullmatch(r"[a-z_]{2,20}", r["category"]): errors.append(f"line {i}: category {r['category']}")
    n = len(r["text"].split())
    if not 3 <= n <= 150: errors.append(f"line {i}: {n} words")
    if re.search(r"\{[A-Z0-9_]+\}", r["text"]): errors.append(f"line {i}: unfilled placeholder")
    if "\\u" in line: errors.append(f"line {i}: not ensure_ascii=False")
    rows.append(r)

# duplicates
dup = [t for t, c in Counter(r["text"] for r in rows).items() if c > 1]
if dup: errors.append(f"duplicate texts: {dup}")

# made-up values: every IBAN has valid check digits, every 13-19 digit card number passes Luhn
def iban_ok(s):
    s = s.replace(" ", ""); s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1
def luhn(num):
    d = [int(c) for c in num][::-1]
    return sum(x if i % 2 == 0 else (x*2-9 if x*2 > 9 else x*2) for i, x in enumerate(d)) % 10 == 0
nib = ncard = 0
for r in rows:
    for m in re.finditer(r"\b[A-Z]{2}\d{2}(?: ?[0-9A-Z]{4}){3,7}(?: ?[0-9A-Z]{1,3})?\b", r["text"]):
        nib += 1
        if not iban_ok(m.group()): errors.append(f"bad IBAN {m.group()}")
    if r["category"] == "card":
        m = re.search(r"\b\d{4} ?\d{4,6} ?\d{4,5}(?: ?\d{4})?\b", r["text"])
        num = m.group().replace(" ", "") if m else ""
        ncard += 1
        if not (13 <= len(num) <= 19 and luhn(num)): errors.append(f"bad card in {r['text']!r}")

n = len(rows)
lang = Counter(r["lang"] for r in rows)
tier = Counter(r["tier"] for r in rows)
if n < 300: errors.append(f"only {n} rows")
if dict(lang) != WANT_LANG: errors.append(f"lang counts {dict(lang)}")
plain = tier["chronological"] + tier["general"]
print(f"rows {n}; IBANs checked {nib}; cards checked {ncard}")
print("tier shares: plain %.1f%%, confidential %.1f%%, secret %.1f%%, ultrasecret %.1f%%" % (
    100*plain/n, 100*tier["confidential"]/n, 100*tier["secret"]/n, 100*tier["ultrasecret"]/n))
print("\n| tier | en | de | fr | es | total |\n|---|---|---|---|---|---|")
for t in TIERS:
    c = [sum(1 for r in rows if r["tier"] == t and r["lang"] == l) for l in WANT_LANG]
    print(f"| {t} | " + " | ".join(map(str, c)) + f" | {sum(c)} |")
print("| total | " + " | ".join(str(lang[l]) for l in WANT_LANG) + f" | {n} |")
print("\n| category | tier(s) | count |\n|---|---|---|")
cats = Counter(r["category"] for r in rows)
for c, k in sorted(cats.items(), key=lambda x: (-x[1], x[0])):
    ts = sorted({r["tier"] for r in rows if r["category"] == c}, key=TIERS.index)
    print(f"| {c} | {', '.join(ts)} | {k} |")
ws = sorted(len(r["text"].split()) for r in rows)
print(f"\nwords per text: min {ws[0]}, median {ws[len(ws)//2]}, max {ws[-1]}; over 60 words: {sum(w > 60 for w in ws)}")
if errors:
    print("\nERRORS:"); print("\n".join(errors)); sys.exit(1)
print("\nOK")

#!/usr/bin/env python3
"""Validate classify-heldout4.jsonl and print counts."""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "classify-heldout4.jsonl")
TIERS = ["chronological", "general", "confidential", "secret", "ultrasecret"]
LANGS = ["en", "de", "fr", "es"]
PH = re.compile(r"\{[A-Z0-9_]+\}")


def luhn_ok(num):
    total = 0
    for i, ch in enumerate(reversed(num)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def main():
    errors = []
    seen = set()
    tl = collections.Counter()
    cats = collections.Counter()
    n = 0
    ibans = collections.Counter()
    with open(PATH, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            n += 1
            try:
                r = json.loads(line)
            except ValueError as e:
                errors.append("line %d: bad JSON: %s" % (i, e))
                continue
            if set(r) != {"text", "tier", "category", "lang"}:
                errors.append("line %d: keys %s" % (i, sorted(r)))
            text, tier, lang = r.get("text", ""), r.get("tier"), r.get("lang")
            if tier not in TIERS:
                errors.append("line %d: bad tier %r" % (i, tier))
            if lang not in LANGS:
                errors.append("line %d: bad lang %r" % (i, lang))
            if not isinstance(text, str) or not text.strip():
                errors.append("line %d: empty text" % i)
            if PH.search(text) or "{" in text and "}" in text and re.search(r"\{[A-Z]", text):
                errors.append("line %d: unfilled placeholder" % i)
            if text in seen:
                errors.append("line %d: duplicate text" % i)
            seen.add(text)
            if not r.get("category"):
                errors.append("line %d: empty category" % i)
            tl[(tier, lang)] += 1
            cats[(r.get("category"), tier)] += 1
            for m in re.finditer(r"(?<!\d )(?<![\dA-Z])(?:\d{4}[ -]){3}\d{4}(?! ?\d)|(?<!\d)\d{16}(?!\d)", text):
                d = re.sub(r"\D", "", m.group(0))
                if not luhn_ok(d):
                    errors.append("line %d: card fails Luhn" % i)
            for m in re.finditer(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?)\b", text):
                raw = m.group(1).replace(" ", "")
                if raw[:2] in ("DE", "FR", "ES", "GB"):
                    conv = "".join(str(int(c, 36)) for c in raw[4:] + raw[:4])
                    if int(conv) % 97 != 1:
                        errors.append("line %d: IBAN check digits wrong" % i)
                    ibans[raw[:2]] += 1
    # table
    w = 14
    print("tier".ljust(w) + "".join(l.rjust(6) for l in LANGS) + "total".rjust(7))
    for t in TIERS:
        row = [tl[(t, l)] for l in LANGS]
        print(t.ljust(w) + "".join(str(x).rjust(6) for x in row) + str(sum(row)).rjust(7))
    cols = [sum(tl[(t, l)] for t in TIERS) for l in LANGS]
    print("total".ljust(w) + "".join(str(x).rjust(6) for x in cols) + str(n).rjust(7))
    print()
    print("category (tier): count")
    for (c, t), k in sorted(cats.items(), key=lambda x: (TIERS.index(x[0][1]) if x[0][1] in TIERS else 9, x[0][0])):
        print("  %-14s %-14s %3d" % (c, t, k))
    if errors:
        print("\n%d error(s):" % len(errors))
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nIBANs checked (mod 97): %s" % dict(sorted(ibans.items())))
    print("\nOK: %d records, no errors" % n)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Validate a labelled set, classify-<folder>.jsonl (each set's validate.py calls main(folder)): JSON shape, keys and their order, tiers, langs,
duplicates, unfilled placeholders, Luhn of card numbers, IBAN mod 97. Prints counts."""
import collections
import json
import os
import re
import sys

KEYS = ["text", "tier", "category", "lang"]
TIERS = ["chronological", "general", "confidential", "secret", "ultrasecret"]
LANGS = ["en", "de", "fr", "es"]
IBAN_LEN = {"DE": 22, "FR": 27, "ES": 24, "GB": 22}
IBAN_START = re.compile(r"\b(DE|FR|ES|GB)\d{2}(?= ?[A-Z0-9])")
CARD = re.compile(r"(?<![\d])\d{4}(?:[ -]?\d{4}){3}(?![\d])")
PLACEHOLDER = re.compile(r"\{[A-Z0-9_]+\}")


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


def iban_ok(iban):
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def find_ibans(text):
    """Return (iban, start, end) for each IBAN, reading exactly its country's length,
    allowing single spaces between groups."""
    found = []
    for m in IBAN_START.finditer(text):
        want = IBAN_LEN[m.group(1)]
        chars, i = [], m.start()
        while i < len(text) and len(chars) < want:
            c = text[i]
            if c.isascii() and c.isalnum():
                chars.append(c)
            elif c == " " and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum():
                pass
            else:
                break
            i += 1
        found.append(("".join(chars), m.start(), i))
    return found


def main(folder):
    path = os.path.join(folder, "classify-%s.jsonl" % os.path.basename(os.path.normpath(folder)))
    errors = []
    seen = {}
    by_tier = collections.Counter()
    by_lang = collections.Counter()
    by_cell = collections.Counter()
    by_cat = collections.Counter()
    cards = ibans = 0
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except ValueError as e:
            errors.append("line %d: bad JSON: %s" % (n, e))
            continue
        if not isinstance(rec, dict) or list(rec.keys()) != KEYS:
            errors.append("line %d: keys %r, want %r" % (n, list(rec) if isinstance(rec, dict) else rec, KEYS))
            continue
        if line != json.dumps(rec, ensure_ascii=False):
            errors.append("line %d: not canonical json.dumps(ensure_ascii=False)" % n)
        text, tier, cat, lang = rec["text"], rec["tier"], rec["category"], rec["lang"]
        if not isinstance(text, str) or not text.strip():
            errors.append("line %d: empty text" % n)
            continue
        if tier not in TIERS:
            errors.append("line %d: bad tier %r" % (n, tier))
        if lang not in LANGS:
            errors.append("line %d: bad lang %r" % (n, lang))
        if not isinstance(cat, str) or not re.fullmatch(r"[a-z_]+", cat):
            errors.append("line %d: bad category %r" % (n, cat))
        if cat == "lookalike" and tier not in ("chronological", "general"):
            errors.append("line %d: lookalike outside the plain tiers" % n)
        key = " ".join(text.lower().split())
        if key in seen:
            errors.append("line %d: duplicate of line %d" % (n, seen[key]))
        seen[key] = n
        if PLACEHOLDER.search(text):
            errors.append("line %d: unfilled placeholder %s" % (n, PLACEHOLDER.search(text).group(0)))
        masked = text
        for iban, s, e in find_ibans(text):
            ibans += 1
            if len(iban) != IBAN_LEN[iban[:2]] or not iban_ok(iban):
                errors.append("line %d: IBAN fails mod 97: %s" % (n, iban))
            masked = masked[:s] + "#" * (e - s) + masked[e:]
        for m in CARD.finditer(masked):
            num = re.sub(r"\D", "", m.group(0))
            cards += 1
            if not luhn_ok(num):
                errors.append("line %d: card number fails Luhn: %s" % (n, m.group(0)))
        if cat == "card" and not CARD.search(masked):
            errors.append("line %d: category card but no card number" % n)
        if cat == "iban" and not find_ibans(text):
            errors.append("line %d: category iban but no IBAN" % n)
        by_tier[tier] += 1
        by_lang[lang] += 1
        by_cell[(lang, tier)] += 1
        by_cat[(tier, cat)] += 1

    print("records: %d  (cards checked: %d, IBANs checked: %d)" % (len(lines), cards, ibans))
    print("%-14s" % "tier" + "".join("%6s" % l for l in LANGS) + "%7s" % "total")
    for t in TIERS:
        print("%-14s" % t + "".join("%6d" % by_cell[(l, t)] for l in LANGS) + "%7d" % by_tier[t])
    print("%-14s" % "total" + "".join("%6d" % by_lang[l] for l in LANGS) + "%7d" % sum(by_lang.values()))
    lookalikes = sum(v for (t, c), v in by_cat.items() if c == "lookalike")
    plain = by_tier["chronological"] + by_tier["general"]
    print("lookalikes in plain tiers: %d of %d" % (lookalikes, plain))
    print("categories per tier:")
    for t in TIERS:
        cats = sorted((c, v) for (tt, c), v in by_cat.items() if tt == t)
        print("  %s: %s" % (t, ", ".join("%s %d" % cv for cv in cats)))
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        print("FAILED: %d errors" % len(errors), file=sys.stderr)
        sys.exit(1)
    print("OK")

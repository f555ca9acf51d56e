#!/usr/bin/env python3
"""Assemble classify-heldout3.jsonl from the hand-written src/*.txt files.

Each src line is `tier|category|text`, written by hand. The only generated parts
are the made-up secret values in {PLACEHOLDERS} (seeded RNG), so that keys,
passwords, PINs, IBANs (valid check digits) and card numbers (Luhn-valid) look
real without being anyone's. Then the lines are shuffled with seed 9127.
"""
import json, random, re, string, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIERS = {"c": "chronological", "g": "general", "C": "confidential",
         "S": "secret", "U": "ultrasecret"}
LANGS = ["en", "de", "fr", "es"]

gen = random.Random(20261205)  # values only; the order uses 9127 below

WORDS = ("anchor apple arrow autumn badge bamboo barrel basket beach blanket bottle bridge "
         "cabin candle canyon carbon castle cactus cherry circle cloud copper coral cotton "
         "desert dinner dolphin domain dragon engine fabric falcon feather fiber forest fossil "
         "galaxy garden ginger glove granite gravity harbor hazard helmet hollow island ivory "
         "jacket jungle kettle kitten ladder lantern lemon letter lizard lobster magnet marble "
         "meadow mirror monkey mosquito napkin needle nephew noodle ocean olive orbit oyster "
         "paddle panther pepper pigeon planet pocket potato puzzle rabbit radar raven ribbon "
         "rocket saddle salmon shadow silver socket spider sponge stereo summit tackle ticket "
         "tomato tunnel turtle velvet violin walnut window winter wizard yellow zebra").split()

ALNUM = string.ascii_letters + string.digits
def rs(chars, n): return "".join(gen.choice(chars) for _ in range(n))
def digits(n): return rs(string.digits, n)

def pw():
    n = gen.randint(11, 16)
    while True:
        s = rs(ALNUM + "!$%&*#?-_", n)
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s

def pwl():
    w = gen.sample(WORDS, 4)
    i = gen.randrange(4)
    w[i] = w[i].capitalize()
    return gen.choice("-.~").join(w) + digits(2) + gen.choice("!?#%")

def iban_check(country, bban):
    s = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in s)
    return "%02d" % (98 - int(num) % 97)

def iban_valid(iban):
    s = iban.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1

def fmt_iban(s): return " ".join(s[i:i+4] for i in range(0, len(s), 4))

def iban_de():
    bban = digits(8) + digits(10)
    return fmt_iban("DE" + iban_check("DE", bban) + bban)

def iban_fr():
    bank, branch, acct = digits(5), digits(5), digits(11)
    key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97)
    bban = bank + branch + acct + "%02d" % key
    return fmt_iban("FR" + iban_check("FR", bban) + bban)

def es_dc(ten):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    d = 11 - sum(int(a) * b for a, b in zip(ten, w)) % 11
    return {11: 0, 10: 1}.get(d, d)

def iban_es():
    bank, branch, acct = digits(4), digits(4), digits(10)
    dc = "%d%d" % (es_dc("00" + bank + branch), es_dc(acct))
    bban = bank + branch + dc + acct
    return fmt_iban("ES" + iban_check("ES", bban) + bban)

def luhn_ok(num):
    d = [int(c) for c in num][::-1]
    return sum(x if i % 2 == 0 else (x * 2 - 9 if x * 2 > 9 else x * 2) for i, x in enumerate(d)) % 10 == 0

def card():
    prefix = gen.choice(["4", "4", "51", "53", "55"])
    body = prefix + digits(15 - len(prefix))
    for c in "0123456789":
        if luhn_ok(body + c):
            n = body + c
            return " ".join(n[i:i+4] for i in range(0, 16, 4))

GEN = {
    "PW": pw, "PWL": pwl,
    "PIN3": lambda: digits(3), "PIN4": lambda: digits(4), "PIN5": lambda: digits(5),
    "PIN6": lambda: digits(6), "PUK8": lambda: digits(8), "CODE8": lambda: digits(8),
    "CVV": lambda: digits(3), "ACCNUM11": lambda: digits(11), "FRITZ": lambda: digits(20),
    "DIGI": lambda: digits(4) + gen.choice("ABCD"),
    "USER": lambda: rs(string.ascii_lowercase, 6) + digits(3),
    "HEX32": lambda: rs("0123456789abcdef", 32), "HEX40": lambda: rs("0123456789abcdef", 40),
    "AKIA": lambda: "AKIA" + rs(string.ascii_uppercase + "234567", 16),
    "AWSSEC": lambda: rs(ALNUM + "+/", 40),
    "GHP": lambda: "ghp_" + rs(ALNUM, 36),
    "SK": lambda: "sk_live_" + rs(ALNUM, 24),
    "OAI": lambda: "sk-proj-" + rs(ALNUM + "-_", 48),
    "AIZA": lambda: "AIza" + rs(ALNUM + "-_", 35),
    "TGTOKEN": lambda: digits(10) + ":" + rs(ALNUM + "-_", 35),
    "BITLOCKER": lambda: "-".join(digits(6) for _ in range(8)),
    "SEED12": lambda: " ".join(gen.sample(WORDS, 12)),
    "SEED24": lambda: " ".join(gen.sample(WORDS, 24)),
    "IBAN_DE": iban_de, "IBAN_FR": iban_fr, "IBAN_ES": iban_es,
    "CARD": card,
}

def fill(text):
    return re.sub(r"\{([A-Z0-9_]+)\}", lambda m: GEN[m.group(1)](), text)

rows = []
for lang in LANGS:
    for ln, line in enumerate((HERE / "src" / f"{lang}.txt").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        t, cat, text = line.split("|", 2)
        rows.append({"text": fill(text.strip()), "tier": TIERS[t], "category": cat, "lang": lang})

random.Random(9127).shuffle(rows)
out = HERE / "classify-heldout3.jsonl"
with out.open("w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"wrote {len(rows)} rows to {out.name}")

#!/usr/bin/env python3
"""Build classify-heldout4.jsonl from src/{en,de,fr,es}.txt.

Each source line is `tier|category|text`. Placeholders such as {PW} or {CARD}
are filled with fake but realistically shaped values from a seeded RNG, then
all records are shuffled with the same RNG. Standard library only; the output
is byte-for-byte reproducible.
"""
import json
import os
import random
import re
import string

SEED = 20261206
LANGS = ["en", "de", "fr", "es"]
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "classify-heldout4.jsonl")

SEED_WORDS = (
    "abandon ability able about above absent absorb abstract absurd abuse access accident "
    "account accuse achieve acid acoustic acquire across act action actor actress actual "
    "adapt add addict address adjust admit adult advance advice aerobic affair afford afraid "
    "again age agent agree ahead aim air airport aisle alarm album alcohol alert alien all "
    "alley allow almost alone alpha already also alter always amateur amazing among amount "
    "amused analyst anchor ancient anger angle angry animal ankle announce annual another "
    "answer antenna antique anxiety any apart apology appear apple approve april arch arctic "
    "area arena argue arm armed armor army around arrange arrest arrive arrow art artefact "
    "artist artwork ask aspect assault asset assist assume asthma athlete atom attack attend "
    "attitude attract auction audit august aunt author auto autumn average avocado avoid awake "
    "aware away awesome awful awkward axis baby bachelor bacon badge bag balance balcony ball "
    "bamboo banana banner bar barely bargain barrel base basic basket battle beach bean beauty "
    "because become beef before begin behave behind believe below belt bench benefit best "
    "betray better between beyond bicycle bid bike bind biology bird birth bitter black blade "
    "blame blanket blast bleak bless blind blood blossom blouse blue blur blush board boat body "
    "boil bomb bone bonus book boost border boring borrow boss bottom bounce box boy bracket "
    "brain brand brass brave bread breeze brick bridge brief bright bring brisk broccoli broken "
    "bronze broom brother brown brush bubble buddy budget buffalo build bulb bulk bullet bundle "
    "cabin cable cactus cage cake call calm camera camp canal cancel candy cannon canoe canvas "
    "canyon capable capital captain car carbon card cargo carpet carry cart case cash casino "
    "castle casual cat catalog catch category cattle caught cause caution cave ceiling celery "
    "cement census century cereal certain chair chalk champion change chaos chapter charge "
    "chase chat cheap check cheese chef cherry chest chicken chief child chimney choice choose "
    "chronic chuckle chunk churn cigar cinnamon circle citizen city civil claim clap clarify "
    "claw clay clean clerk clever click client cliff climb clinic clip clock clog close cloth "
    "cloud clown club clump cluster clutch coach coast coconut code coffee coil coin collect "
    "color column combine come comfort comic common company concert conduct confirm congress "
    "connect consider control convince cook cool copper copy coral core corn correct cost "
    "cotton couch country couple course cousin cover coyote crack cradle craft cram crane "
    "crash crater crawl crazy cream credit creek crew cricket crime crisp critic crop cross "
    "crouch crowd crucial cruel cruise crumble crunch crush cry crystal cube culture cup "
    "cupboard curious current curtain curve cushion custom cute cycle"
).split()

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ALNUM = string.ascii_letters + string.digits
UPALNUM = string.ascii_uppercase + string.digits
LOWALNUM = string.ascii_lowercase + string.digits
PW_WORDS = ["Sonne", "tiger", "Maus", "soleil", "Luna", "gato", "Bremen", "marina",
            "Falcon", "kiwi", "Rosa", "nube", "Otter", "Biscuit", "mango", "Pepper",
            "Hafen", "lapin", "Tortuga", "winter", "Zebra", "Nadia", "fuego", "Oskar"]


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def digits(rng, n):
    return "".join(rng.choice(string.digits) for _ in range(n))


def mod97(s):
    r = 0
    for ch in s:
        r = (r * 10 + int(ch)) % 97
    return r


def iban(country, bban, rng, spaced=None):
    conv = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - mod97(conv)
    raw = "%s%02d%s" % (country, check, bban)
    if spaced is None:
        spaced = rng.random() < 0.6
    if spaced:
        return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return raw


def iban_de(rng):
    blz = rng.choice(["100", "200", "250", "370", "430", "500", "600", "700", "760"]) + digits(rng, 5)
    return iban("DE", blz + digits(rng, 10), rng)


def iban_fr(rng):
    bank = rng.choice(["30004", "30003", "20041", "10107", "30002", "17515", "16606", "10278"])
    branch = digits(rng, 5)
    acct = digits(rng, 11)
    key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97)
    return iban("FR", bank + branch + acct + "%02d" % key, rng)


def es_dc(ds):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    d = 11 - sum(int(a) * b for a, b in zip(ds, w)) % 11
    return {11: 0, 10: 1}.get(d, d)


def iban_es(rng):
    bank = rng.choice(["2100", "0049", "0182", "0081", "2085", "0128", "1465", "0075"])
    branch = digits(rng, 4)
    acct = digits(rng, 10)
    dc = "%d%d" % (es_dc("00" + bank + branch), es_dc(acct))
    return iban("ES", bank + branch + dc + acct, rng)


def iban_gb(rng):
    bank = rng.choice(["NWBK", "BARC", "LOYD", "MIDL", "HBUK", "MONZ"])
    return iban("GB", bank + digits(rng, 6) + digits(rng, 8), rng)


def luhn_complete(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return partial + str((10 - total % 10) % 10)


def card(rng, prefixes=("4", "4", "51", "52", "53", "54", "55", "2221")):
    prefix = rng.choice(list(prefixes))
    num = luhn_complete(prefix + digits(rng, 15 - len(prefix)))
    style = rng.random()
    if style < 0.6:
        return " ".join(num[i:i + 4] for i in range(0, 16, 4))
    if style < 0.8:
        return "-".join(num[i:i + 4] for i in range(0, 16, 4))
    return num


def password(rng):
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(PW_WORDS) + digits(rng, rng.choice([2, 4])) + rng.choice("!?#$%*.")
    if kind == 1:
        return rs(rng, ALNUM + "!#%&*+-=?@", rng.randint(12, 18))
    if kind == 2:
        return "-".join(rng.choice(SEED_WORDS) for _ in range(4)) + digits(rng, 1)
    w = rng.choice(PW_WORDS)
    leet = w.replace("a", "@").replace("o", "0").replace("e", "3")
    return leet + rng.choice(["_", "", "."]) + digits(rng, 2)


def apikey(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return "sk_live_" + rs(rng, ALNUM, 24)
    if kind == 1:
        return "ghp_" + rs(rng, ALNUM, 36)
    if kind == 2:
        return "AKIA" + rs(rng, UPALNUM.replace("0", "").replace("1", ""), 16)
    if kind == 3:
        return "sk-proj-" + rs(rng, ALNUM + "-_", 48)
    if kind == 4:
        return "xoxb-%s-%s-%s" % (digits(rng, 12), digits(rng, 13), rs(rng, ALNUM, 24))
    return "AIza" + rs(rng, ALNUM + "-_", 35)


def recovery(rng):
    n = rng.choice([4, 5, 6])
    return ", ".join("%s-%s" % (rs(rng, LOWALNUM, 5), rs(rng, LOWALNUM, 5)) for _ in range(n))


def door(rng):
    c = digits(rng, rng.choice([4, 5, 6]))
    return rng.choice([c, c + "#", "*" + c, c])


def safe(rng):
    return "-".join("%02d" % rng.randint(0, 99) for _ in range(3))


GENERATORS = {
    "PW": password,
    "PIN4": lambda r: digits(r, 4),
    "PIN6": lambda r: digits(r, 6),
    "PUK": lambda r: digits(r, 8),
    "CARD": card,
    "VISA": lambda r: card(r, ("4",)),
    "CVC": lambda r: digits(r, 3),
    "EXP": lambda r: "%02d/%02d" % (r.randint(1, 12), r.randint(27, 31)),
    "IBAN_DE": iban_de,
    "IBAN_FR": iban_fr,
    "IBAN_ES": iban_es,
    "IBAN_GB": iban_gb,
    "APIKEY": apikey,
    "STRIPE": lambda r: "sk_live_" + rs(r, ALNUM, 24),
    "GHP": lambda r: "ghp_" + rs(r, ALNUM, 36),
    "AKIA": lambda r: "AKIA" + rs(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    "AWSSECRET": lambda r: rs(r, ALNUM + "/+", 40),
    "OPENAI": lambda r: "sk-proj-" + rs(r, ALNUM + "-_", 48),
    "SLACK": lambda r: "xoxb-%s-%s-%s" % (digits(r, 12), digits(r, 13), rs(r, ALNUM, 24)),
    "TOTP": lambda r: " ".join(rs(r, B32, 4) for _ in range(4)),
    "SEED12": lambda r: " ".join(r.choice(SEED_WORDS) for _ in range(12)),
    "SEED24": lambda r: " ".join(r.choice(SEED_WORDS) for _ in range(24)),
    "RECOVERY": recovery,
    "DOOR": door,
    "SAFE": safe,
    "HEX32": lambda r: rs(r, "0123456789abcdef", 32),
}

PH = re.compile(r"\{([A-Z0-9_]+)\}")


def fill(text, rng):
    def sub(m):
        name = m.group(1)
        if name not in GENERATORS:
            raise SystemExit("unknown placeholder {%s} in: %s" % (name, text))
        return GENERATORS[name](rng)
    return PH.sub(sub, text)


def main():
    rng = random.Random(SEED)
    records = []
    for lang in LANGS:
        path = os.path.join(HERE, "src", lang + ".txt")
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("|", 2)
                if len(parts) != 3:
                    raise SystemExit("%s:%d: expected tier|category|text" % (path, n))
                tier, cat, text = (p.strip() for p in parts)
                text = text.replace("\\n", "\n")
                records.append({"text": fill(text, rng), "tier": tier,
                                "category": cat, "lang": lang})
    rng.shuffle(records)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
    print("wrote %d records to %s" % (len(records), OUT))


if __name__ == "__main__":
    main()

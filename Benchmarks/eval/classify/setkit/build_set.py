#!/usr/bin/env python3
"""Build a labelled set, classify-<folder>.jsonl, from its folder's src/*.txt (python3 stdlib
only, byte-reproducible). Each set's own build.py calls main(folder, seed); written for
heldout5/ by its author, shared since by heldout6/ to heldout11/.

Source format: one memory per line, `tier|category|text`; a literal `\\n` in text is a
newline. Placeholders like {PW} or {CARD} are filled with fake but realistically
shaped values from random.Random(seed), in file order (en, de, fr, es) and line
order; then all records are shuffled with the same RNG and written as JSON lines.
"""
import json
import os
import random
import re
import string

LANGS = ["en", "de", "fr", "es"]

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
B32 = UPPER + "234567"

# Seed-phrase style words (hand-picked, BIP39-like; values are fake).
WORDS = """
abandon absent acid actor adapt afford agent album alley anchor angle animal
ankle apple april arch arena armor arrow atom august autumn avocado awake
bacon badge bamboo banana barrel basket battle beach bean believe bench bicycle
blanket blossom board bonus border bottle bracket brave bread brick bridge bronze
buffalo bundle butter cabin cactus camera canal candy canvas carbon carpet castle
casual cattle cereal chalk chapter cherry chimney circle citizen clever cliff clock
cloud coconut coffee comic copper coral cotton couch cousin cradle crane cricket
crystal cube cupboard curtain cushion dance dawn decade delta desert dinosaur dolphin
donkey dragon drum eagle echo elbow elephant ember engine envelope equal estate
fabric falcon fancy feather fence festival fiber filter fiction flame flavor
flower foam forest fossil fox frame frost galaxy garden garlic gentle giant ginger
glacier glove goat gorilla gospel grape gravity guitar hammer harbor harvest hazard
hedgehog helmet hero hollow honey horizon hotel humble husband ice idle igloo
island ivory jacket jaguar jelly jungle kangaroo kettle kidney kitchen kite ladder
lagoon lamp lantern laptop lemon leopard liberty lizard lobster lunar lyrics
magnet mango marble meadow melon mercy million mirror monkey mosquito mountain
muffin museum napkin needle noodle oak ocean olive orange orbit orchard ostrich
oven owner oyster paddle palace panda paper parrot peanut pelican pepper piano
pigeon pillow pioneer planet plastic pony potato pumpkin puzzle pyramid rabbit
raccoon radar raven ribbon rocket rural saddle salmon satoshi scatter scissors
shadow shrimp silver siren sketch slogan snack soccer spider spoon squirrel stable
sunset surface swallow symbol tackle thunder ticket tiger timber tobacco tomato
tornado tower trumpet tulip tunnel turtle umbrella uncle unicorn valley velvet
violin volcano voyage walnut warrior wheat whisper window winter wolf yellow zebra
""".split()

PW_WORDS = """Sunflower Bramble Kestrel Marmalade Pinguin Schnecke Lavande Girasol Mariposa
Tortuga Hirondelle Fahrrad Biscuit Cheddar Toblerone Paella Croissant Lighthouse
Waffle Tulpe Seestern Citron Naranja Moustache Piccolo Zitrone Bluebell Hamster""".split()


def rand_str(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def digits(rng, n):
    return rand_str(rng, DIGITS, n)


def luhn_complete(rng, prefix, length):
    body = prefix + digits(rng, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # positions that get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    check = (10 - total % 10) % 10
    return body + str(check)


def iban_check(country, bban):
    rearranged = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in rearranged)
    return "%02d" % (98 - int(num) % 97)


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def make_iban(rng, country):
    if country == "DE":
        bban = rng.choice(["10070000", "12030000", "37040044", "50010517", "76026000"]) + digits(rng, 10)
    elif country == "FR":
        bank, branch, acct = digits(rng, 5), digits(rng, 5), digits(rng, 11)
        key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97)
        bban = bank + branch + acct + "%02d" % key
    elif country == "ES":
        bank, branch, acct = rng.choice(["0049", "0182", "2100", "0081", "2038"]), digits(rng, 4), digits(rng, 10)
        w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

        def dc(ten):
            r = 11 - sum(int(a) * b for a, b in zip(ten, w)) % 11
            return {11: 0, 10: 1}.get(r, r)
        bban = bank + branch + str(dc("00" + bank + branch)) + str(dc(acct)) + acct
    elif country == "GB":
        bban = rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + digits(rng, 6) + digits(rng, 8)
    else:
        raise ValueError(country)
    iban = country + iban_check(country, bban) + bban
    return group4(iban) if rng.random() < 0.6 else iban


def make_pw(rng):
    style = rng.randrange(4)
    if style == 0:
        return rng.choice(PW_WORDS) + rng.choice("!?#$%&*") + digits(rng, rng.choice([2, 4]))
    if style == 1:
        return rand_str(rng, ALNUM + "!#$%&*+-=?@", rng.randrange(12, 19))
    if style == 2:
        words = [rng.choice(WORDS) for _ in range(4)]
        return "-".join(words) + "-" + digits(rng, 2)
    return rng.choice(PW_WORDS).lower() + digits(rng, 2) + rng.choice(PW_WORDS) + rng.choice("!.#")


def make_card(rng):
    if rng.random() < 0.6:
        num = luhn_complete(rng, "4" + digits(rng, 5), 16)
    else:
        num = luhn_complete(rng, str(rng.randrange(51, 56)) + digits(rng, 4), 16)
    return group4(num) if rng.random() < 0.7 else num


def make_totp(rng):
    s = rand_str(rng, B32, 32)
    return group4(s).lower() if rng.random() < 0.5 else s


GENERATORS = {
    "PW": make_pw,
    "PIN4": lambda r: digits(r, 4),
    "PIN6": lambda r: digits(r, 6),
    "PUK": lambda r: digits(r, 8),
    "CARD": make_card,
    "CVC": lambda r: digits(r, 3),
    "EXP": lambda r: "%02d/%02d" % (r.randrange(1, 13), r.randrange(27, 32)),
    "IBAN_DE": lambda r: make_iban(r, "DE"),
    "IBAN_FR": lambda r: make_iban(r, "FR"),
    "IBAN_ES": lambda r: make_iban(r, "ES"),
    "IBAN_GB": lambda r: make_iban(r, "GB"),
    "APIKEY": lambda r: "sk_live_" + rand_str(r, ALNUM, 24),
    "GHP": lambda r: "ghp_" + rand_str(r, ALNUM, 36),
    "AKIA": lambda r: "AKIA" + rand_str(r, UPPER + "234567", 16),
    "AWSSECRET": lambda r: rand_str(r, ALNUM + "/+", 40),
    "OPENAI": lambda r: "sk-proj-" + rand_str(r, ALNUM + "-_", 56) + "T3BlbkFJ" + rand_str(r, ALNUM + "-_", 56),
    "SLACK": lambda r: "xoxb-" + digits(r, 12) + "-" + digits(r, 13) + "-" + rand_str(r, ALNUM, 24),
    "GOOGLE": lambda r: "AIza" + rand_str(r, ALNUM + "-_", 35),
    "SENDGRID": lambda r: "SG." + rand_str(r, ALNUM + "-_", 22) + "." + rand_str(r, ALNUM + "-_", 43),
    "TELEGRAM": lambda r: str(r.randrange(10 ** 9, 10 ** 10)) + ":AA" + rand_str(r, ALNUM + "-_", 33),
    "TOTP": make_totp,
    "SEED12": lambda r: " ".join(r.sample(WORDS, 12)),
    "SEED24": lambda r: " ".join(r.sample(WORDS, 24)),
    "MASTERPW": lambda r: "-".join(w.capitalize() if i == 0 else w for i, w in enumerate(r.sample(WORDS, 5))) + digits(r, 1) + r.choice("!?#"),
    "RECOVERY": lambda r: rand_str(r, LOWER + DIGITS, 5) + "-" + rand_str(r, LOWER + DIGITS, 5),
    "GCODE": lambda r: digits(r, 4) + " " + digits(r, 4),
    "DOOR": lambda r: digits(r, r.choice([4, 5, 6])),
    "SAFE": lambda r: "-".join(str(r.randrange(0, 100)) for _ in range(3)),
    "HEX32": lambda r: rand_str(r, "0123456789abcdef", 32),
    "WIFIKEY": lambda r: digits(r, 20) if r.random() < 0.5 else rand_str(r, "0123456789ABCDEF", 26),
    "OP_SECRETKEY": lambda r: "A3-" + "-".join(rand_str(r, UPPER + DIGITS, n) for n in (6, 6, 5, 5, 5, 5)),
}

PLACEHOLDER = re.compile(r"\{([A-Z0-9_]+)\}")
TIERS = {"chronological", "general", "confidential", "secret", "ultrasecret"}


def main(folder, seed):
    out_path = os.path.join(folder, "classify-%s.jsonl" % os.path.basename(os.path.normpath(folder)))
    rng = random.Random(seed)
    records = []
    for lang in LANGS:
        path = os.path.join(folder, "src", lang + ".txt")
        with open(path, encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                tier, category, text = line.split("|", 2)
                if tier not in TIERS:
                    raise SystemExit("%s:%d: bad tier %r" % (path, lineno, tier))
                text = text.replace("\\n", "\n")

                def fill(m):
                    name = m.group(1)
                    if name not in GENERATORS:
                        raise SystemExit("%s:%d: unknown placeholder {%s}" % (path, lineno, name))
                    return GENERATORS[name](rng)
                text = PLACEHOLDER.sub(fill, text)
                records.append({"text": text, "tier": tier, "category": category, "lang": lang})
    rng.shuffle(records)
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print("wrote %d records to %s" % (len(records), out_path))

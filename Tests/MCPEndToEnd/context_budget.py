#!/usr/bin/env python3
"""The context budget against OpenAI's encodings, with the PyPI package bpe-openai (it bundles
o200k_base and cl100k_base; no network).

1. The facts the count rests on: every word listed in Sources/MemoryContext/SingleTokenWords.swift
   is one token in both encodings (alone and after a space), and so is every group of 1 to 3 digits.
2. `memvault context --budget N` blocks on English, German, Chinese, emoji and random text never
   exceed N tokens in either encoding, for many N.

    python3 Tests/MCPEndToEnd/context_budget.py .build/debug/memvault
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import bpe_openai

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/memvault"))
ENCODINGS = [bpe_openai.get_encoding("o200k_base"), bpe_openai.get_encoding("cl100k_base")]


def check(condition, what):
    if not condition:
        print(f"context_budget: FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def tokens(text):
    return max(len(e.encode_ordinary(text)) for e in ENCODINGS)


def word_facts():
    source = open(os.path.join(ROOT, "Sources/MemoryContext/SingleTokenWords.swift"), encoding="utf-8").read()
    lists = re.findall(r'static let (\w+)Text = """\n(.*?)"""', source, re.S)
    check(len(lists) == 2, "two word lists")
    for name, body in lists:
        words = body.split()
        check(len(words) > 1000, f"{name} list is not empty")
        for word in words:
            text = " " + word if name == "spaced" else word
            for e in ENCODINGS:
                check(len(e.encode_ordinary(text)) == 1, f"{text!r} is one token in {e.name}")
    for n in range(1000):
        for text in {str(n), f"{n:02d}", f"{n:03d}"}:
            for e in ENCODINGS:
                check(len(e.encode_ordinary(text)) == 1, f"{text!r} is one token in {e.name}")


ENGLISH = [
    "Had coffee with Maria; she starts at the museum in January and is nervous about the commute.",
    "The Alps trip: we planned three days of hiking from Zermatt, two nights in huts, and a rest day.",
    "Tom's birthday is on the 14th of March; he'd like a book about the history of maps.",
    "Doctor said to keep the knee moving, 20 minutes of cycling a day, no running until April.",
]
GERMAN = [
    "Ich habe gestern mit Maria Kaffee getrunken; sie fängt im Januar im Museum an.",
    "Die Wanderung über den Grat war anstrengend, aber die Aussicht auf den Gletscher war großartig.",
    "Straßenbahnhaltestelle Königstraße: Umleitung wegen Bauarbeiten bis Ende Oktober.",
]
CHINESE = [
    "我昨天和玛丽亚一起喝咖啡，她一月份开始在博物馆工作。",
    "阿尔卑斯山之旅：我们计划从采尔马特出发徒步三天，在山屋住两晚。",
    "汤姆的生日是三月十四日，他想要一本关于地图历史的书。",
]
EMOJI = [
    "Trip mood: 🏔️🥾☕️ and 🎉🎉🎉 when we reached the hut 👩‍👩‍👧",
    "😀😃😄😁😆😅🤣😂🙂🙃 Maria sent these after the museum news 🖼️🏛️",
]


def random_text(rng):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/"
    return "Token dump " + " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(4, 30))) for _ in range(12))


def main():
    word_facts()
    home = tempfile.mkdtemp(prefix="memvault-budget-")
    try:
        env = dict(os.environ)
        env.update({"HOME": home, "XDG_RUNTIME_DIR": home, "TZ": "Europe/Berlin", "GIT_CONFIG_NOSYSTEM": "1"})
        env.setdefault("MEMVAULT_MODEL_DIR", os.path.expanduser("~/.cache/memvault/models/all-MiniLM-L6-v2"))
        vault = os.path.join(home, "vault")
        subprocess.run([BINARY, "init", vault], env=env, check=True, capture_output=True)
        env["MEMVAULT_DIR"] = vault
        rng = random.Random(7)
        records = []
        texts = ENGLISH + GERMAN + CHINESE + EMOJI + [random_text(rng) for _ in range(4)]
        for i in range(60):
            text = texts[i % len(texts)] + f" (note {i})"
            records.append({"text": text, "tier": "general", "date": f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}T10:{i % 60:02d}:00Z",
                            "title": ["Coffee", "Alps", "Kaffee", "博物馆", "🎉 news", "dump"][i % 6]})
        data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
        subprocess.run([BINARY, "import", "--allow-secret", "-"], env=env, input=data, text=True, check=True, capture_output=True)
        checked = 0
        for query in ["Maria museum coffee", "Wanderung Gletscher Kaffee", "博物馆 咖啡", "🎉 hut", "Token dump", "trip"]:
            for budget in [64, 72, 100, 150, 250, 400, 700, 1000, 2000, 4000]:
                out = subprocess.run([BINARY, "context", query, "--budget", str(budget), "--json"], env=env,
                                     capture_output=True, text=True)
                check(out.returncode == 0, f"context {query!r} {budget}: {out.stderr}")
                block = json.loads(out.stdout)
                counts = [len(e.encode_ordinary(block["text"])) for e in ENCODINGS]
                check(max(counts) <= budget, f"{query!r} budget {budget}: o200k/cl100k count {counts}")
                check(block["tokens"] >= max(counts), f"the reported count {block['tokens']} is conservative ({counts})")
                if budget == 400:
                    # Plain output is the same block.
                    plain = subprocess.run([BINARY, "context", query, "--budget", str(budget)], env=env, capture_output=True, text=True)
                    check(plain.stdout == block["text"], "plain output is the JSON's text")
                if block["left_out"] > 0 and budget >= 250:
                    check(max(counts) >= budget // 4, f"a full budget is used, not wasted ({counts} of {budget})")
                checked += 1
        print(f"context_budget: ok ({checked} blocks within budget in both encodings)")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()

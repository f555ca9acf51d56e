#!/usr/bin/env python3
"""Build classify-heldout18.jsonl from src/*.txt: fake secret values from random.Random(20261212),
then one shuffle (the shared builder, ../setkit/build_set.py). Python 3 standard library only."""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "setkit"))
import build_set  # noqa: E402

if __name__ == "__main__":
    build_set.main(HERE, seed=20261212)

#!/usr/bin/env python3
"""Validate classify-heldout18.jsonl (the shared checks, ../setkit/validate_set.py)."""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "setkit"))
import validate_set  # noqa: E402

if __name__ == "__main__":
    validate_set.main(HERE)

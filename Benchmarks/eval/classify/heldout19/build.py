#!/usr/bin/env python3
import os, sys
sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "setkit"))
import build_set  # noqa: E402
if __name__ == "__main__":
    build_set.main(HERE, seed=20261219)

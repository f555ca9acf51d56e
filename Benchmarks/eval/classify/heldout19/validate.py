#!/usr/bin/env python3
import os, sys
sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "setkit"))
import validate_set  # noqa: E402
if __name__ == "__main__":
    validate_set.main(HERE)

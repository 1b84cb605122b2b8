#!/bin/sh
# The CSV reader against the third-party csv-spectrum suite (see the script).
cd "$(dirname "$0")/../.." && exec python3 tests/ref/corpus_check.py

"""Imported first by the test forkserver (``test_exactly_once``): the modules it and its
children import are compiled once into a cache folder and read from it afterwards, although the
suite runs with PYTHONDONTWRITEBYTECODE (which keeps caches out of the checkout)."""

import os
import sys
import tempfile

sys.pycache_prefix = os.path.join(tempfile.gettempdir(), f"plcqi-test-pycache-{os.getuid()}")
sys.dont_write_bytecode = False

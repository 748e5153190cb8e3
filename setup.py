"""For `scrapyd-deploy` only: it builds the Scrapyd egg with `python setup.py bdist_egg`.

The project is described in pyproject.toml, the egg's `scrapy` entry point (the settings module
Scrapyd loads) included. Without a setup.py, scrapyd-deploy writes one of its own (project name
"project", no dependencies) and leaves it in the checkout, where the next `pip install .` would
run it. This one adds nothing to pyproject.toml, and for scrapyd-deploy's two commands (`clean`,
`bdist_egg`) it sends setuptools' build/ and .egg-info/ to a temporary directory removed at exit,
so that a deploy leaves the checkout as it found it (no stale build/lib to leak into a later
build). Every other build (pip, `python -m build`) runs as if this file were not here.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile

from setuptools import setup

options = {}
if {"bdist_egg", "clean"} & set(sys.argv[1:]):
    scratch = tempfile.mkdtemp(prefix="archiver-egg-")
    atexit.register(shutil.rmtree, scratch, True)
    options = {"build": {"build_base": f"{scratch}/build"}, "egg_info": {"egg_base": scratch}}

setup(options=options)

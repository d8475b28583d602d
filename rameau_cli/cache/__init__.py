"""Caches under .rameau-cache/: one base (cache/base.py), one code stamp (cache/stamp.py). Each
cache stands beside what it keeps (sources/article_cache.py, render/template_cache.py, ...)."""

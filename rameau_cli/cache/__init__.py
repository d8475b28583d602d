"""Caches under .rameau-cache/: one base (cache/base.py), one code stamp (cache/stamp.py)."""

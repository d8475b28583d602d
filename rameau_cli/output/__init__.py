"""Output: writing editions, the archive and the history into the output folder as one commit
(write.py, commit.py), the manifest, the archive's pages kept between builds, and the history's
conflicts resolved (resolve.py)."""

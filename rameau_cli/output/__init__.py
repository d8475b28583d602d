"""Output: writing editions, the archive and the history into the output folder as one commit
(write.py, commit.py), the manifest, and the archive's pages kept between builds."""

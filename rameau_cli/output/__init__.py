"""Output: writing editions, the archive and the history as one commit; test sends."""

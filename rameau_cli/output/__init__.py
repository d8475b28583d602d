"""Stage 6, output: writing editions, the archive and the history as one commit; test sends."""

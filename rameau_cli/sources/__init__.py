"""Stages 2 and 3, sources: Markdown folders and feeds read into the content pool of Articles."""

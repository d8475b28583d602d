"""Sources: Markdown folders and feeds read into the content pool of Articles."""

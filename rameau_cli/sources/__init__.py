"""Sources: Markdown folders and feeds read into the content pool of Articles, with the parsed
articles and the feeds' last good copies kept between builds."""

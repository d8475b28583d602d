"""rameau's message catalogs (<lang>/LC_MESSAGES/rameau.po, compiled to .mo), and the messages
they hold: every word rameau writes for readers, by key. compose/wording.py looks them up;
`python -m rameau_cli.compose.catalogs` keeps the catalogs in step with this list."""

from __future__ import annotations

BUILT_IN = ("en", "fr", "de")  # the catalogs rameau brings; any other language falls back to English

# key -> (English, what it is for): the catalogs' messages, in their order.
MESSAGES: dict[str, tuple[str, str]] = {
    "greeting": ("Hello {first_name},", "above the édito; {first_name} is the emailing tool's merge tag. Empty: no greeting"),
    "greeting_words": ("Hello|Hi|Dear|Good morning", "an édito starting with one of these has its own greeting: "
                                                     "the theme's is left out"),
    "first_name_fallback": ("there", "the greeting's name when the emailing tool knows none"),
    "read_more": ("Read more", "the button under an article's summary"),
    "read_online": ("Read online", "the button under an article shown whole"),
    "view_online": ("View this email online", "the link at the top and bottom of the email"),
    "online_version": ("Online version", "before the web version's address, in the text part"),
    "more_online": ("Also online", "above the articles moved out to keep the email small"),
    "unsubscribe": ("Unsubscribe", "the unsubscribe link"),
    "manage": ("Manage your subscription", "the link to the subscriber's own page of choices, where the emailing tool "
                                           "has one"),
    "forwarded": ("Was this email forwarded to you? {link}", "in the footer, when the segment has a page to "
                                                              "subscribe ({link}: the link, worded `subscribe`)"),
    "subscribe": ("Subscribe", "the link of the forwarded line"),
    "reply": ("Questions, ideas? Reply to this email: we read every answer.",
              "in the footer: readers may answer (empty: not said)"),
    "number": ("No.", "before an issue's number"),
    "you_receive": ("You receive {segment} from {name}.", "at the bottom of the email"),
    "you_receive_named": ("You receive {segment}.", "at the bottom of the email, when the segment's title already "
                                                    "names the newsletter ({name} may be used too)"),
    "colon": (":", "between a label and what follows"),
    "table": ("Table", "a table's label, for screen readers"),
    "video": ("Watch the video on {provider}", "a video's card"),
    "notes": ("Notes", "above an article's footnotes"),
    "image": ("Image", "before an image's description in the text part"),
    "edito": ("Editorial", "the édito's heading in the terminal preview"),
    "links": ("Links", "the list of links in the terminal preview"),
    "archive": ("{name}: past issues", "the archive page's title"),
    "archive_empty": ("No issue yet.", "the archive page before the first issue"),
    "archive_year": ("{segment}, {year}", "the title of the archive's page of one segment's issues of one year"),
    "archive_latest": ("Latest issue", "before a segment's latest issue, on the archive page"),
    "archive_all": ("All past issues", "the link from a year's page back to the archive page"),
    "archive_feed": ("Atom feed", "the link to the archive's feed of the latest issues"),
}
PLURALS: dict[str, tuple[str, str, str]] = {
    "articles": ("{count} article", "{count} articles", "a number of articles (default preheader, preview)"),
    "issues": ("{count} issue", "{count} issues", "how many issues a year of the archive holds"),
}

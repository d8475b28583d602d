"""What an article (or the édito) says in an email: its summary as inline content, its whole
body as blocks when the segment (or the article) asks for it. Pure, but for the text cache.

Markdown bodies and summaries, and feed content, go the same way: to HTML, sanitized, then read
into blocks (content/blocks.py) with links and images made absolute against the article's
address, the newsletter's typography on their text (never on code), and headings shifted under
the email's own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..content.blocks import Blocks, Image, Inline, ListBlock, Notes, Paragraph, Quote, Span, plain
from ..content.language import typography
from ..content.markup import absolute_url, clean_html
from ..content.read_html import Reading, read_blocks, read_inline
from ..content.texts import Texts
from ..images.assets import COLUMN, Assets
from ..project.reading import shorten
from ..sources.article import Article
from .placeholders import mark_placeholders

SUMMARY_LIMIT = 280
ARTICLE_TOP = 3  # an article's `#` is an h3: the email's header is its h1, articles' titles its h2
EDITO_TOP = 2


def reading(base_url: str, language: str, top: int, images: tuple[Assets, Path | None, str] | None = None) -> Reading:
    """`images`: where the images that name files are found (the assets, the folder of the file
    that names them, and that file for messages; no folder for a feed's content, which never
    names a file); None: images are read as their tags say."""
    local_image = None
    remote_size = None
    if images is not None:
        remote_size = images[0].remote_size
    if images is not None and images[1] is not None:
        assets, folder, where = images

        def local_image(ref: str, width: int | None) -> tuple[str, int, int] | None:
            assert folder is not None
            picture = assets.picture(ref, folder, where, min(width or COLUMN, COLUMN))
            return (picture.url, picture.width or COLUMN, picture.height or 0) if picture else None

    return Reading(resolve=lambda url: absolute_url(url, base_url), heading_shift=top,
                   text=lambda text: typography(text, language), local_image=local_image, remote_size=remote_size)


def edito_blocks(markdown: str, language: str, base_url: str, texts: Texts,
                 images: tuple[Assets, Path | None, str] | None = None) -> Blocks:
    """The édito as blocks; shared by every segment."""
    if not markdown.strip():
        return ()
    html = texts.markdown(mark_placeholders(markdown))
    return read_blocks(clean_html(html), reading(base_url, language, EDITO_TOP, images))


def body_blocks(article: Article, language: str, base_url: str, texts: Texts, assets: Assets | None = None) -> Blocks:
    html = texts.markdown(mark_placeholders(article.body)) if article.body_format == "markdown" else article.body
    images = (assets, article.folder, f"{article.source}: body image") if assets is not None else None
    return read_blocks(clean_html(html), reading(article.url or base_url, language, ARTICLE_TOP, images))


def summary_inline(article: Article, language: str, base_url: str, texts: Texts,
                   body: Callable[[], Blocks]) -> Inline:
    """The summary: Markdown (bold, italic, code, links) for Markdown articles, text for feed
    entries; without one, the first paragraphs of the body, shortened."""
    if article.summary and article.body_format == "markdown":
        return read_inline(clean_html(texts.inline_markdown(mark_placeholders(article.summary))),
                           reading(article.url or base_url, language, ARTICLE_TOP))
    if article.summary:
        return (Span("text", typography(article.summary, language)),)
    text = shorten(" ".join(plain(b.spans) for b in _paragraphs(body())), SUMMARY_LIMIT)
    return (Span("text", text),) if text else ()


def _paragraphs(blocks: Blocks) -> list[Paragraph]:
    """The paragraphs a summary is made from: those of the text, its lists and quotes (not a
    table's cells, code or notes)."""
    found: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found.append(block)
        elif isinstance(block, Quote):
            found += _paragraphs(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                found += _paragraphs(item.blocks)
        if sum(len(plain(p.spans)) for p in found) > SUMMARY_LIMIT:
            break
    return found


def images_without_alt(blocks: Blocks) -> int:
    count = 0
    for block in blocks:
        if isinstance(block, Image) and not block.alt:
            count += 1
        elif isinstance(block, Quote):
            count += images_without_alt(block.blocks)
        elif isinstance(block, ListBlock):
            count += sum(images_without_alt(item.blocks) for item in block.items)
        elif isinstance(block, Notes):
            count += sum(images_without_alt(note) for note in block.items)
    return count

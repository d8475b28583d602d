"""Generate benchmark inputs for rameau: a project of N French articles, an RSS 2.0 feed, or
a project whose articles each have a camera photo next to them.

    python tests/bench/generate.py --articles 10000 --out tests/bench/.work/articles-10000
    python tests/bench/generate.py --feed 5000 --out tests/bench/.work/feed-5000.xml
    python tests/bench/generate.py --photos 20 --out tests/bench/.work/photos-20
    python tests/bench/generate.py --history 10 --out tests/bench/.work/history-10

Everything comes from a fixed seed and the word lists below (stdlib only; Pillow for the
photos), so the same arguments always give the same articles. Dates are spread over the year ending on
2026-11-29, the last day of ISO week 2026-W48, for which an edition file is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import json
import random
import re
import shutil
import sys
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

SEED = 20261129
REPO = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Paris")
LAST_DAY = dt.date(2026, 11, 29)  # the year of articles ends with week 2026-W48
YEAR_SECONDS = 365 * 24 * 3600
BASE_URL = "https://www.rameau-alliances.org"
AUDIENCES = ["entreprise", "fondation", "partenaire", "association", "grand-public"]

# --- French word lists -------------------------------------------------------------------------

ACTORS = [
    "Les associations", "Une fondation territoriale", "Les entreprises du territoire", "La communauté de communes",
    "Un collectif de bénévoles", "Les acteurs de l’économie sociale", "Une coopérative", "Le conseil départemental",
    "Les mécènes", "Un réseau de tiers-lieux", "Les jeunes engagés", "Une mutuelle régionale",
    "Les fondations d’entreprise", "Un groupement d’employeurs", "La chambre de commerce", "Les centres sociaux",
]
ACTIONS = [  # (singular, plural)
    ("lance", "lancent"), ("renforce", "renforcent"), ("mutualise", "mutualisent"), ("accompagne", "accompagnent"),
    ("évalue", "évaluent"), ("finance", "financent"), ("inaugure", "inaugurent"), ("repense", "repensent"),
    ("soutient", "soutiennent"), ("structure", "structurent"), ("présente", "présentent"),
    ("développe", "développent"), ("co-construit", "co-construisent"), ("anime", "animent"),
]
OBJECTS = [
    "un programme de mentorat", "une alliance pour l’emploi", "un fonds de dotation", "un appel à projets",
    "une plateforme de bénévolat", "un diagnostic partagé", "une charte de partenariat", "un parcours d’insertion",
    "une recyclerie solidaire", "un réseau de covoiturage rural", "une épicerie sociale", "un dispositif d’accueil",
    "une cantine partagée", "un atelier de réparation", "un programme de mécénat de compétences",
    "une formation à la gouvernance", "un observatoire des partenariats", "un jardin partagé",
]
PLACES = [
    "à Amiens", "dans la vallée de la Drôme", "en Bretagne", "à Lyon", "dans le Grand Est", "à Marseille",
    "en Occitanie", "à Lille", "dans les Hauts-de-France", "en Nouvelle-Aquitaine", "à Nantes", "à Strasbourg",
    "dans le Cantal", "en Corse", "à Rennes", "en zone rurale", "dans les quartiers prioritaires", "à Clermont-Ferrand",
]
OUTCOMES = [
    "pour l’emploi des jeunes", "contre la précarité énergétique", "pour l’inclusion numérique",
    "au service des aidants", "pour la transition écologique", "contre l’isolement des aînés",
    "pour l’accès à la culture", "au profit des familles monoparentales", "pour la mobilité solidaire",
    "en faveur de l’égalité des chances", "pour l’alimentation durable", "au service de la santé mentale",
]
NUMBERS = ["trois", "cinq", "douze", "vingt", "une trentaine de", "une cinquantaine de", "cent", "plus de deux cents"]
PEOPLE = ["bénévoles", "salariés", "jeunes", "familles", "associations", "entreprises", "communes", "partenaires"]
CONNECTORS = [
    "Depuis le printemps,", "Concrètement,", "Selon les organisateurs,", "À terme,", "Pour la première fois,",
    "Dans un premier temps,", "Au-delà des chiffres,", "D’ici à 2028,", "Comme l’an dernier,", "Sur le terrain,",
]
FINDINGS = [
    "les résultats dépassent les objectifs fixés au départ",
    "la coopération entre structures a changé d’échelle",
    "les besoins restent supérieurs aux moyens disponibles",
    "le dispositif sera étendu à d’autres territoires",
    "une évaluation indépendante sera publiée au printemps",
    "les participants saluent une démarche concrète et rapide",
    "le financement est assuré pour les trois prochaines années",
    "la gouvernance associe désormais les bénéficiaires",
]
HEADINGS = [
    "Une démarche construite pas à pas", "Ce qui change concrètement", "Les premiers résultats",
    "Le rôle des partenaires", "Et maintenant ?", "Comment participer", "Les chiffres clés", "Un modèle à essaimer",
]
QUOTES = [
    "Notre rôle n’est pas de tout faire, mais de réunir ceux qui peuvent agir",
    "On ne change pas un territoire seul, on le change ensemble",
    "Chaque partenaire apporte ce qu’il sait faire de mieux",
    "Nous voulions des résultats visibles dès la première année",
]
FIRST_NAMES = [
    "Claire", "Sophie", "Marion", "Hélène", "Julien", "Thomas", "Camille", "Nicolas", "Léa", "Karim",
    "Émilie", "Antoine", "Nadia", "Pierre", "Inès", "François", "Aurélie", "Mathieu", "Chloé", "Yacine",
]
LAST_NAMES = [
    "Dumas", "Lemaire", "Keller", "Vasseur", "Martin", "Bernard", "Moreau", "Lefèvre", "Garnier", "Rousseau",
    "Benali", "Fontaine", "Chevalier", "Robin", "Girard", "Mercier", "Blanc", "Guérin", "Faure", "Perrin",
]
TAGS = [
    "territoires", "emploi", "benevolat", "mecenat", "rse", "gouvernance", "financement", "etude", "evenement",
    "formation", "inclusion", "ecologie", "jeunesse", "solidarite", "numerique", "sante",
]
IMAGE_SUBJECTS = [
    "Des bénévoles réunis autour d’une table", "Une salle de réunion pleine de participants",
    "Un atelier de réparation de vélos", "Des jeunes en formation devant un ordinateur",
    "Un jardin partagé au printemps", "La signature d’une convention en mairie",
]
LINK_TEXTS = ["le rapport complet", "la carte des initiatives", "le programme détaillé", "le formulaire d’inscription"]


# --- Text ----------------------------------------------------------------------------------------

def slugify(text: str) -> str:
    """ASCII, lowercase, hyphens: what rameau accepts as an article id."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def clause(rng: random.Random) -> str:
    """« Une coopérative lance un jardin partagé à Lyon »: subject, verb agreed, object, place."""
    actor = rng.choice(ACTORS)
    singular, plural = rng.choice(ACTIONS)
    verb = plural if actor.startswith("Les ") else singular
    return f"{actor} {verb} {rng.choice(OBJECTS)} {rng.choice(PLACES)}"


def title(rng: random.Random) -> str:
    """A headline: a clause, sometimes with what it is for."""
    return clause(rng) + (f" {rng.choice(OUTCOMES)}" if rng.random() < 0.3 else "")


def sentence(rng: random.Random) -> str:
    """One plausible sentence of news prose."""
    forms = (
        lambda: f"{rng.choice(CONNECTORS)} {rng.choice(NUMBERS)} {rng.choice(PEOPLE)} participent à {rng.choice(OBJECTS)} "
                f"{rng.choice(OUTCOMES)}.",
        lambda: f"{rng.choice(CONNECTORS)} {rng.choice(FINDINGS)}.",
        lambda: f"{clause(rng)}.",
        lambda: f"« {rng.choice(QUOTES)} », explique {person(rng)}, qui suit le projet depuis {rng.randint(2, 9)} ans.",
    )
    return rng.choice(forms)()


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def link(rng: random.Random) -> str:
    return f"[{rng.choice(LINK_TEXTS)}](https://www.example.org/{rng.choice(TAGS)}/{rng.randint(1, 9999)})"


def body(rng: random.Random) -> str:
    """About 2 KB of Markdown: paragraphs, a `##` heading, a list and links."""
    items = [f"- {rng.choice(OBJECTS)} {rng.choice(OUTCOMES)} ;" for _ in range(rng.randint(3, 4))]
    items[-1] = items[-1].removesuffix(" ;") + "."
    return "\n\n".join([
        paragraph(rng, 5),
        f"## {rng.choice(HEADINGS)}",
        paragraph(rng, 4) + " Les grandes étapes :",
        "\n".join(items),
        paragraph(rng, 4),
        f"Pour en savoir plus, consultez {link(rng)} ou {link(rng)}.",
    ]) + "\n"


# --- Dates ---------------------------------------------------------------------------------------

def random_moment(rng: random.Random) -> dt.datetime:
    """A time in the year ending on LAST_DAY, aware, in Paris time, to the minute."""
    end = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time(), TZ)
    moment = end - dt.timedelta(seconds=rng.randrange(1, YEAR_SECONDS))
    return moment.astimezone(TZ).replace(second=0)


# --- A project -----------------------------------------------------------------------------------

def quoted(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def article_file(rng: random.Random) -> tuple[str, str]:
    """(headline, Markdown file text with front matter) of one article."""
    headline = title(rng)
    lines = [
        "---",
        f"title: {quoted(headline)}",
        f"date: {random_moment(rng).isoformat()}",
        f"summary: {quoted(sentence(rng) + ' ' + sentence(rng))}",
    ]
    audiences = rng.sample(AUDIENCES, rng.choice((0, 1, 1, 1, 2, 2)))
    if audiences:
        lines.append(f"audiences: [{', '.join(audiences)}]")
    lines += [f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]", f"author: {quoted(person(rng))}"]
    if rng.random() < 0.4:
        lines += [f"image: {BASE_URL}/medias/{slugify(headline)[:40]}-{rng.randint(1, 999)}.jpg",
                  f"image_alt: {quoted(rng.choice(IMAGE_SUBJECTS) + ' ' + rng.choice(PLACES))}"]
    if rng.random() < 0.03:
        lines.append("featured: true")
    return headline, "\n".join(lines) + "\n---\n\n" + body(rng)


def edition_file(rng: random.Random) -> str:
    """issues/2026-W48.md: the edition every benchmark build asks for."""
    edito = "\n\n".join([
        "Chères lectrices, chers lecteurs,",
        paragraph(rng, 4),
        paragraph(rng, 3) + f" Retrouvez {link(rng)} sur notre site.",
        "Bonne lecture, et à très vite !",
        f"— {person(rng)}, déléguée générale",
    ])
    return (
        "---\nnumber: 48\ndate: 2026-11-30T08:00:00+01:00\nsince: 2026-11-23\nuntil: 2026-11-29\n"
        'subject: "Alliances : ce qui a bougé cette semaine"\n'
        'preheader: "Les initiatives de la semaine, en cinq minutes de lecture."\n'
        f"---\n\n{edito}\n"
    )


def write_project(count: int, out: Path) -> None:
    """A rameau project folder with `count` articles and the 2026-W48 edition file."""
    rng = random.Random(SEED)
    if out.exists():
        shutil.rmtree(out)
    (out / "articles").mkdir(parents=True)
    (out / "issues").mkdir()
    shutil.copyfile(REPO / "rameau.yaml", out / "rameau.yaml")
    seen: set[str] = set()
    for index in range(count):
        headline, text = article_file(rng)
        slug = f"{slugify(headline)[:60].rstrip('-')}-{index:05d}"
        assert slug not in seen
        seen.add(slug)
        (out / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    (out / "issues" / "2026-W48.md").write_text(edition_file(rng), encoding="utf-8")


# --- A feed --------------------------------------------------------------------------------------

def feed_item(rng: random.Random, index: int) -> str:
    """One RSS 2.0 <item> with a French title, link, guid, date, HTML description and categories."""
    headline = title(rng)
    url = f"{BASE_URL}/actualites/{slugify(headline)[:60].rstrip('-')}-{index:05d}/"
    description = f"<p>{paragraph(rng, 2)}</p><p>{paragraph(rng, 2)}</p>"
    categories = rng.sample(AUDIENCES, rng.randint(0, 2)) + rng.sample(TAGS, rng.randint(1, 2))
    lines = [
        "    <item>",
        f"      <title>{escape(headline)}</title>",
        f"      <link>{url}</link>",
        f'      <guid isPermaLink="true">{url}</guid>',
        f"      <pubDate>{email.utils.format_datetime(random_moment(rng))}</pubDate>",
        f"      <description>{escape(description)}</description>",
        f"      <dc:creator>{escape(person(rng))}</dc:creator>",
    ]
    lines += [f"      <category>{escape(category)}</category>" for category in categories]
    if rng.random() < 0.3:
        lines.append(f'      <enclosure url="{BASE_URL}/medias/actu-{index:05d}.jpg" length="48213" type="image/jpeg" />')
    return "\n".join(lines + ["    </item>"])


def write_feed(count: int, out: Path) -> None:
    """An RSS 2.0 file with `count` items."""
    rng = random.Random(SEED + 1)
    items = "\n".join(feed_item(rng, index) for index in range(count))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n  <channel>\n'
        "    <title>Rameau des alliances – actualités</title>\n"
        f"    <link>{BASE_URL}/actualites/</link>\n"
        "    <description>Les actualités des alliances entre associations, entreprises et territoires.</description>\n"
        "    <language>fr</language>\n"
        f"    <lastBuildDate>{email.utils.format_datetime(dt.datetime.combine(LAST_DAY, dt.time(18), TZ))}</lastBuildDate>\n"
        f"{items}\n  </channel>\n</rss>\n",
        encoding="utf-8",
    )


# --- Ten years of history -----------------------------------------------------------------------

def write_history(years: int, out: Path) -> None:
    """`out`: a copy of the bundled example whose history.json (in the first history format, one
    file) holds `years` years of editions before 2026-W48: a daily segment and three weeklies,
    each issue with its subject, preheader and 3 to 10 article ids."""
    rng = random.Random(SEED + 3)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("rameau.yaml",):
        shutil.copyfile(REPO / name, out / name)
    for folder in ("articles", "issues"):
        shutil.copytree(REPO / folder, out / folder)
    last = dt.date(2026, 11, 22)  # the Sunday before 2026-W48
    first = last - dt.timedelta(days=round(365.25 * years) - 1)
    segments: dict[str, list[dict[str, object]]] = {}
    daily = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        daily.append(history_entry(rng, day.isoformat(), len(daily) + 1,
                                   dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7), TZ)))
    segments["quotidienne"] = daily
    for segment in ("hebdo-entreprise", "hebdo-association", "hebdo-grand-public"):
        entries = []
        monday = first - dt.timedelta(days=first.weekday())
        while monday + dt.timedelta(days=6) <= last:
            year, week, _ = monday.isocalendar()
            entries.append(history_entry(rng, f"{year}-W{week:02d}", len(entries) + 1,
                                         dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(8), TZ)))
            monday += dt.timedelta(days=7)
        segments[segment] = entries

    text = json.dumps({"format": 1, "segments": segments}, ensure_ascii=False, indent=2) + "\n"
    (out / "history.json").write_text(text, encoding="utf-8")


def history_entry(rng: random.Random, edition: str, number: int, date: dt.datetime) -> dict[str, object]:
    headline = title(rng)
    return {"edition": edition, "number": number, "date": date.isoformat(), "subject": headline[:70],
            "preheader": sentence(rng)[:130],
            "articles": [f"{slugify(title(rng))[:40].rstrip('-')}-{rng.randrange(100000):05d}"
                         for _ in range(rng.randint(3, 10))]}


# --- Photos --------------------------------------------------------------------------------------

def write_photos(count: int, out: Path) -> None:
    """`out/photos`: `count` articles of week 2026-W48, each with a 4000x3000 camera JPEG next to
    it (grain, shapes, EXIF with a GPS position, one in four stored sideways); `out/remote`: the
    same articles with the same images at https addresses (the same emails, without image work)."""

    rng = random.Random(SEED + 2)
    if out.exists():
        shutil.rmtree(out)
    config = (REPO / "rameau.yaml").read_text(encoding="utf-8").replace(
        "  dir: dist\n", "  dir: dist\n  public_url: https://lettres.rameau-alliances.org\n")
    for variant in ("photos", "remote"):
        (out / variant / "articles").mkdir(parents=True)
        (out / variant / "rameau.yaml").write_text(config, encoding="utf-8")
    grain = Image.effect_noise((4000, 3000), 24).convert("RGB")
    for index in range(count):
        headline = title(rng)
        day = dt.date(2026, 11, 23) + dt.timedelta(days=index % 7)
        front = (f"---\ntitle: {quoted(headline)}\ndate: {day.isoformat()}\naudiences: [{rng.choice(AUDIENCES)}]\n"
                 f"summary: {quoted(sentence(rng))}\n")
        name = f"photo-{index:02d}.jpg"
        body = f"---\n{paragraph(rng, 3)}\n"
        (out / "remote" / "articles" / f"article-{index:02d}.md").write_text(
            front + f"image: {BASE_URL}/medias/{name}\nimage_alt: {quoted(headline)}\n" + body, encoding="utf-8")
        (out / "photos" / "articles" / f"article-{index:02d}.md").write_text(
            front + f"image: {name}\nimage_alt: {quoted(headline)}\n" + body, encoding="utf-8")
        colour = tuple(rng.randrange(40, 220) for _ in range(3))
        image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
        image = Image.blend(image, grain, 0.35)
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = rng.randrange(0, 3600), rng.randrange(0, 2600)
            draw.ellipse((x, y, x + rng.randrange(100, 900), y + rng.randrange(100, 900)), fill=colour)
        exif = Image.Exif()
        exif[0x010F] = "Camera"
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0 + index), 3: "E", 4: (2.0, 21.0, 3.0)}
        if index % 4 == 0:
            exif[0x0112] = 6
        image.save(out / "photos" / "articles" / name, "JPEG", quality=92, exif=exif)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--articles", type=int, metavar="N", help="write a project folder with N articles")
    what.add_argument("--feed", type=int, metavar="N", help="write an RSS 2.0 file with N entries")
    what.add_argument("--history", type=int, metavar="YEARS", help="write the example with YEARS years of history")
    what.add_argument("--photos", type=int, metavar="N", help="write two projects of N articles, photos from disk or remote")
    parser.add_argument("--out", type=Path, required=True, help="the project folder or the feed file to write")
    args = parser.parse_args(argv)
    if args.articles is not None:
        write_project(args.articles, args.out)
        print(f"{args.articles} articles in {args.out}", file=sys.stderr)
    elif args.history is not None:
        write_history(args.history, args.out)
        print(f"the example with {args.history} years of history in {args.out}", file=sys.stderr)
    elif args.photos is not None:
        write_photos(args.photos, args.out)
        print(f"{args.photos} articles with photos in {args.out}/photos, with remote images in {args.out}/remote",
              file=sys.stderr)
    else:
        write_feed(args.feed, args.out)
        print(f"{args.feed} feed entries in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

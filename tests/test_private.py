"""Only to whom it was meant, only when it was meant: a small association's English project with
a members' segment that publishes nothing and a donors' segment whose web version is unlisted,
run over three weeks as CI runs it."""

import json
import re
from pathlib import Path

import pytest

from helpers import checked, tree

PUBLIC_URL = "https://news.hedgerow.example.org"
MEMBERS_TEXT = "Proxy-forms-for-members-only"
DONORS_TEXT = "Gift-aid-figures-for-donors-only"
DRAFT_TEXT = "Half-written-draft-text"
LATE_TEXT = "Added-after-the-week-was-built"


def write_article(project: Path, name: str, front: str, body: str = "Body.") -> Path:
    path = project / "articles" / f"{name}.md"
    path.write_text(f"---\n{front.strip()}\n---\n{body}\n", encoding="utf-8")
    return path


def association(folder: Path, run) -> Path:
    """`rameau init --language en`, with public_url, a members segment (archive: none) and a
    donors segment (archive: unlisted); the daily digest leaves their articles to them."""
    from PIL import Image

    assert run("init", "--language", "en", str(folder), cwd=folder.parent).code == 0
    config = folder / "rameau.yaml"
    text = checked(config.read_text(encoding="utf-8")).replace(
        "output:\n  dir: dist\n", f"output:\n  dir: dist\n  public_url: {PUBLIC_URL}\n")
    text = checked(text).replace("    cadence: daily\n", "    cadence: daily\n    exclude_audiences: [members, donors]\n")
    text += ("  members:\n    title: Letter to Members\n    audiences: [members]\n    archive: none\n"
             "  donors:\n    title: Letter to Donors\n    audiences: [donors]\n    archive: unlisted\n")
    config.write_text(text, encoding="utf-8")
    Image.new("RGB", (640, 320), (180, 40, 40)).save(folder / "articles" / "agm-hall.png")
    write_article(folder, "agm-agenda", f"""
title: "AGM agenda"
date: 2026-11-25T10:00:00+00:00
summary: "{MEMBERS_TEXT}: the agenda and the proxy link."
audiences: [members]
image: agm-hall.png
image_alt: "The hall of the AGM"
""")
    write_article(folder, "thank-you-donors", f"""
title: "What your gifts did"
date: 2026-11-26T10:00:00+00:00
summary: "{DONORS_TEXT}, this year."
audiences: [donors]
""")
    write_article(folder, "next-year-plan", f"""
title: "Next year's plan"
date: 2026-11-26T11:00:00+00:00
summary: "{DRAFT_TEXT}."
audiences: [members, donors, public, business, nonprofit]
draft: true
""")
    return folder


def files_holding(folder: Path, text: str) -> list[str]:
    return sorted(name for name, data in tree(folder).items() if text.encode() in data)


@pytest.fixture
def project(tmp_path, run):
    return association(tmp_path / "hedgerow", run)


def test_the_association_over_three_weeks(project, run):
    built = run("build-issue", cwd=project)
    assert built.code == 0, built.stderr
    dist, public = project / "dist", project / "dist" / "public"

    # Nothing of the members' issue is published, but the image its email shows.
    assert files_holding(public, MEMBERS_TEXT) == [] and files_holding(public, "Letter to Members") == []
    assert files_holding(dist, MEMBERS_TEXT) == [f"2026-W48/members/{name}" for name in ("index.html", "index.txt",
                                                                                         "message.eml")]
    shown = json.loads((dist / "2026-W48" / "manifest.json").read_text("utf-8"))["segments"]["members"]["assets"]
    assert len(shown) == 1 and (public / "assets" / shown[0]).is_file()
    assert f'src="{PUBLIC_URL}/assets/{shown[0]}"' in (dist / "2026-W48" / "members" / "index.html").read_text("utf-8")

    # Exactly one published file holds the donors' issue: its web version, unlisted.
    [web] = files_holding(public, DONORS_TEXT)
    token = web.split("/")[1]
    assert re.fullmatch(r"2026-W48/[0-9a-f]{16,}/web\.html", web) and len(token) >= 16
    assert '<meta name="robots" content="noindex' in (public / web).read_text("utf-8")
    assert files_holding(public, token) == [] and files_holding(public, "Letter to Donors") == [web]
    donors_email = (dist / "2026-W48" / "donors" / "index.html").read_text("utf-8")
    assert f'href="{PUBLIC_URL}/{web}"' in donors_email  # "View online" leads there

    # No email, message or manifest is published; the public segments are in the archive.
    names = {Path(name).name for name in tree(public)}
    assert not names & {"index.txt", "message.eml", "manifest.json", "latest.json"}
    assert [name for name in tree(public) if name.endswith("index.html")] == ["archive/index.html"]
    index = (public / "archive" / "index.html").read_text("utf-8")
    assert all(title in index for title in ("The Daily Digest", "Community Weekly", "Non-profit Weekly"))
    feed = (public / "archive" / "feed.xml").read_text("utf-8")
    assert "2026-W48/weekly-public/web.html" in feed and "members" not in feed and token not in feed

    # List-Archive only where there is an archive to name.
    messages = {s: (dist / "2026-W48" / s / "message.eml").read_bytes() for s in ("members", "donors", "weekly-public")}
    assert b"List-Archive" not in messages["members"] and b"List-Archive" not in messages["donors"]
    assert f"List-Archive: <{PUBLIC_URL}/archive/index.html>".encode() in messages["weekly-public"]
    assert files_holding(dist, DRAFT_TEXT) == []  # the draft is in no output

    # Typos stop the build, naming the file and the key meant, and change nothing.
    before = tree(dist)
    for typo, meant in (("publish-at: 2026-12-24", "publish_at"), ("audiances: [public]", "audiences")):
        path = write_article(project, "embargoed", f'title: "Embargoed"\ndate: 2026-11-24\n{typo}\n')
        result = run("build-issue", cwd=project)
        assert result.code == 2 and f"articles/embargoed.md: {typo.split(':')[0]}: " in result.stderr and f"did you mean '{meant}'?" in result.stderr
        assert tree(dist) == before
        path.unlink()

    # An article dated in the week already built, added after its build, goes out the next week.
    write_article(project, "late-news", f'title: "Late news"\ndate: 2026-11-26T16:00:00+00:00\n'
                                        f'summary: "{LATE_TEXT}"\naudiences: [public]\n')
    result = run("build-issue", "--week", "2026-W49", cwd=project)
    assert result.code == 0, result.stderr
    assert LATE_TEXT in (dist / "2026-W49" / "weekly-public" / "index.txt").read_text("utf-8")
    assert "late-news: late: dated 2026-11-26, after 2026-W48 was built" in result.stderr

    # A plain build does not go back to the edition file of 2026-W48.
    w48, latest = tree(dist / "2026-W48"), (dist / "latest.json").read_bytes()
    result = run("build-issue", cwd=project)
    assert result.code == 2 and tree(dist / "2026-W48") == w48 and (dist / "latest.json").read_bytes() == latest
    assert json.loads(latest)["segments"]["weekly-public"] == "2026-W49"
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "2026-W48" in line and "2026-W49" in line and "rameau build-issue 2026-W48" in line

    # Built without history into another folder, from an edition file with no number: not stale.
    edition = project / "issues" / "2026-W48.md"
    edition.write_text(re.sub(r"(?m)^number: .*\n", "", edition.read_text("utf-8")), encoding="utf-8")
    assert run("build-issue", "--no-history", "--out", "other", cwd=project).code == 0
    checked = run("check", "--out", "other", cwd=project)
    assert "build-stale" not in checked.stdout + checked.stderr and "other/2026-W48" in checked.stdout


ROOT = Path(__file__).resolve().parent.parent


def test_the_ci_recipes_and_the_manual_publish_only_the_public_folder():
    import yaml

    github = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions.yml").read_text("utf-8"))
    steps = github["jobs"]["weekly"]["steps"]
    [pages] = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact")]
    assert pages["with"]["path"].rstrip("/") == "dist/public"
    committed = " ".join(s.get("run", "") for s in steps if "git add" in s.get("run", ""))
    assert re.findall(r"git add -f (\S+)", committed) == ["dist/public"]
    gitlab = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text("utf-8"))
    assert any("cp -r dist/public public" in line for line in gitlab["pages"]["script"])
    assert all("git add -f dist/public" in line for line in gitlab["weekly-newsletters"]["script"] if "git add" in line)
    assert gitlab["weekly-newsletters"]["artifacts"]["access"] == "developer"
    publishing = (ROOT / "docs" / "publishing.md").read_text("utf-8")
    commands = re.findall(r"`((?:rsync|aws s3 sync) [^`]*)`", publishing)
    assert len(commands) == 2 and all(" dist/public/ " in command for command in commands)


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_init_writes_what_each_segment_publishes_in_every_segment(tmp_path, run, language):
    import yaml

    assert run("init", "--language", language, str(tmp_path / "p"), cwd=tmp_path).code == 0
    text = (tmp_path / "p" / "rameau.yaml").read_text("utf-8")
    segments = yaml.safe_load(text)["segments"]
    assert segments and all(settings.get("archive") == "public" for settings in segments.values())
    assert "unlisted" in text and "none" in text  # the choice is said where it is made


def test_a_published_segment_that_takes_every_article_leaves_the_private_ones_out(project, run):
    """The daily digest takes every article, and is published: an article whose audiences only
    unpublished segments name (members: none, donors: unlisted) stays out of it, even without
    `exclude_audiences`; one meant for members and the public goes to both."""
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("    exclude_audiences: [members, donors]\n", ""),
                      encoding="utf-8")
    write_article(project, "open-day", """
title: "Open day for members and neighbours"
date: 2026-11-25T12:00:00+00:00
summary: "Open-day-for-everyone."
audiences: [members, public]
""")
    built = run("build-issue", cwd=project)
    assert built.code == 0, built.stderr
    public = project / "dist" / "public"
    assert files_holding(public, MEMBERS_TEXT) == []
    assert [re.sub(r"/[0-9a-f]{16,}/", "/TOKEN/", name) for name in files_holding(public, DONORS_TEXT)] == \
        ["2026-W48/TOKEN/web.html"]  # the donors' own unlisted web version, and nothing else
    daily = (project / "dist" / "2026-W48" / "daily" / "index.txt").read_text(encoding="utf-8")
    assert "Open-day-for-everyone" in daily and MEMBERS_TEXT not in daily and DONORS_TEXT not in daily
    assert MEMBERS_TEXT in (project / "dist" / "2026-W48" / "members" / "index.txt").read_text(encoding="utf-8")
    listed = run("articles", "--all", cwd=project, env={"COLUMNS": "400"})
    assert "meant only for segments that are not published" in listed.stdout

    only_daily = run("build-issue", "2026-W48", "--segment", "daily", cwd=project)  # the others' privacy holds alone
    assert only_daily.code == 0, only_daily.stderr
    assert files_holding(public, MEMBERS_TEXT) == []

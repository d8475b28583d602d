"""What decides who gets an article, and when: misspelt keys stop the build, drafts stay drafts,
late articles go out (or are named as skipped), each segment publishes only what it says."""

import datetime as dt
import json
import re
import shutil
from zoneinfo import ZoneInfo

import pytest
import yaml
from test_private import PUBLIC_URL, association, write_article

from rameau_cli.errors import ContentError, KeyTypo, UsageError, Warnings
from rameau_cli.pipeline import BuildOptions, build_issue, load_project
from rameau_cli.sources.article import read_markdown_article

from helpers import checked, invoke, tree

TZ = ZoneInfo("Europe/Paris")


def read(path):
    warnings = Warnings()
    return read_markdown_article(path, TZ, "https://example.org", warnings), list(warnings)


def front(tmp_path, lines: str):
    path = tmp_path / "a.md"
    path.write_text(f"---\ntitle: A\ndate: 2026-11-24\n{lines}\n---\nBody.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line, meant", [
    ("publish-at: 2026-12-24", "publish_at"), ("publishAt: 2026-12-24", "publish_at"),
    ("Publish_At: 2026-12-24", "publish_at"), ("publish_date: 2026-12-24", "publish_at"),
    ("embargo: 2026-12-24", "publish_at"), ("publishDate: 2026-12-24", "publish_at"),
    ("audiances: [public]", "audiences"), ("audience: [public]", "audiences"), ("Audiences: [public]", "audiences"),
    ("segment: members", "audiences"), ("segments: [members]", "audiences"), ("tag: [x]", "tags"),
    ("tagz: [x]", "tags"), ("language: en", "lang"), ("sumary: x", "summary"), ("fetaured: true", "featured"),
    ("drafts: true", "draft"), ("translation-of: x", "translation_of"),
])
def test_a_key_surely_meant_as_another_is_a_typo_naming_it(tmp_path, line, meant):
    path = front(tmp_path, line)
    with pytest.raises(ContentError) as raised:
        read(path)
    [problem] = raised.value.problems
    assert isinstance(problem, KeyTypo) and problem.where == f"{path}: {line.split(':')[0]}"
    assert f"did you mean '{meant}'?" in problem.message


@pytest.mark.parametrize("line", ["exclude-tags: [members]", "exclude_audiences: [members]"])
def test_a_segment_key_in_an_article_says_where_it_belongs(tmp_path, line):
    with pytest.raises(ContentError) as raised:
        read(front(tmp_path, line))
    [problem] = raised.value.problems
    assert isinstance(problem, KeyTypo) and "a segment's key (rameau.yaml)" in problem.message
    assert "`audiences:`" in problem.message


def test_keys_of_static_site_generators_are_read_without_a_word(tmp_path):
    path = front(tmp_path, "layout: post\npermalink: /a/\naliases: [/old/]\nweight: 3\nslug: kept\ntype: news\n"
                           "lastmod: 2026-11-25\nexpiryDate: 2027-01-01\neleventyExcludeFromCollections: false\n"
                           "save_as: a.html\ntemplate: article\nredirect_from: [/b/]\nmenu: main")
    article, warnings = read(path)
    assert warnings == [] and article.id == "kept" and article.draft == ""


def test_a_key_of_its_own_is_warned_about_not_refused(tmp_path):
    article, warnings = read(front(tmp_path, "image_credit: Jo\nmood: calm"))
    assert [w.where.rsplit(": ", 1)[1] for w in warnings] == ["image_credit", "mood"]
    assert all("ignored" in w.message for w in warnings)


@pytest.mark.parametrize("line, said", [("draft: true", "draft: true"), ("status: draft", "status: draft"),
                                        ("status: Draft", "status: draft"), ("published: false", "published: false")])
def test_drafts_of_hugo_jekyll_eleventy_and_pelican_are_drafts(tmp_path, line, said):
    article, warnings = read(front(tmp_path, line))
    assert article.draft == said and warnings == []


def test_not_a_draft(tmp_path):
    for line in ("draft: false", "status: published", "published: true"):
        assert read(front(tmp_path, line))[0].draft == ""


def set_segment(project, segment: str, **values: str) -> None:
    config = project / "rameau.yaml"
    data = yaml.safe_load(config.read_text("utf-8"))
    data["segments"][segment].update(values)
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def project(tmp_path, run):
    return association(tmp_path / "hedgerow", run)


@pytest.fixture(scope="module")
def association_built(tmp_path_factory):
    """The association's project (test_private.association) as `rameau build-issue` built it, once."""
    project = association(tmp_path_factory.mktemp("built") / "hedgerow", invoke)
    assert invoke("build-issue", cwd=project).code == 0
    return project


@pytest.fixture
def built(association_built, tmp_path):
    """A copy of the built association's project, safe to change."""
    return shutil.copytree(association_built, tmp_path / "hedgerow", symlinks=True)


def test_a_draft_is_in_no_segment_and_articles_says_so(project, run):
    write_article(project, "pelican-draft", 'title: "Pelican draft"\ndate: 2026-11-25\naudiences: [public]\n'
                                            "status: draft")
    listed = run("articles", cwd=project, env={"COLUMNS": "400"})
    assert listed.code == 0 and "✗ all segments: a draft (status: draft): in no segment" in " ".join(listed.stdout.split())
    assert run("build-issue", cwd=project).code == 0
    assert not any(b"Pelican draft" in data for data in tree(project / "dist").values())


def test_an_edition_file_with_a_misspelt_key_stops_the_build(project, run):
    edition = project / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text("utf-8")).replace("pinned:", "pined:"), encoding="utf-8")
    result = run("build-issue", cwd=project)
    assert result.code == 2 and "issues/2026-W48.md: pined: unknown edition key; did you mean 'pinned'?" in result.stderr
    assert not (project / "dist").exists()


def test_check_lists_the_keys_it_ignores(project, run):
    write_article(project, "with-credit", 'title: "Credit"\ndate: 2026-11-25\naudiences: [public]\nphoto_credit: Jo')
    built = run("build-issue", cwd=project)
    assert built.stderr.count("photo_credit: unknown front matter key, ignored") == 1
    checked = run("check", cwd=project)
    assert "articles/with-credit.md: photo_credit: unknown front matter key, ignored" in checked.stdout
    assert "front-matter-unknown" in checked.stdout


def test_late_skip_names_the_late_articles_as_skipped(project, run):
    set_segment(project, "weekly-public", late="skip")
    assert run("build-issue", cwd=project).code == 0
    write_article(project, "late-news", 'title: "Late news"\ndate: 2026-11-26T16:00:00+00:00\n'
                                        'summary: "Late-text"\naudiences: [public, nonprofit]')
    built = run("build-issue", "--week", "2026-W49", cwd=project)
    assert "late-news: late: dated 2026-11-26, after 2026-W48 was built" in built.stderr  # the non-profit weekly
    assert "late-news: late, skipped (late: skip): dated 2026-11-26, after 2026-W48 was built" in built.stderr
    assert b"Late-text" in (project / "dist" / "2026-W49" / "weekly-nonprofits" / "index.txt").read_bytes()
    assert not (project / "dist" / "2026-W49" / "weekly-public").exists()
    listed = run("articles", "--week", "2026-W49", cwd=project).stdout
    assert re.search(r"weekly-public: late, skipped \(late: skip\):\s+dated", listed)


def test_an_article_sent_or_dated_in_the_week_being_built_is_not_late(built, run):
    first = run("build-issue", "--week", "2026-W49", cwd=built)
    assert "late" not in first.stderr  # nothing was added to 2026-W48 since its build
    again = run("build-issue", "--week", "2026-W49", cwd=built)  # rebuilt: the same issue
    assert "late" not in again.stderr


@pytest.mark.parametrize("profile, tag", [("listmonk", "{{ MessageURL }}"), ("mailchimp", "*|ARCHIVE|*"),
                                          ("brevo", "{{ mirror }}"), ("generic", None)])
def test_a_segment_that_publishes_nothing_links_the_tools_own_copy_or_none(project, run, profile, tag):
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text("utf-8")).replace("profile: generic", f"profile: {profile}"),
                      encoding="utf-8")
    assert run("build-issue", cwd=project).code == 0
    folder = project / "dist" / "2026-W48" / "members"
    html, text = (folder / "index.html").read_text("utf-8"), (folder / "index.txt").read_text("utf-8")
    assert PUBLIC_URL + "/2026-W48" not in html + text
    if tag is None:
        assert "View this email online" not in html and "online version" not in text.lower()
    else:
        assert f'href="{tag}"' in html and tag in text
    public = (project / "dist" / "2026-W48" / "weekly-public" / "index.html").read_text("utf-8")
    assert f'href="{PUBLIC_URL}/2026-W48/weekly-public/web.html"' in public


def test_an_unlisted_address_is_kept_with_a_project_secret_and_unguessable_without(project, run):
    def address(env, *only):
        assert run("build-issue", "--no-history", "--out", "o", *only, cwd=project, env=env).code == 0
        manifest = json.loads((project / "o" / "2026-W48" / "manifest.json").read_text("utf-8"))
        return manifest["segments"]["donors"]["web"]["path"]

    donors = ("--segment", "donors")  # the segment whose address is compared; the last build is whole
    thanks = project / "articles" / "thank-you-donors.md"
    plain, secret = address({}, *donors), address({"RAMEAU_ARCHIVE_SECRET": "s3cret"}, *donors)
    thanks.write_text(checked(thanks.read_text("utf-8")).replace("this year", "this year and the last"), encoding="utf-8")
    assert address({}, *donors) != plain  # from the content: another content, another address
    assert address({"RAMEAU_ARCHIVE_SECRET": "s3cret"}, *donors) == secret != plain  # from the secret: the same
    last = address({"RAMEAU_ARCHIVE_SECRET": "other"})
    assert last != secret and all(re.fullmatch(r"2026-W48/[0-9a-f]{32}/web\.html", p) for p in (plain, secret, last))
    # The edition's folder holds the last address only: an earlier one is not left published.
    assert sorted(p.name for p in (project / "o" / "public" / "2026-W48").iterdir()) == sorted(
        ["daily", "weekly-business", "weekly-nonprofits", "weekly-public", last.split("/")[1]])


def test_a_segment_built_alone_keeps_the_others_web_versions_and_a_segment_made_private_loses_its_own(built, run):
    public = built / "dist" / "public" / "2026-W48"
    before = tree(public)
    assert run("build-issue", "2026-W48", "--segment", "daily", cwd=built).code == 0
    assert tree(public) == before
    set_segment(built, "weekly-public", archive="none")
    assert run("build-issue", "2026-W48", "--segment", "daily", cwd=built).code == 0  # not this segment: still
    assert not (public / "weekly-public").exists()  # its page is not carried once it publishes nothing
    assert run("build-issue", "2026-W48", cwd=built).code == 0
    assert not (public / "weekly-public").exists() and (public / "daily" / "web.html").is_file()
    archive = (built / "dist" / "public" / "archive" / "index.html").read_text("utf-8")
    assert "Community Weekly" not in archive and not (built / "dist" / "public" / "archive" / "weekly-public").exists()


def test_latest_json_moves_only_forward_unless_an_edition_is_named(project, run):
    write_article(project, "december", 'title: "December"\ndate: 2026-12-01\naudiences: [public]')
    assert run("build-issue", "--week", "2026-W49", "--no-history", cwd=project).code == 0
    latest = project / "dist" / "latest.json"
    assert json.loads(latest.read_text("utf-8"))["segments"]["weekly-public"] == "2026-W49"
    assert run("build-issue", "--no-history", cwd=project).code == 0  # the edition file of 2026-W48, not named
    assert json.loads(latest.read_text("utf-8"))["segments"]["weekly-public"] == "2026-W49"
    assert run("build-issue", "2026-W48", "--no-history", cwd=project).code == 0  # named: on purpose
    assert json.loads(latest.read_text("utf-8"))["segments"]["weekly-public"] == "2026-W48"


def test_a_plain_build_of_the_current_period_goes_on_after_the_history(project, run):
    (project / "issues" / "2026-W48.md").unlink()
    assert run("build-issue", "--date", "2026-12-08", cwd=project).code in (0, 4)  # 2026-W49, by the calendar

    config = load_project(project)
    before = tree(project / "dist")
    now = dt.datetime(2026, 12, 2, 9, tzinfo=ZoneInfo("Europe/London"))  # the current week is 2026-W48 again
    with pytest.raises(UsageError) as raised:
        build_issue(config, BuildOptions(), now=now)
    assert "2026-W48 is older than 2026-W49" in str(raised.value) and tree(project / "dist") == before
    assert "rameau build-issue --week 2026-W48" in str(raised.value)
    later = build_issue(config, BuildOptions(), now=dt.datetime(2026, 12, 16, 9, tzinfo=ZoneInfo("Europe/London")))
    assert {built.edition.id for built in later.build.editions} == {"2026-W50", "2026-12-15"}


def test_an_edition_built_before_the_public_folder_keeps_its_web_versions_when_built_again(built, run):
    """An output folder of an earlier rameau: web.html beside the email, a manifest that says
    nothing of what is published. A build of another segment moves that page where it is published."""
    dist = built / "dist"
    page = dist / "public" / "2026-W48" / "weekly-public" / "web.html"
    data = page.read_bytes()
    (dist / "2026-W48" / "weekly-public" / "web.html").write_bytes(data)
    page.unlink()
    manifest_path = dist / "2026-W48" / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    for entry in manifest["segments"].values():
        entry.pop("archive"), entry.pop("web", None)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert run("build-issue", "2026-W48", "--segment", "daily", cwd=built).code == 0
    assert page.read_bytes() == data
    assert not (dist / "public" / "2026-W48" / "members").exists()  # a private segment's page is never made up

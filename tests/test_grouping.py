import datetime as dt
from zoneinfo import ZoneInfo

from rameau_cli.compose.grouping import Reason, select, unknown_audiences
from rameau_cli.project.calendar import cadence_window, day_window
from rameau_cli.project.config import Rule, Segment
from rameau_cli.project.editions import Edition
from rameau_cli.sources.article import Article

from helpers import checked

PARIS = ZoneInfo("Europe/Paris")


def segment(seg_id="s", maximum=10, **rule):
    return Segment(seg_id, seg_id, "weekly", Rule(**rule), maximum, "", "", "#000000")


def article(article_id, day, **fields):
    moment = dt.datetime(2026, 11, day, 9, tzinfo=PARIS)
    return Article(id=article_id, title=article_id, date=moment, url=f"https://x.example/{article_id}",
                   summary="", body="", body_format="markdown", source=f"{article_id}.md", **fields)


EDITION = Edition(id="2026-W48", date=dt.datetime(2026, 11, 30, 8, tzinfo=PARIS),
                  window=day_window(dt.date(2026, 11, 23), dt.date(2026, 11, 29), PARIS))


def ids(selection):
    return [a.id for a in selection.articles]


def reasons(selection):
    return {d.article_id: str(d) for d in selection.decisions}


def test_window_includes_both_ends_in_the_newsletter_time_zone():
    first = Article(id="lundi-minuit", title="t", date=dt.datetime(2026, 11, 23, 0, 0, tzinfo=PARIS), url="u", summary="",
                    body="", body_format="markdown", source="s")
    late = Article(id="dimanche-soir", title="t", date=dt.datetime(2026, 11, 29, 23, 30, tzinfo=PARIS), url="u2", summary="",
                   body="", body_format="markdown", source="s")
    utc_next_week = Article(id="lundi-utc", title="t", date=dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC), url="u3",
                            summary="", body="", body_format="markdown", source="s")
    selection = select(segment(), (first, late, utc_next_week), EDITION)
    assert ids(selection) == ["dimanche-soir", "lundi-minuit"]
    assert "lundi-utc" not in reasons(selection)  # outside the window: no decision is kept


def test_articles_without_audience_go_only_to_segments_without_audience_rule():
    pool = (article("general", 24), article("asso", 24, audiences=("association",)))
    assert ids(select(segment(), pool, EDITION)) == ["asso", "general"]  # same date: by id
    associations = select(segment(audiences=frozenset({"association"})), pool, EDITION)
    assert ids(associations) == ["asso"]
    assert reasons(associations)["general"].startswith("no audience")


def test_tags_and_exclusions():
    pool = (article("a", 24, tags=("emploi",)), article("b", 24, audiences=("association",), tags=("interne",)))
    chosen = select(segment(tags=frozenset({"emploi"}), audiences=frozenset({"association"}), exclude_tags=frozenset({"interne"})), pool, EDITION)
    assert ids(chosen) == ["a"]
    assert reasons(chosen)["b"] == "excluded by the segment's rules"


def test_pinned_then_featured_then_newest_and_a_maximum():
    pool = (article("vieux", 23), article("recent", 26), article("vedette", 24, featured=True), article("epingle", 23),
            article("moyen", 25))
    edition = Edition(id=EDITION.id, date=EDITION.date, window=EDITION.window, pinned=("epingle",))
    selection = select(segment(maximum=4), pool, edition)
    assert ids(selection) == ["epingle", "vedette", "recent", "moyen"]
    assert reasons(selection)["vieux"] == "over the segment's maximum of 4"
    assert reasons(selection)["recent"] == Reason.SELECTED.value


def test_embargo_is_measured_against_the_edition_date():
    pool = (article("annonce", 24, publish_at=dt.datetime(2026, 12, 1, tzinfo=PARIS)),
            article("levee", 24, publish_at=dt.datetime(2026, 11, 30, 8, tzinfo=PARIS)))
    selection = select(segment(), pool, EDITION)
    assert ids(selection) == ["levee"]
    assert reasons(selection)["annonce"].startswith("embargoed until 2026-12-01")


def test_cadence_windows_are_the_last_complete_period():
    today = dt.date(2026, 11, 26)
    assert cadence_window("daily", today, PARIS) == day_window(dt.date(2026, 11, 25), dt.date(2026, 11, 25), PARIS)
    assert cadence_window("weekly", today, PARIS) == day_window(dt.date(2026, 11, 16), dt.date(2026, 11, 22), PARIS)
    assert cadence_window("monthly", today, PARIS) == day_window(dt.date(2026, 10, 1), dt.date(2026, 10, 31), PARIS)


def test_an_embargoed_article_goes_out_in_the_first_edition_after_its_embargo():
    late = article("annonce", 26, publish_at=dt.datetime(2026, 12, 1, 9, tzinfo=PARIS))
    week49 = Edition(id="2026-W49", date=dt.datetime(2026, 12, 7, 8, tzinfo=PARIS),
                     window=day_window(dt.date(2026, 11, 30), dt.date(2026, 12, 6), PARIS))
    assert ids(select(segment(), (late,), EDITION)) == []
    assert ids(select(segment(), (late,), week49)) == ["annonce"]
    assert reasons(select(segment(), (late,), week49, {"annonce": "2026-W48"}))["annonce"] == "already sent in 2026-W48"


def test_a_mistyped_audience_is_named_with_what_was_meant():
    """An audience no segment names is a typo that keeps the article out of the segments it was
    meant for: a segment's id, a near miss, or names no segment uses at all are warned about,
    each with what to write; a label beside an audience a segment takes is not."""
    segments = [segment("weekly-public", audiences=frozenset({"public"})),
                segment("partners", audiences=frozenset({"business", "foundation"}), exclude_audiences=frozenset({"staff"})),
                segment("daily")]
    said = {str(p) for p in unknown_audiences(segments, [
        article("by-id", 24, audiences=("weekly-public",)),
        article("near-miss", 24, audiences=("foundation", "buisness")),
        article("nowhere", 24, audiences=("members",)),
        article("label", 24, audiences=("public", "local-councils")),  # a label: it goes where `public` goes
        article("excluded", 24, audiences=("staff",)),  # an audience a segment names to keep out
        article("fine", 24, audiences=("public", "business")),
    ])}
    assert said == {
        "by-id.md: audiences: 'weekly-public' is in no segment's audiences, so no segment takes the article for it; "
        "weekly-public is a segment's id; its audiences: public",
        "near-miss.md: audiences: 'buisness' is in no segment's audiences, so no segment takes the article for it; "
        "did you mean 'business'?",
        "nowhere.md: audiences: 'members' is in no segment's audiences, so no segment takes the article for it; "
        "the segments' audiences: business, foundation, public, staff",
    }
    assert unknown_audiences([segment("daily"), segment("weekly")], [article("a", 24, audiences=("anything",))]) == []


def test_a_build_says_which_article_names_a_segment_for_an_audience_and_strict_stops_it(example, run):
    path = example / "articles" / "portes-ouvertes-tiers-lieux-solidaires.md"
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("audiences: [grand-public]",
                                                                      "audiences: [hebdo-grand-public]"), encoding="utf-8")
    built = run("build-issue", cwd=example)
    assert built.code == 0
    assert built.stderr.count("warning: articles/portes-ouvertes-tiers-lieux-solidaires.md: audiences: 'hebdo-grand-public' is in no "
                              "segment's audiences") == 1
    assert "its audiences: grand-public" in built.stderr
    assert run("build-issue", "--strict", "--out", "strict", cwd=example).code == 1

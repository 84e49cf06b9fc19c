"""Clubs, teams and companies named after places are organisations, not places; a shorter form of an
organisation named in full in the same article is an alias of it (one entity), in JSON and Markdown."""

from __future__ import annotations

import json

MATCH = (
    "Manchester City beat Borussia Dortmund 2-1 in the Champions League on Tuesday night.\n\n"
    "Pep Guardiola's side came from behind after Borussia had taken the lead through Marco Reus in the first half.\n\n"
    'Dortmund coach Edin Terzic said his players were exhausted. "We gave everything," Terzic said.\n\n'
    "City now top the group with nine points, while Dortmund face Sevilla in Spain next month.\n"
)

TRANSFER = (
    "Leicester City signed the striker from Bristol Rovers on Friday, the club said.\n\n"
    "The forward scored 14 goals last season and joins City on a three-year deal. Leicester City's manager "
    "said the signing would strengthen the squad before the league season starts in Leicester next week.\n"
)

BUSINESS = (
    "Shares in Bank of America rose on Monday after the lender reported higher profits.\n\n"
    "Chief executive Brian Moynihan told analysts in New York that Bank of America expected further growth, "
    "the New York Times reported. Talks with Boston Scientific continued in Boston.\n"
)


def _brief(main_run, tmp_path, text: str, fmt: str = "json"):
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = main_run("summarize", "-f", fmt, path)
    assert code == 0, err
    return json.loads(out) if fmt == "json" else out


def _names(entities) -> set[str]:
    return {a for e in entities for a in [e["name"], *e["aliases"]]}


def _section(markdown: str, title: str) -> str:
    if f"## {title}\n" not in markdown:
        return ""
    return markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_football_clubs_are_organisations_and_short_forms_join_the_club(main_run, tmp_path):
    brief = _brief(main_run, tmp_path, MATCH)
    assert not _names(brief["where"]) & {"Manchester City", "Borussia", "Dortmund", "Borussia Dortmund", "City"}
    assert "Spain" in _names(brief["where"])
    clubs = {e["name"]: e for e in brief["who"] if e["type"] == "organisation"}
    assert "Manchester City" in clubs
    dortmund = [e for e in brief["who"] if {"Dortmund", "Borussia", "Borussia Dortmund"} & set(e["aliases"])]
    assert len(dortmund) == 1, dortmund  # one club, not "Borussia Dortmund" and "Dortmund"
    assert dortmund[0]["name"] == "Borussia Dortmund" and dortmund[0]["type"] == "organisation"
    assert {"Borussia", "Dortmund"} <= set(dortmund[0]["aliases"])
    assert dortmund[0]["mentions"] == 4

    md = _brief(main_run, tmp_path, MATCH, "markdown")
    who, where = _section(md, "Who"), _section(md, "Where")
    assert "**Borussia Dortmund** (organisation; 4 mentions) — also: Borussia, Dortmund" in who
    assert "**Manchester City** (organisation" in who
    assert "**Dortmund**" not in who
    for club in ("Manchester", "Borussia", "Dortmund"):
        assert club not in where


def test_city_and_rovers_clubs_are_not_places_but_their_town_is(main_run, tmp_path):
    brief = _brief(main_run, tmp_path, TRANSFER)
    who = {e["name"]: e for e in brief["who"]}
    assert who["Leicester City"]["type"] == "organisation"
    assert who["Bristol Rovers"]["type"] == "organisation"
    assert "Leicester City" not in _names(brief["where"])
    assert "Leicester" in _names(brief["where"])  # "starts in Leicester": the town itself
    # no name begins with a common word ("joins City")
    assert all(not a[0].islower() for a in _names(brief["who"] + brief["where"]))

    md = _brief(main_run, tmp_path, TRANSFER, "markdown")
    assert "**Leicester City** (organisation" in _section(md, "Who")
    assert "Leicester City" not in _section(md, "Where")


def test_companies_named_after_places_are_organisations(main_run, tmp_path):
    brief = _brief(main_run, tmp_path, BUSINESS)
    orgs = {e["name"] for e in brief["who"] if e["type"] == "organisation"}
    assert {"Bank of America", "New York Times", "Boston Scientific"} <= orgs
    places = _names(brief["where"])
    assert {"New York", "Boston"} <= places  # the towns stay places beside the firms named after them
    assert not places & {"Bank of America", "America", "New York Times", "Boston Scientific"}

    md = _brief(main_run, tmp_path, BUSINESS, "markdown")
    assert "**Bank of America** (organisation; 2 mentions)" in _section(md, "Who")
    assert "Bank of America" not in _section(md, "Where")


def test_a_place_beside_a_club_named_after_it_stays_a_place():
    from briefing.extract.entities import extract_entities

    who, where = extract_entities(
        "Manchester City fans travelled from Manchester to Munich for the Champions League final. "
        "City won the match 1-0 in the stadium, and the league champions flew back to Manchester on Sunday."
    )
    assert any(e.name == "Manchester City" and e.type == "organisation" for e in who)
    assert any(e.name == "Manchester" for e in where)
    assert not any("Manchester" in e.aliases and e.type == "organisation" for e in who)


def test_clubs_are_organisations_and_their_grounds_places():
    from briefing.extract.entities import extract_entities

    who, where = extract_entities(
        "Leeds United were held 1-1 by Athletic Bilbao in a pre-season friendly at Elland Road on Saturday.\n\n"
        "The league club's coach said the match was good preparation. The Athletic Bilbao squad moves on "
        "to the Etihad Stadium next week."
    )
    types = {e.name: e.type for e in who + where}
    assert types["Leeds United"] == "organisation"
    assert types["Athletic Bilbao"] == "organisation"
    assert types["Elland Road"] == "place" and types["Etihad Stadium"] == "place"

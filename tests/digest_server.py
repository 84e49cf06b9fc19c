"""Handmade feeds and article pages for the digest's end-to-end tests, served by conftest's LocalServer.

Three outlets report the same earthquake in their own words (an RSS feed, an
Atom feed and a teaser feed whose full article is a separate page); other
stories stay apart. Failing sources: a feed that answers after the client's
timeout, one with malformed XML, a dead URL, and a teaser linking to a picture.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
NOW_ISO = "2026-03-10T12:00:00+00:00"
NEXT_MORNING = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)  # when the quake update is published
NEXT_RUN_ISO = "2026-03-11T07:00:00+00:00"


def hours_ago(h: float) -> datetime:
    return NOW - timedelta(hours=h)


QUAKE_GLOBE = (
    "A magnitude 6.4 earthquake struck the northern Valdorian province of Kessler early on Tuesday, "
    "injuring at least 40 people and damaging hundreds of homes, officials said. "
    "The quake hit near the town of Marrow Falls at a depth of 10 kilometres, according to the Valdorian "
    "Seismic Institute. Rescue teams from the capital worked through the morning to search collapsed "
    "buildings. Governor Alina Petrov said schools in Kessler would stay closed for the rest of the week."
)
QUAKE_WIRE = (
    "Dozens of people were hurt when a powerful 6.4-magnitude quake shook Kessler province in Valdoria "
    "before dawn on Tuesday. The tremor was centred close to Marrow Falls, the Valdorian Seismic Institute "
    "reported, and was felt as far away as the coast. Kessler governor Alina Petrov declared a state of "
    "emergency and asked the national army for tents and water. Aftershocks continued for several hours."
)
QUAKE_HERALD_TEASER = "Residents of Marrow Falls spent the night outdoors after the quake."
QUAKE_HERALD_PAGE = (
    "Residents of Marrow Falls spent Tuesday night outdoors, afraid to return to homes cracked by the "
    "magnitude 6.4 earthquake that hit Kessler province in Valdoria. "
    "Engineers from the Valdorian Seismic Institute began inspecting bridges and the regional hospital. "
    "Governor Alina Petrov said 40 people had been injured, five of them seriously, and that no deaths "
    "had been reported. The government in the capital promised emergency funds for rebuilding."
)
QUAKE_UPDATE = (
    "The number of people injured in Tuesday's 6.4-magnitude earthquake in Kessler province, Valdoria, "
    "rose to 75 on Wednesday, Governor Alina Petrov said, as a strong aftershock rattled Marrow Falls. "
    "The Valdorian Seismic Institute warned that more aftershocks were likely in the coming days."
)
BANK_GLOBE = (
    "The Northland Reserve Bank raised its main interest rate by half a point to 4.5 percent on Tuesday, "
    "its third increase this year, as inflation stayed well above target. Governor Henrik Salo told "
    "reporters in Lindholm that prices for food and energy were still rising too fast. Economists had "
    "expected a smaller increase of a quarter point."
)
BANK_WIRE = (
    "Northland's central bank lifted borrowing costs to 4.5% on Tuesday, a bigger step than markets had "
    "forecast, saying inflation remained stubbornly high. Reserve Bank governor Henrik Salo said in "
    "Lindholm that further increases could not be ruled out. The Northland krone rose after the decision."
)
TABLET_WIRE = (
    "Orbitex on Tuesday unveiled a tablet with a screen that folds in half, priced at 1,299 dollars, at "
    "its developer conference in Sunvale. Chief executive Mara Quint said the device &lt;img src=x "
    "onerror=alert(1)&gt; would ship in June. Analysts said the price would limit sales to enthusiasts."
)
TRANSFER_TEASER = "Riverton United have signed striker Tomas Ekdahl."
TRANSFER_PAGE = (
    "Riverton United have signed the Swedish striker Tomas Ekdahl from Malmo Rovers on a four-year "
    "contract, the football club announced on Tuesday. Manager Gill Harwood said Ekdahl, 24, scored 19 "
    "league goals last season and would make his debut against Port Ellis on Saturday. The fee was "
    "reported to be 12 million pounds, a club record."
)
OLD_STORY = (
    "The Kessler county fair opened last week with a record number of livestock entries and a parade "
    "through the old town. Organisers said attendance was up by a fifth on last year."
)


def rss(title: str, items: list[dict]) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>http://example.invalid/</link><description>news</description>",
    ]
    for it in items:
        out.append(
            "<item>"
            f"<title>{escape(it['title'])}</title>"
            f"<link>{escape(it['link'])}</link>"
            f"<guid>{escape(it['link'])}</guid>"
            f"<pubDate>{format_datetime(it['published'])}</pubDate>"
            f"<description>{escape(it['text'])}</description>"
            "</item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out)


def atom(title: str, items: list[dict]) -> str:
    updated = max(it["published"] for it in items).isoformat()
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id><updated>{updated}</updated>",
    ]
    for it in items:
        out.append(
            "<entry>"
            f"<title>{escape(it['title'])}</title>"
            f'<link href="{escape(it["link"])}"/>'
            f"<id>{escape(it['link'])}</id>"
            f"<updated>{it['published'].isoformat()}</updated>"
            f'<content type="html">{escape("<p>" + it["text"] + "</p>")}</content>'
            "</entry>"
        )
    out.append("</feed>")
    return "\n".join(out)


def page(title: str, text: str) -> str:
    paras = "".join(f"<p>{escape(s.strip())}.</p>" for s in text.split(". ") if s.strip())
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{escape(title)}</h1>{paras}</article><footer>Copyright Metro Herald</footer>"
        "</body></html>"
    )


def wire_items(base: str, with_update: bool = False) -> list[dict]:
    items = [
        {
            "title": "Quake of magnitude 6.4 hits Kessler province in Valdoria",
            "link": f"{base}/wire/quake",
            "published": hours_ago(7),
            "text": QUAKE_WIRE,
        },
        {
            "title": "Northland central bank lifts rates more than expected",
            "link": f"{base}/wire/bank",
            "published": hours_ago(5),
            "text": BANK_WIRE,
        },
        {
            "title": "Orbitex unveils a folding tablet",
            "link": f"{base}/wire/tablet",
            "published": hours_ago(3),
            "text": TABLET_WIRE,
        },
    ]
    if with_update:
        items.append(
            {
                "title": "Valdoria quake: injured rise to 75 as aftershock hits Marrow Falls",
                "link": f"{base}/wire/quake-update",
                "published": NEXT_MORNING,
                "text": QUAKE_UPDATE,
            }
        )
    return items


def serve_news(server, *, with_update: bool = False) -> dict[str, str]:
    """Put every feed and page on ``server``; returns {name: URL}."""
    b = server.base
    globe = rss(
        "Daily Globe",
        [
            {
                "title": "Strong earthquake shakes northern Valdoria, dozens injured",
                "link": f"{b}/globe/quake",
                "published": hours_ago(8),
                "text": QUAKE_GLOBE,
            },
            {
                "title": "Northland Reserve Bank raises interest rate to 4.5 percent",
                "link": f"{b}/globe/bank",
                "published": hours_ago(6),
                "text": BANK_GLOBE,
            },
            {
                "title": "Kessler county fair opens",
                "link": f"{b}/globe/fair",
                "published": hours_ago(24 * 5),
                "text": OLD_STORY,
            },
        ],
    )
    herald = rss(
        "Metro Herald",
        [
            {
                "title": "A night in the open after the Valdoria quake",
                "link": f"{b}/herald/quake.html",
                "published": hours_ago(2),
                "text": QUAKE_HERALD_TEASER,
            },
            {
                "title": "Riverton United sign Tomas Ekdahl",
                "link": f"{b}/herald/transfer.html",
                "published": hours_ago(4),
                "text": TRANSFER_TEASER,
            },
        ],
    )
    charts = rss(
        "Metro Herald Charts",
        [
            {
                "title": "Chart: the week in numbers",
                "link": f"{b}/herald/chart.png",
                "published": hours_ago(4),
                "text": "Our chart of the week.",
            },
        ],
    )
    urls = {
        "globe": server.add("/globe.rss", globe, content_type="application/rss+xml"),
        "wire": server.add(
            "/wire.atom", atom("World Wire", wire_items(b, with_update)), content_type="application/atom+xml"
        ),
        "herald": server.add("/herald.rss", herald, content_type="application/rss+xml; charset=utf-8"),
        "charts": server.add("/charts.rss", charts, content_type="application/rss+xml"),
        "slow": server.add("/slow.rss", rss("Slow News", []), content_type="application/rss+xml", delay=3.0),
        "broken": server.add(
            "/broken.rss",
            "<?xml version='1.0'?><rss><channel><title>Broken</ti<item>>><<<&&& not xml",
            content_type="application/rss+xml",
        ),
        "dead": b + "/dead.rss",
    }
    server.add("/herald/quake.html", page("A night in the open after the Valdoria quake", QUAKE_HERALD_PAGE))
    server.add("/herald/transfer.html", page("Riverton United sign Tomas Ekdahl", TRANSFER_PAGE))
    server.add("/herald/chart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    return urls


def update_wire(server) -> None:
    """The next morning's wire feed: one more article about the quake."""
    server.add(
        "/wire.atom", atom("World Wire", wire_items(server.base, with_update=True)), content_type="application/atom+xml"
    )

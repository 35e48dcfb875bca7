"""Word tables for the venue reader (claims_app/nlp/venues.py): media, outlets, relays and day words.

Where they came from: written by the Claimdesk team from the attribution phrases wire and newspaper
copy uses for where a statement was made ("told the state-run ... TV channel", "in a post on X",
"at a press conference", "according to the ... news agency"), as listed in issue #14, and from the
team's own fictional eval articles (eval/extraction, eval/origins). No text was copied from real
articles. Patterns are regular expressions matched against the attribution sentence with the claim's
own words blanked out; `{NAME}` in a pattern stands for a capitalised name ("Rossiya-24", "Kelvor
Herald", "DTV-1") and is filled in by venues.py.

Order matters: within MEDIUM_PATTERNS the first medium that matches wins ("told reporters at a press
conference" is a press conference, not just reporters); every match is kept as evidence.
"""

from __future__ import annotations

# The closed set of media a statement can be made in. Generic ones ("interview", "broadcast",
# "reporters") say less than the specific ones and are compatible with those listed in MEDIUM_FAMILIES.
MEDIA: frozenset[str] = frozenset(
    {
        "tv", "radio", "podcast", "print_interview", "interview", "broadcast", "video", "social",
        "statement", "press_conference", "reporters", "speech", "parliament", "court", "wire", "report",
    }
)  # fmt: skip

# A generic medium and the specific media it may stand for: "in an interview" can be the TV interview
# another outlet names; "told the BBC" (a broadcaster, TV or radio) can be "in a TV interview".
MEDIUM_FAMILIES: dict[str, frozenset[str]] = {
    "interview": frozenset({"tv", "radio", "podcast", "print_interview", "wire", "broadcast", "video"}),
    "broadcast": frozenset({"tv", "radio", "interview"}),
    "reporters": frozenset({"press_conference"}),
    "video": frozenset({"social", "tv"}),
}

# (medium, pattern). Case-insensitive except inside {NAME}; a named group `outlet` gives the channel.
MEDIUM_PATTERNS: tuple[tuple[str, str], ...] = (
    # social platforms first: "a statement on his Telegram channel" was posted, whatever it is called
    ("social", r"\b(?:on|via|to|in a (?:post|message|video|tweet|thread) on) (?:his |her |their |its |the )?"
               r"(?:official |personal |own )?(?P<outlet>{PLATFORM})(?: (?:channel|account|page|feed))?\b"),
    ("social", r"\b(?P<outlet>{PLATFORM}) (?:channel|account|page|post|feed)\b"),
    ("social", r"\bon social (?:media|networks?)\b"),
    ("social", r"\bin an? (?:online )?(?:post|tweet|thread)\b"),
    ("social", r"\b(?:posted|tweeted) (?:online|on (?:his|her|their|its) (?:account|channel|page))\b"),
    # broadcast with a named channel: "the state-run Rossiya-24 TV channel", "Radio Kelvor"
    ("tv", r"\b(?P<outlet>{NAME}) (?:TV|television)(?: channel| station| network| broadcaster)?\b"),
    ("radio", r"\b(?P<outlet>{NAME}) radio(?: station)?\b"),
    ("radio", r"\b(?P<outlet>(?-i:Radio(?: [A-Z][\w'’.-]*)+))"),
    ("tv", r"\b(?:TV|television|televised) (?:channel|interview|station|broadcaster|network|programme|program|"
           r"show|appearance|address|remarks|debate)\b"),
    ("tv", r"\bon (?:state |national |public |live )?(?:TV|television)\b"),
    ("tv", r"\b(?:told|on) (?:the )?(?:state-run |state |public |national |regional )?(?:TV|television) "
           r"(?:channel |station |broadcaster )?(?P<outlet>{NAME})"),
    ("radio", r"\bradio (?:interview|station|programme|program|show|broadcast|address|phone-in)\b"),
    ("radio", r"\bon (?:the |local |state |national )?radio\b"),
    ("podcast", r"\bpodcast\b"),
    ("print_interview", r"\binterview (?:with|published by|published in|in|to) (?:the |a |an )?(?:\w+ )?"
                        r"(?:newspaper|daily|weekly|magazine|paper|tabloid)\b"),
    ("print_interview", r"\b(?:newspaper|magazine) interview\b"),
    ("print_interview", r"\btold (?:the |a |an )?(?:local |regional |national |weekly |daily |business )?"
                        r"(?:newspaper|daily|weekly|magazine|paper|tabloid)\b"),
    ("print_interview", r"\b(?:told|interview with) (?:the )?(?P<outlet>(?:{NAME} )?{PAPER_WORD}(?: {NAME})?)"),
    ("video", r"\bvideo (?:address|message|statement|appeal|posted)\b"),
    ("video", r"\bin an? (?:short |recorded )?video\b"),
    ("press_conference", r"\b(?:press|news) conference\b"),
    ("press_conference", r"\b(?:press|news|media) briefing\b"),
    ("press_conference", r"\b(?:at|during|in) an? (?:daily |weekly |regular |televised )?briefing\b"),
    ("statement", r"\b(?:in|issued|released|published) an? (?:written |short |brief |joint |formal |official )?"
                  r"statement\b"),
    ("statement", r"\b(?:the|a|its|his|her) (?:written |joint |official )?statement (?:said|read|added)\b"),
    ("statement", r"\bpress release\b"),
    ("speech", r"\b(?:in|during|gave|giving|delivered|delivering) an? (?:\w+ )?(?:speech|address|lecture)\b"),
    ("speech", r"\b(?:told|addressed|addressing|speaking to|speaking at) (?:a |the )?(?:\w+ )?"
               r"(?:rally|crowd|congress|convention|summit|forum|gathering|conference|nation|supporters)\b"),
    ("speech", r"\bat (?:a|the) (?:\w+ )?(?:rally|summit|forum|convention|congress|ceremony)\b"),
    ("parliament", r"\b(?:in|to|told|before|addressing|addressed) (?:the )?(?:\w+ )?(?:parliament|senate|"
                   r"assembly|chamber|lower house|upper house|duma|congress|lawmakers|legislators|deputies|MPs)\b"),
    ("parliament", r"\b(?:parliamentary|senate|committee) (?:hearing|debate|session|committee)\b"),
    ("parliament", r"\bin (?:a |the )?(?:parliamentary )?debate\b"),
    ("court", r"\b(?:in|told|before|to) (?:the |a )?(?:\w+ )?(?:court|tribunal|judge|jury)\b"),
    ("court", r"\b(?:testified|testifying|court filing|court documents|under oath|in a filing)\b"),
    ("report", r"\b(?:in|according to) (?:a|the|its|his|her|their) (?:\w+ )?(?:\w+ )?(?:report|letter|memo|"
               r"filing|document|assessment|review)\b"),
    # generic ones last
    ("interview", r"\b(?:in|during|gave|giving) an? (?:exclusive |lengthy |recent |brief |rare )?interview\b"),
    ("interview", r"\binterview with (?:the )?(?P<outlet>{NAME})"),
    ("interview", r"\b(?:in|during) an? (?:phone|telephone) (?:call|interview)\b"),
    ("reporters", r"\b(?:told|telling|speaking to|spoke to|briefed) (?:reporters|journalists|the press|the media|"
                  r"correspondents)\b"),
    ("broadcast", r"\b(?:told|speaking to|spoke to|interviewed by|in an interview with) (?:the )?"
                  r"{BROADCASTER_MODIFIERS}*(?:broadcaster|channel|station) (?P<outlet>{NAME})"),
)  # fmt: skip

# "told X" / "speaking to X": X is an outlet only when it looks like one (known, an acronym, or a name with a
# newspaper word); "told Karpenko" is a person.
TOLD_OUTLET_PATTERN = r"\b(?:told|telling|speaking to|spoke to|interviewed by|talking to) (?:the )?(?P<outlet>{NAME})"

# Adjectives before an outlet's kind ("the state-run broadcaster", "the independent daily").
BROADCASTER_MODIFIERS = (
    r"(?:state-run |state-owned |state |public |private |independent |national |regional |local |"
    r"pro-government |opposition |privately owned |\w+-based |\w+-language )"
)

# Relays: the article got the statement from someone else. `relay` names the outlet that relayed it.
RELAY_PATTERNS: tuple[tuple[str, bool], ...] = (
    # (pattern, the name must look like an outlet): "according to Karpenko" is a speaker, not a relay
    (r"\b(?:as |first |originally )?(?:reported|quoted|cited|carried|broadcast|published) by (?:the )?"
     r"{BROADCASTER_MODIFIERS}*(?:news agency |agency |newspaper |broadcaster |channel |wire service )?"
     r"(?P<relay>{NAME})", False),
    (r"\baccording to (?:the )?{BROADCASTER_MODIFIERS}*(?:news agency|agency|newspaper|broadcaster|"
     r"wire service|channel|outlet|daily|weekly) (?P<relay>{NAME})", False),
    (r"\baccording to (?:a |an )?(?:report|transcript|recording) (?:by|from|in|on) (?:the )?(?P<relay>{NAME})",
     False),
    (r"\b(?:in|to) (?:remarks|comments) (?:carried|reported|broadcast) by (?:the )?(?P<relay>{NAME})", False),
    (r"\baccording to (?:the )?(?P<relay>{NAME})", True),
    (r"\b(?P<relay>{NAME}) (?:news agency |agency )?quoted (?:him|her|them|the \w+) as saying\b", False),
    (r"\b(?P<relay>{NAME}) (?:news agency |agency )?(?:reported|quoted (?:him|her|them|the \w+)|cited)\b", True),
)  # fmt: skip

# Words that make a capitalised name an outlet's ("Kelvor Herald", "Eastfield Press Agency").
PAPER_WORDS: tuple[str, ...] = (
    "Herald", "Times", "Post", "Gazette", "Tribune", "Journal", "Courier", "Chronicle", "Observer",
    "Guardian", "Telegraph", "Mail", "Express", "Standard", "Independent", "Mirror", "Sun", "Star",
    "Daily", "Weekly", "Review", "Record", "Examiner", "Inquirer", "Bulletin", "Dispatch", "Ledger",
    "Sentinel", "Monitor", "Register", "Press", "Pravda", "Izvestia", "Kommersant", "Vedomosti", "Gazeta",
)  # fmt: skip
OUTLET_WORDS: tuple[str, ...] = (
    *PAPER_WORDS, "News", "Agency", "Radio", "TV", "Television", "Broadcasting", "Channel", "Wire",
    "Service", "Network", "Media", "Online", "FM", "Today", "Info",
)  # fmt: skip

# Outlets every desk meets, with their medium when it is known (None: TV and radio, or unknown).
# Keys are compared after casefolding and dropping spaces, hyphens and dots ("Rossiya 24" = "Rossiya-24").
KNOWN_OUTLETS: dict[str, str | None] = {
    "Reuters": "wire", "AP": "wire", "Associated Press": "wire", "AFP": "wire", "Agence France-Presse": "wire",
    "Tass": "wire", "RIA Novosti": "wire", "Interfax": "wire", "Ukrinform": "wire", "Xinhua": "wire",
    "dpa": "wire", "ANSA": "wire", "EFE": "wire", "Anadolu": "wire", "Bloomberg": "wire", "PAP": "wire",
    "BBC": "broadcast", "CNN": "tv", "Sky News": "tv", "Al Jazeera": "tv", "NPR": "radio", "Euronews": "tv",
    "Rossiya-24": "tv", "Rossiya-1": "tv", "Channel One": "tv", "NTV": "tv", "Fox News": "tv", "MSNBC": "tv",
    "CBS": "tv", "NBC": "tv", "ABC": "tv", "ZDF": "tv", "ARD": "tv", "RTL": "tv", "France 24": "tv",
    "Deutsche Welle": "broadcast", "DW": "broadcast", "Radio Liberty": "radio", "Radio Free Europe": "radio",
    "Ekho Moskvy": "radio", "Kommersant": "print_interview", "Izvestia": "print_interview",
    "Vedomosti": "print_interview", "Le Monde": "print_interview", "Der Spiegel": "print_interview",
    "Spiegel": "print_interview", "Politico": "print_interview", "Axios": "print_interview",
}  # fmt: skip

# Platforms: speaking "on" one of them is a social-media post.
PLATFORMS: tuple[str, ...] = (
    "Telegram", "Twitter", "X", "Facebook", "Instagram", "VK", "VKontakte", "TikTok", "YouTube", "Bluesky",
    "Threads", "Mastodon", "WhatsApp", "Truth Social", "LinkedIn", "Weibo", "WeChat", "Odnoklassniki",
)  # fmt: skip
# One platform under two names.
PLATFORM_ALIASES: dict[str, str] = {"Twitter": "X", "VKontakte": "VK"}

# Capitalised words that follow "told" / "according to" but are not outlets.
NOT_OUTLETS: frozenset[str] = frozenset(
    {
        "parliament", "congress", "senate", "court", "the", "he", "she", "they", "it", "police", "officials",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mps", "lawmakers",
        "reporters", "journalists", "tv", "radio", "state", "his", "her", "their", "its",
    }
)  # fmt: skip

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
MONTH_ABBREVIATIONS: dict[str, str] = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
    "dec": "december",
}  # fmt: skip
# Day words that only make sense against the article's own date: kept as `when` but never compared.
RELATIVE_DAYS: tuple[str, ...] = (
    "yesterday", "today", "tonight", "earlier today", "last night", "this morning", "this afternoon",
    "this evening", "earlier this week", "last week", "last month", "over the weekend", "at the weekend",
)  # fmt: skip

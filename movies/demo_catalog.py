"""The demo catalog: 45,466 made-up movies, the same on every run.

Nothing is stored: movie `n` is generated from word lists by a random
generator seeded with `n`, so any page costs ten small generations and the
catalog ships as this file. Uuids are uuid5 names, stable forever.
"""

import random
import uuid
from functools import lru_cache

CATALOG_SIZE = 45_466
PAGE_SIZE = 10
CATALOG_NAMESPACE = uuid.UUID("6f1c1c52-4d0b-5c59-9a52-3f6c0e0d7a11")

# The upstream's 20 genre names, most frequent first, with rough weights.
GENRES = (
    ("Drama", 30),
    ("Comedy", 20),
    ("Thriller", 11),
    ("Romance", 10),
    ("Action", 10),
    ("Horror", 7),
    ("Crime", 7),
    ("Documentary", 6),
    ("Adventure", 5),
    ("Science Fiction", 5),
    ("Family", 4),
    ("Mystery", 4),
    ("Fantasy", 4),
    ("Animation", 3),
    ("Foreign", 3),
    ("Music", 3),
    ("History", 2),
    ("War", 2),
    ("TV Movie", 2),
    ("Western", 2),
)
GENRE_NAMES = tuple(name for name, _ in GENRES)
_GENRE_WEIGHTS = tuple(weight for _, weight in GENRES)
# How many genres a movie has: a few have none, like upstream.
_GENRE_COUNTS = (0, 1, 2, 3, 4)
_GENRE_COUNT_WEIGHTS = (2, 30, 38, 22, 8)

ADJECTIVES = (
    "Silent",
    "Broken",
    "Golden",
    "Last",
    "Hidden",
    "Lost",
    "Crimson",
    "Midnight",
    "Wild",
    "Distant",
    "Forgotten",
    "Burning",
    "Frozen",
    "Secret",
    "Little",
    "Dark",
    "Bright",
    "Endless",
    "Hollow",
    "Restless",
    "Savage",
    "Quiet",
    "Electric",
    "Velvet",
    "Bitter",
    "Sweet",
    "Iron",
    "Paper",
    "Glass",
    "Northern",
    "Southern",
    "Eternal",
    "Final",
    "Lonely",
    "Perfect",
    "Dangerous",
    "Beautiful",
    "Strange",
    "Invisible",
    "Sacred",
)
NOUNS = (
    "Road",
    "River",
    "Heart",
    "Kingdom",
    "Shadow",
    "Summer",
    "Winter",
    "Garden",
    "City",
    "Storm",
    "Promise",
    "Harbor",
    "Mountain",
    "Letter",
    "Dream",
    "Journey",
    "Island",
    "Night",
    "Empire",
    "Frontier",
    "Secret",
    "Bridge",
    "Mirror",
    "Crown",
    "Song",
    "House",
    "Station",
    "Signal",
    "Horizon",
    "Fire",
    "Valley",
    "Voyage",
    "Witness",
    "Stranger",
    "Circle",
    "Echo",
    "Orchard",
    "Lighthouse",
    "Carnival",
    "Tide",
)
CITIES = (
    "Paris",
    "Tokyo",
    "Havana",
    "Berlin",
    "Cairo",
    "Brooklyn",
    "Mumbai",
    "Vienna",
    "Marseille",
    "Istanbul",
    "Lisbon",
    "Shanghai",
    "Dublin",
    "Nairobi",
    "Oslo",
    "Buenos Aires",
    "Naples",
    "Chicago",
    "Seoul",
    "Prague",
)
PLACES = (
    *CITIES,
    "Montana",
    "Sicily",
    "Alaska",
    "Texas",
    "Louisiana",
    "Patagonia",
    "Provence",
    "the Highlands",
    "the Desert",
    "the Islands",
    "the Old Town",
    "the Borderlands",
    "the Valley",
)
NAMES = (
    "Anna",
    "Jack",
    "Maria",
    "Leo",
    "Clara",
    "Sam",
    "Elena",
    "Victor",
    "Rosa",
    "Henry",
    "Nina",
    "Oscar",
    "Julia",
    "Max",
    "Ingrid",
    "Tomas",
    "Lucy",
    "Arthur",
    "Mei",
    "Pablo",
    "Grace",
    "Felix",
    "Hannah",
    "Omar",
    "Sofia",
    "Walter",
    "Iris",
    "Kenji",
    "Marta",
    "Dmitri",
)
ROLES = (
    "a retired detective",
    "a young widow",
    "a small-town sheriff",
    "an ambitious journalist",
    "a struggling musician",
    "a disgraced surgeon",
    "a pair of estranged brothers",
    "a shy schoolteacher",
    "a former boxer",
    "an aging actress",
    "a teenage runaway",
    "a stubborn farmer",
    "a con artist",
    "a rookie cop",
    "a lonely astronaut",
    "a gifted chef",
    "a war veteran",
    "an eccentric inventor",
    "a single mother",
    "a grieving father",
    "a band of misfits",
    "a mild-mannered accountant",
    "a famous novelist",
    "a reluctant heir",
    "a young lawyer",
    "a marine biologist",
)
GOALS = (
    "uncovers a conspiracy that reaches the highest levels of power",
    "must confront a past they tried to forget",
    "sets out to find a missing sister",
    "falls for the one person they should avoid",
    "plans one last heist before retiring for good",
    "fights to save the family business",
    "is drawn into a deadly game of cat and mouse",
    "discovers a secret buried for decades",
    "tries to win back an old love",
    "takes on a powerful corporation",
    "searches for the truth behind a mysterious disappearance",
    "inherits a crumbling house with a dark history",
    "joins an unlikely team on a dangerous mission",
    "races against time to stop a catastrophe",
    "struggles to keep a promise made long ago",
    "finds an unexpected friend",
)
COMPLICATIONS = (
    "But nothing is what it seems.",
    "Soon, old loyalties are put to the test.",
    "What begins as a simple favour turns into a fight for survival.",
    "Along the way, they learn what family really means.",
    "As the truth comes out, every choice has a price.",
    "A storm is coming, and nobody will leave unchanged.",
    "Time is running out.",
    "Based on a true story.",
    "An unforgettable tale of courage and hope.",
    "Laughter, tears and a few surprises follow.",
    "The past, it turns out, is never really past.",
    "Every step brings them closer to danger.",
)
SETTINGS = (
    "In post-war {city},",
    "In present-day {city},",
    "In 1970s {city},",
    "In a quiet village near {place},",
    "Somewhere in {place},",
    "During one long summer in {place},",
    "On the streets of {city},",
    "",
)
TITLE_PATTERNS = (
    "The {adjective} {noun}",
    "{adjective} {noun}",
    "The {noun} of {place}",
    "{name}'s {noun}",
    "A {noun} in {place}",
    "{noun}",
    "The {adjective} {nouns}",
    "Return to {place}",
    "{name} and the {adjective} {noun}",
    "{adjective} {noun} {sequel}",
    "Beyond the {noun}",
    "The Last {noun} of {place}",
)
SEQUELS = ("II", "III", "2", "Returns", "Reloaded", "Rising")


def plural(noun: str) -> str:
    return noun + "es" if noun.endswith(("s", "sh", "ch", "x", "o")) else noun + "s"


def movie_uuid(index: int) -> uuid.UUID:
    """The stable uuid of movie `index` (0-based)."""
    return uuid.uuid5(CATALOG_NAMESPACE, f"demo-movie-{index}")


def movie(index: int) -> dict[str, str]:
    """Movie `index` (0-based) in the upstream's wire shape."""
    # A str seed is hashed with SHA-512: the same movie on every run and Python process.
    rng = random.Random(f"demo-movie-{index}")  # noqa: S311 - made-up data, not security
    words = {
        "adjective": rng.choice(ADJECTIVES),
        "noun": (noun := rng.choice(NOUNS)),
        "nouns": plural(noun),
        "place": rng.choice(PLACES),
        "name": rng.choice(NAMES),
        "sequel": rng.choice(SEQUELS),
    }
    title = rng.choice(TITLE_PATTERNS).format(**words)
    setting = rng.choice(SETTINGS).format(city=rng.choice(CITIES), place=rng.choice(PLACES))
    role = rng.choice(ROLES)
    sentence = f"{setting} {role}" if setting else role[0].upper() + role[1:]
    description = f"{sentence} {rng.choice(GOALS)}. {rng.choice(COMPLICATIONS)}"
    wanted = rng.choices(_GENRE_COUNTS, weights=_GENRE_COUNT_WEIGHTS)[0]
    genres: list[str] = []
    while len(genres) < wanted:
        genre = rng.choices(GENRE_NAMES, weights=_GENRE_WEIGHTS)[0]
        if genre not in genres:
            genres.append(genre)
    return {"title": title, "description": description, "genres": ",".join(genres), "uuid": str(movie_uuid(index))}


def page_count() -> int:
    return -(-CATALOG_SIZE // PAGE_SIZE)


@lru_cache(maxsize=1024)
def page(number: int) -> tuple[dict[str, str], ...]:
    """The movies of page `number` (1-based); empty past the end."""
    if number < 1:
        return ()
    start = (number - 1) * PAGE_SIZE
    return tuple(movie(index) for index in range(start, min(start + PAGE_SIZE, CATALOG_SIZE)))

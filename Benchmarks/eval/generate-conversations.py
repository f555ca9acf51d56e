#!/usr/bin/env python3
"""Builds the conversation evaluation set: memories.jsonl and questions.jsonl.

Deterministic (seeded): the same files on every run, so figures are comparable.

Usage: generate-conversations.py OUTDIR [--subset N]

Two authors, kept apart on purpose:
- FACTS below is a fact base (who, what, when), written once.
- The memory writer (MEMORY_* templates) turns each fact into diary entries and
  multi-session chat turns, one memory per turn, with chit-chat, near-duplicates
  and routine entries in between.
- The question writer (QUESTION_* templates) sees only the fact's fields, never the
  memory templates, and uses its own vocabulary (synonyms, other sentence shapes).

Question kinds: single (one fact), multi-hop (two facts joined by a person),
temporal (when / what came the week after / the last one), open (a category across
people), paraphrase (single-fact, reworded further), misspelled (typos).
"""
import json
import random
import sys
from datetime import datetime, timedelta

rng = random.Random(20261205)
ME = "Robin"

FRIENDS = ["Lena", "Marek", "Sofia", "Jonas", "Priya", "Tomasz", "Aiko", "Bruno", "Hannah", "Kwame", "Ines", "Oskar",
           "Dana", "Felipe", "Mira", "Yusuf"]

# --- the fact base -------------------------------------------------------------------------------
# Each kind: value pools, then how the memory writer says it (diary, chat script) and how the question
# writer asks about it. {f} = friend, other slots from the pools.

KINDS = {
    "pet": {
        "pools": {"animal": [("dog", "beagle"), ("dog", "border collie"), ("dog", "dachshund"), ("cat", "Maine Coon"),
                             ("cat", "Siamese"), ("rabbit", "lop-eared rabbit"), ("parrot", "grey parrot"),
                             ("dog", "greyhound"), ("cat", "British Shorthair"), ("tortoise", "Greek tortoise")],
                  "name": ["Pixel", "Biscuit", "Mango", "Ziggy", "Noodle", "Pepper", "Olive", "Waffles", "Juniper", "Momo",
                           "Taco", "Clementine"]},
        "diary": ["{f} finally adopted a {breed}! It's called {name} and it already owns the sofa.",
                  "Visited {f} to meet {name}, the new {breed}. Tiny, loud, perfect.",
                  "{f} sent me twenty photos of {name} today. Having a {breed} suits {f}."],
        "chat": [[("f", "Guess who has a {animal} now!"), ("me", "No way, you did it?!"),
                  ("f", "A {breed}. We called it {name}."), ("me", "{name}! I need to meet {name} asap.")],
                 [("me", "How's the new family member?"), ("f", "{name} chewed through a charger cable last night lol"),
                  ("me", "Classic {breed} behaviour"), ("f", "Worth it though.")]],
        "facts": [[0, 2], [1, 2]],
        "q": ["What is the name of the animal {f} got?", "What breed is {f}'s pet?",
              "Which kind of animal did {f} bring home?", "How is {f}'s companion animal called?"],
        "open": "Which of my friends got a pet, and what kind?",
    },
    "job": {
        "pools": {"role": ["nurse", "data analyst", "carpenter", "primary school teacher", "pharmacist", "sound engineer",
                           "tram driver", "architect", "paramedic", "translator", "baker", "park ranger"],
                  "company": ["the city hospital", "a logistics startup", "a furniture workshop", "the Montessori school",
                              "the pharmacy on Elm Street", "a recording studio", "the transit authority", "a small studio",
                              "the ambulance service", "a publishing house", "the bakery by the station", "the national park"]},
        "diary": ["{f} starts as a {role} at {company} next month. So proud.",
                  "Drinks with {f} to celebrate the new job: {role}, at {company}.",
                  "{f} signed the contract today. {role} at {company}, finally out of the old office."],
        "chat": [[("f", "I got it!!!"), ("me", "The interview one??"), ("f", "Yes, {role} at {company}. Start on the 1st."),
                  ("me", "Proud of you, we're celebrating.")],
                 [("me", "How's the first week going?"), ("f", "Exhausting but good. Being a {role} is what I wanted."),
                  ("me", "And the people at {company}?"), ("f", "Lovely so far.")]],
        "facts": [[0, 2], [1, 2]],
        "q": ["What does {f} do for a living now?", "Where did {f} get hired?", "What is {f}'s new occupation?",
              "Which employer took on {f}?"],
        "open": "Which of my friends changed careers, and into what?",
    },
    "move": {
        "pools": {"city": ["Lisbon", "Montreal", "Tallinn", "Valencia", "Edinburgh", "Kyoto", "Melbourne", "Bergen",
                           "Ljubljana", "Porto", "Halifax", "Trieste"],
                  "reason": ["a new job", "their partner", "the sea", "a master's programme", "cheaper rent", "family"]},
        "diary": ["{f} is moving to {city} for {reason}. I will miss our Thursday walks.",
                  "Helped {f} pack the last boxes. Next stop: {city}.",
                  "Farewell dinner for {f}, who leaves for {city} on Saturday."],
        "chat": [[("f", "Big news: I'm leaving."), ("me", "Leaving what? The flat?"), ("f", "The country. {city}, because of {reason}."),
                  ("me", "Wow. I'll visit, promise.")],
                 [("me", "Are you settled in yet?"), ("f", "Almost. The light here in {city} is unreal."),
                  ("me", "Send pictures!"), ("f", "Will do.")]],
        "facts": [[0, 2], [1]],
        "q": ["Where did {f} relocate to?", "Which city is {f} living in now?", "Why did {f} emigrate, and where to?",
              "To what place did {f} move away?"],
        "open": "Which friends moved abroad, and to which cities?",
    },
    "instrument": {
        "pools": {"instrument": ["cello", "ukulele", "saxophone", "drums", "harp", "accordion", "violin", "banjo",
                                 "trumpet", "piano", "bass guitar", "flute"],
                  "teacher": ["an old jazz musician", "a YouTube course", "a retired conductor", "a neighbour", "the music school"]},
        "diary": ["{f} has started {instrument} lessons with {teacher}. The neighbours are being patient.",
                  "{f} played me a song on the {instrument} tonight. Three months of practice and it shows.",
                  "Concert of {f}'s {instrument} class in the church hall. Squeaky, brave, lovely."],
        "chat": [[("f", "Don't laugh: I bought a {instrument}."), ("me", "Why would I laugh"), ("f", "Lessons with {teacher} start Monday."),
                  ("me", "Play me something at Christmas!")],
                 [("me", "How is the practising going?"), ("f", "My fingers hurt. The {instrument} is harder than it looks."),
                  ("me", "Keep at it"), ("f", "Trying!")]],
        "facts": [[0, 2], [1]],
        "q": ["What instrument is {f} learning?", "Which musical instrument did {f} pick up?",
              "What does {f} practise playing?", "Who teaches {f} music?"],
        "open": "Which of my friends are learning a musical instrument?",
    },
    "allergy": {
        "pools": {"allergen": ["peanuts", "shellfish", "penicillin", "cats", "birch pollen", "sesame", "bee stings",
                               "gluten", "kiwi", "latex"]},
        "diary": ["Note to self: {f} is allergic to {allergen}. Nearly messed up the dinner menu.",
                  "{f} had a reaction at the party, turned out to be {allergen}. Scary ten minutes.",
                  "Planned the picnic around {f}: nothing with {allergen}."],
        "chat": [[("me", "Anything you can't eat on Saturday?"), ("f", "Just keep {allergen} away from me haha"),
                  ("me", "Noted!"), ("f", "Thanks for asking.")],
                 [("f", "Ended up in the ER last night"), ("me", "What?! Are you ok?"), ("f", "{allergen}. I'm fine now, just tired."),
                  ("me", "Take care, call me tomorrow")]],
        "facts": [[0, 1], [0, 2]],
        "q": ["What must {f} avoid for health reasons?", "What is {f} intolerant to?", "What triggers a reaction in {f}?",
              "What should I keep off the table when {f} visits?"],
        "open": "Which allergies do my friends have?",
    },
    "trip": {
        "pools": {"place": ["the Dolomites", "Sicily", "Iceland", "the Scottish Highlands", "Crete", "Marrakesh", "Oslo",
                            "the Lake District", "Budapest", "Seville", "Copenhagen", "the Azores", "Krakow", "Lyon"],
                  "activity": ["a glacier hike", "a cooking class", "a hot-air balloon ride", "kayaking in a sea cave",
                               "a night at an observatory", "a thermal bath evening", "a street-food tour",
                               "a sunrise climb", "a whale-watching boat", "a bike tour through vineyards"]},
        "me": True,
        "diary": ["Back from {place} with {f}. Best part: {activity}. Sunburnt and happy.",
                  "Day three in {place}. {f} and I did {activity} and I still can't feel my legs.",
                  "Photos from {place} finally sorted. {activity} with {f} was the highlight of the year."],
        "chat": [[("me", "Just landed, {place} was incredible"), ("f", "Tell me everything"),
                  ("me", "{activity}. Absolutely unreal."), ("f", "Jealous!!")],
                 [("f", "When are we going back to {place}?"), ("me", "Next year? I still dream about {activity}"),
                  ("f", "Same."), ("me", "Let's book early this time.")]],
        "facts": [[0, 2], [0, 1]],
        "q": ["Where did I travel with {f}?", "What was the highlight of my holiday with {f}?",
              "When did I go on vacation with {f}?", "Which destination did {f} and I visit?"],
        "temporal": ["When did I go to {place}?", "In which month was my trip to {place}?"],
        "open": "Which places have I travelled to?",
    },
    "concert": {
        "pools": {"band": ["The Lumineers", "Arctic Monkeys", "Bonobo", "Florence + the Machine", "Khruangbin", "Nils Frahm",
                           "Phoenix", "Hozier", "Röyksopp", "Beirut", "Caribou", "Ólafur Arnalds"],
                  "venue": ["the old gasworks", "the open-air stage", "the philharmonic", "a tiny club downtown", "the arena",
                            "the botanical garden"]},
        "me": True,
        "diary": ["{band} at {venue} with {f}. My ears are still ringing.",
                  "Saw {band} live tonight, {f} cried during the encore. {venue} was packed.",
                  "Gig night: {band}, {venue}, {f} and too much overpriced beer."],
        "chat": [[("f", "Tonight was magic"), ("me", "{band} never disappoint"), ("f", "{venue} sounded so good"),
                  ("me", "Best gig of the year")],
                 [("me", "Got two tickets for {band}, want to come?"), ("f", "YES. Where?"), ("me", "{venue}, next Friday"),
                  ("f", "I'm in")]],
        "facts": [[1, 2], [0, 2]],
        "q": ["Which band did I see live with {f}?", "Where did {f} and I go to a show?",
              "What performance did I attend with {f}?"],
        "last": "What was the last concert I went to?",
        "open": "Which bands have I seen live?",
    },
    "health": {
        "pools": {"injury": [("sprained my wrist", "a wrist brace"), ("tore a calf muscle", "physiotherapy"),
                             ("got tonsillitis", "antibiotics"), ("had a migraine attack", "a dark room and ibuprofen"),
                             ("broke a toe", "tape and rest"), ("got a bad sunburn", "aloe gel"),
                             ("had food poisoning", "rehydration salts"), ("chipped a tooth", "a crown from the dentist")],
                  "cause": ["bouldering", "a football match", "a street-food stall", "the beach", "moving furniture",
                            "running downhill", "a door frame", "a hard pretzel"]},
        "me": True,
        "diary": ["I {hurt} after {cause}. The doctor prescribed {fix}.",
                  "Still annoyed: {cause}, and now I've {hurt}. {fix} for the next two weeks.",
                  "Update on the {cause} disaster: {fix} is helping. {f} brought soup."],
        "chat": [[("me", "Guess who {hurt}"), ("f", "Oh no, how??"), ("me", "{cause}. Don't ask."),
                  ("f", "Get well soon!! Need anything?")],
                 [("f", "How are you feeling?"), ("me", "Better. {fix} works wonders"), ("f", "Good to hear."),
                  ("me", "Thanks for checking in")]],
        "facts": [[0, 2], [1]],
        "q": ["What medical problem did I have after {cause}?", "How was my injury treated?",
              "What happened to my health after {cause}?"],
        "temporal": ["When did I get hurt from {cause}?"],
        "open": "What injuries or illnesses have I had?",
    },
    "purchase": {
        "pools": {"item": [("a cargo bike", "Urban Arrow"), ("a record player", "Rega"), ("a espresso machine", "Gaggia"),
                           ("a kayak", "Oru"), ("a drawing tablet", "Wacom"), ("a standing desk", "Fully"),
                           ("hiking boots", "Meindl"), ("a sewing machine", "Bernina"), ("an e-reader", "Kobo"),
                           ("a tent", "Hilleberg")],
                  "price": ["180", "240", "399", "650", "1200", "95", "310", "480"]},
        "me": True,
        "diary": ["Treated myself to {item} ({brand}), {price} euros. No regrets so far.",
                  "The {brand} arrived! {item} for {price} euros, {f} helped me carry it up.",
                  "Week one with the {brand}: best {price} euros I've spent."],
        "chat": [[("me", "I did a thing"), ("f", "What thing"), ("me", "Bought {item}. A {brand}."),
                  ("f", "Finally! How much?"), ("me", "{price}, don't tell anyone")]],
        "facts": [[2, 4]],
        "q": ["What did I buy recently and for how much?", "Which brand did I choose when I bought {item}?",
              "How much did I pay for {item}?"],
        "open": "What larger purchases did I make?",
    },
    "dish": {
        "pools": {"dish": ["a lemon tart", "shakshuka", "beef rendang", "a sourdough loaf", "mushroom risotto",
                           "homemade ramen", "baklava", "a carrot cake", "pierogi", "paella", "a plum crumble"],
                  "occasion": ["{f}'s birthday", "the housewarming", "Sunday brunch", "the office potluck", "the book club"]},
        "me": True,
        "diary": ["Made {dish} for {occasion}. Everyone wanted the recipe.",
                  "Kitchen chaos but {dish} turned out great for {occasion}.",
                  "{occasion}: I cooked {dish} and it disappeared in ten minutes."],
        "chat": [[("f", "That thing you made on Saturday..."), ("me", "{dish}?"), ("f", "Yes! Recipe please"),
                  ("me", "Sending it tonight")]],
        "facts": [[0, 1]],
        "q": ["What food did I prepare for {occasion}?", "What did I cook that people asked the recipe for?",
              "Which meal did I make for {occasion}?"],
        "open": "What dishes have I cooked for other people?",
    },
    "race": {
        "pools": {"race": ["the city half marathon", "a 10 km trail run", "the harbour 5k", "a night run", "a charity fun run",
                           "the mountain relay"],
                  "time": ["1:52", "48 minutes", "24:10", "2:05", "55 minutes", "31 minutes"]},
        "me": True,
        "diary": ["Finished {race} in {time}! {f} waited at the finish with a banana.",
                  "{race} done: {time}. Legs destroyed.",
                  "Ran {race} this morning, {time}, a personal best."],
        "chat": [[("me", "I DID IT"), ("f", "The run?!"), ("me", "{race}, {time}"), ("f", "Legend!!")]],
        "facts": [[0, 2]],
        "q": ["How fast did I complete {race}?", "What was my finishing time in the running event?",
              "Which race did I run and what was my time?"],
        "last": "What was the most recent race I ran?",
        "open": "Which running events have I done?",
    },
    "milestone": {
        "pools": {"event": [("got engaged", "a ring hidden in a croissant"), ("had a baby girl", "named her Ada"),
                            ("had a baby boy", "named him Leo"), ("bought a house", "a little place with a garden"),
                            ("got married", "a tiny ceremony by the lake"), ("finished a PhD", "the defence lasted three hours"),
                            ("opened a café", "called it Second Cup"), ("adopted a child", "a shy four-year-old")]},
        "diary": ["Huge news: {f} {event}! {detail}.",
                  "Celebrated with {f}, who {event}. {detail}, of course.",
                  "Still smiling about {f}: {event}, {detail}."],
        "chat": [[("f", "Sit down."), ("me", "I'm sitting. What?"), ("f", "We {event}!"), ("me", "AAAH congratulations!!"),
                  ("f", "{detail} :)")]],
        "facts": [[2, 4]],
        "q": ["What big life event happened to {f}?", "What news did {f} share with me?",
              "What milestone did {f} reach?"],
        "open": "Which of my friends had big life events?",
    },
    "book": {
        "pools": {"book": [("Piranesi", "Susanna Clarke"), ("The Overstory", "Richard Powers"), ("Stoner", "John Williams"),
                           ("Klara and the Sun", "Kazuo Ishiguro"), ("Circe", "Madeline Miller"),
                           ("The Remains of the Day", "Kazuo Ishiguro"), ("Project Hail Mary", "Andy Weir"),
                           ("Middlemarch", "George Eliot"), ("The Master and Margarita", "Mikhail Bulgakov")],
                  "verdict": ["couldn't put it down", "cried at the ending", "found the middle slow", "want to reread it already",
                              "argued about it for an hour"]},
        "me": True,
        "diary": ["Finished {book} by {author}. {verdict}.",
                  "Book club read {book}. I {verdict}; {f} hated it.",
                  "{book} ({author}) on the train again. I {verdict}."],
        "chat": [[("f", "Did you finish the book?"), ("me", "{book}? Yes, I {verdict}"), ("f", "Told you!"),
                  ("me", "Lend me the next one")]],
        "facts": [[1], [0, 1]],
        "q": ["Which novel by {author} did I read?", "What did I think of the {author} book?",
              "Which book did {f} recommend to me?"],
        "open": "Which novels have I read lately?",
    },
}

# Chit-chat of the memory writer: short turns that mean little alone, repeated across sessions.
SMALL_TALK = [
    "haha yes", "Sounds good!", "See you Thursday then", "Yes! It was amazing.", "ugh, Mondays", "Did you sleep at all?",
    "Same here tbh", "lol", "Ok!", "Miss you", "How was your weekend?", "Pretty quiet, mostly cleaned the flat.",
    "It's pouring here again", "Coffee tomorrow?", "Can't, work is crazy this week", "Next week then", "Deal.",
    "Did you watch the match?", "No, I fell asleep at half time", "Send me the link", "Thanks!!", "You're the best",
    "On my way", "Running 10 min late sorry", "No worries", "Happy Friday!", "What are you up to tonight?",
    "Nothing much, pizza and a film", "Which film?", "Something old, can't decide", "Good night!", "Night :)",
    "Did you get my message?", "Yes sorry, crazy day", "All good", "Call later?", "Sure, after 8",
    "That's hilarious", "Oh no", "Wait really?", "I know right", "Fair enough", "True", "Same time next week?",
]

DIARY_ROUTINE = [
    ("Morning run", "Ran along the river before work, {km} km. Cold but clear."),
    ("Groceries", "Big shop at the market: vegetables, cheese, flowers. Spent too much again."),
    ("Work", "Long day of meetings. The quarterly report is finally out of my hands."),
    ("Rain", "Rain all day. Read on the sofa and made soup."),
    ("Laundry day", "Laundry, vacuuming, the usual Sunday reset."),
    ("Tired", "Slept badly, drank three coffees, got nothing done. Early night."),
    ("Evening walk", "Walked around the park after dinner, {km} km, podcast in my ears."),
    ("Standup", "Standup ran long again; we agreed to move the release by a week."),
]

LONG_FILLER = [
    "The week started slowly. I spent most of Monday answering emails that had piled up while I was away and trying to "
    "remember what I had promised to whom. The office was half empty because of the holidays, which made it quiet "
    "enough to think, and I finally wrote the long document about the new onboarding flow that I had been putting off.",
    "On Tuesday the heating broke again and the landlord sent a man who looked at the boiler for ten minutes, sighed, "
    "and said he would come back with a part. He did not come back. I worked from the café on the corner, where the "
    "Wi-Fi is terrible but the cinnamon buns make up for it, and I watched people walk their dogs in the drizzle.",
    "Midweek I tried to get back into a routine: up at seven, stretching, a short run, breakfast at the table rather "
    "than at the laptop. It lasted two days, which is two days more than last time. I also cleaned out the hallway "
    "cupboard and found three umbrellas, a bicycle pump I thought I had lost, and a stack of postcards from years ago.",
    "Thursday evening was the neighbourhood meeting about the new bike lanes. Everyone had opinions, nobody had "
    "listened to the plan, and it ran for two hours. I walked home the long way, past the river, because the evening "
    "was mild and I needed the air after all that arguing about parking spaces and delivery vans.",
    "Friday I cooked for myself properly for the first time in weeks: roasted vegetables, a lemon dressing, the good "
    "bread from the bakery. I put on an old record and did not look at my phone for the whole evening, which felt "
    "strange and very good. I should do that more often, and I write this down so that I remember it.",
    "The weekend was grey. I sorted photos, paid bills, called my parents, who are well and busy with the garden, "
    "and read half a novel that I will probably not finish. In the afternoon I went to the market and bought far "
    "too many apples, so there will be apple cake, apple sauce and apples on everything for a while.",
]

def slots_for(kind, spec, friend):
    s = {"f": friend}
    for key, pool in spec["pools"].items():
        v = rng.choice(pool)
        if key == "animal":
            s["animal"], s["breed"] = v
        elif key == "item":
            s["item"], s["brand"] = v
        elif key == "injury":
            s["hurt"], s["fix"] = v
        elif key == "event":
            s["event"], s["detail"] = v
        elif key == "book":
            s["book"], s["author"] = v
        else:
            s[key] = v
    for k, v in list(s.items()):
        if isinstance(v, str) and "{f}" in v:
            s[k] = v.replace("{f}", friend)
    return s


def fill(template, s):
    out = template
    for k, v in s.items():
        out = out.replace("{" + k + "}", v)
    return out


def sentence(template, s):
    out = fill(template, s)
    return out[0].upper() + out[1:] if out else out


def typo(text, r):
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w.strip("?,.'s")) >= 5]
    for i in r.sample(candidates, min(2, len(candidates))):
        w = words[i]
        j = r.randrange(1, len(w) - 2)
        op = r.choice(["swap", "drop", "double"])
        if op == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif op == "drop":
            w = w[:j] + w[j + 1:]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
    return " ".join(words)


def main():
    out = sys.argv[1]
    subset = None
    if "--subset" in sys.argv:
        subset = int(sys.argv[sys.argv.index("--subset") + 1])
    start = datetime(2025, 1, 6, 9, 0)
    days = 540

    facts = []
    # Each friend gets a few facts of the friend kinds; the narrator gets many of the "me" kinds.
    for kind, spec in KINDS.items():
        n = 26 if spec.get("me") else 14
        for i in range(n):
            friend = FRIENDS[(i * 7 + len(kind)) % len(FRIENDS)]
            s = slots_for(kind, spec, friend)
            day = rng.randrange(days)
            facts.append({"kind": kind, "slots": s, "day": day})
    # Friend facts are unique per (kind, friend): a friend has one pet, one new job, ...
    seen = set()
    unique = []
    for fact in facts:
        key = (fact["kind"], fact["slots"]["f"]) if not KINDS[fact["kind"]].get("me") else (fact["kind"], id(fact))
        if key in seen:
            continue
        seen.add(key)
        unique.append(fact)
    facts = unique

    memories = []  # dicts with text, date, title?, and a list of fact indices they carry

    def add(text, when, title=None, carries=()):
        memories.append({"text": text, "date": when, "title": title, "carries": list(carries)})

    # Memories of each fact: a chat session (60% with a diary entry too), or a diary entry alone.
    sessions = []  # (day, friend, turns[(speaker, text, carries)])
    for fi, fact in enumerate(facts):
        spec = KINDS[fact["kind"]]
        s = fact["slots"]
        r = rng.random()
        if r < 0.85:
            script_index = rng.randrange(len(spec["chat"]))
            script = spec["chat"][script_index]
            carrying = set(spec["facts"][script_index])
            turns = []
            for ti, (who, text) in enumerate(script):
                speaker = ME if who == "me" else s["f"]
                turns.append((speaker, sentence(text, s), [fi] if ti in carrying else []))
            sessions.append([fact["day"], s["f"], turns])
        if r > 0.4:
            when = fact["day"] + rng.choice([0, 0, 1, 2])
            titles = {"pet": "New pet", "job": "New job", "move": "Moving away", "instrument": "Music",
                      "allergy": "Allergy", "trip": "Travel", "concert": "Gig", "health": "Health", "purchase": "Bought",
                      "dish": "Cooking", "race": "Race", "milestone": "News", "book": "Reading"}
            add(sentence(rng.choice(spec["diary"]), s), when, titles[fact["kind"]] if rng.random() < 0.5 else None, [fi])
            fact["diary"] = True

    # Sessions grow with chit-chat before and after; consecutive facts of one friend on nearby days
    # share a session (multi-fact sessions).
    for session in sessions:
        day, friend, turns = session
        before = [(rng.choice([ME, friend]), rng.choice(SMALL_TALK), []) for _ in range(rng.randrange(3, 7))]
        after = [(rng.choice([ME, friend]), rng.choice(SMALL_TALK), []) for _ in range(rng.randrange(3, 7))]
        all_turns = before + turns + after
        hour = rng.randrange(8, 21)
        for ti, (speaker, text, carries) in enumerate(all_turns):
            add(f"{speaker}: {text}", (day, hour, ti * 2), None, carries)

    # Chat sessions with no fact at all (near-duplicates of small talk).
    for _ in range(110):
        day = rng.randrange(days)
        friend = rng.choice(FRIENDS)
        hour = rng.randrange(8, 22)
        for ti in range(rng.randrange(6, 14)):
            add(f"{rng.choice([ME, friend])}: {rng.choice(SMALL_TALK)}", (day, hour, ti * 3))

    # Routine diary entries (near-duplicates, distractors).
    for _ in range(520):
        title, text = rng.choice(DIARY_ROUTINE)
        add(text.replace("{km}", str(rng.choice([4, 5, 6, 7, 8, 10]))), rng.randrange(days), title if rng.random() < 0.7 else None)

    # Long weekly reviews (600-900 words): filler, then facts in the last paragraph, so only
    # whole-memory search finds them.
    long_facts = [fi for fi, f in enumerate(facts) if not f.get("diary")]
    rng.shuffle(long_facts)
    for li in range(30):
        fi = long_facts[li % len(long_facts)]
        fact = facts[fi]
        spec = KINDS[fact["kind"]]
        paragraphs = [rng.choice(LONG_FILLER) for _ in range(rng.randrange(5, 8))]
        paragraphs.append("One more thing before I forget. " + sentence(rng.choice(spec["diary"]), fact["slots"]))
        add("\n\n".join(paragraphs), fact["day"] + 3, "Week in review", [fi])

    # Dates: day, or (day, hour, minute) for chat turns; sorted, then numbered.
    def stamp(when):
        if isinstance(when, tuple):
            day, hour, minute = when
            return start + timedelta(days=day, hours=hour - 9, minutes=minute)
        return start + timedelta(days=when, hours=rng.randrange(0, 12), minutes=rng.randrange(60))

    for m in memories:
        m["when"] = stamp(m["date"])
    memories.sort(key=lambda m: (m["when"], m["text"]))
    carriers = {}
    for i, m in enumerate(memories):
        m["id"] = f"{i + 1:016X}"
        for fi in m["carries"]:
            carriers.setdefault(fi, []).append(m["id"])

    # --- the question writer: sees facts (kind, slots, day) and which memories carry them. -----
    questions = []
    qr = random.Random(7)

    def ask(text, answers, kind):
        if answers:
            questions.append({"question": text, "answers": sorted(set(answers)), "kind": kind})

    by_friend = {}
    for fi, fact in enumerate(facts):
        by_friend.setdefault(fact["slots"]["f"], []).append(fi)
    for fi, fact in enumerate(facts):
        spec = KINDS[fact["kind"]]
        s = fact["slots"]
        answers = carriers.get(fi, [])
        qs = spec["q"]
        ask(sentence(qs[0], s), answers, "single")
        ask(sentence(qs[1 + qr.randrange(len(qs) - 1)], s), answers, "paraphrase")
        if qr.random() < 0.35:
            ask(typo(sentence(qr.choice(qs), s), qr), answers, "misspelled")
        if "temporal" in spec and qr.random() < 0.5:
            ask(sentence(qr.choice(spec["temporal"]), s), answers, "temporal")
    # Temporal: what came next. A fact followed within 4-10 days by another of the narrator's.
    me_facts = sorted([fi for fi, f in enumerate(facts) if KINDS[f["kind"]].get("me")], key=lambda fi: facts[fi]["day"])
    describe = {"trip": "my trip to {place}", "concert": "the {band} concert", "health": "I {hurt}",
                "purchase": "I bought {item}", "dish": "I cooked {dish}", "race": "I ran {race}",
                "book": "I finished {book}"}
    for a, b in zip(me_facts, me_facts[1:]):
        gap = facts[b]["day"] - facts[a]["day"]
        if 4 <= gap <= 10 and facts[a]["kind"] in describe:
            ask("What did I do the week after " + fill(describe[facts[a]["kind"]], facts[a]["slots"]) + "?",
                carriers.get(b, []), "temporal")
    # Temporal: the last one of a kind.
    for kind, spec in KINDS.items():
        if "last" in spec:
            latest = max((fi for fi, f in enumerate(facts) if f["kind"] == kind and fi in carriers), key=lambda fi: facts[fi]["day"])
            ask(spec["last"], carriers[latest], "temporal")
    # Multi-hop: a fact about a friend, identified by another fact about the same friend.
    hop_intro = {"job": "who works as a {role}", "move": "who moved to {city}", "instrument": "who is learning the {instrument}",
                 "pet": "who has a {breed}", "milestone": "who {event}"}
    hop_ask = {"pet": "What is the name of the pet of my friend {who}?",
               "allergy": "What is my friend {who} allergic to?",
               "job": "What job does my friend {who} have?",
               "move": "Where does my friend {who} live now?",
               "instrument": "Which instrument does my friend {who} play?",
               "milestone": "What big news did my friend {who} have?"}
    for friend, fis in by_friend.items():
        for a in fis:
            for b in fis:
                ka, kb = facts[a]["kind"], facts[b]["kind"]
                if a != b and ka in hop_intro and kb in hop_ask and ka != kb and qr.random() < 0.5:
                    who = fill(hop_intro[ka], facts[a]["slots"])
                    ask(hop_ask[kb].replace("{who}", who), carriers.get(a, []) + carriers.get(b, []), "multi-hop")
    # Open-domain: a category across people, asked four months at a time so that answer lists stay
    # at most 12 memories long.
    month_names = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"]
    for kind, spec in KINDS.items():
        if "open" not in spec:
            continue
        for first in range(0, 18, 4):
            lo = datetime(2025 + first // 12, first % 12 + 1, 1)
            last = first + 3
            hi = datetime(2025 + (last + 1) // 12, (last + 1) % 12 + 1, 1)
            window = [m for fi, f in enumerate(facts) if f["kind"] == kind
                      and lo <= start + timedelta(days=f["day"]) < hi for m in carriers.get(fi, [])]
            if 0 < len(window) <= 12:
                span = f"between {month_names[first % 12]} and {month_names[last % 12]} {2025 + last // 12}"
                ask(spec["open"].rstrip("?") + f" {span}?", window, "open")

    if subset:
        questions = questions[::max(1, len(questions) // subset)][:subset]
        needed = {a for q in questions for a in q["answers"]}
        keep = [m for i, m in enumerate(memories) if m["id"] in needed or i % (len(memories) // (subset * 4)) == 0]
        memories = keep

    with open(f"{out}/memories.jsonl", "w") as fh:
        for m in memories:
            record = {"id": m["id"], "text": m["text"], "tier": "chronological",
                      "date": m["when"].strftime("%Y-%m-%dT%H:%M:00+01:00")}
            if m["title"]:
                record["title"] = m["title"]
            record["src"] = "eval-conv:" + str(int(m["id"], 16))
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    with open(f"{out}/questions.jsonl", "w") as fh:
        for q in questions:
            fh.write(json.dumps(q, ensure_ascii=False) + "\n")
    kinds = {}
    for q in questions:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    print(f"{len(memories)} memories, {len(questions)} questions: {kinds}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""FreeCell (Game-RL folder `freecell`; pattern recognition and matching; in-domain split).

The game. A 52-card deck: suits Heart and Diamond (red), Club and Spade (black), ranks A (1), 2–10, J (11),
Q (12), K (13). The shuffled deck is dealt round-robin into n cascades (card i goes to cascade i mod n), indexed
0..n−1 from left to right. Above them sit 4 free cells (FreeCell 0–3, left) and 4 foundations, one per suit
(Heart, Diamond, Club, Spade, left to right). A cascade's TOP card is the last one dealt to it: it is drawn
lowest, fully visible, and each earlier card shows only its label strip above it. Only a cascade's top card or
a free-cell card can move, one card at a time:
  - into an empty free cell;
  - onto a cascade whose top card is the opposite colour and exactly one rank higher, or onto an empty cascade;
  - onto its own suit's foundation: the Ace onto the empty foundation, then each next rank of that suit.

Levels (plot level: cascades, pile sizes; every image is a fresh deal, free cells and foundations empty):
Easy 8 cascades (7,7,7,7,6,6,6,6), Medium 6 (9,9,9,9,8,8), Hard 4 (13 each).

Cards are written "(Suit, Rank)" everywhere, e.g. (Heart, Q), (Club, 10), (Spade, A); a move is written
"Move (Club, Q) from Cascade 1 to FreeCell 3" (sources Cascade i / FreeCell j; destinations Cascade i /
FreeCell j / Foundation Suit). `state` stores cards as [suit, rank] with rank 1..13, and each task's parameters.

Tasks (Game-RL's question_ids; every one is multiple choice):
  1  Target Perception / Easy      the n-th card from the top of a cascade (8 options)
  2  State Prediction / Medium     which of 4 moves is legal now (4 options)
  3  State Prediction / Hard       the top card of a cascade after a legal move out of it (8 options)

Deviations from Game-RL:
  1. Each foundation takes only its own suit. Game-RL accepts any Ace on any empty foundation, so a gold such
     as "Move (Diamond, A) from Cascade 2 to Foundation Heart" can occur.
  2. Every task 2 distractor is checked by the rules engine and breaks a rule; the analysis names the first
     rule each option breaks. Game-RL only drops a random triple equal to an entry of its legal-move list, which
     spells foundations "Foundation ♥" while options say "Foundation Heart", so a legal move can be a distractor.
  3. One card format everywhere, rank letters A, J, Q, K. Game-RL writes "(Club, J)" in the options of tasks 1
     and 3 but "(Club,12)" and "(Diamond,1)" in task 2's options and in task 3's question.
  4. Every question says what "top" means (the card drawn lowest, the last dealt) and how "n-th from the top"
     counts; Game-RL's text leaves it to the reader, and its templates run sentences together without spaces.
  5. Task 2's gold: the destination kind (free cell, foundation, cascade) is drawn first, uniformly among the
     kinds that have a legal move, then a legal move of that kind. Game-RL draws uniformly from all legal moves,
     and on a fresh deal about nine in ten of those go to a free cell (every top card to each of 4 cells).
  6. Task 2's distractors: half are Game-RL's random triples (a card from any cascade, a random source, a random
     destination), half move a top card from its own cascade to a place that refuses it, so that rejecting an
     option needs the colour, rank and suit rules and not only "is this card on top".
  7. Distractor cards of tasks 1 and 3: up to 3 are other cards of the asked cascade (Game-RL draws all 7 from
     the whole deal, so finding the cascade often leaves one option), and task 3 always offers the moved card
     (the answer if the move is not made); the rest are random cards of the deal, as in Game-RL.
  8. Task 3's analysis is corrected: the moved card lands on the named destination. Game-RL's analysis says
     the destination's top becomes the source's second card. The gold is Game-RL's: always the second card
     from the top of the source cascade, whatever the destination; task 3 stays the short task it is there.
  9. The image is Game-RL's layout drawn with Pillow: the suits are drawn as shapes (Pillow's default font has
     no suit glyphs), "FreeCell j", the foundations' suit names and "Cascade i" are labelled, and the top card
     of each cascade also shows a large suit sign. Game-RL's matplotlib figure has no labels.
  10. Descriptions are Game-RL's released ones, spelling fixed.
  11. Engine-wide (gameqa.py): options lettered A, B, … and shuffled; Game-RL numbers them and stores the index.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

SUITS = ("Heart", "Diamond", "Club", "Spade")  # also the foundations, left to right
RED = ("Heart", "Diamond")
RANK_NAMES = {1: "A", 11: "J", 12: "Q", 13: "K"}
CASCADES = {"Easy": 8, "Medium": 6, "Hard": 4}
FREE_CELLS = 4
CARD_OPTIONS, MOVE_OPTIONS = 8, 4
SAME_PILE = 3         # distractors of tasks 1 and 3 drawn from the asked cascade, when it has that many cards
DISTRACTOR_TRIES = 400  # random move draws for task 2's three illegal options; a handful always suffice


def rank_name(rank):
    return RANK_NAMES.get(rank, str(rank))


def colour(card):
    return "red" if card[0] in RED else "black"


def fmt_card(card):
    return f"({card[0]}, {rank_name(card[1])})"


def fmt_place(place):
    return f"{place[0]} {place[1]}"


def fmt_move(move):
    card, src, dst = move
    return f"Move {fmt_card(card)} from {fmt_place(src)} to {fmt_place(dst)}"


class FreeCell:
    """Cascades bottom → top, free cells (card or None), foundations {suit: cards}. A card is (suit, rank); a
    place is ("Cascade", i), ("FreeCell", j) or ("Foundation", suit); a move is (card, source, destination)."""

    def __init__(self, cascades, free_cells=None, foundations=None):
        self.cascades = [[tuple(card) for card in pile] for pile in cascades]
        self.free_cells = [tuple(c) if c else None for c in (free_cells or [None] * FREE_CELLS)]
        self.foundations = {s: [tuple(c) for c in (foundations or {}).get(s, [])] for s in SUITS}

    def card_at(self, place):
        """The card that can leave `place` (a cascade's top, a free cell's card), or None."""
        kind, i = place
        if kind == "Cascade":
            return self.cascades[i][-1] if self.cascades[i] else None
        if kind == "FreeCell":
            return self.free_cells[i]
        return self.foundations[i][-1] if self.foundations[i] else None

    def why_illegal(self, move):
        """None if `move` is legal, else the first rule it breaks, in words."""
        card, src, dst = move
        held = self.card_at(src)
        if src[0] == "Foundation":
            return "a card never leaves a foundation"
        if src[0] == "Cascade" and held is None:
            return f"Cascade {src[1]} is empty"
        if src[0] == "Cascade" and held != card:
            return f"{fmt_card(card)} is not the top card of Cascade {src[1]} (its top card is {fmt_card(held)})"
        if src[0] == "FreeCell" and held is None:
            return f"FreeCell {src[1]} is empty"
        if src[0] == "FreeCell" and held != card:
            return f"FreeCell {src[1]} holds {fmt_card(held)}, not {fmt_card(card)}"
        if src == dst:
            return f"the card is already in {fmt_place(src)}"
        top = self.card_at(dst)
        if dst[0] == "FreeCell":
            return f"FreeCell {dst[1]} already holds {fmt_card(top)}" if top else None
        if dst[0] == "Foundation":
            if card[0] != dst[1]:
                return f"Foundation {dst[1]} takes only {dst[1]} cards, and {fmt_card(card)} is a {card[0]}"
            if top is None and card[1] != 1:
                return f"Foundation {dst[1]} is empty, so only the Ace of {dst[1]}s can start it"
            if top is not None and top[1] == 13:
                return f"Foundation {dst[1]} is complete"
            if top is not None and card[1] != top[1] + 1:
                following = fmt_card((dst[1], top[1] + 1))
                return f"Foundation {dst[1]} ends with {fmt_card(top)}, so only {following} can go next"
            return None
        if top is None:
            return None
        if colour(card) == colour(top):
            return f"{fmt_card(card)} and Cascade {dst[1]}'s top card {fmt_card(top)} are both {colour(card)}"
        if card[1] != top[1] - 1:
            return (f"{fmt_card(card)} is not exactly one rank lower than Cascade {dst[1]}'s top card "
                    f"{fmt_card(top)}")
        return None

    def why_legal(self, move):
        """The rule that admits a legal move, in words."""
        card, _, dst = move
        top = self.card_at(dst)
        if dst[0] == "FreeCell":
            return f"FreeCell {dst[1]} is empty, and any single card may go into an empty free cell"
        if dst[0] == "Foundation":
            if top is None:
                return f"Foundation {dst[1]} is empty and {fmt_card(card)} is the Ace of {dst[1]}s"
            return f"Foundation {dst[1]} ends with {fmt_card(top)} and {fmt_card(card)} is the next {dst[1]}"
        if top is None:
            return f"Cascade {dst[1]} is empty, and any card may go onto an empty cascade"
        return (f"Cascade {dst[1]}'s top card is {fmt_card(top)} ({colour(top)}, rank {rank_name(top[1])}); "
                f"{fmt_card(card)} is {colour(card)} and one rank lower")

    def places(self):
        return ([("Cascade", i) for i in range(len(self.cascades))] + [("FreeCell", j) for j in range(FREE_CELLS)]
                + [("Foundation", s) for s in SUITS])

    def legal_moves(self):
        """Every legal move, sources and destinations in the order of `places()`."""
        moves = []
        for src in self.places():
            card = self.card_at(src)
            if src[0] == "Foundation" or card is None:  # cards never leave a foundation
                continue
            moves += [(card, src, dst) for dst in self.places() if self.why_illegal((card, src, dst)) is None]
        return moves

    def move(self, move):
        """The state after a legal move."""
        reason = self.why_illegal(move)
        if reason is not None:
            raise ValueError(f"illegal move {fmt_move(move)}: {reason}")
        card, src, dst = move
        nxt = FreeCell(self.cascades, self.free_cells, self.foundations)
        if src[0] == "Cascade":
            nxt.cascades[src[1]].pop()
        else:
            nxt.free_cells[src[1]] = None
        if dst[0] == "Cascade":
            nxt.cascades[dst[1]].append(card)
        elif dst[0] == "FreeCell":
            nxt.free_cells[dst[1]] = card
        else:
            nxt.foundations[dst[1]].append(card)
        return nxt

    def all_cards(self):
        return [card for pile in self.cascades for card in pile]

    def to_json(self):
        return {"cascades": [[list(card) for card in pile] for pile in self.cascades],
                "free_cells": [list(c) if c else None for c in self.free_cells],
                "foundations": {s: [list(c) for c in self.foundations[s]] for s in SUITS}}


def move_json(move):
    card, src, dst = move
    return {"card": list(card), "from": list(src), "to": list(dst)}


def new_state(rng, plot_level):
    """Game-RL's deal: shuffle the 52 cards, deal card i to cascade i mod n."""
    n = CASCADES[plot_level]
    deck = [(suit, rank) for suit in SUITS for rank in range(1, 14)]
    rng.shuffle(deck)
    return FreeCell([deck[i::n] for i in range(n)])


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout (title, free cells and foundations on top, cascades below), with labels

BACKGROUND, SLOT, TEXT_RED = "#2F4F4F", "#1C352D", (200, 20, 30)
CARD_W, CARD_H, GAP, STRIP, MARGIN = 84, 116, 12, 26, 16  # STRIP: the visible part of a covered card
TITLE_H, LABEL_H = 40, 22
SLOTS_Y = TITLE_H + LABEL_H
CASCADES_Y = SLOTS_Y + CARD_H + LABEL_H + 8
WIDTH = 2 * MARGIN + 8 * CARD_W + 7 * GAP  # 8 columns: the top row's 4 free cells and 4 foundations
COLUMN_X = [MARGIN + i * (CARD_W + GAP) for i in range(8)]
FACES, TABLES = {}, {}  # card pictures and empty tables, drawn once per process and pasted after that


def suit_sign(draw, suit, cx, cy, s, fill):
    """A suit sign of height about s centred at (cx, cy), from circles and polygons."""
    r = s / 4
    if suit == "Diamond":
        draw.polygon([(cx, cy - s / 2), (cx + 0.38 * s, cy), (cx, cy + s / 2), (cx - 0.38 * s, cy)], fill=fill)
    elif suit == "Heart":
        for dx in (-r, r):
            draw.ellipse((cx + dx - r, cy - s / 2, cx + dx + r, cy - s / 2 + 2 * r), fill=fill)
        draw.polygon([(cx - 2 * r, cy - s / 2 + r * 1.1), (cx + 2 * r, cy - s / 2 + r * 1.1), (cx, cy + s / 2)],
                     fill=fill)
    elif suit == "Spade":  # the heart upside down, on a stem
        body = 0.8 * s
        for dx in (-r, r):
            draw.ellipse((cx + dx - r, cy - s / 2 + body - 2 * r, cx + dx + r, cy - s / 2 + body), fill=fill)
        draw.polygon([(cx - 2 * r, cy - s / 2 + body - r * 1.1), (cx + 2 * r, cy - s / 2 + body - r * 1.1),
                      (cx, cy - s / 2)], fill=fill)
        draw.polygon([(cx, cy), (cx - s / 5, cy + s / 2), (cx + s / 5, cy + s / 2)], fill=fill)
    else:  # Club
        r = s / 5
        for dx, dy in ((0, -s / 2 + r), (-1.1 * r, -s / 2 + 2.6 * r), (1.1 * r, -s / 2 + 2.6 * r)):
            draw.ellipse((cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r), fill=fill)
        draw.polygon([(cx, cy - r), (cx - s / 5, cy + s / 2), (cx + s / 5, cy + s / 2)], fill=fill)


def card_face(card, top):
    """A card as an RGBA picture, transparent outside its rounded corners. Drawn once per (card, top) and then
    pasted: rendering text is most of the cost of drawing, and a deal shows up to 52 labels."""
    key = (card, top)
    if key not in FACES:
        face = Image.new("RGBA", (CARD_W + 1, CARD_H + 1), (0, 0, 0, 0))
        draw = ImageDraw.Draw(face)
        ink = TEXT_RED if card[0] in RED else "black"
        draw.rounded_rectangle((0, 0, CARD_W, CARD_H), radius=6, fill="white", outline="black", width=1)
        draw.text((8, STRIP / 2 + 1), rank_name(card[1]), fill=ink, font=font(17), anchor="lm")
        suit_sign(draw, card[0], CARD_W - 18, STRIP / 2, 17, ink)
        if top:  # the top card is whole: a large sign in its middle as well
            suit_sign(draw, card[0], CARD_W / 2, STRIP + (CARD_H - STRIP) / 2, 40, ink)
        FACES[key] = face
    return FACES[key]



def table(n_cascades, height):
    """The empty table: title, labelled free cells and foundations, the cascade labels. Drawn once per size."""
    key = (n_cascades, height)
    if key not in TABLES:
        image = Image.new("RGB", (WIDTH, height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.text((WIDTH / 2, TITLE_H / 2 + 4), "FreeCell Game State", fill="white", font=font(22), anchor="mm")
        label = font(14)
        names = [f"FreeCell {j}" for j in range(FREE_CELLS)] + list(SUITS)
        for k, name in enumerate(names):
            x = COLUMN_X[k]
            draw.text((x + CARD_W / 2, SLOTS_Y - LABEL_H / 2), name, fill="white", font=label, anchor="mm")
            draw.rectangle((x, SLOTS_Y, x + CARD_W, SLOTS_Y + CARD_H), fill=SLOT, outline="black")
            if k >= FREE_CELLS:  # an empty foundation shows whose it is
                suit_sign(draw, name, x + CARD_W / 2, SLOTS_Y + CARD_H / 2, 40, "#3E6B5C")
        for i in range(n_cascades):
            draw.text((COLUMN_X[i] + CARD_W / 2, CASCADES_Y - LABEL_H / 2 - 2), f"Cascade {i}", fill="white",
                      font=label, anchor="mm")
        TABLES[key] = image
    return TABLES[key].copy()



def render(state):
    longest = max([len(pile) for pile in state.cascades] + [1])
    image = table(len(state.cascades), CASCADES_Y + (longest - 1) * STRIP + CARD_H + MARGIN)
    for j, card in enumerate(state.free_cells):
        if card:
            face = card_face(card, True)
            image.paste(face, (COLUMN_X[j], SLOTS_Y), face)
    for k, suit in enumerate(SUITS):
        if state.foundations[suit]:
            face = card_face(state.foundations[suit][-1], True)
            image.paste(face, (COLUMN_X[FREE_CELLS + k], SLOTS_Y), face)
    for i, pile in enumerate(state.cascades):
        for k, card in enumerate(pile):  # bottom first: each card covers the lower part of the one before
            face = card_face(card, k == len(pile) - 1)
            image.paste(face, (COLUMN_X[i], CASCADES_Y + k * STRIP), face)
    return image


# ---------------------------------------------------------------------------------------------------------
# Tasks

def intro(state):
    n = len(state.cascades)
    return (f"This is a FreeCell game with {n} cascades, Cascade 0 to Cascade {n - 1} from left to right. Above them "
            "are 4 free cells on the top left (FreeCell 0 to FreeCell 3, left to right) and 4 foundations on the top "
            "right, one per suit: Heart, Diamond, Club and Spade from left to right; the labels on the image name "
            "them all. Cards are written (Suit, Rank), with ranks A (1), 2 to 10, J (11), Q (12) and K (13); "
            "Hearts and Diamonds are red, Clubs and Spades are black. In a cascade the cards overlap: the top card "
            "of a cascade is the one drawn lowest, fully visible (the last card dealt to it), and each card above it "
            "in the picture shows only its label strip. Counting from the top, the 1st card is that top card, the "
            "2nd is the card just above it in the picture, and so on. Only the top card of a cascade or a card in a "
            "free cell can move, one card at a time: into an empty free cell; onto a cascade whose top card is the "
            "opposite colour and exactly one rank higher; onto an empty cascade; or onto the foundation of its own "
            "suit, the Ace first and then each next rank of that suit.")


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def card_distractors(rng, state, gold, pile, first=()):
    """7 cards other than `gold`: `first`, then cards of `pile` up to SAME_PILE in all, then random cards of
    the other cascades."""
    picks = [c for c in first if c != gold]
    same = [c for c in pile if c != gold and c not in picks]
    picks += rng.sample(same, max(0, min(SAME_PILE - len(picks), len(same))))
    rest = [c for c in state.all_cards() if c not in pile and c not in picks]
    picks += rng.sample(rest, CARD_OPTIONS - 1 - len(picks))
    return [fmt_card(c) for c in picks]


def top_down(pile):
    return ", ".join(fmt_card(c) for c in reversed(pile))


def card_at_position(rng, state):
    k = rng.choice([i for i, pile in enumerate(state.cascades) if pile])
    pile = state.cascades[k]
    n = rng.randint(1, len(pile))
    card = pile[-n]
    question = intro(state) + f"\n\nWhich card is the {ordinal(n)} card from the top of Cascade {k}?"
    analysis = (f"Cascade {k} holds {len(pile)} cards. From the top (the lowest card in the picture) upwards they "
                f"are: {top_down(pile)}.\nThe {ordinal(n)} card from the top is {fmt_card(card)}.")
    return QA(question, analysis, fmt_card(card), card_distractors(rng, state, card, pile), {"pile": k, "n": n})


def kind_first(rng, moves):
    """A legal move: its destination kind drawn uniformly among the kinds present, then a move of that kind."""
    kinds = sorted({dst[0] for _, _, dst in moves})
    if not kinds:
        raise GiveUp("no legal move")
    kind = rng.choice(kinds)
    return rng.choice([m for m in moves if m[2][0] == kind])


def random_triple(rng, state):
    """Game-RL's distractor: a card of any cascade, a random source, a random destination."""
    card = rng.choice(state.all_cards())
    src = rng.choice([p for p in state.places() if p[0] != "Foundation"])
    return card, src, rng.choice(state.places())


def misplaced_top(rng, state):
    """A top card from its own cascade to a random place other than that cascade."""
    src = rng.choice([("Cascade", i) for i, pile in enumerate(state.cascades) if pile])
    return state.card_at(src), src, rng.choice([p for p in state.places() if p != src])


def move_analysis(state, move):
    card, src, dst = move
    lines = [f"- Card: {fmt_card(card)}, {colour(card)}; from {fmt_place(src)}; to {fmt_place(dst)}."]
    reason = state.why_illegal(move)
    lines.append(f"- Legal: {state.why_legal(move)}." if reason is None else f"- Not legal: {reason}.")
    return "\n".join(lines)


def valid_move(rng, state):
    gold = kind_first(rng, state.legal_moves())
    picks, texts = [], {fmt_move(gold)}
    for t in range(DISTRACTOR_TRIES):
        if len(picks) == MOVE_OPTIONS - 1:
            break
        move = random_triple(rng, state) if t % 2 == 0 else misplaced_top(rng, state)
        if state.why_illegal(move) is not None and fmt_move(move) not in texts:
            picks.append(move)
            texts.add(fmt_move(move))
    else:
        raise GiveUp("too few distinct illegal moves")
    moves = sorted([gold] + picks, key=fmt_move)  # in `state` in text order, so the record does not point at the gold
    question = intro(state) + "\n\nWhich of the following moves is legal in the current game state?"
    analysis = "\n".join(["Each option, checked against the rules:"] +
                         [f"{fmt_move(m)}\n{move_analysis(state, m)}" for m in moves] +
                         [f"Only {fmt_move(gold)} is legal."])
    return QA(question, analysis, fmt_move(gold), [fmt_move(m) for m in picks],
              {"moves": [move_json(m) for m in moves]})


def card_after_move(rng, state):
    moves = [m for m in state.legal_moves() if m[1][0] == "Cascade" and len(state.cascades[m[1][1]]) >= 2]
    move = kind_first(rng, moves)
    card, (_, k), dst = move
    after = state.move(move)
    gold = after.cascades[k][-1]
    landed = {"FreeCell": f"now sits in {fmt_place(dst)}", "Foundation": f"now lies on {fmt_place(dst)}",
              "Cascade": f"is now the top card of {fmt_place(dst)}"}[dst[0]]
    question = (intro(state) + f"\n\nThe top card of Cascade {k}, {fmt_card(card)}, is moved from Cascade {k} to "
                f"{fmt_place(dst)}. After this move, which card is the top card of Cascade {k}?")
    analysis = (f"Before the move, Cascade {k} from the top upwards: {top_down(state.cascades[k])}.\n"
                f"{fmt_move(move)} is legal: {state.why_legal(move)}.\n"
                f"The move takes {fmt_card(card)} off Cascade {k}; it {landed}.\n"
                f"After the move, Cascade {k} from the top upwards: {top_down(after.cascades[k])}.\n"
                f"The top card of Cascade {k} is now {fmt_card(gold)}.")
    distractors = card_distractors(rng, state, gold, after.cascades[k], first=[card])
    return QA(question, analysis, fmt_card(gold), distractors, {"move": move_json(move)})


TASKS = [
    Task(1, "Given a particular game state, the puzzle will present a question about which card is at a specific "
         "position in one of the cascade piles. Your task is to identify the card in the options.",
         "Target Perception", "Easy", card_at_position),
    Task(2, "Given the current game state, identify which of the following moves is valid according to FreeCell "
         "rules.", "State Prediction", "Medium", valid_move),
    Task(3, "Given a particular game state, a selected move and a selected cascade pile, the puzzle will present a "
         "question about which card is at the top of the cascade pile. Your task is to identify the card in the "
         "options.", "State Prediction", "Hard", card_after_move),
]

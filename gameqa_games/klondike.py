"""Klondike solitaire, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `klondike`, pattern recognition
and matching, out-of-domain (held out of training).

The game. One 52-card deck: suits heart and diamond (red), spade and club (black), ranks 1 (Ace) to 13 (King).
On top of the table lie the draw pile (face down), the waste pile (face up; only its top card can be played) and
four foundations, Foundation 1 to 4 from left to right; below them the seven tableau piles, Tab1 to Tab7 from
left to right. As in Game-RL's code, only single top cards ever move, never a run of several cards:
  - onto a tableau pile whose top card is the other colour and exactly one rank higher; onto an empty tableau
    pile only a King;
  - onto a foundation: an Ace onto any empty foundation, otherwise a card of the foundation's suit exactly one
    rank higher than its top card.
A move is "effective" (task 3) when it puts a card on a foundation, or moves a tableau top card onto another
tableau pile and so turns over the face-down card under it or empties its pile. The game is "in a deadlock"
(task 2) when the draw and waste piles are both empty, no card can go to a foundation, and no effective
tableau-to-tableau move exists.

Coordinates: piles are named by position, as the labels on the image show: Tab1-Tab7 and Foundation 1-4 from left
to right, the Draw Pile and the Waste Pile. Cards are written "<suit> <rank>" with numeric ranks, the letter of an
Ace or a face card after it: "heart 7", "spade 12 (Q)". `state` holds `draw` and `waste` ([suit, rank] lists, the
last one the top), `foundations` (4 lists, last = top) and `tableau` (7 lists of [suit, rank, face_up], bottom
to top), plus each question's parameters.

Levels. The plot level is measured on the board: V = face-up tableau cards + non-empty foundations + 1 if the
waste pile is not empty; Easy V <= 19, Medium 20-23, Hard V >= 24 (Game-RL's bands); boards are drawn until V
falls in the requested band.

The tasks are Game-RL's three (its question ids; every one has 8 options, the last one fixed):
  1 which listed move can be made now, or "No possible moves from the options" (Target Perception, Easy)
  2 which combination of three facts explains whether the game is in a deadlock (State Prediction, Medium)
  3 which listed move is both valid and effective, or "None of these moves are both valid and effective"
    (Strategy Optimization, Hard)

Deviations from Game-RL:
  1. Task 3 enumerates every ordered pair of tableau piles (Game-RL only tests Tab X -> Tab Y with X < Y, so it
     misses moves to a pile on the left), and no distractor is ever a valid effective move: its distractors are
     valid-but-ineffective moves and invalid moves, both checked by the rules engine. Game-RL's random
     distractors are not checked, so one could be a second right answer.
  2. Task 3 says that only moves from the tableau are considered, and its options only move tableau cards. Its
     definition of "effective" would cover a waste-to-foundation move too, which Game-RL never offers.
  3. Every question says that only the top card of a pile moves, one card at a time: this is the rule Game-RL's
     code applies, while its question text describes ordinary Klondike, where face-up runs move together.
  4. Task 2's answers are balanced. One board in three (BARE_SHARE, for every task) has an empty draw pile and an
     empty waste pile, the cards that are left lying face down under the tableau runs; and task 2 keeps a board
     only with the chances in KEEP (0.35 if a card can go to a foundation, 0.5 if the draw or waste pile holds
     cards, 0.5 if no effective tableau move exists), drawing again otherwise. Game-RL's builder practically
     always leaves cards in the draw pile and usually offers a foundation move, so 14 of its 20 example golds
     are the same combination and a deadlock practically never occurs; ours: no combination above ~20 %,
     deadlocks ~6 %.
  5. The last option of tasks 1 and 3 ("none of the listed moves") is the answer in about one question in eight
     (NONE_SHARE): a board is used with 7 wrong moves then, or drawn again when it has no right move and the
     draw asked for one. Game-RL gives that option only when no right move exists at all, which on its boards
     is rare for task 1 and common for task 3. The move options are shuffled; "none" stays last, as in Game-RL.
  6. Task 1's gold is drawn by kind (tableau or waste source, tableau or foundation destination), uniformly
     among the kinds the board allows, then among the legal moves of that kind; Game-RL draws uniformly among
     all legal moves, where an Ace counts once per empty foundation. Its distractors are random illegal moves,
     also drawn kind first. Task 3's gold is a foundation move 1 time in 4 when the board has both kinds, as in
     Game-RL; with only one kind, that kind (on most boards no effective tableau move exists, so about 55 % of
     its golds are foundation moves).
  7. Every board is a fresh random position (Game-RL's first question of a dataset reuses the previous
     dataset's last board). A standard deal (pile i: i face-down cards and one face-up card, all the rest in
     the draw pile) is drawn one time in six at the Easy level, so that the opening position is asked about too;
     Game-RL's driver deals one only as the first board of a run, with chance 1/2.
  8. The image is drawn with simple shapes: white cards with the rank and a suit sign in black or red (Game-RL
     draws black suits blue), blue backs, outlined empty slots with the word "empty", and a label over every
     pile. The canvas is sized to the longest pile, with face-down cards overlapping more than face-up ones;
     Game-RL's fixed 1280x720 window cuts long piles off and is squeezed to 640x480.
  9. The face-down cards are stored as cards with a face-up flag (Game-RL writes them as an opaque sprite
     string); their identity never affects an answer.
  10. qa_type and qa_level are those Game-RL's driver writes: 1 Target Perception/Easy, 2 State Prediction/Medium,
      3 Strategy Optimization/Hard (its template dicts carry other values, which the driver overrides).
  11. The task descriptions (question_description) are ours, one sentence on what each task asks.
  12. Engine-wide (gameqa.py): options lettered A-H; Game-RL numbers them 1-8 and stores the number.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

SUITS = ("heart", "spade", "diamond", "club")
RED = ("heart", "diamond")
RANK_LETTER = {1: "A", 11: "J", 12: "Q", 13: "K"}
PILES, FOUNDATIONS = 7, 4
LEVEL_BANDS = {"Easy": (0, 19), "Medium": (20, 23), "Hard": (24, 99)}  # V = plot value, inclusive bands
MAX_FOUNDATIONS, MAX_FOUNDATION_TOP = 2, 5  # Game-RL's builder: 0-2 started foundations, each up to rank 5
MAX_HIDDEN, MAX_WASTE = 4, 3                # face-down cards under each run; cards turned onto the waste
FOLLOW = 0.8                # chance that each run card after the second is added (the second always is)
BARE_SHARE = 1 / 3          # boards with the draw and waste piles both empty (deviation 4)
STANDARD_DEAL_SHARE = 1 / 6  # standard deals among Easy boards (deviation 7)
BOARD_TRIES = 2000          # board draws to hit a level band; the rarest band takes ~5 on average


def rank_text(rank):
    return f"{rank} ({RANK_LETTER[rank]})" if rank in RANK_LETTER else str(rank)


def fmt_card(card):
    return f"{card[0]} {rank_text(card[1])}"


def colour(card):
    return "red" if card[0] in RED else "black"


# A place is ("Tab", i), ("Waste",) or ("Foundation", k), i and k counted from 0; a move is (source, destination).

def fmt_place(place):
    return {"Tab": lambda: f"Tab{place[1] + 1}", "Waste": lambda: "Waste Pile",
            "Foundation": lambda: f"Foundation {place[1] + 1}"}[place[0]]()


def fmt_move(move):
    return f"Move from {fmt_place(move[0])} to {fmt_place(move[1])}"


# ---------------------------------------------------------------------------------------------------------
# The game: state, rules, moves

class Klondike:
    """Cards are (suit, rank); tableau cards (suit, rank, face_up), each pile bottom -> top."""

    def __init__(self, draw, waste, foundations, tableau):
        self.draw = [tuple(c) for c in draw]
        self.waste = [tuple(c) for c in waste]
        self.foundations = [[tuple(c) for c in pile] for pile in foundations]
        self.tableau = [[(s, r, bool(up)) for s, r, up in pile] for pile in tableau]

    def card_at(self, source):
        """The card that can leave `source` (a tableau pile's face-up top card, the waste top), or None."""
        if source[0] == "Waste":
            return self.waste[-1] if self.waste else None
        pile = self.tableau[source[1]]
        return pile[-1][:2] if pile and pile[-1][2] else None

    def under(self, i):
        """What lies under Tab i's top card: "hidden" (a face-down card), "visible" (a face-up one) or "nothing"."""
        pile = self.tableau[i]
        if len(pile) < 2:
            return "nothing"
        return "visible" if pile[-2][2] else "hidden"

    def why_illegal(self, move):
        """None if `move` is legal, else the first rule it breaks, in words."""
        source, dest = move
        card = self.card_at(source)
        if card is None:
            return f"{fmt_place(source)} is empty, so there is no card to move"
        if source == dest:
            return "a card cannot move onto its own pile"
        if dest[0] == "Tab":
            pile = self.tableau[dest[1]]
            if not pile:
                return None if card[1] == 13 else (f"{fmt_place(dest)} is empty and only a King may go onto an empty "
                                                   f"pile; {fmt_card(card)} is not a King")
            top = pile[-1]
            if colour(card) == colour(top):
                return f"{fmt_card(card)} and {fmt_place(dest)}'s top card {fmt_card(top)} are both {colour(card)}"
            if card[1] != top[1] - 1:
                return (f"{fmt_card(card)} is not exactly one rank lower than {fmt_place(dest)}'s top card "
                        f"{fmt_card(top)}")
            return None
        pile = self.foundations[dest[1]]
        if not pile:
            return None if card[1] == 1 else (f"{fmt_place(dest)} is empty, so only an Ace can start it, and "
                                              f"{fmt_card(card)} is not an Ace")
        top = pile[-1]
        if card[0] != top[0]:
            return (f"{fmt_place(dest)} builds {top[0]}s (its top card is {fmt_card(top)}), and {fmt_card(card)} "
                    f"is a {card[0]}")
        if card[1] != top[1] + 1:
            return (f"{fmt_place(dest)}'s top card is {fmt_card(top)}, so only {fmt_card((top[0], top[1] + 1))} "
                    f"can go next")
        return None

    def why_legal(self, move):
        """The rule that admits a legal move, in words."""
        source, dest = move
        card = self.card_at(source)
        if dest[0] == "Tab":
            pile = self.tableau[dest[1]]
            if not pile:
                return f"{fmt_place(dest)} is empty and {fmt_card(card)} is a King"
            top = pile[-1]
            return (f"{fmt_card(card)} ({colour(card)}) goes onto {fmt_place(dest)}'s top card {fmt_card(top)} "
                    f"({colour(top)}), one rank higher and the other colour")
        pile = self.foundations[dest[1]]
        if not pile:
            return f"{fmt_place(dest)} is empty and {fmt_card(card)} is an Ace"
        return f"{fmt_card(card)} follows {fmt_place(dest)}'s top card {fmt_card(pile[-1])} in its suit"

    def effect(self, move):
        """What a legal tableau-to-tableau move uncovers: "reveals" a face-down card, "empties" its pile, or None."""
        source, dest = move
        if source[0] != "Tab" or dest[0] != "Tab":
            return None
        under = self.under(source[1])
        return {"hidden": "reveals", "nothing": "empties"}.get(under)

    def is_effective(self, move):
        """Legal, and either onto a foundation or a tableau move that reveals a card or empties a pile."""
        if self.why_illegal(move) is not None:
            return False
        return move[1][0] == "Foundation" or self.effect(move) is not None

    def sources(self):
        return [("Tab", i) for i in range(PILES)] + [("Waste",)]

    def destinations(self):
        return [("Tab", i) for i in range(PILES)] + [("Foundation", k) for k in range(FOUNDATIONS)]

    def legal_moves(self):
        return [(s, d) for s in self.sources() for d in self.destinations()
                if s != d and self.why_illegal((s, d)) is None]

    def move(self, move):
        """The state after a legal move; a face-down card left on top of a tableau pile is turned face up."""
        reason = self.why_illegal(move)
        if reason is not None:
            raise ValueError(f"illegal move {fmt_move(move)}: {reason}")
        source, dest = move
        nxt = Klondike(self.draw, self.waste, self.foundations, self.tableau)
        card = self.card_at(source)
        if source[0] == "Waste":
            nxt.waste.pop()
        else:
            pile = nxt.tableau[source[1]]
            pile.pop()
            if pile and not pile[-1][2]:
                pile[-1] = (*pile[-1][:2], True)
        if dest[0] == "Tab":
            nxt.tableau[dest[1]].append((*card, True))
        else:
            nxt.foundations[dest[1]].append(card)
        return nxt

    def plot_value(self):
        """Game-RL's level measure: face-up tableau cards + non-empty foundations + 1 for a non-empty waste."""
        return (sum(up for pile in self.tableau for _, _, up in pile) + sum(bool(f) for f in self.foundations)
                + bool(self.waste))

    def to_json(self):
        return {"draw": [list(c) for c in self.draw], "waste": [list(c) for c in self.waste],
                "foundations": [[list(c) for c in pile] for pile in self.foundations],
                "tableau": [[[s, r, up] for s, r, up in pile] for pile in self.tableau]}


def standard_deal(rng):
    """Pile i gets i face-down cards and one face-up card; the other 24 cards are the draw pile."""
    deck = [(s, r) for s in SUITS for r in range(1, 14)]
    rng.shuffle(deck)
    tableau = []
    for i in range(PILES):
        tableau.append([(*c, False) for c in deck[:i]] + [(*deck[i], True)])
        deck = deck[i + 1:]
    return Klondike(deck, [], [[] for _ in range(FOUNDATIONS)], tableau)


def random_position(rng, bare):
    """Game-RL's position builder. Started foundations (the leftmost 0-2, each Ace..k of its own suit), then for
    each pile 0-4 face-down cards and a face-up run from a random card of rank A..Q down, alternating colours,
    while a fitting card is left (the second card always, each later one with chance FOLLOW). The cards left
    are the draw pile, 0-3 of them turned onto the waste; a `bare` board puts them face down under the runs.
    None if the deck runs out of run cards."""
    deck = [(s, r) for s in SUITS for r in range(1, 14)]
    rng.shuffle(deck)
    foundations = [[] for _ in range(FOUNDATIONS)]
    for k, suit in enumerate(rng.sample(SUITS, rng.randint(0, MAX_FOUNDATIONS))):
        foundations[k] = [(suit, r) for r in range(1, rng.randint(1, MAX_FOUNDATION_TOP) + 1)]
        deck = [c for c in deck if c not in foundations[k]]
    tableau = []
    for _ in range(PILES):
        hidden_count = rng.randint(0, MAX_HIDDEN)
        hidden, deck = deck[:hidden_count], deck[hidden_count:]
        starts = [c for c in deck if c[1] <= 12]
        if not starts:  # long runs used up the deck: rare; the caller draws again
            return None
        run = [rng.choice(starts)]
        deck.remove(run[0])
        while True:
            fits = [c for c in deck if c[1] == run[-1][1] - 1 and colour(c) != colour(run[-1])]
            if not fits or (len(run) >= 2 and rng.random() >= FOLLOW):
                break
            run.append(rng.choice(fits))
            deck.remove(run[-1])
        tableau.append([(*c, False) for c in hidden] + [(*c, True) for c in run])
    if bare:
        for card in deck:
            pile = tableau[rng.randrange(PILES)]
            pile.insert(0, (*card, False))
        return Klondike([], [], foundations, tableau)
    n_waste = rng.randint(0, MAX_WASTE)
    return Klondike(deck[n_waste:], deck[:n_waste], foundations, tableau)


def new_state(rng, plot_level):
    low, high = LEVEL_BANDS[plot_level]
    if plot_level == "Easy" and rng.random() < STANDARD_DEAL_SHARE:
        return standard_deal(rng)
    for _ in range(BOARD_TRIES):
        state = random_position(rng, bare=rng.random() < BARE_SHARE)
        if state is not None and low <= state.plot_value() <= high:
            return state
    raise RuntimeError(f"klondike: no {plot_level} board in {BOARD_TRIES} draws")  # a bug, not bad luck


# ---------------------------------------------------------------------------------------------------------
# The image: draw pile, waste pile and foundations on top, the seven tableau piles below, every pile labelled

BACKGROUND, FELT_LINE, LABEL = (34, 110, 60), (24, 80, 44), "white"
BACK, BACK_EDGE, RED_INK = (40, 70, 160), (150, 180, 235), (205, 25, 35)
CARD_W, CARD_H, PITCH, MARGIN = 76, 104, 94, 14
TOP = MARGIN + 22                 # the top row's cards (their labels sit above)
PILE_LABEL_Y = TOP + CARD_H + 16  # "Tab1" … centred here
PILE_TOP = PILE_LABEL_Y + 16
DOWN_STEP, UP_STEP = 12, 28       # offset under a face-down / a face-up card: face-up cards show rank and suit
WASTE_FAN = 18                    # the waste shows its top 3 cards fanned to the right, the top one whole
WIDTH = 2 * MARGIN + 6 * PITCH + CARD_W
FACES = {}  # card pictures, drawn once per process and then pasted (text is most of the cost of drawing)


def column_x(i):
    return MARGIN + i * PITCH


def suit_shape(draw, suit, cx, cy, size, fill):
    """A suit sign about `size` high centred at (cx, cy), made of circles and polygons (the default font has no
    suit glyphs)."""
    h = size / 2
    if suit == "diamond":
        draw.polygon([(cx, cy - h), (cx + 0.7 * h, cy), (cx, cy + h), (cx - 0.7 * h, cy)], fill=fill)
        return
    lobe = 0.42 * h
    if suit == "heart":  # two lobes on top, a point at the bottom
        for dx in (-lobe, lobe):
            draw.ellipse((cx + dx - lobe, cy - h, cx + dx + lobe, cy - h + 2 * lobe), fill=fill)
        draw.polygon([(cx - 2 * lobe, cy - h + lobe), (cx + 2 * lobe, cy - h + lobe), (cx, cy + h)], fill=fill)
        return
    if suit == "spade":  # a point on top, two lobes below, a stem
        for dx in (-lobe, lobe):
            draw.ellipse((cx + dx - lobe, cy + 0.45 * h - 2 * lobe, cx + dx + lobe, cy + 0.45 * h), fill=fill)
        draw.polygon([(cx - 2 * lobe, cy + 0.45 * h - lobe), (cx + 2 * lobe, cy + 0.45 * h - lobe), (cx, cy - h)],
                     fill=fill)
    else:  # club: three round leaves and a stem
        r = 0.36 * h
        for dx, dy in ((0, -h + r), (-1.05 * r, -h + 2.7 * r), (1.05 * r, -h + 2.7 * r)):
            draw.ellipse((cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r), fill=fill)
    draw.polygon([(cx, cy), (cx - 0.35 * h, cy + h), (cx + 0.35 * h, cy + h)], fill=fill)


def card_picture(card):
    """A face-up card (RGBA, transparent outside its rounded corners): rank and suit sign in the top-left corner,
    where the strip of a covered card still shows them, and a large suit sign in the middle."""
    if card not in FACES:
        face = Image.new("RGBA", (CARD_W + 1, CARD_H + 1), (0, 0, 0, 0))
        draw = ImageDraw.Draw(face)
        ink = RED_INK if card[0] in RED else "black"
        draw.rounded_rectangle((0, 0, CARD_W, CARD_H), radius=6, fill="white", outline="black")
        rank = RANK_LETTER.get(card[1], str(card[1]))
        draw.text((6, UP_STEP / 2), rank, fill=ink, font=font(19), anchor="lm")
        suit_shape(draw, card[0], 6 + draw.textlength(rank, font=font(19)) + 11, UP_STEP / 2, 16, ink)
        suit_shape(draw, card[0], CARD_W / 2, UP_STEP + (CARD_H - UP_STEP) / 2 - 2, 38, ink)
        FACES[card] = face
    return FACES[card]


def back_picture():
    if "back" not in FACES:
        back = Image.new("RGBA", (CARD_W + 1, CARD_H + 1), (0, 0, 0, 0))
        draw = ImageDraw.Draw(back)
        draw.rounded_rectangle((0, 0, CARD_W, CARD_H), radius=6, fill=BACK, outline="black")
        draw.rounded_rectangle((5, 5, CARD_W - 5, CARD_H - 5), radius=4, outline=BACK_EDGE, width=2)
        FACES["back"] = back
    return FACES["back"]


def paste(image, picture, x, y):
    image.paste(picture, (int(x), int(y)), picture)


def empty_slot(draw, x, y):
    draw.rounded_rectangle((x, y, x + CARD_W, y + CARD_H), radius=6, fill=FELT_LINE, outline=LABEL)
    draw.text((x + CARD_W / 2, y + CARD_H / 2), "empty", fill=LABEL, font=font(14), anchor="mm")


def pile_height(pile):
    return sum(UP_STEP if up else DOWN_STEP for _, _, up in pile[:-1]) + CARD_H


def render(state):
    height = PILE_TOP + max(pile_height(pile) for pile in state.tableau) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    labels = font(14)
    top_row = [(0, "Draw Pile"), (1, "Waste Pile")] + [(3 + k, f"Foundation {k + 1}") for k in range(FOUNDATIONS)]
    for col, name in top_row:
        draw.text((column_x(col) + CARD_W / 2, TOP - 11), name, fill=LABEL, font=labels, anchor="mm")
    if state.draw:
        paste(image, back_picture(), column_x(0), TOP)
    else:
        empty_slot(draw, column_x(0), TOP)
    if state.waste:
        for k, card in enumerate(state.waste[-3:]):  # the top card last, rightmost and whole
            paste(image, card_picture(card), column_x(1) + k * WASTE_FAN, TOP)
    else:
        empty_slot(draw, column_x(1), TOP)
    for k, pile in enumerate(state.foundations):
        if pile:
            paste(image, card_picture(pile[-1]), column_x(3 + k), TOP)
        else:
            empty_slot(draw, column_x(3 + k), TOP)
    for i, pile in enumerate(state.tableau):
        x = column_x(i)
        draw.text((x + CARD_W / 2, PILE_LABEL_Y), f"Tab{i + 1}", fill=LABEL, font=labels, anchor="mm")
        if not pile:
            empty_slot(draw, x, PILE_TOP)
        y = PILE_TOP
        for suit, rank, up in pile:  # bottom card first: each card covers the lower part of the one before
            paste(image, card_picture((suit, rank)) if up else back_picture(), x, y)
            y += UP_STEP if up else DOWN_STEP
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

OPTIONS = 8
NONE_SHARE = 1 / 8  # how often "none of the listed moves" is the answer of tasks 1 and 3 (deviation 5)
FOUNDATION_GOLD = 1 / 4  # task 3: the gold is a foundation move this often when the board has one (Game-RL's)
# Task 2 keeps a board with a foundation move, with cards in the draw or waste pile, or without an effective
# tableau move, only this often (deviation 4): these facts come up on most boards, so they would fix the answer.
KEEP = {"foundation move": 0.35, "draw or waste": 0.5, "no effective move": 0.5}
DISTRACTOR_TRIES = 1000  # random move draws for the wrong options; a few dozen always suffice
NO_MOVE = "No possible moves from the options"
NO_EFFECTIVE = "None of these moves are both valid and effective"


def intro():
    return ("This is Klondike solitaire with one 52-card deck. Suits: heart and diamond are red, spade and club are "
            "black. Ranks run from 1 (Ace, A) to 13 (King, K); 11 is the Jack (J) and 12 the Queen (Q). Cards are "
            "written <suit> <rank>, for example heart 7 or spade 12 (Q).\n"
            "The table, as the labels on the image show: on top, from left to right, the Draw Pile (face-down "
            "cards), the Waste Pile (face-up cards; only its top card, the rightmost and fully visible one, can be "
            "played) and four foundations, Foundation 1 to Foundation 4. Below them are the seven tableau piles, "
            "Tab1 to Tab7 from left to right. In a tableau pile, face-down cards are blue backs and face-up cards "
            "overlap downwards; the top card of a pile is the lowest one in the picture, fully visible. A slot "
            "marked \"empty\" holds no card.\n"
            "Rules: only the top card of a pile can be moved, one card at a time (never a run of several cards). "
            "A card may go onto a tableau pile whose top card is the other colour and exactly one rank higher; only "
            "a King may go onto an empty tableau pile. A card may go onto a foundation if it is an Ace and the "
            "foundation is empty (any empty foundation), or if it has the suit of the foundation's top card and is "
            "exactly one rank higher. When a tableau pile's top card moves away, a face-down card under it is turned "
            "face up. The goal is to build all four foundations up from Ace to King.")


def pile_report(state, beneath=False):
    """The analysis's "Current State Analysis": each pile's top card (and, if `beneath`, what lies under it)."""
    lines = ["Current State Analysis:"]
    for i, pile in enumerate(state.tableau):
        card = state.card_at(("Tab", i))
        if card is None:
            lines.append(f"- Tab{i + 1}: empty")
            continue
        under = {"hidden": "a face-down card", "nothing": "nothing"}.get(state.under(i))
        under = under or f"the face-up {fmt_card(pile[-2][:2])}"
        lines.append(f"- Tab{i + 1}: top card {fmt_card(card)}" + (f", with {under} beneath it" if beneath else ""))
    for k, pile in enumerate(state.foundations):
        lines.append(f"- Foundation {k + 1}: " + (f"top card {fmt_card(pile[-1])}" if pile else "empty"))
    waste = state.card_at(("Waste",))
    lines.append("- Waste Pile: " + (f"top card {fmt_card(waste)}" if waste else "empty"))
    if beneath:
        lines.append("- Draw Pile: " + ("not empty" if state.draw else "empty"))
    return lines


def random_wrong_move(rng, sources, destinations, is_right):
    """A random move that `is_right` rejects, or None: the kind of its source (a tableau pile, the waste pile) and
    of its destination (a tableau pile, a foundation) drawn first, so that every form of move is offered."""
    def pick(places):
        kind = rng.choice(sorted({p[0] for p in places}))
        return rng.choice([p for p in places if p[0] == kind])
    source = pick(sources)
    dest = pick([d for d in destinations if d != source])
    return None if is_right((source, dest)) else (source, dest)


def fill_options(rng, gold, candidates, wrong_move):
    """OPTIONS - 1 distinct move texts: `gold` (a move, or None for the "none" answer), then moves taken from
    `candidates` in turn (each used or passed over with chance 1/2) or drawn by `wrong_move(rng)`."""
    picked = [gold] if gold else []
    texts = {fmt_move(m) for m in picked}
    candidates = list(candidates)
    for _ in range(DISTRACTOR_TRIES):
        if len(picked) == OPTIONS - 1:
            break
        move = candidates.pop() if candidates and rng.random() < 0.5 else wrong_move(rng)
        if move is not None and fmt_move(move) not in texts:
            picked.append(move)
            texts.add(fmt_move(move))
    else:
        raise GiveUp("too few distinct wrong moves")
    rng.shuffle(picked)  # the moves in random order; the "none" option stays last, as in Game-RL
    return picked


def kind_first(rng, moves):
    """A move whose kind (source kind, destination kind) is drawn uniformly among the kinds present."""
    kinds = sorted({(s[0], d[0]) for s, d in moves})
    kind = rng.choice(kinds)
    return rng.choice([m for m in moves if (m[0][0], m[1][0]) == kind])


def possible_move(rng, state):
    legal = state.legal_moves()
    want_none = rng.random() < NONE_SHARE
    if not legal and not want_none:
        raise GiveUp("no legal move")
    gold = None if want_none else kind_first(rng, legal)
    moves = fill_options(rng, gold, [], lambda r: random_wrong_move(
        r, state.sources(), state.destinations(), lambda m: state.why_illegal(m) is None))
    answer = fmt_move(gold) if gold else NO_MOVE
    question = (intro() + "\n\nWhich of the following moves can be made in the current state? If none of the listed "
                f"moves can be made, choose \"{NO_MOVE}\".")
    lines = pile_report(state) + ["Checking each option:"]
    for m in moves:
        reason = state.why_illegal(m)
        lines.append(f"- {fmt_move(m)}: " + (f"possible, because {state.why_legal(m)}." if reason is None
                                              else f"not possible: {reason}."))
    lines.append(f"The possible move is: {answer}." if gold else
                 f"None of the listed moves can be made, so the answer is \"{NO_MOVE}\".")
    return QA(question, "\n".join(lines), answer, options=[fmt_move(m) for m in moves] + [NO_MOVE],
              given={"moves": sorted(fmt_move(m) for m in moves)})


def deadlock_option(bare, foundation, effective):
    deadlock = bare and not foundation and not effective
    return (f"The draw pile and the waste pile are {'both empty' if bare else 'not both empty'}, "
            f"{'some card can' if foundation else 'no card can'} be moved to a foundation, and "
            f"{'some tableau move can' if effective else 'no tableau move can'} reveal a hidden card or empty a "
            f"pile, so the game is {'in a deadlock' if deadlock else 'NOT in a deadlock'}")


def foundation_moves_text(state, moves):
    """The foundation moves, one entry per card: an Ace fits every empty foundation, so it is listed once."""
    by_source = {}
    for source, dest in moves:
        by_source.setdefault(source, []).append(dest)
    parts = []
    for source, dests in by_source.items():
        card = state.card_at(source)
        if len(dests) == 1:
            parts.append(f"{fmt_move((source, dests[0]))} ({state.why_legal((source, dests[0]))})")
        else:
            names = [str(d[1] + 1) for d in dests]
            parts.append(f"{fmt_card(card)} from {fmt_place(source)} to Foundation {', '.join(names[:-1])} or "
                         f"{names[-1]} (an Ace goes onto any empty foundation)")
    return "; ".join(parts) if parts else "none"


def deadlock(rng, state):
    legal = state.legal_moves()
    bare = not state.draw and not state.waste
    to_foundation = [m for m in legal if m[1][0] == "Foundation"]
    effective = [m for m in legal if state.effect(m)]
    keep = ((KEEP["foundation move"] if to_foundation else 1) * (1 if bare else KEEP["draw or waste"])
            * (1 if effective else KEEP["no effective move"]))
    if rng.random() >= keep:
        raise GiveUp("the board's facts are over-represented; draw another")
    answer = deadlock_option(bare, bool(to_foundation), bool(effective))
    distractors = [deadlock_option(b, f, e) for b in (True, False) for f in (True, False) for e in (True, False)
                   if (b, f, e) != (bare, bool(to_foundation), bool(effective))]
    question = (intro() + "\n\nIn this question the game is in a deadlock when all three of these hold: (1) the draw "
                "pile and the waste pile are both empty; (2) no card (the waste pile's top card or a tableau pile's "
                "top card) can be moved to a foundation; (3) no move of a tableau pile's top card onto another "
                "tableau pile would reveal a hidden card (a face-down card directly under the moved card) or empty "
                "its pile. Which option states all three facts of the current state correctly, with the conclusion "
                "that follows from them?")
    lines = pile_report(state, beneath=True)
    lines.append("1. Draw Pile " + ("empty" if not state.draw else "not empty") + ", Waste Pile " +
                 ("empty" if not state.waste else "not empty") + ": they are " +
                 ("both empty." if bare else "not both empty."))
    lines.append("2. Moves to a foundation: " + foundation_moves_text(state, to_foundation) + ".")
    gains = [f"{fmt_move(m)} (" + ("reveals a face-down card" if state.effect(m) == "reveals"
                                   else f"empties {fmt_place(m[0])}") + ")" for m in effective]
    lines.append("3. Tableau moves that reveal a hidden card or empty a pile: " + ("; ".join(gains) or "none") + ".")
    lines.append(f"The matching option: {answer}.")
    return QA(question, "\n".join(lines), answer, distractors)


def effective_move(rng, state):
    tab_moves = [(s, d) for s in state.sources() if s[0] == "Tab" for d in state.destinations() if s != d]
    right = [m for m in tab_moves if state.is_effective(m)]
    want_none = rng.random() < NONE_SHARE
    if not right and not want_none:
        raise GiveUp("no valid effective move")
    gold = None
    if not want_none:
        to_foundation = [m for m in right if m[1][0] == "Foundation"]
        to_tab = [m for m in right if m[1][0] == "Tab"]
        pool = to_foundation if to_foundation and (not to_tab or rng.random() < FOUNDATION_GOLD) else to_tab
        gold = rng.choice(pool)
    ineffective = [m for m in tab_moves if state.why_illegal(m) is None and not state.is_effective(m)]
    rng.shuffle(ineffective)
    tabs = [s for s in state.sources() if s[0] == "Tab"]
    moves = fill_options(rng, gold, ineffective, lambda r: random_wrong_move(
        r, tabs, state.destinations(), lambda m: state.why_illegal(m) is None))
    answer = fmt_move(gold) if gold else NO_EFFECTIVE
    question = (intro() + "\n\nA move is effective if it puts a card on a foundation, or if it moves a tableau "
                "pile's top card onto another tableau pile and so reveals the face-down card directly under it or "
                "empties its pile. Only moves from the tableau piles are considered. Which of the following moves is "
                f"both valid and effective? If none of them is, choose \"{NO_EFFECTIVE}\".")
    lines = pile_report(state, beneath=True) + ["Checking each option:"]
    for m in moves:
        reason = state.why_illegal(m)
        if reason is not None:
            lines.append(f"- {fmt_move(m)}: not valid: {reason}.")
        elif m[1][0] == "Foundation":
            lines.append(f"- {fmt_move(m)}: valid and effective: {state.why_legal(m)}, and it moves a card to a "
                         "foundation.")
        elif state.effect(m) == "reveals":
            lines.append(f"- {fmt_move(m)}: valid and effective: {state.why_legal(m)}, and it reveals the face-down "
                         f"card under it in {fmt_place(m[0])}.")
        elif state.effect(m) == "empties":
            lines.append(f"- {fmt_move(m)}: valid and effective: {state.why_legal(m)}, and it empties "
                         f"{fmt_place(m[0])}.")
        else:
            lines.append(f"- {fmt_move(m)}: valid but not effective: {state.why_legal(m)}, but the card under it in "
                         f"{fmt_place(m[0])} is already face up, so nothing is revealed.")
    lines.append(f"The valid and effective move is: {answer}." if gold else
                 f"No listed move is both valid and effective, so the answer is \"{NO_EFFECTIVE}\".")
    return QA(question, "\n".join(lines), answer, options=[fmt_move(m) for m in moves] + [NO_EFFECTIVE],
              given={"moves": sorted(fmt_move(m) for m in moves)})


TASKS = [
    Task(1, "Given the current Klondike board, identify which of the listed moves can be made now, or that none "
         "of them can.", "Target Perception", "Easy", possible_move),
    Task(2, "Given the current Klondike board, choose the combination of three facts (draw and waste piles empty, "
         "a foundation move, an effective tableau move) that correctly explains whether the game is in a deadlock.",
         "State Prediction", "Medium", deadlock),
    Task(3, "Given the current Klondike board, identify which of the listed tableau moves is both valid and "
         "effective (it moves a card to a foundation, reveals a hidden card or empties a pile), or that none is.",
         "Strategy Optimization", "Hard", effective_move),
]

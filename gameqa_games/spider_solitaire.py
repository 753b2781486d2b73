"""Spider Solitaire, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `spider_solitaire`, pattern
recognition and matching, in-domain.

The game. One-suit Spider: 104 cards, 8 copies each of the spades Ace (rank 1), 2 … 10, Jack (11), Queen (12)
and King (13). The tableau has n piles (8, 9, 10 for plot level Easy, Medium, Hard). A move takes one face-up
card together with every card on top of it onto another pile; it is allowed when each of those cards is exactly
one rank below the card under it (a run such as 9, 8, 7) and the other pile is empty or ends in a card one rank
above the moved card. A face-down card left on top of its pile is turned face up. The stock deals one face-up
card onto every pile at once, never while a pile is empty. A complete King-to-Ace run on top of a pile can go to
one of 8 foundations; the game is won when all 8 have one.

The deal (Game-RL's): shuffle, deal 104 − 6n cards face down round robin (card i onto pile i mod n), then one
face-up card onto every pile; the other 5n cards are the stock, 5 deals. Then 0-3 deals (while allowed) and
0-3 random legal moves, each pile offering only its longest movable run, make the board of the question.

Coordinates. Piles are numbered 0 to n − 1 from the left, cards in a pile from 0 for the deepest card (drawn
highest on the screen) up to the top card (drawn lowest, the only card shown whole). The image labels each pile
"pile k" and numbers the card rows down its left edge; every card sits the same 24 px below the one under it,
so one ruler serves every pile. The state is `piles` (n lists of [rank, face_up], card 0 first) and
`stock_count` (cards left in the stock; its deals are stock_count // n), plus each question's parameters.

The tasks are Game-RL's seven (its question ids and descriptions):
  0 deals left in the stock (TP, Easy, fill-in)
  1 the top card of a pile (TP, Easy, fill-in: "Spade 7", "Spade Queen" or "Empty")
  2 face-down cards in all piles (TP, Easy, fill-in)
  3 face-up cards of a pile after m = 0-5 stock clicks (SP, Easy, fill-in)
  4 what happens when card i of pile s is moved onto pile d (SP, Medium, 5 fixed options)
  5 the move that turns over a pile's highest-numbered face-down card (SP, Hard, 8 options)
  6 the best next step by a stated priority (SO, Hard, 8 options)

Deviations from Game-RL:
  1. Task 5's gold moves the whole face-up run above the face-down card: card f + 1 of the pile, f being the
     highest-numbered face-down card. Game-RL moves only the top card, so its gold is wrong whenever more than
     one card covers the face-down card (all three of its example records). When the cards above do not form
     one run, or no pile takes its first card, the answer is "no single move". Among several piles that take
     it, the gold names the lowest-numbered one and no other one is an option.
  2. Task 5's pile is drawn once and the question and the answer speak of it (Game-RL redraws the pile in its
     "no face-down card" branch, so the question can name one pile and the answer another). Half the time it
     is drawn among the piles that one move uncovers (the board is drawn again if there is none): a uniform
     pile needs "no single move" about 85% of the time, an answer a model could learn to guess.
  3. Tasks 5 and 6 word every move option the same way, "Move card i of pile p onto pile q." (Game-RL's gold
     says "the card of pile", its distractors "the i-th card of pile", which gives the answer away). Their
     distractors are distinct, never move a pile onto itself, and are never another right answer: task 5's
     never turn the card over, task 6's are legal moves of strictly fewer cards or illegal moves.
  4. Task 6 states its priority in the question: (1) a complete King-to-Ace run on top of a pile goes to a
     foundation; (2) else the legal move of the most cards, ties to the lowest source pile, then the lowest
     destination pile, moving a whole pile onto an empty pile not counting; (3) else deal. Game-RL asks for
     "the optimal strategy" without saying what makes one optimal. Runs start at face-up cards only (Game-RL's
     search counts face-down ranks); the option names the card number and the analysis the number of cards
     moved (Game-RL calls the card number "number of cards"). A board where no move and no deal is possible
     is drawn again (Game-RL answers "deal" there too, and its empty-pile branch would crash).
  5. Task 4's source pile is never empty (Game-RL's empty pile gives "number -1 card"). Instead, 1 question in
     10 names a card number past the top of the pile, so that E ("no such card") can be the answer; Game-RL
     reaches E only through that -1. The question says to pick the first reason in the list when more than
     one applies (a card can both head a broken run and miss its destination). The options are Game-RL's five
     reasons, in its order, in our words.
  6. Task 3 obeys the dealing rule: a click deals nothing while a pile is empty (Game-RL ignores it). It is
     labelled State Prediction / Easy, as in Game-RL's example data; its code says Target Perception.
  7. Task 0 asks how many deals the stock has left, which is what Game-RL's answer counts; "how many more times
     can it deal" would be 0 while a pile is empty.
  8. The intro text is ours: Game-RL's says moves "must be same suit" and that face-down cards in a moved run
     are flipped, neither of which is a rule of this game.
  9. The image is drawn with simple shapes (blue backs; white faces with the rank and a spade in the corner)
     instead of GIF sprites, with pile labels and a card-number ruler, a uniform 24-px step (Game-RL: 12 px
     for face-down and 25 px for face-up cards, and no labels), a canvas sized to fit the longest pile
     (Game-RL's is 410 px high and cuts long piles off), and the foundation slots beside the stock instead of
     over it. The state has no foundation field: no board of ours has a completed run before its question.
  10. The record's `state` keeps each question's parameters: the pile (tasks 1, 3, 5), the clicks (task 3),
      the card, source and destination (task 4).
  11. Engine-wide (gameqa.py): task 4's fixed list is lettered A-E in its order; task 5's and 6's options are
      shuffled (Game-RL pins "nothing to do" and "no way" to A and B in task 5, "deal" and "foundation" to G and
      H in task 6) and lettered A-H.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

PILES = {"Easy": 8, "Medium": 9, "Hard": 10}  # plot level -> number of piles
COPIES, RANKS = 8, 13                         # 8 copies of the 13 spades: 104 cards
STOCK_DEALS = 5                               # the stock keeps 5n cards
SETUP_DEALS, SETUP_MOVES = 3, 3               # up to this many deals, then moves, before the question
OPTIONS = 8                                   # tasks 5 and 6
RANK_LABEL = {1: "A", 11: "J", 12: "Q", 13: "K"}
RANK_NAME = {1: "Ace", 11: "Jack", 12: "Queen", 13: "King"}


def label(rank):
    return RANK_LABEL.get(rank, str(rank))


def card_name(rank):
    return "Spade " + RANK_NAME.get(rank, str(rank))


# ---------------------------------------------------------------------------------------------------------
# The game: state, moves, deals

class Spider:
    def __init__(self, piles, stock):
        self.piles = tuple(tuple(pile) for pile in piles)  # each a tuple of (rank, face_up), card 0 first
        self.stock = tuple(stock)  # the ranks still in the stock, the next deal's first; hidden from the player

    @property
    def n(self):
        return len(self.piles)

    def deals_left(self):
        return len(self.stock) // self.n

    def can_deal(self):
        return self.deals_left() > 0 and all(self.piles)

    def deal(self):
        if not self.can_deal():
            raise ValueError("the stock cannot deal: it is empty or a pile is empty")
        piles = [pile + ((rank, True),) for pile, rank in zip(self.piles, self.stock)]
        return Spider(piles, self.stock[self.n:])

    def face_down(self, p):
        return sum(not up for _, up in self.piles[p])

    def face_up(self, p):
        return sum(up for _, up in self.piles[p])

    def run_start(self, p):
        """The lowest card number from which the cards up to the top form a face-up run; None for an empty pile."""
        pile = self.piles[p]
        if not pile:
            return None
        i = len(pile) - 1
        while i > 0 and pile[i - 1][1] and pile[i - 1][0] == pile[i][0] + 1:
            i -= 1
        return i

    def accepts(self, p, rank):
        return not self.piles[p] or self.piles[p][-1][0] == rank + 1

    def legal_moves(self):
        """Every (card, source, destination) the rules allow, by source, card, destination."""
        return [(i, s, d) for s in range(self.n) if self.piles[s] for i in range(self.run_start(s), len(self.piles[s]))
                for d in range(self.n) if d != s and self.accepts(d, self.piles[s][i][0])]

    def move(self, card, source, destination):
        """The board after moving card `card` of pile `source` and the cards on it onto pile `destination`."""
        if (card, source, destination) not in self.legal_moves():
            raise ValueError(f"illegal move: card {card} of pile {source} onto pile {destination}")
        piles = [list(pile) for pile in self.piles]
        run, piles[source] = piles[source][card:], piles[source][:card]
        piles[destination] += run
        if piles[source] and not piles[source][-1][1]:
            piles[source][-1] = (piles[source][-1][0], True)  # a face-down card left on top is turned over
        return Spider(piles, self.stock)

    def to_json(self):
        return {"piles": [[[rank, up] for rank, up in pile] for pile in self.piles], "stock_count": len(self.stock)}


def new_state(rng, plot_level):
    n = PILES[plot_level]
    deck = [rank for rank in range(1, RANKS + 1) for _ in range(COPIES)]
    rng.shuffle(deck)
    hidden = COPIES * RANKS - (STOCK_DEALS + 1) * n
    piles = [[] for _ in range(n)]
    for i, rank in enumerate(deck[:hidden]):
        piles[i % n].append((rank, False))
    for p, rank in enumerate(deck[hidden:hidden + n]):
        piles[p].append((rank, True))
    state = Spider(piles, deck[hidden + n:])
    for _ in range(rng.randint(0, SETUP_DEALS)):
        if not state.can_deal():
            break
        state = state.deal()
    for _ in range(rng.randint(0, SETUP_MOVES)):
        moves = [(i, s, d) for i, s, d in state.legal_moves() if i == state.run_start(s)]  # longest runs only
        if not moves:
            break
        state = state.move(*rng.choice(moves))
    return state


def complete_run_pile(state):
    """The lowest pile whose top 13 cards are a face-up King-to-Ace run, or None."""
    whole = [(rank, True) for rank in range(RANKS, 0, -1)]
    return next((p for p, pile in enumerate(state.piles) if list(pile[-RANKS:]) == whole), None)


def counted_moves(state):
    """The legal moves that task 6 weighs: all but moving a whole pile onto an empty pile, which gains nothing."""
    return [(i, s, d) for i, s, d in state.legal_moves() if not (i == 0 and not state.piles[d])]


# ---------------------------------------------------------------------------------------------------------
# The image: stock and foundation slots on top, then the piles with their labels and a card-number ruler.

CARD_W, CARD_H = 64, 88
PITCH = 78            # pile to pile
STEP = 24             # card to card within a pile, face down or up
MARGIN, RULER = 12, 46
TOP = 24              # the stock's and foundations' top edge (their labels sit above)
PILE_LABELS = TOP + CARD_H + 18
PILE_TOP = PILE_LABELS + 18
STOCK_SHIFT, FOUNDATION_PITCH = 20, 72
FOUNDATION_X = MARGIN + CARD_W + (STOCK_DEALS - 1) * STOCK_SHIFT + 40
BACKGROUND, INK = (7, 112, 7), (255, 255, 255)
BACK, BACK_LINE, SLOT = (30, 70, 170), (140, 175, 235), (0, 70, 0)


def spade(draw, cx, cy, size):
    """A spade drawn from shapes (the default font has no ♠): a point up top, two lobes, a stem."""
    s, r = size, size * 0.25
    draw.polygon([(cx, cy - 0.5 * s), (cx - 0.48 * s, cy + 0.05 * s), (cx + 0.48 * s, cy + 0.05 * s)], fill="black")
    for dx in (-0.24, 0.24):
        draw.ellipse((cx + dx * s - r, cy + 0.1 * s - r, cx + dx * s + r, cy + 0.1 * s + r), fill="black")
    draw.polygon([(cx, cy), (cx - 0.18 * s, cy + 0.5 * s), (cx + 0.18 * s, cy + 0.5 * s)], fill="black")


def draw_back(draw, x, y):
    draw.rounded_rectangle((x, y, x + CARD_W, y + CARD_H), radius=6, fill=BACK, outline="white", width=2)
    draw.rounded_rectangle((x + 5, y + 5, x + CARD_W - 5, y + CARD_H - 5), radius=4, outline=BACK_LINE, width=1)


def draw_face(draw, x, y, rank, corner_font, top):
    draw.rounded_rectangle((x, y, x + CARD_W, y + CARD_H), radius=6, fill="white", outline="black", width=2)
    text = label(rank)
    draw.text((x + 5, y + 3), text, fill="black", font=corner_font)
    spade(draw, x + 5 + corner_font.getlength(text) + 9, y + 11, 12)
    if top:  # only the top card is seen whole
        spade(draw, x + CARD_W / 2, y + CARD_H / 2 + 8, 30)


def draw_slot(draw, x, y, text=None, text_font=None):
    draw.rounded_rectangle((x, y, x + CARD_W, y + CARD_H), radius=6, outline=SLOT, width=3)
    if text:
        draw.text((x + CARD_W / 2, y + CARD_H / 2), text, fill=INK, font=text_font, anchor="mm")


def pile_x(p):
    return MARGIN + RULER + p * PITCH


def render(state):
    longest = max(1, max(len(pile) for pile in state.piles))
    width = max(pile_x(state.n - 1) + CARD_W + MARGIN, FOUNDATION_X + 7 * FOUNDATION_PITCH + CARD_W + MARGIN)
    height = PILE_TOP + (longest - 1) * STEP + CARD_H + MARGIN
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    small, corner, labels = font(13), font(17), font(15)

    draw.text((MARGIN, 5), "Stock", fill=INK, font=labels)
    if state.deals_left():
        for k in range(state.deals_left()):  # one card back per deal left
            draw_back(draw, MARGIN + k * STOCK_SHIFT, TOP)
    else:
        draw_slot(draw, MARGIN, TOP, "Empty", small)
    draw.text((FOUNDATION_X, 5), "Foundations", fill=INK, font=labels)
    for k in range(COPIES):
        draw_slot(draw, FOUNDATION_X + k * FOUNDATION_PITCH, TOP)

    draw.text((MARGIN, PILE_LABELS), "card", fill=INK, font=labels, anchor="lm")
    for i in range(longest):
        draw.text((MARGIN + RULER / 2 - 4, PILE_TOP + i * STEP + STEP / 2), str(i), fill=INK, font=labels, anchor="mm")
    for p, pile in enumerate(state.piles):
        x = pile_x(p)
        draw.text((x + CARD_W / 2, PILE_LABELS), f"pile {p}", fill=INK, font=labels, anchor="mm")
        if not pile:
            draw_slot(draw, x, PILE_TOP, "empty", small)
        for i, (rank, up) in enumerate(pile):
            if up:
                draw_face(draw, x, PILE_TOP + i * STEP, rank, corner, top=(i == len(pile) - 1))
            else:
                draw_back(draw, x, PILE_TOP + i * STEP)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n = state.n
    return ("**Rules:**\n"
            f"1. This is one-suit Spider Solitaire: 104 cards, 8 copies each of the spades Ace (rank 1), 2 to 10, "
            f"Jack (11), Queen (12) and King (13). The image shows the stock at the top left, the 8 foundation slots "
            f"to its right, and below them {n} piles of cards.\n"
            f"2. Piles are numbered 0 to {n - 1} from left to right, as the labels above them say. The cards of a "
            "pile are numbered from 0: card 0 is the deepest card, drawn highest on the screen, and the numbers "
            "grow down the screen to the pile's top card, which is drawn lowest and is the only card shown whole. "
            "The numbers down the left edge of the image give each card row's number.\n"
            "3. A face-down card shows a blue back; a face-up card shows its rank (A, 2-10, J, Q, K) and a spade "
            "in its top-left corner. When a face-down card becomes the top card of its pile, it is turned face up.\n"
            "4. A move takes one face-up card together with every card on top of it onto another pile. It is "
            "allowed only if each card on top of the moved card is exactly one rank below the card under it (a "
            "run such as 9, 8, 7) and the other pile is empty or its top card is exactly one rank above the moved "
            "card.\n"
            "5. Clicking the stock deals one face-up card onto every pile. Each card back in the stock is one "
            "deal left. A click does nothing when the stock is empty or while any pile is empty.\n"
            "6. A complete run from King down to Ace on top of a pile can be moved to a foundation; the game is "
            "won when all 8 foundations hold one.\n\n"
            "**Question:** ")


def ordinal(k):
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def plural(k, noun):
    return f"{k} {noun}{'' if k == 1 else 's'}"


def describe(state, p):
    """Pile p in words: its face-down count and its face-up ranks, card 0 first."""
    pile = state.piles[p]
    if not pile:
        return f"Pile {p} is empty"
    up = ", ".join(label(rank) for rank, face_up in pile if face_up)
    return f"Pile {p} has {plural(state.face_down(p), 'face-down card')}, then face up: {up}"


def move_text(card, source, destination):
    return f"Move card {card} of pile {source} onto pile {destination}."


def remaining_deals(rng, state):
    k = state.deals_left()
    question = (intro(state) + "How many deals does the stock have left? Each deal puts one card on each of the "
                f"{state.n} piles.")
    if k:
        analysis = (f"The stock at the top left shows {plural(k, 'card back')}, one per deal left, so it has {k} "
                    f"{'deal' if k == 1 else 'deals'} of {state.n} cards left ({len(state.stock)} cards).")
    else:
        analysis = "The stock slot at the top left is marked Empty: no deals are left."
    return QA(question, analysis, str(k))


def top_card(rng, state):
    p = rng.randrange(state.n)
    pile = state.piles[p]
    question = (intro(state) + f"Which card is on top of pile {p}? Answer with the suit and the rank's name, "
                'such as "Spade 7" or "Spade Queen", or "Empty" if the pile has no cards.')
    if not pile:
        return QA(question, f"Pile {p} has no cards.", "Empty", given={"pile": p})
    gold = card_name(pile[-1][0])
    analysis = (f"Pile {p} is the {ordinal(p + 1)} pile from the left. Its top card, drawn lowest and shown whole, "
                f"is card {len(pile) - 1}, the {RANK_NAME.get(pile[-1][0], pile[-1][0])} of spades: {gold}.")
    return QA(question, analysis, gold, given={"pile": p})


def face_down_total(rng, state):
    counts = [state.face_down(p) for p in range(state.n)]
    question = intro(state) + "How many face-down cards are there in all the piles together?"
    analysis = ("Counting the blue backs pile by pile: "
                + ", ".join(f"pile {p} has {c}" for p, c in enumerate(counts))
                + f". In all: {' + '.join(map(str, counts))} = {sum(counts)}.")
    return QA(question, analysis, str(sum(counts)))


def face_up_after_clicks(rng, state):
    clicks, p = rng.randint(0, 5), rng.randrange(state.n)
    now, deals = state.face_up(p), state.deals_left()
    empty = [q for q in range(state.n) if not state.piles[q]]
    dealt = 0 if empty else min(clicks, deals)  # dealing only adds cards, so a deal never empties a pile
    gold = now + dealt
    question = (intro(state) + f"If I click the stock {plural(clicks, 'time')}, how many face-up cards will "
                f"pile {p} have?")
    lines = [f"Pile {p} has {plural(now, 'face-up card')} now. The stock has {plural(deals, 'deal')} left."]
    if empty and clicks:
        lines.append(f"Pile {empty[0]} is empty, so a click deals nothing: the stock cannot deal.")
    elif clicks:
        lines.append(f"Of the {plural(clicks, 'click')}, {dealt} can deal, each adding one face-up card to pile {p}"
                     + ("." if dealt == clicks else "; then the stock is empty, and " +
                        ("the last click does" if clicks - dealt == 1 else f"the last {clicks - dealt} clicks do") +
                        " nothing."))
    lines.append(f"So pile {p} will have {now} + {dealt} = {plural(gold, 'face-up card')}.")
    return QA(question, "\n".join(lines), str(gold), given={"pile": p, "clicks": clicks})


MOVE_OUTCOMES = [
    "The move succeeds: the card and the cards on it go onto the other pile.",
    "The move is not allowed: the card is face down.",
    "The move is not allowed: the cards on top of it do not go down one rank at a time from it.",
    "The move is not allowed: the other pile's top card is not exactly one rank above this card.",
    "The move is not allowed: the pile has no card with that number.",
]


def move_outcome(rng, state):
    s = rng.choice([p for p in range(state.n) if state.piles[p]])  # deviation 5: never an empty source
    pile = state.piles[s]
    up = [i for i, (_, face_up) in enumerate(pile) if face_up]
    down = [i for i, (_, face_up) in enumerate(pile) if not face_up]
    if rng.random() < 0.1:
        i = len(pile) + rng.randint(0, 2)  # past the top: "no such card"
    elif rng.random() < 0.2 and down:
        i = rng.choice(down)
    else:
        i = rng.choice(up)
    others = [p for p in range(state.n) if p != s]
    fits = [p for p in others if i < len(pile) and state.accepts(p, pile[i][0])]
    d = rng.choice(fits) if fits and rng.random() < 0.75 else rng.choice(others)

    question = (intro(state) + f"What happens if I try to move card {i} of pile {s}, with the cards on top of it, "
                f"onto pile {d}? If more than one reason stops the move, choose the first of them in the list.")
    note = (f"(Pile {s} is the {ordinal(s + 1)} pile from the left and pile {d} the {ordinal(d + 1)}"
            + (f"; card {i} of pile {s} is its {ordinal(i + 1)} card counting from the deepest one, card 0, drawn "
               "highest.)" if i < len(pile) else ".)"))
    if i >= len(pile):
        gold = 4
        why = f"Pile {s} has {plural(len(pile), 'card')}, numbered 0 to {len(pile) - 1}: there is no card {i}."
    elif not pile[i][1]:
        gold = 1
        why = f"Card {i} of pile {s} shows a blue back: it is face down, and face-down cards cannot be moved."
    else:
        rank = pile[i][0]
        above = [r for r, _ in pile[i:]]
        bad = next((j for j in range(1, len(above)) if above[j] != above[j - 1] - 1), None)
        run = ", ".join(label(r) for r in above)
        if bad is not None:
            gold = 2
            why = (f"Card {i} of pile {s} is the {label(rank)}, and the cards from it to the top are {run}. Card "
                   f"{i + bad}, the {label(above[bad])}, is not one rank below the {label(above[bad - 1])} under it, "
                   "so these cards are not a run and cannot move together.")
        else:
            lead = (f"Card {i} of pile {s} is the {label(rank)}, face up, and " +
                    (f"the cards from it to the top, {run}, go down one rank at a time." if len(above) > 1
                     else "it is the top card."))
            if not state.piles[d]:
                gold, why = 0, lead + f" Pile {d} is empty, so it takes any card: the move succeeds."
            elif state.piles[d][-1][0] == rank + 1:
                gold, why = 0, lead + (f" Pile {d}'s top card is the {label(rank + 1)}, one rank above the "
                                       f"{label(rank)}: the move succeeds.")
            elif rank == RANKS:
                gold, why = 3, lead + (f" Pile {d}'s top card is the {label(state.piles[d][-1][0])}, and only an "
                                       "empty pile takes a King: the move is not allowed.")
            else:
                gold, why = 3, lead + (f" Pile {d}'s top card is the {label(state.piles[d][-1][0])}, not the "
                                       f"{label(rank + 1)}: the move is not allowed.")
    return QA(question, f"{why}\n{note}", MOVE_OUTCOMES[gold], options=MOVE_OUTCOMES,
              given={"card": i, "source": s, "destination": d})


NO_FACE_DOWN = "Nothing needs to be done: the pile has no face-down card."
NO_SINGLE_MOVE = "No single move can turn it over now."


def wrong_moves(rng, state, right, k, near_pile=None, near_from=0, prefer=()):
    """k distinct moves, none in `right`, none onto its own pile, each starting at a face-up card or the
    face-down card just under the face-up ones: first up to 2 of `prefer`, then up to 3 from pile `near_pile`
    at card `near_from` or above, then any."""
    def starts(s):
        pile = state.piles[s]
        first_up = next((i for i, (_, up) in enumerate(pile) if up), len(pile))
        return range(max(0, first_up - 1), len(pile))
    pool = [(i, s, d) for s in range(state.n) for i in starts(s) for d in range(state.n)
            if d != s and (i, s, d) not in right]
    chosen = rng.sample(sorted(prefer), min(2, len(prefer), k))
    near = [m for m in pool if m[1] == near_pile and m[0] >= near_from and m not in chosen]
    chosen += rng.sample(near, min(3, len(near), k - len(chosen)))
    rest = [m for m in pool if m not in chosen]
    chosen += rng.sample(rest, k - len(chosen))
    return [move_text(*m) for m in chosen]


def revealable(state, p):
    """Whether one move turns over pile p's highest-numbered face-down card: the cards above it form one run
    and some other pile takes it."""
    down = [i for i, (_, up) in enumerate(state.piles[p]) if not up]
    if not down or state.run_start(p) != down[-1] + 1:
        return False
    return any(q != p and state.accepts(q, state.piles[p][down[-1] + 1][0]) for q in range(state.n))


def reveal_move(rng, state):
    if rng.random() < 0.5:  # deviation 2: half the questions are about a pile that one move uncovers
        piles = [p for p in range(state.n) if revealable(state, p)]
        if not piles:
            raise GiveUp("no pile can be uncovered by one move")
        p = rng.choice(piles)
    else:
        p = rng.randrange(state.n)
    pile = state.piles[p]
    question = (intro(state) + f"Which single move turns over the highest-numbered face-down card of pile {p}, the "
                "one just under its face-up cards?")
    down = [i for i, (_, up) in enumerate(pile) if not up]
    if not down:
        analysis = (f"Pile {p} is empty" if not pile else f"Pile {p} holds only face-up cards "
                    f"({', '.join(label(rank) for rank, _ in pile)})") + ": there is no face-down card to turn over."
        wrong = [NO_SINGLE_MOVE] + wrong_moves(rng, state, set(), OPTIONS - 2, near_pile=p)
        return QA(question, analysis, NO_FACE_DOWN, wrong, {"pile": p})
    f = down[-1]
    above = [rank for rank, _ in pile[f + 1:]]
    covering = (f"card {f + 1} (the {label(above[0])}) covers it, and a move must take it" if len(above) == 1 else
                f"cards {f + 1} to {len(pile) - 1} ({', '.join(map(label, above))}) cover it, and one move must take "
                "them all")
    lines = [describe(state, p) + f". Its highest-numbered face-down card is card {f}; {covering}."]
    targets = []
    if state.run_start(p) != f + 1:
        lines.append("They do not go down one rank at a time, so they cannot move together.")
    else:
        need = f"an empty pile or a pile topped by the {label(above[0] + 1)}" if above[0] < RANKS else "an empty pile"
        targets = [q for q in range(state.n) if q != p and state.accepts(q, above[0])]
        tops = ", ".join(f"pile {q}: {label(state.piles[q][-1][0]) if state.piles[q] else 'empty'}"
                         for q in range(state.n) if q != p)
        lines.append(f"{'It is' if len(above) == 1 else 'They form'} a run headed by the {label(above[0])}, which "
                     f"needs {need}. Top cards of the other piles: {tops}.")
    right = {(f + 1, p, q) for q in targets}
    if targets:
        t = targets[0]
        more = f" (the lowest-numbered of piles {', '.join(map(str, targets))})" if len(targets) > 1 else ""
        lines.append(f"Pile {t}{more} takes the run: move card {f + 1} of pile {p} onto pile {t}, and card {f} "
                     "is turned face up.")
        gold = move_text(f + 1, p, t)
        wrong = [NO_FACE_DOWN, NO_SINGLE_MOVE] + wrong_moves(rng, state, right, OPTIONS - 3, near_pile=p, near_from=f)
    else:
        if state.run_start(p) == f + 1:
            lines.append("No pile takes it.")
        lines.append(f"So no single move turns card {f} over now.")
        gold = NO_SINGLE_MOVE
        wrong = [NO_FACE_DOWN] + wrong_moves(rng, state, right, OPTIONS - 2, near_pile=p, near_from=f)
    return QA(question, "\n".join(lines), gold, wrong, {"pile": p})


DEAL = "Deal a new row of cards from the stock."


def to_foundation(p):
    return f"Move the King-to-Ace run on top of pile {p} to a foundation."


def best_step(rng, state):
    question = (intro(state) + "Which is the best next step, by this priority? (1) If a pile ends in a complete "
                "run from King down to Ace, move that run to a foundation. (2) Otherwise make the allowed move that "
                "moves the most cards, moving a whole pile onto an empty pile not counting as a move here; if "
                "several move equally many, take the one from the lowest-numbered pile, then the one onto the "
                "lowest-numbered pile. (3) Otherwise deal from the stock.")
    full = complete_run_pile(state)
    moves = counted_moves(state)
    size = lambda m: len(state.piles[m[1]]) - m[0]
    if full is not None:
        analysis = f"(1) Pile {full}'s top 13 cards run from King down to Ace: that run goes to a foundation first."
        others = [to_foundation(q) for q in range(state.n) if q != full]  # wrong pile: only `full` holds a run
        wrong = [DEAL, rng.choice(others)] + wrong_moves(rng, state, set(), OPTIONS - 3, prefer=moves)
        return QA(question, analysis, to_foundation(full), wrong)
    lines = ["(1) No pile ends in a complete King-to-Ace run."]
    if moves:
        best = min(moves, key=lambda m: (-size(m), m[1], m[2]))
        listed = "; ".join(f"card {i} of pile {s} (the {label(state.piles[s][i][0])}, moving "
                           f"{plural(size((i, s, d)), 'card')}) onto pile {d}" for i, s, d in moves)
        lines.append(f"(2) The allowed moves: {listed}.")
        i, s, d = best
        lines.append(f"The most cards moved is {size(best)}; the first such move by source pile, then destination "
                     f"pile, is card {i} of pile {s} onto pile {d}.")
        right = set(state.legal_moves())  # kept out of the random pool; the shorter moves come back as `worse`
        worse = [m for m in moves if size(m) < size(best)]
        wrong = [DEAL, to_foundation(rng.randrange(state.n))]
        wrong += wrong_moves(rng, state, right, OPTIONS - 3, prefer=worse)
        return QA(question, "\n".join(lines), move_text(*best), wrong)
    if not state.can_deal():
        raise GiveUp("no move and no deal: nothing to choose")
    lines.append("(2) No move is allowed: no face-up run, or top part of one, has an empty pile or a card one rank "
                 "above its first card to go onto.")
    lines.append(f"(3) The stock has {plural(state.deals_left(), 'deal')} left and no pile is empty: deal.")
    wrong = [to_foundation(rng.randrange(state.n))] + wrong_moves(rng, state, set(state.legal_moves()), OPTIONS - 2)
    return QA(question, "\n".join(lines), DEAL, wrong)


TASKS = [
    Task(0, "Remaining deals in the stockpile", "Target Perception", "Easy", remaining_deals),
    Task(1, "Identify a card of a waste pile", "Target Perception", "Easy", top_card),
    Task(2, "Count face-down cards in all waste piles", "Target Perception", "Easy", face_down_total),
    Task(3, "Simulate click stockpile", "State Prediction", "Easy", face_up_after_clicks),
    Task(4, "Predict card move result", "State Prediction", "Medium", move_outcome),
    Task(5, "Reveal face-down card strategy", "State Prediction", "Hard", reveal_move),
    Task(6, "Optimal card move selection", "Strategy Optimization", "Hard", best_step),
]

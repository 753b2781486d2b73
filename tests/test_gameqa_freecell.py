"""FreeCell: the task table, the deals, and every task's gold re-derived from the record's `state` by a rules
engine written here (a list of every legal move, built from the rules as the prompt states them, and a separate
move simulator), not the module's; the module's engine is also checked against it on played-out positions."""
import json
import random
import re
from io import BytesIO

import gameqa
import rewards
from gameqa_games import freecell
from gameqa_testing import gold

LEVELS = ("Easy", "Medium", "Hard")
SEEDS = range(120)  # spread over the plot levels: seed % 3
SUITS = ("Heart", "Diamond", "Club", "Spade")
NAMES = {1: "A", 11: "J", 12: "Q", 13: "K"}
CARD = re.compile(r"\((Heart|Diamond|Club|Spade), (A|[2-9]|10|J|Q|K)\)")
MOVE = re.compile(r"Move (\(\w+, \w+\)) from (Cascade|FreeCell) (\d) to (Cascade|FreeCell|Foundation) (\w+)")


def sample(qid, seed, render=False):
    return gameqa.sample_task("freecell", qid, seed, LEVELS[seed % 3], render=render)


def text(card):
    suit, rank = card
    return f"({suit}, {NAMES.get(rank, str(rank))})"


def red(card):
    return card[0] in ("Heart", "Diamond")


def position(state):
    """(cascades, free cells, foundations) from a record's state, as plain tuples and lists."""
    cascades = [[tuple(c) for c in pile] for pile in state["cascades"]]
    cells = [tuple(c) if c else None for c in state["free_cells"]]
    foundations = {s: [tuple(c) for c in state["foundations"][s]] for s in SUITS}
    return cascades, cells, foundations


def legal_moves(cascades, cells, foundations):
    """Every legal single-card move as its option text, straight from the rules: a movable card is a cascade's
    last card or a free cell's card; it may go into an empty free cell, onto its own suit's foundation if it is
    the next rank (an Ace on an empty one), onto a cascade whose last card is the other colour and one rank
    higher, or onto an empty cascade."""
    movable = [(pile[-1], f"Cascade {i}") for i, pile in enumerate(cascades) if pile]
    movable += [(card, f"FreeCell {j}") for j, card in enumerate(cells) if card]
    out = set()
    for card, src in movable:
        for j, held in enumerate(cells):
            if held is None and src != f"FreeCell {j}":
                out.add(f"Move {text(card)} from {src} to FreeCell {j}")
        if len(foundations[card[0]]) == card[1] - 1:  # foundations fill A, 2, 3, … in order
            out.add(f"Move {text(card)} from {src} to Foundation {card[0]}")
        for i, pile in enumerate(cascades):
            if src == f"Cascade {i}":
                continue
            if not pile or (red(pile[-1]) != red(card) and pile[-1][1] == card[1] + 1):
                out.add(f"Move {text(card)} from {src} to Cascade {i}")
    return out


def play(cascades, cells, foundations, option):
    """Carry out a move given as option text (assumed legal): a new (cascades, cells, foundations)."""
    m = MOVE.fullmatch(option)
    card = card_of(m[1])
    cascades, cells = [list(p) for p in cascades], list(cells)
    foundations = {s: list(p) for s, p in foundations.items()}
    if m[2] == "Cascade":
        assert cascades[int(m[3])].pop() == card
    else:
        assert cells[int(m[3])] == card
        cells[int(m[3])] = None
    if m[4] == "Cascade":
        cascades[int(m[5])].append(card)
    elif m[4] == "FreeCell":
        cells[int(m[5])] = card
    else:
        foundations[m[5]].append(card)
    return cascades, cells, foundations


def card_of(option):
    m = CARD.fullmatch(option)
    assert m, option
    return m[1], {"A": 1, "J": 11, "Q": 12, "K": 13}.get(m[2]) or int(m[2])


# ---------------------------------------------------------------------------------------------------------
# The table and the deals

def test_task_table_matches_game_rl():
    table = {t.question_id: (t.qa_type, t.qa_level) for t in freecell.TASKS}
    assert table == {1: ("Target Perception", "Easy"), 2: ("State Prediction", "Medium"),
                     3: ("State Prediction", "Hard")}
    assert "valid according to FreeCell rules" in freecell.TASKS[1].description
    for qid, n_options in ((1, 8), (2, 4), (3, 8)):  # every task: multiple choice, shuffled
        for seed in range(3):
            assert len(sample(qid, seed)["options"]) == n_options


def test_deals_pile_sizes_and_images():
    sizes = {"Easy": [7, 7, 7, 7, 6, 6, 6, 6], "Medium": [9, 9, 9, 9, 8, 8], "Hard": [13] * 4}
    assert freecell.CASCADES == {"Easy": 8, "Medium": 6, "Hard": 4}
    for level, expected in sizes.items():
        for seed in range(20):
            state = freecell.new_state(random.Random(seed), level).to_json()
            cascades, cells, foundations = position(state)
            assert [len(p) for p in cascades] == expected
            deck = [c for p in cascades for c in p]
            assert sorted(deck) == sorted((s, r) for s in SUITS for r in range(1, 14))  # one full deck
            assert cells == [None] * 4 and all(not p for p in foundations.values())  # a fresh deal
        image = freecell.render(freecell.new_state(random.Random(0), level))
        assert image.mode == "RGB" and image.size[0] <= 900 and image.size[1] <= 900


def test_same_seed_same_bytes():
    for qid in (1, 2, 3):
        a, b = sample(qid, 5, render=True), sample(qid, 5, render=True)
        pngs = []
        for s in (a, b):
            buf = BytesIO()
            s["images"][0].save(buf, format="PNG")
            pngs.append(buf.getvalue())
        assert pngs[0] == pngs[1]
        assert json.dumps({**a, "images": []}, sort_keys=True) == json.dumps({**b, "images": []}, sort_keys=True)


def test_gold_letter_scores_and_prompt_defines_top():
    for t in freecell.TASKS:
        s = sample(t.question_id, 7)
        assert rewards.score_gameqa(f"Reasoning...\nThe answer is {s['answer']}", s)["accuracy"] == 1
        assert "the 1st card is that top card" in s["prompt"] and "drawn lowest" in s["prompt"]
        assert not re.search(r"\((Heart|Diamond|Club|Spade), ?(1|11|12|13)\)", s["prompt"])  # letters, not 1/11/12/13


# ---------------------------------------------------------------------------------------------------------
# The module's rules engine against this file's, on positions with cards in free cells and foundations

def test_rules_engine_agrees_on_played_out_positions():
    rng = random.Random(0)
    seen_foundation = seen_cell = seen_empty = 0
    for game in range(30):
        state = freecell.new_state(rng, LEVELS[game % 3])
        cascades, cells, foundations = position(state.to_json())
        for _ in range(40):
            mine = legal_moves(cascades, cells, foundations)
            theirs = {freecell.fmt_move(m) for m in state.legal_moves()}
            assert theirs == mine
            for _ in range(10):  # random moves, legal or not: why_illegal says None exactly for the legal ones
                m = freecell.random_triple(rng, state)
                assert (state.why_illegal(m) is None) == (freecell.fmt_move(m) in mine)
            if not mine:
                break
            option = rng.choice(sorted(mine))
            state = state.move(next(m for m in state.legal_moves() if freecell.fmt_move(m) == option))
            cascades, cells, foundations = play(cascades, cells, foundations, option)
            assert position(state.to_json()) == (cascades, cells, foundations)
            seen_foundation += any(foundations.values())
            seen_cell += any(cells)
            seen_empty += any(not p for p in cascades)
    assert seen_foundation and seen_cell and seen_empty  # the odd cases of the rules were exercised


def test_each_foundation_takes_only_its_suit():
    state = freecell.FreeCell([[("Club", 5), ("Diamond", 1)], [("Heart", 1)]])
    ace = (("Diamond", 1), ("Cascade", 0))
    assert state.why_illegal((*ace, ("Foundation", "Diamond"))) is None
    for suit in ("Heart", "Club", "Spade"):  # Game-RL accepts any Ace on any empty foundation
        assert f"takes only {suit} cards" in state.why_illegal((*ace, ("Foundation", suit)))


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_task1_card_at_position():
    for seed in SEEDS:
        s = sample(1, seed)
        cascades, _, _ = position(s["state"])
        k, n = s["state"]["pile"], s["state"]["n"]
        pile = cascades[k]
        assert 1 <= n <= len(pile)
        assert f"the {n}" in s["prompt"] and f"from the top of Cascade {k}?" in s["prompt"]
        assert gold(s) == text(pile[-n])  # counted from the last dealt card
        cards = [card_of(o) for o in s["options"]]
        assert all(c in [x for p in cascades for x in p] for c in cards)  # every option is a card of the deal
        assert sum(c in pile for c in cards) == 1 + min(3, len(pile) - 1)  # the gold and 3 more of its cascade


def test_task2_exactly_one_legal_move():
    kinds = []
    for seed in SEEDS:
        s = sample(2, seed)
        legal = legal_moves(*position(s["state"]))
        assert [o for o in s["options"] if o in legal] == [gold(s)]  # the gold is legal, no distractor is
        assert all(MOVE.fullmatch(o) for o in s["options"])
        stored = sorted(freecell.fmt_move(((m["card"][0], m["card"][1]), tuple(m["from"]), tuple(m["to"])))
                        for m in s["state"]["moves"])
        assert stored == sorted(s["options"])
        kinds.append(MOVE.fullmatch(gold(s))[4])
    assert kinds.count("FreeCell") <= 0.7 * len(kinds)  # uniform over all legal moves would give ~90 %
    assert kinds.count("Foundation") >= 10 and kinds.count("Cascade") >= 10


def test_task3_top_card_after_move():
    for seed in SEEDS:
        s = sample(3, seed)
        cascades, cells, foundations = position(s["state"])
        m = s["state"]["move"]
        option = (f"Move {text(tuple(m['card']))} from {m['from'][0]} {m['from'][1]} to {m['to'][0]} "
                  f"{m['to'][1]}")
        assert m["from"][0] == "Cascade" and option in legal_moves(cascades, cells, foundations)
        k = m["from"][1]
        assert len(cascades[k]) >= 2 and f"which card is the top card of Cascade {k}?" in s["prompt"]
        after, _, _ = play(cascades, cells, foundations, option)
        assert gold(s) == text(after[k][-1]) == text(cascades[k][-2])
        assert text(tuple(m["card"])) in s["options"]  # the trap: the card that left
        landed = {"FreeCell": "now sits in", "Foundation": "now lies on", "Cascade": "is now the top card of"}
        assert f"{landed[m['to'][0]]} {m['to'][0]} {m['to'][1]}" in s["analysis"]

"""Spider Solitaire: the task table, the deal, and every task's answer re-derived from the record's `state` by
code written here: a rules check that tests each (card, source, destination) against the rules as stated, a
move that is simulated card by card, clicks simulated one at a time, and the reasons of task 4 all evaluated
before the first is picked. The image is checked pixel by pixel against the piles and the stock."""
import io
import json
import random
import re

import pytest

import gameqa
import rewards
from gameqa_games import spider_solitaire
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
PILES = {"Easy": 8, "Medium": 9, "Hard": 10}
FACE_DOWN_AT_START = {8: [7] * 8, 9: [6] * 5 + [5] * 4, 10: [5] * 4 + [4] * 6}
NAMES = {1: "Ace", 11: "Jack", 12: "Queen", 13: "King"}
MOVE = re.compile(r"Move card (\d+) of pile (\d+) onto pile (\d+)\.")

# question_id: (qa_type, qa_level, form); form is "fill-in", "fixed 5" or "8 options"
TABLE = {0: ("Target Perception", "Easy", "fill-in"), 1: ("Target Perception", "Easy", "fill-in"),
         2: ("Target Perception", "Easy", "fill-in"), 3: ("State Prediction", "Easy", "fill-in"),
         4: ("State Prediction", "Medium", "fixed 5"), 5: ("State Prediction", "Hard", "8 options"),
         6: ("Strategy Optimization", "Hard", "8 options")}
DESCRIPTIONS = {0: "Remaining deals in the stockpile", 1: "Identify a card of a waste pile",
                2: "Count face-down cards in all waste piles", 3: "Simulate click stockpile",
                4: "Predict card move result", 5: "Reveal face-down card strategy", 6: "Optimal card move selection"}


def sample(qid, seed, render=False):
    return gameqa.sample_task("spider_solitaire", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


# ---------------------------------------------------------------------------------------------------------
# An independent rules check: piles as lists of (rank, face_up), card 0 first.

def piles_of(state):
    return [[(rank, up) for rank, up in pile] for pile in state["piles"]]


def allowed(piles, card, source, destination):
    """The move rule as the intro states it, checked from scratch."""
    pile = piles[source]
    if source == destination or not 0 <= card < len(pile):
        return False
    moved = pile[card:]
    if not all(up for _, up in moved):
        return False
    if any(moved[k + 1][0] != moved[k][0] - 1 for k in range(len(moved) - 1)):
        return False
    target = piles[destination]
    return not target or target[-1][0] == moved[0][0] + 1


def all_allowed(piles):
    n = len(piles)
    return {(i, s, d) for s in range(n) for i in range(len(piles[s])) for d in range(n) if allowed(piles, i, s, d)}


def after(piles, card, source, destination):
    """Carry the cards over one at a time, then turn over a face-down top card."""
    piles = [list(p) for p in piles]
    carried = []
    while len(piles[source]) > card:
        carried.append(piles[source].pop())
    while carried:
        piles[destination].append(carried.pop())
    if piles[source] and not piles[source][-1][1]:
        piles[source][-1] = (piles[source][-1][0], True)
    return piles


def check_board(state, level):
    """A board Game-RL's deal can make: the level's pile count, the 104 cards, face-down cards only under
    face-up ones, 2-5 deals left (0-3 dealt), and no more than 3 cards turned over since the deal."""
    piles, n = piles_of(state), PILES[level]
    assert len(piles) == n and state["stock_count"] % n == 0 and 2 <= state["stock_count"] // n <= 5
    ranks = [rank for pile in piles for rank, _ in pile]
    assert len(ranks) + state["stock_count"] == 104 and all(ranks.count(r) <= 8 for r in range(1, 14))
    for p, pile in enumerate(piles):
        ups = [up for _, up in pile]
        assert ups == sorted(ups), p  # face down first, then face up
        assert not pile or pile[-1][1]
        assert ups.count(False) <= FACE_DOWN_AT_START[n][p]
    down = sum(not up for pile in piles for _, up in pile)
    assert sum(FACE_DOWN_AT_START[n]) - 3 <= down <= sum(FACE_DOWN_AT_START[n])


# ---------------------------------------------------------------------------------------------------------
# The table, the levels, the rules engine, the image

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["spider_solitaire"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, form) in TABLE.items():
        task = tasks[qid]
        assert (task.qa_type, task.qa_level, task.description) == (qa_type, qa_level, DESCRIPTIONS[qid])
        fixed = None
        for seed in range(6):
            s = sample(qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}
            if form == "fill-in":
                assert "options" not in s
            elif form == "fixed 5":
                assert len(s["options"]) == 5 and s["options"] == (fixed or s["options"])
                fixed = s["options"]
            else:
                assert len(s["options"]) == 8


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_plot_levels_deal_game_rl_boards(level):
    for seed in range(40):
        check_board(gameqa.sample_task("spider_solitaire", 2, seed, level, render=False)["state"], level)


def test_the_modules_moves_follow_the_rules():
    """On random boards, the module's legal moves are exactly the moves the rules allow, and its move() gives
    the board the card-by-card simulation gives."""
    for seed in range(60):
        rng = random.Random(seed)
        state = spider_solitaire.new_state(rng, gameqa.LEVELS[seed % 3])
        piles = piles_of(state.to_json())
        legal = all_allowed(piles)
        assert set(state.legal_moves()) == legal
        for m in sorted(legal):
            assert piles_of(state.move(*m).to_json()) == after(piles, *m)
        with pytest.raises(ValueError):
            state.move(0, 0, 1)  # card 0 is face down on every dealt board


def stock_backs(image, deals):
    """The stock's card backs: each one's white left edge sits 20 px right of the last (the stock at x = 12)."""
    white = (255, 255, 255)
    return all(image.getpixel((12 + 20 * k, 24 + 44)) == white for k in range(deals)) and \
        image.getpixel((12 + 20 * deals + 1, 24 + 44)) != white


def test_image_shows_the_state_and_same_seed_same_bytes():
    """Pile p's card i fills the 24-px strip at x = 58 + 78p, y = 148 + 24i: blue if face down, white if up."""
    for seed, level in enumerate(gameqa.LEVELS * 2):
        for qid in (1, 5):
            a, b = (gameqa.sample_task("spider_solitaire", qid, seed, level) for _ in range(2))
            pngs = []
            for s in (a, b):
                buffer = io.BytesIO()
                s["images"][0].save(buffer, format="PNG")
                pngs.append(buffer.getvalue())
            assert pngs[0] == pngs[1]
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
            image, piles = a["images"][0], piles_of(a["state"])
            assert max(image.size) <= 900
            assert stock_backs(image, a["state"]["stock_count"] // len(piles))
            for p, pile in enumerate(piles):
                for i, (_, up) in enumerate(pile):
                    pixel = image.getpixel((58 + 78 * p + 64 - 8, 148 + 24 * i + 12))
                    assert pixel == ((255, 255, 255) if up else (30, 70, 170)), (p, i)
                below = image.getpixel((58 + 78 * p + 32, 148 + 24 * (len(pile) - 1) + 88 + 4))
                assert below == (7, 112, 7)  # nothing drawn under the top card


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def fill_in_scores(s):
    return rewards.score_gameqa(f"Counting it out.\nThe answer is {s['answer']}", s)["accuracy"] == 1


def test_deals_left():
    for s in samples(0):
        st = s["state"]
        assert gold(s) == str(st["stock_count"] // len(st["piles"])) and fill_in_scores(s)


def check_top_card(s):
    st = s["state"]
    pile = st["piles"][st["pile"]]
    assert f"Which card is on top of pile {st['pile']}?" in s["prompt"]
    answer = f"Spade {NAMES.get(pile[-1][0], pile[-1][0])}" if pile else "Empty"
    assert gold(s) == answer and fill_in_scores(s)
    return answer


def test_top_card():
    assert len({check_top_card(s) for s in samples(1)}) == 13


def test_face_down_total():
    for s in samples(2):
        answer = sum(not up for pile in s["state"]["piles"] for _, up in pile)
        assert gold(s) == str(answer) and fill_in_scores(s)


def check_face_up_after_clicks(s):
    st = s["state"]
    piles, stock, n = piles_of(st), st["stock_count"], len(st["piles"])
    for _ in range(st["clicks"]):
        if stock >= n and all(piles):
            piles = [pile + [(0, True)] for pile in piles]  # the dealt ranks do not matter here
            stock -= n
    assert gold(s) == str(sum(up for _, up in piles[st["pile"]])) and fill_in_scores(s)
    assert f"click the stock {st['clicks']} time" in s["prompt"]
    return st["clicks"]


def test_face_up_after_clicks():
    assert {check_face_up_after_clicks(s) for s in samples(3)} == set(range(6))


def test_move_outcome():
    """Every reason that stops the move is found; the gold is the first in the list (success only if none)."""
    golds = set()
    for s in samples(4):
        st = s["state"]
        piles, i, src, dst = piles_of(st), st["card"], st["source"], st["destination"]
        assert piles[src] and src != dst
        assert f"move card {i} of pile {src}, with the cards on top of it, onto pile {dst}?" in s["prompt"]
        options = s["options"]
        assert "succeeds" in options[0] and "face down" in options[1] and "one rank at a time" in options[2]
        assert "top card" in options[3] and "no card with that number" in options[4]
        if i >= len(piles[src]):
            reasons = [4]
        else:
            rank, up = piles[src][i]
            ranks = [r for r, _ in piles[src][i:]]
            reasons = [k for k, stops in ((1, not up),
                                          (2, any(b != a - 1 for a, b in zip(ranks, ranks[1:]))),
                                          (3, bool(piles[dst]) and piles[dst][-1][0] != rank + 1)) if stops]
            assert (not reasons) == allowed(piles, i, src, dst)
        answer = options[reasons[0]] if reasons else options[0]
        assert gold(s) == answer
        golds.add(answer)
    assert len(golds) == 5  # every outcome occurs


def parse_move(text):
    m = MOVE.fullmatch(text)
    return tuple(int(x) for x in m.groups()) if m else None


def check_reveal_move(s):
    """The moves that turn the card over are found by trying every allowed move; the gold is the one onto the
    lowest pile, and no other option is one of them."""
    st = s["state"]
    piles, p = piles_of(st), st["pile"]
    assert f"turns over the highest-numbered face-down card of pile {p}," in s["prompt"]
    down = [i for i, (_, up) in enumerate(piles[p]) if not up]
    moves = [parse_move(o) for o in s["options"]]
    assert all(m is None or m[1] != m[2] for m in moves)
    assert sum(m is None for m in moves) == 2  # "nothing to do", "no single move" and six moves
    if not down:
        assert gold(s) == "Nothing needs to be done: the pile has no face-down card."
        return "nothing"
    f = down[-1]
    uncover = sorted((i, s_, d) for i, s_, d in all_allowed(piles)
                     if s_ == p and len(after(piles, i, s_, d)[p]) == f + 1)
    assert all(after(piles, *m)[p][f][1] for m in uncover)  # each one turns card f face up
    assert sum(m in uncover for m in moves if m) == (1 if uncover else 0)
    if uncover:
        assert parse_move(gold(s)) == min(uncover, key=lambda m: m[2])
        return "move"
    assert gold(s) == "No single move can turn it over now."
    return "none"


def test_reveal_move():
    kinds = [check_reveal_move(s) for s in samples(5)]
    assert 0.35 < kinds.count("move") / len(kinds) < 0.75  # neither answer kind dominates (deviation 2)


def check_best_step(s):
    """The priority of the question, applied to every allowed move found by brute force; the other move
    options are illegal or move strictly fewer cards."""
    st = s["state"]
    piles, n = piles_of(st), len(st["piles"])
    assert "Deal a new row of cards from the stock." in s["options"]
    full = [p for p, pile in enumerate(piles) if pile[-13:] == [(r, True) for r in range(13, 0, -1)]]
    named = [int(m.group(1)) for o in s["options"] if (m := re.fullmatch(r"Move the King-to-Ace run on top of "
                                                                           r"pile (\d+) to a foundation\.", o))]
    assert 1 <= len(named) <= 2 and sum(p in full for p in named) == (1 if full else 0)
    legal = all_allowed(piles)
    counted = [m for m in legal if not (m[0] == 0 and not piles[m[2]])]  # a whole pile onto an empty one: no
    size = lambda m: len(piles[m[1]]) - m[0]
    if full:
        assert gold(s) == f"Move the King-to-Ace run on top of pile {full[0]} to a foundation."
        return "foundation"
    if counted:
        best = min(counted, key=lambda m: (-size(m), m[1], m[2]))
        assert parse_move(gold(s)) == best
        for o in s["options"]:
            m = parse_move(o)
            if m and m != best:
                assert m[1] != m[2] and (m not in legal or size(m) < size(best)), (o, size(best))
        return "move"
    assert all(piles) and st["stock_count"] >= n  # dealing is allowed
    assert gold(s) == "Deal a new row of cards from the stock."
    assert not any(parse_move(o) in legal for o in s["options"])
    return "deal"


def test_best_step():
    assert {check_best_step(s) for s in samples(6)} == {"move", "deal"}


# ---------------------------------------------------------------------------------------------------------
# Rare boards, made by hand: an empty pile (no dealing; anything may move onto it), a pile with no face-down
# card, and a complete King-to-Ace run. The engine draws them through a patched new_state.

def hand_boards():
    empty = spider_solitaire.new_state(random.Random(1), "Easy")
    piles = [list(p) for p in empty.piles]
    piles[3] = []
    piles[5] = [(r, True) for r in (13, 12, 11, 10, 9)]  # no face-down card: the longest run, but all of the pile
    piles[6] = piles[6][:-1] + [(13, True)]  # a King, which only the empty pile takes
    empty = spider_solitaire.Spider(piles, empty.stock)
    full = spider_solitaire.new_state(random.Random(2), "Medium")
    piles = [list(p) for p in full.piles]
    piles[4] = piles[4][:2] + [(r, True) for r in range(13, 0, -1)]
    return empty, spider_solitaire.Spider(piles, full.stock)


def test_rare_boards(monkeypatch):
    empty, full = hand_boards()
    found = {}
    for board, name in ((empty, "empty"), (full, "full")):
        monkeypatch.setattr(spider_solitaire, "new_state", lambda rng, level: board)
        for seed in range(40):
            for qid, check in ((1, check_top_card), (3, check_face_up_after_clicks), (5, check_reveal_move),
                               (6, check_best_step)):
                found.setdefault((name, qid), set()).add(check(sample(qid, seed)))
    assert "Empty" in found["empty", 1]
    assert found["empty", 3] == set(range(6))  # every click count, and none of them deals
    assert {"nothing", "move", "none"} <= found["empty", 5]
    assert found["empty", 6] == {"move"} and found["full", 6] == {"foundation"}

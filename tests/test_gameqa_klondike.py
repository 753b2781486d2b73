"""Klondike: the task table, the boards and levels, and every task's gold re-derived from the record's `state` by
a rules engine written here from the rules as the prompt states them (top cards only, one card at a time), not
the module's; the module's engine is also checked against it on played-out positions."""
import json
import random
import re
from collections import Counter
from io import BytesIO

import gameqa
import rewards
from gameqa_games import klondike
from gameqa_testing import gold

LEVELS = ("Easy", "Medium", "Hard")
SEEDS = range(120)  # spread over the plot levels: seed % 3
SUITS = ("heart", "spade", "diamond", "club")
MOVE = re.compile(r"Move from (Tab[1-7]|Waste Pile) to (Tab[1-7]|Foundation [1-4])")
NO_MOVE = "No possible moves from the options"
NO_EFFECTIVE = "None of these moves are both valid and effective"


def sample(qid, seed, render=False):
    return gameqa.sample_task("klondike", qid, seed, LEVELS[seed % 3], render=render)


# ---------------------------------------------------------------------------------------------------------
# This file's rules engine, on the record's JSON state

def red(card):
    return card[0] in ("heart", "diamond")


def tops(state):
    """{place name: the card that can move from it, or None}, for the 7 tableau piles and the waste pile."""
    out = {f"Tab{i + 1}": (tuple(p[-1][:2]) if p and p[-1][2] else None) for i, p in enumerate(state["tableau"])}
    out["Waste Pile"] = tuple(state["waste"][-1]) if state["waste"] else None
    return out


def allowed(state, option):
    """Is the move named by an option's text legal? Parsed from the text, judged on top cards alone."""
    m = MOVE.fullmatch(option)
    assert m, option
    source, dest = m[1], m[2]
    card = tops(state)[source]
    if card is None or source == dest:
        return False
    if dest.startswith("Tab"):
        pile = state["tableau"][int(dest[3]) - 1]
        if not pile:
            return card[1] == 13
        return red(pile[-1]) != red(card) and pile[-1][1] == card[1] + 1
    foundation = state["foundations"][int(dest[-1]) - 1]
    if not foundation:
        return card[1] == 1
    return foundation[-1][0] == card[0] and foundation[-1][1] == card[1] - 1


def every_move():
    sources = [f"Tab{i}" for i in range(1, 8)] + ["Waste Pile"]
    dests = [f"Tab{i}" for i in range(1, 8)] + [f"Foundation {k}" for k in range(1, 5)]
    return [f"Move from {s} to {d}" for s in sources for d in dests if s != d]


def legal_set(state):
    return {m for m in every_move() if allowed(state, m)}


def effective(state, option):
    """Legal, and to a foundation, or from a tableau pile whose next card down is face down or absent."""
    if not allowed(state, option):
        return False
    source, dest = MOVE.fullmatch(option).groups()
    if dest.startswith("Foundation"):
        return True
    if source == "Waste Pile":
        return False
    pile = state["tableau"][int(source[3]) - 1]
    return len(pile) == 1 or not pile[-2][2]


def play(state, option):
    """The JSON state after a legal move, done by hand: pop, turn a face-down card over, push."""
    state = json.loads(json.dumps(state))
    source, dest = MOVE.fullmatch(option).groups()
    if source == "Waste Pile":
        card = state["waste"].pop()
    else:
        pile = state["tableau"][int(source[3]) - 1]
        card = pile.pop()[:2]
        if pile and not pile[-1][2]:
            pile[-1][2] = True
    if dest.startswith("Tab"):
        state["tableau"][int(dest[3]) - 1].append(card[:2] + [True])
    else:
        state["foundations"][int(dest[-1]) - 1].append(card[:2])
    return state


def plot_value(state):
    return (sum(c[2] for p in state["tableau"] for c in p) + sum(bool(f) for f in state["foundations"])
            + bool(state["waste"]))


def all_cards(state):
    return ([tuple(c) for c in state["draw"] + state["waste"]] + [tuple(c) for f in state["foundations"] for c in f]
            + [tuple(c[:2]) for p in state["tableau"] for c in p])


# ---------------------------------------------------------------------------------------------------------
# The table, the boards, the image, determinism

def test_task_table_matches_game_rl():
    table = {t.question_id: (t.qa_type, t.qa_level) for t in klondike.TASKS}
    assert table == {1: ("Target Perception", "Easy"), 2: ("State Prediction", "Medium"),
                     3: ("Strategy Optimization", "Hard")}
    for seed in range(6):
        s1, s2, s3 = (sample(q, seed) for q in (1, 2, 3))
        assert len(s1["options"]) == len(s2["options"]) == len(s3["options"]) == 8
        assert s1["options"][-1] == NO_MOVE and s3["options"][-1] == NO_EFFECTIVE  # "none" stays last
    assert klondike.LEVEL_BANDS == {"Easy": (0, 19), "Medium": (20, 23), "Hard": (24, 99)}


def test_boards_are_whole_decks_in_their_level_band():
    bare = standard = 0
    for seed in range(90):
        level = LEVELS[seed % 3]
        state = klondike.new_state(random.Random(seed), level).to_json()
        cards = all_cards(state)
        assert sorted(cards) == sorted((s, r) for s in SUITS for r in range(1, 14))  # one full deck
        low, high = {"Easy": (0, 19), "Medium": (20, 23), "Hard": (24, 99)}[level]
        assert low <= plot_value(state) <= high, (level, plot_value(state))
        for f in state["foundations"]:  # started foundations: Ace up, one suit
            assert [c[1] for c in f] == list(range(1, len(f) + 1)) and len({c[0] for c in f}) <= 1
        for pile in state["tableau"]:
            assert pile and pile[-1][2]  # never empty, the top card face up
            flags = [c[2] for c in pile]
            assert flags == sorted(flags)  # face-down cards under the face-up run
            run = [c for c in pile if c[2]]
            for lower, upper in zip(run[1:], run):
                assert lower[1] == upper[1] - 1 and red(lower) != red(upper)
        bare += not state["draw"] and not state["waste"]
        standard += [len(p) for p in state["tableau"]] == list(range(1, 8)) and not any(state["foundations"])
        assert len(state["waste"]) <= 3
    assert 15 <= bare <= 50 and standard >= 1


def test_standard_deal():
    state = klondike.standard_deal(random.Random(4)).to_json()
    assert [[c[2] for c in p] for p in state["tableau"]] == [[False] * i + [True] for i in range(7)]
    assert len(state["draw"]) == 24 and not state["waste"] and not any(state["foundations"])
    assert plot_value(state) == 7  # an Easy board


def test_image_fits_and_same_seed_same_bytes():
    for qid in (1, 2, 3):
        a, b = sample(qid, 5, render=True), sample(qid, 5, render=True)
        pngs = []
        for s in (a, b):
            buf = BytesIO()
            s["images"][0].save(buf, format="PNG")
            pngs.append(buf.getvalue())
        assert pngs[0] == pngs[1]
        assert json.dumps({**a, "images": []}, sort_keys=True) == json.dumps({**b, "images": []}, sort_keys=True)
    tallest = max((klondike.new_state(random.Random(seed), "Hard") for seed in range(200)),
                  key=lambda st: max(len(p) for p in st.tableau))
    image = klondike.render(tallest)
    assert image.mode == "RGB" and image.size[0] <= 900 and image.size[1] <= 900


def test_gold_letter_scores_and_prompt_states_top_card_rule():
    for t in klondike.TASKS:
        s = sample(t.question_id, 7)
        assert rewards.score_gameqa(f"Reasoning...\nThe answer is {s['answer']}", s)["accuracy"] == 1
        assert "only the top card of a pile can be moved, one card at a time" in s["prompt"]
        assert "Tab1 to Tab7 from left to right" in s["prompt"] and "Foundation 1 to Foundation 4" in s["prompt"]


# ---------------------------------------------------------------------------------------------------------
# The module's rules engine against this file's, on played-out positions

def test_rules_engine_agrees_on_played_out_positions():
    rng = random.Random(0)
    seen = Counter()
    for game in range(30):
        state = klondike.new_state(rng, LEVELS[game % 3])
        mine = state.to_json()
        for _ in range(40):
            legal = legal_set(mine)
            assert {klondike.fmt_move(m) for m in state.legal_moves()} == legal
            for m in state.legal_moves():
                assert state.is_effective(m) == effective(mine, klondike.fmt_move(m))
            if not legal:
                break
            option = rng.choice(sorted(legal))
            state = state.move(next(m for m in state.legal_moves() if klondike.fmt_move(m) == option))
            mine = play(mine, option)
            assert state.to_json() == mine
            seen["empty pile"] += any(not p for p in mine["tableau"])
            dest = MOVE.fullmatch(option)[2]
            seen["king to empty"] += dest.startswith("Tab") and tops(mine)[dest][1] == 13  # only onto empty piles
            seen["foundation"] += "Foundation" in option
    assert seen["empty pile"] and seen["king to empty"] and seen["foundation"]  # the odd rules were exercised


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_task1_exactly_the_gold_is_possible():
    nones, kinds = 0, Counter()
    for seed in SEEDS:
        s = sample(1, seed)
        state, options, answer = s["state"], s["options"], gold(s)
        assert options[-1] == NO_MOVE and all(MOVE.fullmatch(o) for o in options[:-1])
        assert sorted(options[:-1]) == state["moves"]
        possible = [o for o in options[:-1] if allowed(state, o)]
        assert possible == ([] if answer == NO_MOVE else [answer])
        nones += answer == NO_MOVE
        if answer != NO_MOVE:
            source, dest = MOVE.fullmatch(answer).groups()
            kinds[(source[:3], dest[:3])] += 1
    assert 3 <= nones <= 35  # about one in eight
    # the kind of the gold is drawn first, so moves to a foundation (an Ace fits every empty one) do not crowd
    # out the rest; waste moves are golds only on the few boards whose waste card fits somewhere
    assert kinds[("Tab", "Tab")] >= 25 and kinds[("Tab", "Fou")] >= 25 and kinds[("Was", "Tab")] >= 1


def parse_deadlock(option):
    m = re.fullmatch(r"The draw pile and the waste pile are (both empty|not both empty), (some|no) card can be "
                     r"moved to a foundation, and (some|no) tableau move can reveal a hidden card or empty a pile, "
                     r"so the game is (in a deadlock|NOT in a deadlock)", option)
    assert m, option
    return m[1] == "both empty", m[2] == "some", m[3] == "some", m[4] == "in a deadlock"


def test_task2_deadlock_facts():
    golds = Counter()
    for seed in SEEDS:
        s = sample(2, seed)
        state = s["state"]
        combos = [parse_deadlock(o) for o in s["options"]]
        assert sorted(c[:3] for c in combos) == sorted((a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1))
        assert all(d == (a and not b and not c) for a, b, c, d in combos)  # every option's conclusion follows
        bare = not state["draw"] and not state["waste"]
        legal = legal_set(state)
        to_foundation = any("Foundation" in m for m in legal)
        tableau_effective = any(effective(state, m) for m in legal if re.fullmatch(r"Move from Tab\d to Tab\d", m))
        assert parse_deadlock(gold(s))[:3] == (bare, to_foundation, tableau_effective)
        golds[parse_deadlock(gold(s))] += 1
    assert max(golds.values()) <= 0.4 * len(SEEDS)  # Game-RL's boards: 14 of 20 golds the same combination
    assert len(golds) >= 6 and sum(n for c, n in golds.items() if c[3]) >= 2  # deadlocks do occur


def test_task3_exactly_the_gold_is_valid_and_effective():
    nones, leftward, to_foundation, ineffective_offered = 0, 0, 0, 0
    for seed in SEEDS:
        s = sample(3, seed)
        state, options, answer = s["state"], s["options"], gold(s)
        assert options[-1] == NO_EFFECTIVE and sorted(options[:-1]) == state["moves"]
        assert all(MOVE.fullmatch(o) and o.startswith("Move from Tab") for o in options[:-1])
        right = [o for o in options[:-1] if effective(state, o)]
        assert right == ([] if answer == NO_EFFECTIVE else [answer])
        nones += answer == NO_EFFECTIVE
        if answer != NO_EFFECTIVE:
            source, dest = MOVE.fullmatch(answer).groups()
            leftward += dest.startswith("Tab") and int(dest[3]) < int(source[3])
            to_foundation += dest.startswith("Foundation")
        ineffective_offered += any(allowed(state, o) and not effective(state, o) for o in options[:-1])
    assert 3 <= nones <= 35 and leftward >= 3 and 10 <= to_foundation <= 90 and ineffective_offered >= 10

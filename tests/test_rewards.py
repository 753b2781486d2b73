"""rewards.score on Snake: a table of completions with the reward each must get, and fuzzing."""
import random
import string

import pytest

import rewards

SNAKE = {"id": "t", "reward": "snake", "answer": {"best": ["UP", "LEFT"], "worst": ["DOWN", "RIGHT"]}}
SAFE = {"id": "t", "reward": "snake", "answer": {"best": ["RIGHT"], "worst": []}}
T = "<think>head (2,3), apple (2,5): UP gets closer</think>"

CASES = [
    # (completion, sample, accuracy, format)
    (f"{T}<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.1),
    (f"{T}<best_answer>LEFT</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.1),   # either best move
    (f"{T}\n<best_answer> up. </best_answer>\n<worst_answer>right and down</worst_answer>\n", SNAKE, 1.0, 0.1),
    (f"{T}<best_answer>UP</best_answer><worst_answer>RIGHT DOWN</worst_answer>", SNAKE, 1.0, 0.1),     # order free
    (f"{T}<best_answer>UP</best_answer><worst_answer>DOWN, DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.1),
    (f"{T}<best_answer>DOWN</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 0.0, 0.1),   # fatal as best
    (f"{T}<best_answer>UP</best_answer><worst_answer>DOWN</worst_answer>", SNAKE, 0.0, 0.1),            # worst incomplete
    (f"{T}<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT, LEFT</worst_answer>", SNAKE, 0.0, 0.1),
    (f"{T}<best_answer>UP</best_answer><worst_answer>None</worst_answer>", SNAKE, 0.0, 0.1),
    (f"{T}<best_answer>RIGHT</best_answer><worst_answer>None</worst_answer>", SAFE, 1.0, 0.1),
    (f"{T}<best_answer>RIGHT</best_answer><worst_answer></worst_answer>", SAFE, 1.0, 0.1),              # empty = none
    (f"{T}<best_answer>RIGHT</best_answer><worst_answer>none.</worst_answer>", SAFE, 1.0, 0.1),
    (f"{T}<best_answer>RIGHT</best_answer><worst_answer>None, UP</worst_answer>", SAFE, 0.0, 0.1),       # contradiction
    (f"{T}<best_answer>RIGHT</best_answer><worst_answer>UPLEFT</worst_answer>", SAFE, 0.0, 0.1),         # not a move list
    (f"{T}<best_answer>RIGHT</best_answer><worst_answer>maybe UP</worst_answer>", SAFE, 0.0, 0.1),
    # hedges score 0
    (f"{T}<best_answer>UP, LEFT</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 0.0, 0.1),
    (f"{T}<best_answer>UP or LEFT</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 0.0, 0.1),
    (f"{T}<best_answer>UP</best_answer><best_answer>LEFT</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 0.0, 0.0),
    (f"{T}<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer><worst_answer>None</worst_answer>", SNAKE, 0.0, 0.0),
    # format violations: answer still graded, no format bonus
    ("<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.0),          # no think
    (f"<worst_answer>DOWN, RIGHT</worst_answer>{T}<best_answer>UP</best_answer>", SNAKE, 1.0, 0.0),       # out of order
    (f"{T} so: <best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.0), # text between
    (f"Sure! {T}<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.0),
    (f"{T}{T}<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.0),     # two thinks
    ("<think><think>x</think></think><best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 1.0, 0.0),
    (f"{T}<best_answer>UP</best_answer><worst_answer>DOWN, RIGHT</worst_answer> extra", SNAKE, 1.0, 0.0),
    (f"{T}<best_answer>UP<worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 0.0, 0.0),                   # unclosed
    (f"{T}<BEST_ANSWER>UP</BEST_ANSWER><worst_answer>DOWN, RIGHT</worst_answer>", SNAKE, 0.0, 0.0),      # tags are exact
    # garbage
    ("", SNAKE, 0.0, 0.0),
    ("UP", SNAKE, 0.0, 0.0),
    ("<think></think>", SNAKE, 0.0, 0.0),
    ("</best_answer>UP<best_answer>", SNAKE, 0.0, 0.0),
    ("\x00\uffff<think>\u202e</think><best_answer>\u0055P</best_answer><worst_answer>DOWN,RIGHT</worst_answer>", SNAKE, 1.0, 0.0),
]


@pytest.mark.parametrize("completion,sample,accuracy,fmt", CASES)
def test_snake_reward_table(completion, sample, accuracy, fmt):
    s = rewards.score(completion, sample)
    assert (s["accuracy"], s["format"]) == (accuracy, fmt)
    assert s["reward"] == pytest.approx(accuracy + fmt)


def test_never_raises_on_random_text():
    rng = random.Random(0)
    pieces = ["<think>", "</think>", "<best_answer>", "</best_answer>", "<worst_answer>", "</worst_answer>",
              "UP", "DOWN", "LEFT", "RIGHT", "None", ",", " ", "\n", "."]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) if rng.random() < 0.7 else rng.choice(string.printable + "\u00e9\u4e2d\x00")
                       for _ in range(rng.randint(0, 40)))
        s = rewards.score(text, SNAKE)
        assert s["accuracy"] in (0.0, 1.0) and s["format"] in (0.0, 0.1)


def test_huge_input_is_fast():
    import time
    t = time.perf_counter()
    rewards.score("<think>" * 20000 + "<best_answer>" * 20000 + "UP," * 50000, SNAKE)
    assert time.perf_counter() - t < 1.0


def test_non_string_completion_and_unknown_reward():
    assert rewards.score(None, SNAKE)["reward"] == 0.0
    with pytest.raises(ValueError, match="unknown reward 'chess'"):
        rewards.score("x", {"id": "t", "reward": "chess", "answer": "x"})

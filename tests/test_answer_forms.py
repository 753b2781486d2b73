"""Answers as real models write them, against questions as the papers' releases store them: one table, each
answer class with its right forms (accuracy 1) and its wrong forms and hedges (accuracy 0), for GameQA,
Snake and Rotation. Plus a fuzz run over the same samples: the scorers never raise and stay binary."""
import random

import pytest

import rewards
import rotation


def mc(answer, options):
    return {"id": "t", "reward": "gameqa", "answer": answer, "options": options}


# GameQA-140K stores options as the question lists them, or bare, and the gold as a letter, a 1-based index
# (a string or a JSON number), a 0-based label, or the whole option string. Each sample below is one such form.
SUDOKU = mc("A", ["A.red", "B.green", "C.blue", "D.yellow"])                # labels with no space; gold A = red
COUNT_E = mc("E", ["A.1", "B.2", "C.4", "D.5", "E.3"])                      # ditto, numeric texts; gold E = 3
SOKOBAN = mc("7", ["9", "10", "12", "8", "13", "14", "11", "7"])            # listed "[1] 9" … "[8] 7"; gold [7] = 11
KLONDIKE = mc(3, ["170", "175", "182", "190", "160", "165", "185", "195"])  # listed "1. 170" …; JSON-number gold 3 = 182
PACMAN = mc("A. Pinky is closer to Pac-Man",                                # gold = the whole option string
            ["A. Pinky is closer to Pac-Man", "B. Blinky is closer to Pac-Man", "C. Both are equally close"])
SNAKE_QA = mc("2", ["0: The snake hits the bound of the grid.", "1: The snake hits its own body.",
                    "2: The snake eats the food.", "3: Nothing happens."])  # labels from 0; gold 2 = eats the food
SNAKE_QA_INT = mc(2, SNAKE_QA["options"])
LETTERS = mc("C", ["(1, 2)", "(2, 2)", "(3, 1)", "(0, 4)"])                 # our engine: bare texts, letter gold
FIVE = {"id": "t", "reward": "gameqa", "answer": "5"}

SNAKE = {"id": "t", "reward": "snake", "answer": {"best": ["UP", "LEFT"], "worst": ["DOWN", "RIGHT"]}}
SAFE = {"id": "t", "reward": "snake", "answer": {"best": ["RIGHT"], "worst": []}}
TRAPPED = {"id": "t", "reward": "snake", "answer": {"best": [], "worst": ["UP", "DOWN", "LEFT", "RIGHT"]}}
ONE_WORD = {"id": "t", "reward": "snake_move", "answer": {"best": ["UP"], "worst": ["DOWN"]}}
T = "<think>head at (2, 3)</think>"


def snake(best, worst):
    return f"{T}<best_answer>{best}</best_answer><worst_answer>{worst}</worst_answer>"


NINETY = {"id": "t", "reward": "rotation", "answer": "90"}
HALF = {"id": "t", "reward": "rotation", "answer": "180"}
COUNTER = {"id": "t", "reward": "rotation", "answer": "counter clockwise 90"}


def turn(answer):
    return f"<think>the red arm moved</think><answer>{answer}</answer>"


CASES = [
    # --- an option labelled with no space after the label ("A.red", "E.3") ---
    ("The answer is red.", SUDOKU, 1),
    ("The answer is A", SUDOKU, 1),
    ("The answer is A.red", SUDOKU, 1),
    ("The answer is A. red", SUDOKU, 1),
    ("The answer is green.", SUDOKU, 0),
    ("The answer is B", SUDOKU, 0),
    ("The answer is A.green", SUDOKU, 0),                  # label and text disagree
    ("The answer is red or green", SUDOKU, 0),
    ("The answer is 3.", COUNT_E, 1),
    ("The answer is E", COUNT_E, 1),
    ("The answer is E.3", COUNT_E, 1),
    ("The answer is 4.", COUNT_E, 0),
    ("The answer is E.4", COUNT_E, 0),
    ("The answer is 3 or 4", COUNT_E, 0),
    # --- a number that cannot be a label (8 options) names the option with that text ---
    ("The answer is 11.", SOKOBAN, 1),
    ("The answer is 7", SOKOBAN, 1),                       # 7 can be a label, and is: option 7
    ("The answer is 12.", SOKOBAN, 0),                     # no option 12: the text 12, option 3
    ("The answer is 8", SOKOBAN, 0),                       # a label: option 8, whose text is 7
    ("The answer is 11 or 12", SOKOBAN, 0),
    ("The answer is 182", KLONDIKE, 1),
    ("The answer is 175", KLONDIKE, 0),
    # --- the option echoed as the question lists it, label and text: one option, not a hedge ---
    ("The answer is [7] 11", SOKOBAN, 1),
    ("The answer is 7. 11", SOKOBAN, 1),
    ("The answer is [7] 12", SOKOBAN, 0),                  # label 7 with option 3's text
    ("The answer is [3] 12", SOKOBAN, 0),                  # consistent, but option 3
    ("The answer is [7] or [3]", SOKOBAN, 0),
    ("The answer is 3. 182", KLONDIKE, 1),
    ("The answer is 3: 182", KLONDIKE, 1),
    ("The answer is 2. 175", KLONDIKE, 0),
    ("The answer is 3. 175", KLONDIKE, 0),
    ("The answer is 3, 182", KLONDIKE, 0),                 # a comma lists two things
    # --- a gold stored as the whole option string is graded against the options ---
    ("The answer is A", PACMAN, 1),
    ("The answer is (A)", PACMAN, 1),
    ("The answer is Pinky is closer to Pac-Man.", PACMAN, 1),
    ("The answer is A. Pinky is closer to Pac-Man", PACMAN, 1),
    ("The answer is B", PACMAN, 0),
    ("The answer is Blinky is closer to Pac-Man", PACMAN, 0),
    ("The answer is A or B", PACMAN, 0),
    # --- option lists labelled from 0: the list's own labels decide what a digit means ---
    ("The answer is 2", SNAKE_QA, 1),
    ("The answer is 2: The snake eats the food.", SNAKE_QA, 1),
    ("The answer is the snake eats the food", SNAKE_QA, 1),
    ("The answer is 2", SNAKE_QA_INT, 1),                  # the gold as a JSON number
    ("The answer is 3", SNAKE_QA, 0),                      # third in the list, but labelled 3: nothing happens
    ("The answer is 1", SNAKE_QA, 0),
    ("The answer is 2 or 3", SNAKE_QA, 0),
    ("The answer is 0", SNAKE_QA_INT, 0),
    # --- hedges on the next line, and explanations that are not hedges ---
    ("The answer is C\nor A", LETTERS, 0),
    ("The answer is C.\n\nOr maybe A.", LETTERS, 0),
    ("The answer is C\n*or* (3, 1)", LETTERS, 0),
    ("The answer is C\nIt is the cell in row 3.", LETTERS, 1),
    ("The answer is C.\nOrdered by row, it comes third.", LETTERS, 1),  # "Ordered" is not "or"
    ("The answer is 5\nor 6", FIVE, 0),
    ("The answer is 5\nAlternatively 6", FIVE, 0),
    ("The answer is 5\n", FIVE, 1),
    ("\\boxed{6} or \\boxed{5}", FIVE, 0),                  # the last box, offered as an alternative
    ("\\boxed{5} or 6", FIVE, 0),
    ("<answer>5</answer>\nor <answer>6</answer>", FIVE, 0),
    ("\\boxed{6} first, then \\boxed{5}", FIVE, 1),         # a draft, then the answer
    # --- Snake worst answer: the moves it names, as words in any case, brackets and quotes allowed ---
    (snake("UP", "['DOWN', 'RIGHT']"), SNAKE, 1),          # the form the paper's prompt shows
    (snake("UP", '["right", "down"]'), SNAKE, 1),
    (snake("['LEFT']", "DOWN, RIGHT."), SNAKE, 1),
    (snake("Up.", "down and right"), SNAKE, 1),
    (snake("UP", "['DOWN']"), SNAKE, 0),
    (snake("UP", "['DOWN', 'RIGHT', 'LEFT']"), SNAKE, 0),
    (snake("UP", "DOWN or RIGHT"), SNAKE, 0),
    (snake("RIGHT", "None"), SAFE, 1),
    (snake("RIGHT", "[]"), SAFE, 1),
    (snake("RIGHT", ""), SAFE, 1),
    (snake("RIGHT", "no move is fatal"), SAFE, 1),         # names no move: the empty set
    (snake("RIGHT", "['UP']"), SAFE, 0),
    (snake("RIGHT", "None, UP"), SAFE, 0),                 # contradiction
    (snake("RIGHT", "UPLEFT"), SAFE, 0),                   # moves run together
    # --- Snake best answer: exactly one move ---
    (snake("UP, LEFT", "DOWN, RIGHT"), SNAKE, 0),
    (snake("NOT DOWN", "DOWN, RIGHT"), SNAKE, 0),
    (snake("None", "UP, DOWN, LEFT, RIGHT"), TRAPPED, 1),  # ViGaL's data may have no best move
    (snake("UP", "UP, DOWN, LEFT, RIGHT"), TRAPPED, 0),
    # --- Snake one-word answer ---
    ("UP", ONE_WORD, 1),
    ("up.", ONE_WORD, 1),
    ("['UP']", ONE_WORD, 1),
    ("NOT UP", ONE_WORD, 0),                               # names its move only to reject it
    ("don't go UP", ONE_WORD, 0),
    ("UP or DOWN", ONE_WORD, 0),
    ("DOWN", ONE_WORD, 0),
    # --- Rotation: the accepted spellings, and the prompt's sign convention (t > 0 counter-clockwise) ---
    (turn("90"), NINETY, 1),
    (turn("90.0°"), NINETY, 1),
    (turn("-90"), NINETY, 1),
    (turn("\u221290°"), NINETY, 1),                        # a typographic minus
    (turn("$-90^\\circ$"), NINETY, 1),
    (turn("\\boxed{-90}"), NINETY, 1),
    (turn("-90 degrees (clockwise)"), NINETY, 1),           # sign and word agree
    (turn("+90"), NINETY, 0),
    (turn("-90 counter-clockwise"), NINETY, 0),             # sign and word disagree
    (turn("270"), NINETY, 0),                               # not an offered answer, direction unclear
    (turn("450"), NINETY, 0),
    (turn("18090"), NINETY, 0),                             # digits run together, 90 mod 360
    (turn("90180"), HALF, 0),
    (turn("180"), HALF, 1),
    (turn("-180°"), HALF, 1),
    (turn("540"), HALF, 0),
    (turn("+90"), COUNTER, 1),
    (turn("counter clockwise 90"), COUNTER, 1),
    (turn("+90° counterclockwise"), COUNTER, 1),
    (turn("-90"), COUNTER, 0),
    (turn("90 or 180"), NINETY, 0),
]


@pytest.mark.parametrize("completion,sample,expected", CASES)
def test_answer_form_table(completion, sample, expected):
    result = rewards.score(completion, sample)
    assert result["accuracy"] == expected, (completion, sample["answer"])


def test_table_has_both_outcomes_in_earnest():
    """A grader that always says 0 (or always 1) fails dozens of rows."""
    assert sum(e for _, _, e in CASES) >= 40 and sum(1 - e for _, _, e in CASES) >= 40


@pytest.mark.parametrize("text,moves", [
    ("['UP', 'DOWN']", {"UP", "DOWN"}),
    ("Down, up.", {"UP", "DOWN"}),
    ("**LEFT**", {"LEFT"}),
    ("None", set()),
    ("[]", set()),
    ("", set()),
    ("nothing is fatal", set()),
    ("UP or DOWN", None),
    ("NOT UP", None),
    ("UP (isn't fatal)", None),
    ("None, UP", None),
    ("RIGHTLEFT", None),
])
def test_read_moves(text, moves):
    assert rewards.read_moves(text) == moves


@pytest.mark.parametrize("text,answer_format,move", [
    ("<think>x</think><best_answer> left. </best_answer><worst_answer>None</worst_answer>", "vigal", "LEFT"),
    ("<best_answer>['UP']</best_answer>", "vigal", "UP"),
    ("<best_answer>UP</best_answer><best_answer>DOWN</best_answer>", "vigal", None),  # two answers: a hedge
    ("<best_answer>UP or DOWN</best_answer>", "vigal", None),
    ("<best_answer>NOT UP</best_answer>", "vigal", None),
    ("I would go UP", "vigal", None),  # no block: invalid in the paper's format
    ("UP", "move", "UP"),
    ("down", "move", "DOWN"),
    ("UP, then LEFT", "move", None),
    ("NOT UP", "move", None),
    ("", "move", None),
])
def test_snake_move_is_what_the_reward_and_evaluate_read(text, answer_format, move):
    assert rewards.snake_move(text, answer_format) == move


def test_rotation_prompt_shows_no_hedge():
    """The prompt's own format example must not be a hedge a model could copy (it once read "90 or 180")."""
    for answers in (("90", "180"), ("90", "180", "counter clockwise 90")):
        example = rotation.make_prompt(list(answers)).rsplit("<answer>", 1)[1].split("</answer>")[0]
        assert " or " not in example and sum(a in example for a in ("90", "180")) <= 1


def test_fuzz_over_released_forms_never_raises_and_is_binary():
    rng = random.Random(1)
    pieces = ["The answer is ", "\n", "or ", "[", "]", "(", ")", ".", ":", " ", "A", "E", "0", "2", "3", "7", "11",
              "182", "red", "Pinky", "\\boxed{", "}", "<answer>", "</answer>", "UP", "down", "'", "NOT ", "None",
              "-", "+", "90", "180", "°", "clockwise", "counter", "\u2212", "é", "**"]
    samples = [SUDOKU, COUNT_E, SOKOBAN, KLONDIKE, PACMAN, SNAKE_QA, SNAKE_QA_INT, LETTERS, FIVE, SNAKE, SAFE,
               TRAPPED, ONE_WORD, NINETY, HALF, COUNTER]
    seen = set()
    for _ in range(1500):
        completion = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        for sample in samples:
            result = rewards.score(completion, sample)
            assert result["accuracy"] in (0.0, 1.0) and result["format"] in (0.0, 0.1)
            seen.add(result["accuracy"])
    assert seen == {0.0, 1.0}

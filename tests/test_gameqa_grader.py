"""The GameQA grader (rewards.score_gameqa; Game-RL, arXiv 2505.13886, §4): every answer form right and wrong, every wrapper the
final answer can come in, and the ways a rule-based grader gets fooled (hedges, substring matches, labels
read as values). Plus a seeded fuzz run and a time bound on a huge adversarial completion."""
import random
import time

import pytest

import rewards


def choice(answer, options):
    return {"id": "t", "reward": "gameqa", "answer": answer, "options": options}


def fill(answer):
    return {"id": "t", "reward": "gameqa", "answer": answer}


# Our engine: letter gold, plain option texts. Gold is E = (4, 5).
COORDS = choice("E", ["(4, 6)", "(5, 5)", "(3, 5)", "(4, 4)", "(4, 5)"])
# Released Maze data: letter gold, options carrying their own "A. " prefix. Gold is C = "up, down".
MOVES = choice("C", ["A. up", "B. down", "C. up, down", "D. up, right"])
# Released 3D Reconstruction data: 1-based index gold, plain option texts. Gold is 4 = (3,2,1).
VOXELS = choice("4", ["(1,2,2)", "(3,1,2)", "(1,2,1)", "(3,2,1)", "(1,1,3)", "(2,3,2)"])
# Index gold with numeric option texts (Sokoban-style counts). Gold is option 2, whose text is "5".
COUNTS = choice("2", ["3", "5", "7", "9"])
# Letter gold with numeric option texts. Gold is B, whose text is "5".
COUNTS_AB = choice("B", ["3", "5", "7", "9"])
# Gold written as the option text itself (GameQA stores some golds as "… the option text"). Gold is the third option.
TEXT_GOLD = choice("Undecidable", ["Reveal (1, 2)", "Reveal (3, 3)", "Undecidable", "Flag (2, 2)"])
# Index gold, options "1: …" prefixed.
PREFIXED = choice("2", ["1: Only Y-Z matches", "2: Both match", "3: Neither matches"])
MATRIX = fill("[[0,1,0],[1,1,1],[0,0,0]]")
# Ten options, index gold 10.
TEN = choice("10", [f"move {w}" for w in "ab cd ef gh ij kl mn op qr st".split()])

CASES = [
    # --- multiple choice, letter labels (our engine) ---
    ("The answer is E.", COORDS, 1),
    ("The answer is D.", COORDS, 0),
    ("Reasoning...\nThe answer is e", COORDS, 1),                      # label case-insensitive
    ("The answer is (E)", COORDS, 1),
    ("The answer is option E", COORDS, 1),
    ("The answer is E. (4, 5)", COORDS, 1),                            # label then its own text
    ("E: (4, 5)", COORDS, 1),
    ("E: (4, 6)", COORDS, 0),                                          # label contradicts the text it quotes
    ("The answer is (4,5)", COORDS, 1),                                # option text instead of the label
    ("The answer is [4, 5]", COORDS, 1),
    ("The answer is (5, 4)", COORDS, 0),                               # wrong order is another cell
    ("The answer is A or E", COORDS, 0),                               # hedges
    ("The answer is E or A", COORDS, 0),
    ("The answer is A, E", COORDS, 0),
    ("The answer is B and E", COORDS, 0),
    ("The answer is E/A", COORDS, 0),
    ("Either E or D", COORDS, 0),
    ("ANSWER", COORDS, 0),                                             # the A in ANSWER is not a label
    ("The answer is Eventually", COORDS, 0),                           # nor the E of a word
    ("I think E is right but maybe not", COORDS, 0),                   # E only inside a sentence
    ("The answer is 5", COORDS, 0),                                    # a number is not a letter label
    # --- released data: options with their own prefixes ---
    ("The answer is C", MOVES, 1),
    ("The answer is up, down", MOVES, 1),                              # text with a comma is not a hedge
    ("The answer is Up,Down.", MOVES, 1),
    ("The answer is down, up", MOVES, 0),
    ("The answer is up", MOVES, 0),
    ("The answer is C. up, down", MOVES, 1),
    ("The answer is C. up, right", MOVES, 0),
    # --- index labels ---
    ("The answer is 4", VOXELS, 1),
    ("The answer is 3", VOXELS, 0),
    ("The answer is option 4.", VOXELS, 1),
    ("The answer is (3,2,1)", VOXELS, 1),                              # option text
    ("The answer is (3, 2, 1)", VOXELS, 1),
    ("The answer is (1,2,3)", VOXELS, 0),
    ("The answer is 4 or 5", VOXELS, 0),
    ("The answer is 4, 5", VOXELS, 0),
    ("The answer is D", VOXELS, 0),                                    # letters are not index labels
    ("The answer is 2", PREFIXED, 1),
    ("The answer is 2: Both match", PREFIXED, 1),
    ("The answer is both match", PREFIXED, 1),
    ("The answer is Only Y-Z matches", PREFIXED, 0),
    # --- numeric option texts: a bare number is the label when labels are indices ---
    ("The answer is 2", COUNTS, 1),
    ("The answer is 5", COUNTS, 1),                                    # no option 5: the option whose text is "5"
    ("The answer is 3", COUNTS, 0),                                    # option 3 = "7"
    ("The answer is 1 or 2", COUNTS, 0),
    ("The answer is 2. 5", COUNTS, 1),                                 # option 2 echoed as listed: label, text
    ("The answer is 2. 7", COUNTS, 0),                                 # label 2 with option 3's text
    ("The answer is 5", COUNTS_AB, 1),                                 # letter labels: "5" is option text
    ("The answer is B", COUNTS_AB, 1),
    ("The answer is 7", COUNTS_AB, 0),
    ("The answer is 5 or 7", COUNTS_AB, 0),
    # --- a digit gold past the last option is option text, labelled by letters ---
    ("The answer is C", choice("7", ["3", "5", "7"]), 1),
    ("The answer is 7", choice("7", ["3", "5", "7"]), 1),
    ("The answer is 3", choice("7", ["3", "5", "7"]), 0),
    # --- two-digit index labels: "10" is one label, not "1" followed by "0" ---
    ("The answer is 10", TEN, 1),
    ("The answer is 1", TEN, 0),
    ("The answer is (10)", TEN, 1),
    # --- the answer's text matches two options: it names no single one ---
    ("The answer is (1,2)", choice("A", ["(1, 2)", "(1,2)", "(3, 4)"]), 0),
    ("The answer is (3,4)", choice("C", ["(1, 2)", "(1,2)", "(3, 4)"]), 1),
    # --- gold written as option text ---
    ("The answer is Undecidable.", TEXT_GOLD, 1),
    ("The answer is C", TEXT_GOLD, 1),
    ("The answer is C. Undecidable", TEXT_GOLD, 1),
    ("The answer is 2", choice("Both match", PREFIXED["options"]), 1),  # "1: …" prefixes mean index labels
    ("The answer is B", choice("Both match", PREFIXED["options"]), 0),
    ("The answer is B", TEXT_GOLD, 0),
    ("The answer is reveal (3,3)", TEXT_GOLD, 0),
    # --- fill-in numbers ---
    ("The answer is 2", fill("2"), 1),
    ("The answer is 2.0", fill("2"), 1),
    ("The answer is 3", fill("2"), 0),
    ("The answer is 2 turns.", fill("2"), 1),
    ("The answer is two", fill("2"), 1),
    ("The answer is 2 or 3", fill("2"), 0),
    ("The answer is 2 more", fill("2"), 0),
    ("The answer is 2 percent", fill("2"), 0),
    ("The answer is 2 or", fill("2"), 0),                              # a hedge cut off by the token limit
    ("The answer is 2, 3", fill("2"), 0),
    ("The answer is 2 3", fill("2"), 0),
    ("The answer is 12", fill("2"), 0),                                # not a substring match
    ("The answer is 1,024", fill("1024"), 1),                          # thousands separator
    ("The answer is 10/5", fill("2"), 0),                              # nothing is evaluated
    ("The answer is -3", fill("-3"), 1),
    ("The answer is 3", fill("-3"), 0),
    ("The answer is 0.3333333", fill("0.333333"), 1),                  # rel diff 1e-6: inside
    ("The answer is 0.33334", fill("0.333333"), 0),                    # rel diff 2e-5: outside
    ("The answer is 1000000.5", fill("1000000"), 1),                   # rel 5e-7
    ("The answer is 1000002", fill("1000000"), 0),                     # rel 2e-6
    ("The answer is 0.0000000005", fill("0"), 1),                      # abs 5e-10
    ("The answer is 0.00001", fill("0"), 0),
    # --- fill-in coordinates, squares, matrices, phrases ---
    ("The answer is (5,5)", fill("(5, 5)"), 1),
    ("The answer is [5, 5].", fill("(5, 5)"), 1),
    ("The answer is 5, 5", fill("(5, 5)"), 1),
    ("The answer is (5, 6)", fill("(5, 6)"), 1),
    ("The answer is (6, 5)", fill("(5, 6)"), 0),                       # order matters
    ("The answer is (5, 6, 1)", fill("(5, 6)"), 0),
    ("The answer is either (2,3) or (3,2)", fill("(2, 3)"), 0),
    ("The answer is (2,3) or (3,2)", fill("(2, 3)"), 0),
    ("The answer is (2, 3) and (2, 3)", fill("(2, 3)"), 0),
    ("The answer is D5", fill("d5"), 1),
    ("The answer is d6", fill("d5"), 0),
    ("The answer is d 5", fill("d5"), 0),
    ("The answer is [[0, 1, 0], [1, 1, 1], [0, 0, 0]]", MATRIX, 1),
    ("The answer is:\n[[0,1,0],\n [1,1,1],\n [0,0,0]]", MATRIX, 1),   # broken over lines
    ("The answer is ((0,1,0),(1,1,1),(0,0,0))", MATRIX, 1),
    ("The answer is [0,1,0],[1,1,1],[0,0,0]", MATRIX, 1),
    ("The answer is [[0,1,0],[1,1,1],[0,0,1]]", MATRIX, 0),            # one wrong cell
    ("The answer is [0,1,0,1,1,1,0,0,0]", MATRIX, 0),                  # flat is not 3x3
    ("The answer is [[0,1,0],[1,1,1]]", MATRIX, 0),
    ("The answer is Swap 3 0 Right.", fill("swap 3 0 right"), 1),
    ("The answer is swap 3 0 left", fill("swap 3 0 right"), 0),
    ("The answer is swap 0 3 right", fill("swap 3 0 right"), 0),
    ("The answer is Yes.", fill("yes"), 1),
    ("The answer is no", fill("yes"), 0),
    ("The answer is yes or no", fill("yes"), 0),
    ("The answer is \"Undecidable\"", fill("Undecidable"), 1),
    # --- extraction: which occurrence, which wrapper ---
    ("The answer is B. Wait, no. The answer is E.", COORDS, 1),       # last "The answer is" wins
    ("The answer is E. Wait, no. The answer is B.", COORDS, 0),
    ("So the final answer is E", COORDS, 1),
    ("Answer: E", COORDS, 1),
    ("**Answer:** E", COORDS, 1),
    ("The answer is **E**.", COORDS, 1),
    ("The answer is $\\boxed{E}$.", COORDS, 1),
    ("The answer is $\\text{E}$", COORDS, 1),
    ("... so \\boxed{D} first, then \\boxed{E}", COORDS, 1),          # last \boxed wins
    ("... so \\boxed{E} first, then \\boxed{D}", COORDS, 0),
    ("\\boxed{\\text{E}}", COORDS, 1),
    ("\\boxed{[[0,1,0],[1,1,1],[0,0,0]]}", MATRIX, 1),                 # nested braces inside \boxed
    ("\\boxed{E", COORDS, 0),                                          # unbalanced: last line "\boxed{E" is no label
    ("<answer>D</answer> then <answer>E</answer>", COORDS, 1),        # last tag wins
    ("<answer> (4, 5) </answer>", COORDS, 1),
    ("<answer>E", COORDS, 0),                                          # never closed
    ("Thinking about it.\nE\n", COORDS, 1),                            # last non-empty line
    ("E\nThinking about it.", COORDS, 0),
    ("Thinking about it.\n**E**\n```\n", COORDS, 1),                  # a closing fence is not the answer
    ("The answer is E because (4, 5) is the red cell", COORDS, 0),    # the answer must BE the label
    ("The answer is E. Or maybe D.", COORDS, 0),                       # the line is the answer, not its first sentence
    ("The answer is E.\nIt is the red cell.", COORDS, 1),
    ("The answer is:\n\nE", COORDS, 1),                                # answer on a later line
    ("The answer is", COORDS, 0),
    # --- empty and garbage ---
    ("", COORDS, 0),
    ("", fill("5"), 0),
    ("   \n\n  ", fill("5"), 0),
    ("The answer is .", fill("5"), 0),
    ("∑∂ƒ©˙∆˚¬…", COORDS, 0),
    ("The answer is ß", COORDS, 0),                                    # one letter whose upper case is two
    ("The answer is ß", choice("ß", ["x", "ß"]), 1),
    ("The answer is Ｅ", COORDS, 0),                                   # full-width E is not the label E
    ("}}}{{{)))(((", MATRIX, 0),
    ("<answer></answer>", fill("5"), 0),
    ("The answer is " + "(" * 1500 + "5" + ")" * 1500, fill("(5)"), 0),  # deep nesting: no RecursionError
    ("The answer is " + "(" * 1500 + "5" + ")" * 1500, MATRIX, 0),
]


@pytest.mark.parametrize("completion,sample,expected", CASES)
def test_case_table(completion, sample, expected):
    result = rewards.score(completion, sample)
    assert result["accuracy"] == expected, (completion, sample["answer"])
    assert result["format"] == 0.0 and result["reward"] == result["accuracy"]


def test_table_is_large_and_balanced():
    """The table exercises both outcomes in earnest: a grader that always says 0 (or 1) fails many rows."""
    assert len(CASES) >= 60
    assert sum(e for _, _, e in CASES) >= 40 and sum(1 - e for _, _, e in CASES) >= 40


def test_every_gold_option_label_is_accepted_and_every_other_is_not():
    """Sweep the gold over all options: exactly the gold's label and the gold's text score 1."""
    texts = ["(1, 1)", "(1, 2)", "(2, 1)", "(2, 2)", "(3, 3)", "(0, 4)", "(4, 0)", "(7, 7)"]
    for gold in range(len(texts)):
        for by_letter in (True, False):
            label = chr(ord("A") + gold) if by_letter else str(gold + 1)
            sample = choice(label, texts)
            for i, text in enumerate(texts):
                said = chr(ord("A") + i) if by_letter else str(i + 1)
                assert rewards.score(f"The answer is {said}.", sample)["accuracy"] == (i == gold)
                assert rewards.score(f"The answer is {text}.", sample)["accuracy"] == (i == gold)


def test_non_string_completion_scores_zero():
    assert rewards.score(None, COORDS) == {"reward": 0.0, "accuracy": 0.0, "format": 0.0}


def test_gold_as_json_number_and_bad_gold():
    assert rewards.score("The answer is 3", fill(3))["accuracy"] == 1.0
    with pytest.raises(ValueError, match="GameQA answer must be a string"):
        rewards.score("The answer is 3", fill(None))


def test_empty_gold_matches_nothing():
    assert rewards.score("", fill(""))["accuracy"] == 0.0
    assert rewards.score("The answer is", fill(""))["accuracy"] == 0.0


def test_fuzz_never_raises_and_is_binary():
    """Random completions from a seeded alphabet full of the grader's own syntax."""
    rng = random.Random(0)
    pieces = ["The answer is ", "answer:", "Answer is", "\\boxed{", "\\text{", "{", "}", "<answer>", "</answer>",
              "(", ")", "[", "]", ",", ".", " ", "\n", "**", "$", "A", "E", "e", "1", "4", "5", "0", "-", "or",
              "option ", "five", "1,000", "é", "∑", "\t", ":", "'", '"', "d5", "\\", "²", "٣", "İ", "ß", "ﬁ"]
    samples = [COORDS, MOVES, VOXELS, COUNTS, COUNTS_AB, TEXT_GOLD, PREFIXED, MATRIX, fill("5"), fill("(5, 5)"),
               fill("d5"), fill("swap 3 0 right"), choice("Z", ["x"]), choice("7", ["1", "2"]), choice("a", [1, 2])]
    seen = set()
    for _ in range(2000):
        completion = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for sample in samples:
            result = rewards.score(completion, sample)
            assert result["accuracy"] in (0.0, 1.0) and result["reward"] == result["accuracy"]
            seen.add(result["accuracy"])
    assert seen == {0.0, 1.0}  # the generator does hit right answers, so the check above is not vacuous


@pytest.mark.parametrize("text", [
    "The answer is " + "(" * 200_000,
    "answer " * 30_000 + "is",
    "<answer>" * 25_000 + "</answer>" + "<answer>" * 5_000,
    "\\boxed{" * 30_000,
    "[1, " * 50_000 + "\n" * 1000,
    "1," * 100_000,
    "a " * 100_000,
    "The answer is " + "E or " * 40_000 + "E",
    "(" * 100_000 + ")" * 100_000,
    "\\text{" * 30_000 + "}" * 30_000,
])
def test_huge_adversarial_completion_is_fast(text):
    assert len(text) >= 199_000
    start = time.perf_counter()
    for sample in (COORDS, VOXELS, MATRIX, fill("5"), fill("(5, 5)")):
        assert rewards.score(text, sample)["accuracy"] == 0.0
    assert time.perf_counter() - start < 1.0

"""Verifiable rewards: grade a model's completion against a sample's gold answer, by rule.

One entry point, `score(completion, sample) -> {"reward", "accuracy", "format"}` with reward = accuracy +
format, dispatching on `sample["reward"]` (SPEC §1). Model output is untrusted text: nothing here evaluates
it, nothing raises on it, and an answer that hedges between several options never earns accuracy.

Pure Python on strings: no torch, no images, so the scorers can be read, tested and reused anywhere.

    Snake (ViGaL, SPEC §2)   format 0.1: exactly <think>…</think><best_answer>…</best_answer><worst_answer>…</worst_answer>
                             accuracy 1: best move is one of the gold best moves AND the fatal moves named are exactly the gold list
"""
import re

MOVES = ("UP", "DOWN", "LEFT", "RIGHT")
FORMAT_BONUS = 0.1  # ViGaL's combined script: accuracy in {0, 1} plus 0.1 for the format (SPEC §2, §3)


def _blocks(text, tag):
    """Contents of every <tag>…</tag> block, in order (non-greedy, so two blocks stay two blocks)."""
    return re.findall(rf"<{tag}>(.*?)</{tag}>", text, flags=re.DOTALL)


def _result(accuracy, fmt):
    return {"reward": accuracy + fmt, "accuracy": accuracy, "format": fmt}


# ---------------------------------------------------------------------------------------------------------
# Snake (SPEC §2)

_SNAKE_FORMAT = re.compile(
    r"\s*<think>.*?</think>\s*<best_answer>.*?</best_answer>\s*<worst_answer>.*?</worst_answer>\s*", re.DOTALL)


def _parse_moves(text):
    """The set of moves a worst answer names, or None if it says anything but move names / 'None'.

    "UP, LEFT", "up and left", "None", "" all parse; "UP or maybe LEFT", "UPLEFT", "None, UP" do not: the
    answer must commit to a list, and anything else is unreadable rather than silently taken as empty.
    """
    tokens = [t for t in re.split(r"[\s,;/.]+|\bAND\b", text.upper()) if t]
    if tokens == ["NONE"] or not tokens:
        return set()
    if all(t in MOVES for t in tokens):
        return set(tokens)
    return None


def score_snake(completion, sample):
    text = completion
    tags = ("think", "best_answer", "worst_answer")
    fmt = FORMAT_BONUS if (_SNAKE_FORMAT.fullmatch(text)
                           and all(text.count(f"<{t}>") == 1 and text.count(f"</{t}>") == 1 for t in tags)) else 0.0
    best_blocks, worst_blocks = _blocks(text, "best_answer"), _blocks(text, "worst_answer")
    if len(best_blocks) != 1 or len(worst_blocks) != 1:  # two best blocks is a hedge, none is no answer
        return _result(0.0, fmt)
    best = re.sub(r"[\s.]", "", best_blocks[0].upper())  # SPEC §2: upper-cased, white space and '.' stripped
    worst = _parse_moves(worst_blocks[0])
    gold = sample["answer"]
    correct = best in gold["best"] and worst is not None and worst == set(gold["worst"])
    return _result(1.0 if correct else 0.0, fmt)


# ---------------------------------------------------------------------------------------------------------
# Rotation (SPEC §3)

_ROTATION_FORMAT = re.compile(r"\s*<think>(.*?)</think>\s*<answer>.*?</answer>\s*", re.DOTALL)
_DEGREE_MARKS = re.compile(r"°|º|\^\s*\{?\s*\\circ\s*\}?|\\circ|\\boxed|-?\bdegrees?\b|\bdeg\b|[${}]")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_TURN_TOKENS = re.compile(r"counter[\s-]*clockwise|anti[\s-]*clockwise|ccw|clockwise|cw|[+-]?\d+(?:\.\d+)?|[a-z]+|\S")
_COUNTER_CLOCKWISE = re.compile(r"counter[\s-]*clockwise|anti[\s-]*clockwise|ccw")
_TURN_FILLER = {"rotation", "rotated", "rotate", "turn", "turned", "by", "a", "of", "the", "angle", "is",
                "answer", ".", ",", ":", "!"}  # words that do not change which turn is named


def _parse_turn(text):
    """The clockwise angle in degrees (mod 360) that an answer names, or None unless it names exactly one turn.

    "90", "90°", "90 degrees", "clockwise 90", "90 clockwise" (also with LaTeX degree marks or a boxed
    number) -> 90; "counter clockwise 90", "anticlockwise 90", "-90" -> 270, a different turn; "180" -> 180.
    Two numbers ("90 or 180"), both directions, or any word that is not a number, a direction or harmless
    filler -> None.
    """
    text = _DEGREE_MARKS.sub(" ", text.lower().replace("\u2212", "-"))
    numbers, counter, clockwise = [], 0, 0
    for token in _TURN_TOKENS.findall(text):
        if _NUMBER.fullmatch(token):  # not str.isdigit: it accepts "²", which float() rejects
            numbers.append(float(token))
        elif _COUNTER_CLOCKWISE.fullmatch(token):
            counter += 1
        elif token in ("clockwise", "cw"):
            clockwise += 1
        elif token not in _TURN_FILLER:
            return None
    if len(numbers) != 1 or (counter and clockwise):
        return None
    return (-numbers[0] if counter else numbers[0]) % 360.0  # inf/nan from absurd numbers compare unequal


def score_rotation(completion, sample):
    text = completion
    # Count the tags first: with one of each, the pattern below runs in linear time on any input.
    once = all(text.count(f"<{t}>") == 1 and text.count(f"</{t}>") == 1 for t in ("think", "answer"))
    form = once and _ROTATION_FORMAT.fullmatch(text)
    fmt = FORMAT_BONUS if form and form.group(1).strip() else 0.0
    # Two answer blocks is a hedge, none is no answer. Counting first also keeps _blocks linear: on a run of
    # unclosed "<answer>" its lazy search is quadratic (20K of them took 19 s).
    if text.count("<answer>") != 1 or text.count("</answer>") != 1:
        return _result(0.0, fmt)
    answers = _blocks(text, "answer")
    if len(answers) != 1:  # "</answer>" before "<answer>"
        return _result(0.0, fmt)
    named, gold = _parse_turn(answers[0]), _parse_turn(sample["answer"])
    if gold is None:
        raise ValueError(f"sample {sample.get('id')!r}: rotation gold {sample['answer']!r} names no single turn")
    return _result(1.0 if named == gold else 0.0, fmt)


# ---------------------------------------------------------------------------------------------------------
# Dispatch

SCORERS = {
    "snake": score_snake,
    "rotation": score_rotation,
}


def score(completion, sample):
    """Grade `completion` (a string) for `sample`; returns {"reward", "accuracy", "format"}.

    A non-string completion scores 0. An unknown `sample["reward"]` is a data error, not a model error, and
    raises ValueError naming it.
    """
    name = sample.get("reward")
    if name not in SCORERS:
        raise ValueError(f"sample {sample.get('id')!r}: unknown reward {name!r}; known: {', '.join(sorted(SCORERS))}")
    if not isinstance(completion, str):
        return _result(0.0, 0.0)
    return SCORERS[name](completion, sample)

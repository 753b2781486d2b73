"""Verifiable rewards: grade a model's completion against a sample's gold answer, by rule.

One entry point, `score(completion, sample) -> {"reward", "accuracy", "format"}` with reward = accuracy +
format, dispatching on `sample["reward"]`. Model output is untrusted text: nothing here evaluates it, nothing
raises on it, and an answer that hedges between several options never earns accuracy.

Pure Python on strings: no torch, no images, so the scorers can be read, tested and reused anywhere.
The file reads in the order of this table, after one section that every scorer shares: reading the answer
a completion commits to.

    Snake (ViGaL, arXiv 2506.08011 §3.1, its reward §3.3)
        format 0.1: exactly <think>…</think><best_answer>…</best_answer><worst_answer>…</worst_answer>
        accuracy 1: the best answer names one move, one of the gold best moves, AND the worst answer names
                    exactly the gold fatal moves ("None", "[]" or no move name: none)
    Snake, one word (the tiny demo)
        format 0.1: names exactly one move;  accuracy 1: that move is a gold best move
    Rotation (ViGaL §3.2, its reward §3.3)
        format 0.1: one non-empty <think>…</think> then one <answer>…</answer>
        accuracy 1: the answer names exactly the gold turn: "90" is 90° clockwise, a signed angle follows the
                    prompt's convention (positive turns counter-clockwise, so "-90" is 90° clockwise)
    GameQA (Game-RL, arXiv 2505.13886 §4)
        format 0 (Game-RL has no format reward), so reward = accuracy
        accuracy 1: the final answer names the gold option (by its label, its text, or both as the question
                    lists them) or equals the gold value (number within 1e-6, coordinates, matrix, square, phrase)
    Benchmarks ("math": MathVista, MathVerse, MathVision, MMMU, MMMU-Pro; ViGaL §4)
        format 0; accuracy 1: the answer in <answer>/\\boxed{}/"The answer is" names the gold option or
                    states the gold value by the benchmark's answer type and precision

Hedges score 0 everywhere: two options, two moves, two angles, or an alternative on the next line
("The answer is C" then "or A").
"""
import ast
import math
import re

FORMAT_BONUS = 0.1  # ViGaL's combined script: accuracy in {0, 1} plus 0.1 for the format (ViGaL §3.3)
MAX_ANSWER_CHARS = 4096  # longest real GameQA answer is a ~35-move maze path (a few hundred chars)


def _result(accuracy, fmt):
    return {"reward": accuracy + fmt, "accuracy": accuracy, "format": fmt}


# ---------------------------------------------------------------------------------------------------------
# Reading the answer a completion commits to (used by every scorer)
#
# Every pattern here is a single pass with no nested quantifiers, and the tag scans use str.find: untrusted
# output full of unclosed tags or brackets costs milliseconds, never minutes of backtracking.

_MARKER = re.compile(r"\banswer\s*(?:is\b|:)", re.IGNORECASE)  # "The (final) answer is", "Answer:"
_OPEN_TAG, _CLOSE_TAG = re.compile(r"<answer>", re.IGNORECASE), re.compile(r"</answer>", re.IGNORECASE)
_LATEX_WRAP = re.compile(r"\\(?:boxed|text|textbf|textrm|mathrm|mathbf)\s*\{([^{}]*)\}")
# A line that opens with one of these words offers another answer: "The answer is C" then "or A" is a hedge.
_ALTERNATIVE = re.compile(r"[\s*_`>.,;:(\[-]*(?:or|alternatively|otherwise|maybe|perhaps|possibly|either)\b",
                          re.IGNORECASE)
_OR_BEFORE = re.compile(r"\b(?:or|either)[\s*_`$(\[]*$", re.IGNORECASE)  # "… or \boxed{6}"


def _blocks(text, tag):
    """Contents of every complete <tag>…</tag> block, in order; each block ends at the first closing tag."""
    open_tag, close_tag, out, pos = f"<{tag}>", f"</{tag}>", [], 0
    while (start := text.find(open_tag, pos)) >= 0:
        end = text.find(close_tag, start + len(open_tag))
        if end < 0:
            break
        out.append(text[start + len(open_tag):end])
        pos = end + len(close_tag)
    return out


def _exact_layout(text, tags):
    """True when `text` is exactly the blocks <t>…</t> for t in `tags`, in that order, each once, with only
    white space around them (ViGaL's format reward)."""
    if any(text.count(f"<{t}>") != 1 or text.count(f"</{t}>") != 1 for t in tags):
        return False
    pos = 0
    for t in tags:
        start, end = text.find(f"<{t}>"), text.find(f"</{t}>")
        if start < pos or end < start or text[pos:start].strip():
            return False
        pos = end + len(f"</{t}>")
    return not text[pos:].strip()


def _after_marker(text):
    """(statement, start, end) of the last "The answer is …" / "Answer: …": the rest of its line.

    A matrix broken over lines stays whole because its brackets are still open, and an empty line right
    after "The answer is:" is skipped, as is markdown like "**". The line is not cut at '. ': Game-RL's
    prompt asks the model to END with "The answer is …", and "B. Or maybe C" must not pass as "B".
    """
    marker = None
    for marker in _MARKER.finditer(text):
        pass
    if marker is None:
        return None
    out, depth, has_content, end = [], 0, False, marker.end()
    for end in range(marker.end(), min(len(text), marker.end() + MAX_ANSWER_CHARS)):
        ch = text[end]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == "\n":
            if has_content:
                break
            continue
        has_content = has_content or not (ch.isspace() or ch in "*:$#_`")
        out.append(ch)
    else:
        end = min(len(text), marker.end() + MAX_ANSWER_CHARS)
    return "".join(out), marker.start(), end


def _last_boxed(text):
    """(contents, start, end) of the last \\boxed{…}, nested braces included; None if absent or never closed."""
    start = text.rfind("\\boxed")
    if start < 0:
        return None
    i = start + len("\\boxed")
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth = 0
    for j in range(i, min(len(text), i + MAX_ANSWER_CHARS)):
        depth += (text[j] == "{") - (text[j] == "}")
        if depth == 0:
            return text[i + 1:j], start, j + 1
    return None


def _last_tagged(text):
    """(contents, start, end) of the last <answer>…</answer> (its last \\boxed{} if it holds one); None if none."""
    close = None
    for close in _CLOSE_TAG.finditer(text):
        pass
    opening = None
    if close is not None:
        for opening in _OPEN_TAG.finditer(text, 0, close.start()):
            pass
    if opening is None:
        return None
    inside = text[opening.end():close.start()]
    boxed = _last_boxed(inside)
    return (boxed[0] if boxed else inside), opening.start(), close.end()


def _last_line(text):
    """(contents, start, end) of the last line that is more than markup (a closing "```" or "**" is not)."""
    end = len(text)
    for _ in range(8):
        start = text.rfind("\n", 0, end) + 1
        if _clean(text[start:end]):
            return text[start:end], start, end
        if start == 0:
            return None
        end = start - 1
    return None


_SOURCES = {"marker": _after_marker, "boxed": _last_boxed, "tag": _last_tagged, "line": _last_line}


def _hedged(text, start, end):
    """Does the text around an answer offer another one? "… or \\boxed{6}" before it on its line, or "or A"
    right after it (the rest of its line, else the next non-empty line)."""
    line_start = text.rfind("\n", 0, start) + 1
    if _OR_BEFORE.search(text[max(line_start, start - 200):start]):
        return True
    after = text[end:end + 400]
    line, _, rest = after.partition("\n")
    if not line.strip(" \t.,;:!*_`$)]}"):
        line = next((ln for ln in rest.split("\n") if ln.strip()), "")
    return bool(_ALTERNATIVE.match(line))


def _clean(answer):
    """Strip the wrapping a model puts around an answer: \\boxed, \\text, $, **, `, trailing '.'."""
    if len(answer) > MAX_ANSWER_CHARS:  # no GameQA answer is this long: not an answer
        return ""
    for _ in range(4):  # \boxed{\text{B}} unwraps from the inside out
        answer = _LATEX_WRAP.sub(r"\1", answer)
    for mark in ("**", "$", "`", "\\(", "\\)", "\\[", "\\]"):
        answer = answer.replace(mark, "")
    return answer.strip().lstrip(":").strip().rstrip(".!?。").strip()


GAMEQA_ORDER = ("marker", "boxed", "tag", "line")  # Game-RL's evaluation prompt asks for "The answer is …"
BENCHMARK_ORDER = ("tag", "boxed", "marker")       # ViGaL's evaluation: <answer>, else the last \boxed{}


def final_answer(completion, order=GAMEQA_ORDER):
    """The answer `completion` commits to, cleaned; "" when it commits to none or hedges.

    Sources, tried in `order`: "marker" = the last "The answer is …" / "the final answer is …" / "Answer: …"
    (to the end of its line); "boxed" = the last \\boxed{…}; "tag" = the last <answer>…</answer>; "line" = the
    last non-empty line. Earlier answers are drafts: the last one wins. An answer followed by an alternative
    ("or A" on the next line) or preceded by one on its line ("5 or \\boxed{6}") is a hedge and reads as "".
    """
    for name in order:
        found = _SOURCES[name](completion)
        if found is not None:
            answer, start, end = found
            return "" if _hedged(completion, start, end) else _clean(answer)
    return ""


# ---------------------------------------------------------------------------------------------------------
# Snake (ViGaL §3.1, §3.3)

MOVES = ("UP", "DOWN", "LEFT", "RIGHT")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")  # words of letters; "don't" stays one word
# Words that turn a list of moves into something else: a negation ("NOT UP"), a hedge ("UP or LEFT"), or a
# contradiction ("None, UP"). With a move name beside one of them the answer is unreadable.
_NOT_A_LIST = {"NOT", "NONE", "NEVER", "EXCEPT", "OR", "NOR", "EITHER", "NEITHER", "MAYBE", "PERHAPS", "POSSIBLY",
               "PROBABLY", "MIGHT", "UNLESS", "AVOID"}
_GLUED_MOVES = re.compile(r"(?:UP|DOWN|LEFT|RIGHT){2,}")  # "UPLEFT": two moves run together, neither a word


def read_moves(text):
    """The set of moves `text` names, or None when it cannot be read as a list of moves.

    A move is its name as a word in any case; brackets, quotes, commas and "and" may sit around them, so
    "['UP', 'DOWN']" (the paper's prompt shows this form), "up and down" and "DOWN, UP." all read {UP, DOWN}.
    "None", "[]" and a text naming no move read as the empty set. Moves run together ("UPLEFT"), or a move
    named beside a negation, an alternative or "None" ("NOT UP", "UP or LEFT", "None, UP"), read as None.
    """
    words = [w.upper() for w in _WORD.findall(text[:MAX_ANSWER_CHARS])]
    if any(_GLUED_MOVES.fullmatch(w) for w in words):
        return None
    named = {w for w in words if w in MOVES}
    if named and any(w in _NOT_A_LIST or w.endswith(("N'T", "N’T")) for w in words):
        return None
    return named


def snake_move(completion, answer_format="vigal"):
    """The one move a Snake completion commits to, or None; what the reward grades and what evaluate.py plays.

    "vigal": the single <best_answer> block must name exactly one move (a second block is a hedge). "move"
    (the tiny demo's one-word answer): the whole completion must name exactly one move.
    """
    if answer_format == "vigal":
        found = _blocks(completion, "best_answer")
        if len(found) != 1:
            return None
        completion = found[0]
    named = read_moves(completion)
    return next(iter(named)) if named is not None and len(named) == 1 else None


def score_snake(completion, sample):
    """ViGaL's Snake reward. Gold: {"best": [moves], "worst": [moves]}.

    format 0.1 when the completion is exactly <think>…</think><best_answer>…</best_answer><worst_answer>…
    </worst_answer> with only white space around the blocks. accuracy 1 when both hold: the best answer names
    exactly one move and it is one of the gold best moves (a gold with no best move, which ViGaL's released
    data may hold, wants a best answer naming none); and the worst answer (`read_moves`) is exactly the gold
    set of fatal moves. Two best or two worst blocks are a hedge and score 0.
    """
    fmt = FORMAT_BONUS if _exact_layout(completion, ("think", "best_answer", "worst_answer")) else 0.0
    best_blocks, worst_blocks = _blocks(completion, "best_answer"), _blocks(completion, "worst_answer")
    if len(best_blocks) != 1 or len(worst_blocks) != 1:
        return _result(0.0, fmt)
    gold = sample["answer"]
    best, worst = read_moves(best_blocks[0]), read_moves(worst_blocks[0])
    best_right = best is not None and ((len(best) == 1 and best <= set(gold["best"])) or (not best and not gold["best"]))
    correct = best_right and worst is not None and worst == set(gold["worst"])
    return _result(1.0 if correct else 0.0, fmt)


def score_snake_move(completion, sample):
    """The tiny demo's one-word Snake answer (snake.py answer_format="move"). format 0.1 when the completion
    names exactly one move (`snake_move`), accuracy 1 when that move is one of the gold best moves. Two moves,
    or a move named only to be rejected ("NOT UP"), score 0."""
    move = snake_move(completion, "move")
    if move is None:
        return _result(0.0, 0.0)
    return _result(1.0 if move in sample["answer"]["best"] else 0.0, FORMAT_BONUS)


# ---------------------------------------------------------------------------------------------------------
# Rotation (ViGaL §3.2, §3.3)
#
# Which spellings name an angle: the number 90 or 180 (also "90.0"), with or without a degree mark (°,
# ^\circ, "degrees"), a sign, a direction word, a \boxed{} or $…$. Nothing else: no other number is reduced
# mod 360, because the answers offered are 90 and 180 and a reduction would pass misreadings and digits
# run together ("18090" is 90 mod 360). 270 is not offered either, and unsigned it would mean clockwise in
# the answer list's words but counter-clockwise in the prompt's rotation-matrix convention.
# Which direction: a direction word says it; a sign follows the prompt's convention (t > 0 turns
# counter-clockwise, so "-90" is a clockwise quarter turn); an unsigned, undirected "90" is the answer list's
# "90", clockwise. A sign and a word that disagree ("-90 counter-clockwise") name no turn.

_DEGREE_MARKS = re.compile(r"°|º|\^\s*\{?\s*\\circ\s*\}?|\\circ|\\boxed|-?\bdegrees?\b|\bdeg\b|[${}]")
_TURN_TOKENS = re.compile(r"counter[\s-]*clockwise|anti[\s-]*clockwise|ccw|clockwise|cw|[+-]?\d+(?:\.\d+)?|[a-z]+|\S")
_SIGNED_NUMBER = re.compile(r"([+-]?)(\d+(?:\.\d+)?)")
_COUNTER_CLOCKWISE = re.compile(r"counter[\s-]*clockwise|anti[\s-]*clockwise|ccw")
_TURN_FILLER = {"rotation", "rotated", "rotate", "turn", "turned", "by", "a", "of", "the", "angle", "is",
                "answer", ".", ",", ":", "!", "(", ")"}  # words that do not change which turn is named


def parse_turn(text):
    """The turn an answer names, as clockwise degrees: 90, 180 or 270 (= 90 counter-clockwise); else None.

    "90", "90°", "90 degrees", "clockwise 90", "90 clockwise", "-90", "\\boxed{-90}" -> 90;
    "counter clockwise 90", "anticlockwise 90", "+90" -> 270; "180", "-180", "180 clockwise" -> 180.
    Two numbers ("90 or 180"), both directions, a sign against the direction word, any number but 90 and
    180, or a word that is not a direction or harmless filler -> None.
    """
    text = _DEGREE_MARKS.sub(" ", text.lower().replace("\u2212", "-"))
    numbers, counter, clockwise = [], 0, 0
    for token in _TURN_TOKENS.findall(text):
        number = _SIGNED_NUMBER.fullmatch(token)  # not str.isdigit: it accepts "²", which float() rejects
        if number:
            numbers.append((number.group(1), float(number.group(2))))
        elif _COUNTER_CLOCKWISE.fullmatch(token):
            counter += 1
        elif token in ("clockwise", "cw"):
            clockwise += 1
        elif token not in _TURN_FILLER:
            return None
    if len(numbers) != 1 or (counter and clockwise):
        return None
    sign, angle = numbers[0]
    if angle == 180.0:
        return 180.0
    if angle != 90.0 or (sign == "-" and counter) or (sign == "+" and clockwise):
        return None
    return 270.0 if counter or sign == "+" else 90.0


def score_rotation(completion, sample):
    """ViGaL's Rotation reward, 0.1 form. Gold: "90" (clockwise), "180" or "counter clockwise 90".

    format 0.1 when the completion is exactly one non-empty <think>…</think> then one <answer>…</answer>.
    accuracy 1 when the single answer block names exactly the gold turn (`parse_turn`); two answer blocks
    are a hedge and score 0. A gold that names no turn is a data error and raises ValueError.
    """
    thinks = _blocks(completion, "think")
    fmt = FORMAT_BONUS if _exact_layout(completion, ("think", "answer")) and thinks[0].strip() else 0.0
    answers = _blocks(completion, "answer")
    if len(answers) != 1 or completion.count("<answer>") != 1:
        return _result(0.0, fmt)
    named, gold = parse_turn(answers[0]), parse_turn(sample["answer"])
    if gold is None:
        raise ValueError(f"sample {sample.get('id')!r}: rotation gold {sample['answer']!r} names no single turn")
    return _result(1.0 if named == gold else 0.0, fmt)


# ---------------------------------------------------------------------------------------------------------
# GameQA (Game-RL §4): values, then options and their labels, then the scorer

REL_TOL, ABS_TOL = 1e-6, 1e-9  # numbers: |a - b| <= max(1e-6 * max(|a|, |b|), 1e-9)
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NOT_UNITS = {"or", "and", "not", "more", "less", "fewer", "plus", "minus", "times", "percent"}  # "5 more" is not "5"

_NUMBER = re.compile(r"([+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)(?:\s+([a-z]+))?")
_TOKEN = re.compile(r"(?P<sep>[\s,;'\"]+)|(?P<open>[(\[{])|(?P<close>[)\]}])"
                    r"|(?P<num>[+-]?[0-9]+(?:\.[0-9]+)?)|(?P<word>[^\W\d][\w-]*)")
_WRAPPERS = {"(": ")", "[": "]", "{": "}", '"': '"', "'": "'", "“": "”", "‘": "’"}


def _norm(text):
    """Case-folded, white space collapsed, trailing punctuation and up to 3 wrapping quotes/brackets removed."""
    text = " ".join(text.casefold().split())
    for _ in range(3):
        text = text.strip().rstrip(".!?;:,。").strip()
        if len(text) > 2 and _WRAPPERS.get(text[0]) == text[-1] and _wraps_whole(text):
            text = text[1:-1]
    return text


def _wraps_whole(text):
    """True if the bracket or quote opening `text` is the one closing it: "(1,2)" yes, "(1),(2)" no."""
    if text[0] == text[-1]:  # quotes
        return True
    depth = 0
    for ch in text[:-1]:
        depth += (ch == text[0]) - (ch == text[-1])
        if depth == 0:
            return False
    return True


def _as_number(text):
    """The single number `text` states — "12", "1,024", "2.50", "7 moves", "five" — else None.

    One optional trailing word is a unit ("moves", "steps"), unless it changes the number ("5 more").
    Nothing is evaluated: "10/2" and "2+3" are not numbers.
    """
    text = _norm(text)
    m = _NUMBER.fullmatch(text)
    if m:
        value, unit = float(m.group(1).replace(",", "")), m.group(2)
    else:
        words = text.split(" ")
        if not 1 <= len(words) <= 2 or words[0] not in NUMBER_WORDS or not words[-1].isalpha():
            return None
        value, unit = float(NUMBER_WORDS[words[0]]), (words[1] if len(words) == 2 else None)
    return None if unit in NOT_UNITS else value


def _as_items(text):
    """`text` as nested lists of numbers and words, brackets of any kind, commas or spaces between; else None.

    Called after _norm has dropped brackets around the whole, so "(5, 5)", "[5,5]" and "5 5" all give
    [5.0, 5.0]; "[[0,1],(1,0)]" gives [[0.0, 1.0], [1.0, 0.0]]; "D5" gives ["d5"]; "swap 3 0 right" gives
    ["swap", 3.0, 0.0, "right"]. Unbalanced brackets or other symbols give None.
    """
    stack, pos = [[]], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        pos, kind = m.end(), m.lastgroup
        if kind == "open":
            stack.append([])
        elif kind == "close":
            if len(stack) == 1:
                return None
            inner = stack.pop()
            stack[-1].append(inner)
        elif kind == "num":
            stack[-1].append(float(m.group()))
        elif kind == "word":
            stack[-1].append(m.group().casefold())
    return stack[0] if len(stack) == 1 else None


def _same_items(a, b):
    """Equal nested items; numbers within tolerance. Recursion stops at the gold's (shallow) depth."""
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_same_items(x, y) for x, y in zip(a, b)))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def _equivalent(answer, target):
    """Does `answer` state the same value as `target` (a gold fill-in answer or one option's text)?

    A numeric target needs exactly one number back (within tolerance). Otherwise the normalised strings
    are equal, or both read as the same nested numbers/words (coordinates, matrices, squares, phrases).
    """
    a, t = _norm(answer), _norm(target)
    if not a or not t:
        return False
    target_number = _as_number(t)
    if target_number is not None:
        value = _as_number(a)
        return value is not None and math.isclose(value, target_number, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if a == t:
        return True
    a_items, t_items = _as_items(a), _as_items(t)
    return a_items is not None and t_items is not None and _same_items(a_items, t_items)


# Option labels come in three schemes: letters A, B, … (our engine, Sudoku's "A.red", Pacman's "A. …"),
# numbers from 1 ("[1] …", "1. …", "1: …", Sokoban, Klondike, Word Search) and numbers from 0 (GameQA's
# Snake lists "0: The snake hits the bound of the grid."). A label is a whole word — the "A" in "ANSWER" is
# none — and a number label is never the start of a decimal ("1.5" is a number).
LETTER, FROM_ONE, FROM_ZERO = "letter", "from 1", "from 0"
_LABEL = re.compile(r"(?:(?:the\s+)?(?:option|choice)\s*)?(?P<open>[(\[])?"
                    r"(?P<label>[A-Za-z](?!\w)|[0-9]{1,3}(?!\w|\.[0-9]))(?(open)[)\]])(?P<rest>.*)",
                    re.IGNORECASE | re.DOTALL)
_SEPARATORS = " \t\n.:)-–"


def _label_of(i, scheme):
    return chr(ord("A") + i) if scheme == LETTER else str(i + (scheme == FROM_ONE))


def _label_index(label, scheme, n=None):
    """0-based index of the option a label names in `scheme`, or None; with `n` options known, a label past
    the last option is no label (so "11" among 8 options can be an option's text)."""
    if scheme == LETTER:
        index = ord(label.upper()) - ord("A") if len(label) == 1 and label.isascii() and label.isalpha() else None
    else:
        index = int(label) - (scheme == FROM_ONE) if re.fullmatch(r"[0-9]{1,3}", label) else None
    return index if index is not None and index >= 0 and (n is None or index < n) else None


def _carries_label(option, i, scheme):
    """Does the option string start with its own position's label: "A.red", "B. down", "[2] …", "0: …"?"""
    label = _label_of(i, scheme)
    separator = r"[.:)]" if scheme == LETTER else r"(?:\.(?![0-9])|[:)])"  # "E.3" is labelled, "1.5" a number
    return re.match(rf"\s*(?:\({label}\)|\[{label}\]|{label}{separator})", option) is not None


def _own_labels(options):
    """The scheme of the labels the options carry themselves, when every option carries its own position's
    label; else None (bare option texts)."""
    for scheme in (LETTER, FROM_ONE, FROM_ZERO):
        if all(_carries_label(str(o), i, scheme) for i, o in enumerate(options)):
            return scheme
    return None


def _option_text(option, i, scheme):
    """An option's text without its own label: "B. (5, 5)" -> "(5, 5)", "A.red" -> "red", "[7] 11" -> "11"."""
    option = str(option).strip()
    if scheme is None:
        return option
    label = _label_of(i, scheme)
    return re.sub(rf"^(?:\({label}\)|\[{label}\]|{label}[.:)])", "", option, count=1).strip()


def _named_by_label(answer, scheme, texts, same=_equivalent):
    """Index of the option `answer` names by its label — "B", "(B)", "option B", "[7] 11", "3. 182", "A.red" —
    else None. Text after the label is allowed only when it is that option's own text (the option echoed as
    the question lists it); "A or C", "A, C", "1 2" name no single label. With the options' count known, a
    label past the last option is no label. `texts` may be empty (options drawn in the image): any label."""
    m = _LABEL.match(answer)
    if m is None:
        return None
    index = _label_index(m["label"], scheme, len(texts) or None)
    if index is None:
        return None
    detail = m["rest"].lstrip(_SEPARATORS)
    if not detail.strip(_SEPARATORS):
        return index
    return index if index < len(texts) and same(detail, texts[index]) else None


def _choice(gold, options):
    """(label scheme, gold index, option texts) for a multiple-choice sample, or None if the gold names no option.

    The options' own labels fix the scheme when they carry them. Otherwise the gold does: a letter means
    A, B, …; a number 1..n means 1, 2, … (released GameQA); a number past the last option is an option's
    text. A gold that is an option's text, or the whole option string with its label ("A. Pinky is closer
    to Pac-Man"), picks that option.
    """
    own = _own_labels(options)
    texts = [_option_text(o, i, own) for i, o in enumerate(options)]
    g = gold.strip()
    for scheme in ([own] if own else [LETTER, FROM_ONE]):
        index = _label_index(g, scheme, len(texts) if scheme != LETTER else None)
        if index is not None:
            return scheme, index, texts
    scheme = own or LETTER
    index = _named_by_label(g, scheme, texts)
    if index is None:
        matches = [i for i, text in enumerate(texts) if _equivalent(g, text)]
        index = matches[0] if len(matches) == 1 else None
    return None if index is None else (scheme, index, texts)


def score_gameqa(completion, sample):
    """Grade a GameQA answer by rule. Game-RL asks a 72B judge and falls back to substring match; we use
    neither. accuracy ∈ {0, 1}; format is always 0 (Game-RL has no format reward).

    1. Final answer (`final_answer`): the last "The answer is …" / "Answer: …" (to the end of its line), else
       the last \\boxed{…}, else the last <answer>…</answer>, else the last non-empty line; \\text{}, $, ** and
       a trailing '.' are stripped. An empty answer, one over 4096 characters, or one followed by an
       alternative ("or A" on the next line) scores 0.
    2. Multiple choice (the sample has `options`): the label scheme and the gold option come from `_choice`.
       The answer is right if it names the gold option by its label ("B", "(B)", "Option B", "[7]"), by its
       label and text as the question lists them ("B. (5, 5)", "[7] 11", "A.red"), or by its text alone,
       when that text is exactly one option's. A label is read first, but a number past the last option is
       no label: among options "3", "5", "7", "9" labelled 1-4, "3" is option 3 (text "7") and "5" is the
       option whose text is 5.
    3. Fill-in (no options): numbers compare within 1e-6 relative / 1e-9 absolute; "5", "5.0", "5 moves",
       "five" (zero…twenty) and "1,000" are numbers; "10/2" is not (nothing is evaluated). Coordinates,
       lists and matrices compare element by element, in order, with any brackets, commas or spaces, but
       the nesting must match (a flat list of 9 is not a 3×3 matrix). Squares ("D5") and phrases
       ("Swap 3 0 right.") compare case-insensitively after normalising white space and trailing punctuation.
    4. Hedges never score: "A or C", "A, C", "1 or 2", "either (2,3) or (3,2)", two numbers for one. The
       answer must BE the gold, not contain it: a lone "A" inside a sentence or in "ANSWER" does not count.
    """
    gold = sample.get("answer")
    if isinstance(gold, (int, float)) and not isinstance(gold, bool):  # a JSON number in released data
        gold = str(gold)
    if not isinstance(gold, str):
        raise ValueError(f"sample {sample.get('id')!r}: a GameQA answer must be a string, got {gold!r}")
    answer = final_answer(completion, GAMEQA_ORDER)
    options = sample.get("options")
    choice = _choice(gold, options) if isinstance(options, (list, tuple)) and options else None
    if choice is None:  # fill-in, or a gold that names no option: compare values
        return _result(1.0 if _equivalent(answer, gold) else 0.0, 0.0)
    scheme, gold_index, texts = choice
    named = _named_by_label(answer, scheme, texts)
    if named is None:  # no label: the answer may be one option's text
        matches = [i for i, text in enumerate(texts) if _equivalent(answer, text)]
        named = matches[0] if len(matches) == 1 else None
    return _result(1.0 if named == gold_index else 0.0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Benchmarks (ViGaL §4): MathVista, MathVerse, MathVision, MMMU, MMMU-Pro, graded by rule (no GPT-4o fallback)

_FRACTION = re.compile(r"\\[dt]?frac\s*\{([^{}]+)\}\s*\{([^{}]+)\}")
_RATIO = re.compile(r"([+-]?[0-9]+(?:\.[0-9]+)?)\s*/\s*([0-9]+(?:\.[0-9]+)?)")
_ASSIGNMENT = re.compile(r"^[a-z]\w{0,3}\s*=\s*(?=\S)", re.IGNORECASE)  # "x = 5", "AB = 3": the value is after '='
_LATEX_NOISE = re.compile(r"\\(?:left|right|displaystyle|!|,|;|:)|\\ |\$")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ|°|\\%|%|\bdegrees?\b")


def _math_text(text, unit=""):
    """LaTeX spacing, \\left/\\right, degree and percent signs, the benchmark's unit and a leading "x =" removed."""
    text = _LATEX_NOISE.sub("", text.replace("\u2212", "-"))
    text = _DEGREES.sub(" ", text).strip()
    if unit and text.casefold().endswith(unit.casefold()):
        text = text[:-len(unit)].strip()
    return _ASSIGNMENT.sub("", text).strip()


def _math_value(text, unit=""):
    """The number an answer states: "12", "-3.5", "1,024", "7 cm", "50%", "30°", "\\frac{3}{4}", "3/4"; else None.

    Only a single fraction of two literals is computed; anything else ("2+3", "\\sqrt{2}") is no number.
    """
    text = _math_text(text, unit)
    for pattern in (_FRACTION, _RATIO):
        m = pattern.fullmatch(text)
        if m:
            top, bottom = _as_number(m.group(1)), _as_number(m.group(2))
            return top / bottom if top is not None and bottom else None
    return _as_number(text)


def _math_string(text, unit=""):
    """A canonical string for non-numeric answers: no white space, $, \\text{}, \\dfrac -> \\frac, case-folded."""
    text = _math_text(_clean(text), unit).replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    return _norm("".join(text.split()))


def _decimals(gold):
    m = re.fullmatch(r"[+-]?[0-9,]*\.([0-9]+)", _math_text(gold))
    return len(m.group(1)) if m else 0


def _same_math(answer, gold, answer_type=None, precision=None, unit=""):
    """Does `answer` state the gold value? Numbers by the benchmark's answer type:
    integer: the same whole number ("3.0" is 3, "3.5" is not); float with a precision p (MathVista): equal
    after rounding both to p decimals; a number with no precision: equal after rounding the answer to the
    gold's own decimals (gold "1.25" accepts "1.2500", not "1.3"; gold "2" accepts only 2 within 1e-6);
    list (MathVista): the same items in order; anything else: the same canonical string."""
    gold_value = _math_value(gold, unit)
    if answer_type == "list" or (gold_value is None and _norm(gold)[:1] in "(["):  # "[2, 3]", "(1, 2)"
        a_items, g_items = _as_items(_norm(_math_text(answer, unit))), _as_items(_norm(gold))
        if a_items is not None and g_items is not None:
            return _same_items(a_items, g_items)
    if gold_value is not None:
        value = _math_value(answer, unit)
        if value is None or not math.isfinite(value):
            return False
        if answer_type == "integer":
            return value == round(value) and round(value) == round(gold_value)
        if precision is not None:
            p = int(precision)
            return round(value, p) == round(gold_value, p) or math.isclose(value, gold_value, rel_tol=1e-9)
        d = _decimals(gold)
        if d:
            return round(value, d) == round(gold_value, d)
        return math.isclose(value, gold_value, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return bool(_math_string(answer, unit)) and _math_string(answer, unit) == _math_string(gold, unit)


def _gold_forms(gold):
    """MMMU stores some open answers as a list of accepted forms ("['24/7', '3.43']"): any of them is right."""
    if isinstance(gold, (list, tuple)):
        return [str(g) for g in gold]
    text = str(gold).strip()
    if text.startswith("[") and text.endswith("]") and "'" in text:
        try:  # the gold comes from the dataset, never from the model: literal_eval parses, it runs nothing
            forms = ast.literal_eval(text)
            if isinstance(forms, list) and forms:
                return [str(f) for f in forms]
        except (ValueError, SyntaxError):
            pass
    return [text]


def score_math(completion, sample):
    """Grade a benchmark answer by rule (ViGaL adds a GPT-4o fallback, we do not). Format is 0.

    1. Answer (`final_answer` in ViGaL's order): the last <answer>…</answer> (its \\boxed{} if any), else the
       last \\boxed{…}, else the last "The answer is …"/"Answer: …"; \\text{}, $, ** and a trailing '.' are
       stripped. No answer, or one followed by an alternative, scores 0.
    2. Multiple choice (`options`, gold = a letter A, B, …): right if the answer names the gold letter ("B",
       "(B)", "Option B", "B. <B's text>") or equals the text of exactly one option, the gold one. Options
       unknown but gold a letter (MathVision with the choices drawn in the image): the letter alone decides.
       "A or C" names no single option and scores 0.
    3. Free form: `_same_math` with the sample's `answer_type`, `precision` and `unit` (MathVista), any of
       several accepted gold forms (MMMU).
    """
    gold = sample.get("answer")
    answer = final_answer(completion, BENCHMARK_ORDER)
    if not answer or gold is None:
        return _result(0.0, 0.0)
    options = [str(o) for o in (sample.get("options") or [])]
    precision, unit = sample.get("precision"), sample.get("unit") or ""
    gold_text = str(gold).strip()
    if options or re.fullmatch(r"[A-J]", gold_text):
        if not re.fullmatch(r"[A-Za-z]", gold_text):
            raise ValueError(f"sample {sample.get('id')!r}: a multiple-choice gold must be a letter, got {gold!r}")
        same = lambda a, t: _same_math(a, t, None, precision, unit)
        named = _named_by_label(answer, LETTER, options, same)
        if named is None and options:
            matches = [i for i, text in enumerate(options) if same(answer, text)]
            named = matches[0] if len(matches) == 1 else None
        return _result(1.0 if named == ord(gold_text.upper()) - ord("A") else 0.0, 0.0)
    correct = any(_same_math(answer, form, sample.get("answer_type"), precision, unit) for form in _gold_forms(gold))
    return _result(1.0 if correct else 0.0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Dispatch

SCORERS = {
    "snake": score_snake,
    "snake_move": score_snake_move,
    "rotation": score_rotation,
    "gameqa": score_gameqa,
    "math": score_math,
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

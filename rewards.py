"""Verifiable rewards: grade a model's completion against a sample's gold answer, by rule.

One entry point, `score(completion, sample) -> {"reward", "accuracy", "format"}` with reward = accuracy +
format, dispatching on `sample["reward"]` (SPEC §1). Model output is untrusted text: nothing here evaluates
it, nothing raises on it, and an answer that hedges between several options never earns accuracy.

Pure Python on strings: no torch, no images, so the scorers can be read, tested and reused anywhere.

    Snake (ViGaL, SPEC §2)   format 0.1: exactly <think>…</think><best_answer>…</best_answer><worst_answer>…</worst_answer>
                             accuracy 1: best move is one of the gold best moves AND the fatal moves named are exactly the gold list
    Snake, one word (tiny)   format 0.1: names exactly one move;  accuracy 1: that move is a gold best move
    Rotation (ViGaL, §3)     format 0.1: one non-empty <think>…</think> then one <answer>…</answer>
                             accuracy 1: the answer names exactly the gold angle ("90" = clockwise 90; both angles: 0)
    GameQA (SPEC §4)         format 0: Game-RL has no format reward, so reward = accuracy
                             accuracy 1: the final answer names the gold option (label or exact text) or equals the gold
                             value (number within 1e-6, coordinates, matrix, square, phrase); rules in score_gameqa
    Benchmarks (§7, "math")  format 0; accuracy 1: the answer in <answer>/\\boxed{}/"The answer is" names the gold
                             option (letter or option text) or states the gold value by the benchmark's answer
                             type and precision; rules in score_math
"""
import math
import re

MOVES = ("UP", "DOWN", "LEFT", "RIGHT")
FORMAT_BONUS = 0.1  # ViGaL's combined script: accuracy in {0, 1} plus 0.1 for the format (SPEC §2, §3)


def _blocks(text, tag):
    """Contents of every complete <tag>…</tag> block, in order; each block ends at the first closing tag.

    A linear scan with str.find, not a regex: untrusted output full of unclosed tags must not make the
    scorer backtrack for minutes.
    """
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
    white space around them (the format reward's definition, SPEC §2)."""
    if any(text.count(f"<{t}>") != 1 or text.count(f"</{t}>") != 1 for t in tags):
        return False
    pos = 0
    for t in tags:
        start, end = text.find(f"<{t}>"), text.find(f"</{t}>")
        if start < pos or end < start or text[pos:start].strip():
            return False
        pos = end + len(f"</{t}>")
    return not text[pos:].strip()


def _result(accuracy, fmt):
    return {"reward": accuracy + fmt, "accuracy": accuracy, "format": fmt}


# ---------------------------------------------------------------------------------------------------------
# Snake (SPEC §2)

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
    fmt = FORMAT_BONUS if _exact_layout(completion, ("think", "best_answer", "worst_answer")) else 0.0
    best_blocks, worst_blocks = _blocks(completion, "best_answer"), _blocks(completion, "worst_answer")
    if len(best_blocks) != 1 or len(worst_blocks) != 1:  # two best blocks is a hedge, none is no answer
        return _result(0.0, fmt)
    best = re.sub(r"[\s.]", "", best_blocks[0].upper())  # SPEC §2: upper-cased, white space and '.' stripped
    worst = _parse_moves(worst_blocks[0])
    gold = sample["answer"]
    correct = best in gold["best"] and worst is not None and worst == set(gold["worst"])
    return _result(1.0 if correct else 0.0, fmt)


def score_snake_move(completion, sample):
    """The tiny demo's one-word answer (snake.py answer_format="move"): the completion must name exactly one
    move, as a word in any case; format 0.1 for that, accuracy 1 if the move is one of the gold best moves.
    Naming two different moves is a hedge and scores 0."""
    named = set(re.findall(r"\b(UP|DOWN|LEFT|RIGHT)\b", completion.upper()))
    if len(named) != 1:
        return _result(0.0, 0.0)
    return _result(1.0 if named.pop() in sample["answer"]["best"] else 0.0, FORMAT_BONUS)


# ---------------------------------------------------------------------------------------------------------
# GameQA (Game-RL, SPEC §4)

MAX_ANSWER_CHARS = 4096  # longest real GameQA answer is a ~35-move maze path (a few hundred chars)
REL_TOL, ABS_TOL = 1e-6, 1e-9  # numbers: |a - b| <= max(1e-6 * max(|a|, |b|), 1e-9)
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NOT_UNITS = {"or", "and", "not", "more", "less", "fewer", "plus", "minus", "times", "percent"}  # "5 more" is not "5"

# Every pattern below is a single pass with no nested quantifiers, so a 200 KB completion costs milliseconds.
_MARKER = re.compile(r"\banswer\s*(?:is\b|:)", re.IGNORECASE)  # "The (final) answer is", "Answer:"
_OPEN_TAG, _CLOSE_TAG = re.compile(r"<answer>", re.IGNORECASE), re.compile(r"</answer>", re.IGNORECASE)
_LATEX_WRAP = re.compile(r"\\(?:boxed|text|textbf|textrm|mathrm|mathbf)\s*\{([^{}]*)\}")
_NUMBER = re.compile(r"([+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)(?:\s+([a-z]+))?")
_TOKEN = re.compile(r"(?P<sep>[\s,;'\"]+)|(?P<open>[(\[{])|(?P<close>[)\]}])"
                    r"|(?P<num>[+-]?[0-9]+(?:\.[0-9]+)?)|(?P<word>[^\W\d][\w-]*)")
# A label as a whole word, bare or in brackets: "B", "(B)", "[3]", "Option B"; (?(open)…) closes what was opened.
_LABEL = re.compile(r"(?:(?:the\s+)?(?:option|choice)\s*)?(?P<open>[(\[])?(?P<label>\w+)(?(open)[)\]])(?P<rest>.*)",
                    re.IGNORECASE | re.DOTALL)
_WRAPPERS = {"(": ")", "[": "]", "{": "}", '"': '"', "'": "'", "“": "”", "‘": "’"}


def _statement_after(text, start):
    """The answer stated right after a marker: the rest of its line.

    A matrix broken over lines stays whole because its brackets are still open, and an empty line right
    after "The answer is:" is skipped, as is markdown like "**". The line is not cut at '. ': Game-RL's
    prompt asks the model to END with "The answer is …", and "B. Or maybe C" must not pass as "B".
    """
    out, depth, has_content = [], 0, False
    for ch in text[start:start + MAX_ANSWER_CHARS]:
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
    return "".join(out)


def _last_boxed(text):
    """Contents of the last \\boxed{…}, nested braces included; None if absent or never closed."""
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
            return text[i + 1:j]
    return None


def _last_tagged(text):
    """Contents of the last <answer>…</answer>; None if there is none."""
    close = None
    for close in _CLOSE_TAG.finditer(text):
        pass
    opening = None
    if close is not None:
        for opening in _OPEN_TAG.finditer(text, 0, close.start()):
            pass
    return None if opening is None else text[opening.end():close.start()]


def _clean(answer):
    """Strip the wrapping a model puts around an answer: \\boxed, \\text, $, **, `, trailing '.'."""
    if len(answer) > MAX_ANSWER_CHARS:  # no GameQA answer is this long: not an answer
        return ""
    for _ in range(4):  # \boxed{\text{B}} unwraps from the inside out
        answer = _LATEX_WRAP.sub(r"\1", answer)
    for mark in ("**", "$", "`", "\\(", "\\)", "\\[", "\\]"):
        answer = answer.replace(mark, "")
    return answer.strip().lstrip(":").strip().rstrip(".!?。").strip()


def _final_answer(completion):
    """The answer the completion commits to (SPEC §4, Game-RL's evaluation prompt asks for "The answer is …").

    In order: the last "The answer is …" / "the final answer is …" / "Answer: …"; else the last \\boxed{…};
    else the last <answer>…</answer>; else the last non-empty line. Earlier answers are drafts: last wins.
    """
    marker = None
    for marker in _MARKER.finditer(completion):
        pass
    if marker is not None:
        return _clean(_statement_after(completion, marker.end()))
    for found in (_last_boxed(completion), _last_tagged(completion)):
        if found is not None:
            return _clean(found)
    for line in reversed(completion.rsplit("\n", 8)[-8:]):  # a closing "```" or "**" line is not the answer
        if _clean(line):
            return _clean(line)
    return ""


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


def _option_text(option, i):
    """Option i's text without its own display label: "B. (5, 5)" -> "(5, 5)", "2: (3,1,2)" -> "(3,1,2)"."""
    option = str(option)
    for label in (re.escape(chr(ord("A") + i)), str(i + 1)):
        m = re.match(rf"\s*(?:\({label}\)|\[{label}\]|{label}[.:)])(?=\s)", option)
        if m:
            return option[m.end():].strip()
    return option.strip()


def _label_index(label, by_letter):
    """0-based option index of a label token ("C" -> 2 with letter labels, "3" -> 2 with index labels), or None."""
    if by_letter:
        return ord(label.upper()) - ord("A") if len(label) == 1 and label.isascii() and label.isalpha() else None
    return int(label) - 1 if re.fullmatch(r"[0-9]{1,3}", label) and int(label) >= 1 else None


def _choice_labels(gold, texts, options):
    """(by_letter, gold index) for a multiple-choice sample, or None if the gold names no option.

    A letter gold means options are labelled A, B, … (our engine); a digit gold 1..n means 1, 2, …
    (released GameQA). A gold equal to exactly one option's text picks that option, labelled by the
    options' own "1: …" prefixes if every option has one, else by letters.
    """
    g = gold.strip()
    for by_letter in (True, False):
        index = _label_index(g, by_letter)
        if index is not None and (by_letter or index < len(texts)):
            return by_letter, index
    matches = [i for i, text in enumerate(texts) if _equivalent(g, text)]
    if len(matches) != 1:
        return None
    by_index = all(re.match(rf"\s*{i + 1}\s*[.:)]", str(o)) for i, o in enumerate(options))
    return not by_index, matches[0]


def _named_label(answer, by_letter, texts):
    """Index of the option `answer` names by its label — "B", "(B)", "option B", "B. (5, 5)" — else None.

    Any label-shaped answer is a label, even one past the last option (it is then simply wrong). The label
    must be a whole word, so the "A" in "ANSWER" is no label. Text after the label is allowed only when it
    is that option's own text ("B. (5, 5)"); "A or C", "A, C", "1 2", "1. 2" name no single label.
    """
    m = _LABEL.match(answer)
    if m is None:
        return None
    index, rest = _label_index(m["label"], by_letter), m["rest"]
    if index is None or not rest.strip(" \t\n.:)-–"):
        return index
    detail = rest.lstrip(" \t\n.:)-–")
    if index >= len(texts) or not _equivalent(detail, texts[index]):
        return None
    second = _LABEL.fullmatch(detail)  # a detail that is itself a bare label makes two labels: a hedge
    if second and not second["rest"].strip() and _label_index(second["label"], by_letter) is not None:
        return None
    return index


def score_gameqa(completion, sample):
    """Grade a GameQA answer by rule (SPEC §4). Game-RL asks a 72B judge and falls back to substring match;
    we use neither. accuracy ∈ {0, 1}; format is always 0 (Game-RL has no format reward).

    1. Final answer: the last "The answer is …" / "Answer: …" (to the end of its line), else the
       last \\boxed{…}, else the last <answer>…</answer>, else the last non-empty line; \\text{}, $, ** and a
       trailing '.' are stripped. An empty answer, or one over 4096 characters, scores 0.
    2. Multiple choice (the sample has `options`): a letter gold means labels A, B, …; a digit gold 1..n
       means labels 1, 2, … (released GameQA); a gold equal to one option's text picks that option. The
       answer is right if it IS the gold label ("B", "(B)", "Option B", "B. <B's text>") or equals exactly
       one option's text, that option being the gold. A label is read first: with index labels and
       numeric option texts, a bare number is the option number (the question asks for the option number),
       so "5" for options "3", "5", "7" means option 5 and is wrong.
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
    answer = _final_answer(completion)
    options = sample.get("options")
    choice = None
    if isinstance(options, (list, tuple)) and options:
        texts = [_option_text(o, i) for i, o in enumerate(options)]
        choice = _choice_labels(gold, texts, options)
    if choice is None:  # fill-in, or a gold that names no option: compare values
        correct = _equivalent(answer, gold)
    else:
        by_letter, gold_index = choice
        named = _named_label(answer, by_letter, texts)
        if named is None:  # no label: the answer may be one option's text
            named = [i for i, text in enumerate(texts) if _equivalent(answer, text)]
            named = named[0] if len(named) == 1 else None
        correct = named == gold_index
    return _result(1.0 if correct else 0.0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Rotation (SPEC §3)

_DEGREE_MARKS = re.compile(r"°|º|\^\s*\{?\s*\\circ\s*\}?|\\circ|\\boxed|-?\bdegrees?\b|\bdeg\b|[${}]")
_ANGLE_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
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
        if _ANGLE_NUMBER.fullmatch(token):  # not str.isdigit: it accepts "²", which float() rejects
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
    thinks = _blocks(completion, "think")
    fmt = FORMAT_BONUS if _exact_layout(completion, ("think", "answer")) and thinks[0].strip() else 0.0
    answers = _blocks(completion, "answer")
    if len(answers) != 1 or completion.count("<answer>") != 1:  # two answers is a hedge, none is no answer
        return _result(0.0, fmt)
    named, gold = _parse_turn(answers[0]), _parse_turn(sample["answer"])
    if gold is None:
        raise ValueError(f"sample {sample.get('id')!r}: rotation gold {sample['answer']!r} names no single turn")
    return _result(1.0 if named == gold else 0.0, fmt)


# ---------------------------------------------------------------------------------------------------------
# Benchmarks (SPEC §7): MathVista, MathVerse, MathVision, MMMU, MMMU-Pro, graded by rule (no GPT-4o fallback)

_FRACTION = re.compile(r"\\[dt]?frac\s*\{([^{}]+)\}\s*\{([^{}]+)\}")
_RATIO = re.compile(r"([+-]?[0-9]+(?:\.[0-9]+)?)\s*/\s*([0-9]+(?:\.[0-9]+)?)")
_ASSIGNMENT = re.compile(r"^[a-z]\w{0,3}\s*=\s*(?=\S)", re.IGNORECASE)  # "x = 5", "AB = 3": the value is after '='
_LATEX_NOISE = re.compile(r"\\(?:left|right|displaystyle|!|,|;|:)|\\ |\$")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ|°|\\%|%|\bdegrees?\b")


def _benchmark_answer(completion):
    """The answer a benchmark completion commits to, in ViGaL's order (SPEC §7): the last <answer>…</answer>
    (its last \\boxed{} if it holds one), else the last \\boxed{…}, else the last "The answer is …" /
    "Answer: …". Nothing else counts: a completion that never commits to an answer scores 0."""
    tagged = _last_tagged(completion)
    if tagged is not None:
        boxed = _last_boxed(tagged)
        return _clean(boxed if boxed is not None else tagged)
    boxed = _last_boxed(completion)
    if boxed is not None:
        return _clean(boxed)
    marker = None
    for marker in _MARKER.finditer(completion):
        pass
    return _clean(_statement_after(completion, marker.end())) if marker is not None else ""


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
    """Does `answer` state the gold value? Numbers by the benchmark's answer type (SPEC §7):
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
        import ast  # gold comes from the dataset, never from the model: literal_eval parses, it runs nothing
        try:
            forms = ast.literal_eval(text)
            if isinstance(forms, list) and forms:
                return [str(f) for f in forms]
        except (ValueError, SyntaxError):
            pass
    return [text]


def score_math(completion, sample):
    """Grade a benchmark answer by rule (SPEC §7; ViGaL adds a GPT-4o fallback, we do not). Format is 0.

    1. Answer: the last <answer>…</answer> (its \\boxed{} if any), else the last \\boxed{…}, else the last
       "The answer is …"/"Answer: …"; \\text{}, $, ** and a trailing '.' are stripped. No answer scores 0.
    2. Multiple choice (`options`, gold = a letter A, B, …): right if the answer IS the gold letter ("B",
       "(B)", "Option B", "B. <B's text>") or equals the text of exactly one option, the gold one (the letter
       is inferred from the option text). Options unknown but gold a letter (MathVision with the choices
       drawn in the image): the letter alone decides. "A or C" names no single option and scores 0.
    3. Free form: `_same_math` with the sample's `answer_type`, `precision` and `unit` (MathVista), any of
       several accepted gold forms (MMMU).
    """
    gold = sample.get("answer")
    answer = _benchmark_answer(completion)
    if not answer or gold is None:
        return _result(0.0, 0.0)
    options = [str(o) for o in (sample.get("options") or [])]
    gold_text = str(gold).strip()
    if options or re.fullmatch(r"[A-J]", gold_text):
        if not re.fullmatch(r"[A-Za-z]", gold_text):
            raise ValueError(f"sample {sample.get('id')!r}: a multiple-choice gold must be a letter, got {gold!r}")
        gold_index = ord(gold_text.upper()) - ord("A")
        named = _named_label(answer, True, options)
        if named is None and options:
            matches = [i for i, text in enumerate(options)
                       if _same_math(answer, text, None, sample.get("precision"), sample.get("unit") or "")]
            named = matches[0] if len(matches) == 1 else None
        return _result(1.0 if named == gold_index else 0.0, 0.0)
    correct = any(_same_math(answer, form, sample.get("answer_type"), sample.get("precision"), sample.get("unit") or "")
                  for form in _gold_forms(gold))
    return _result(1.0 if correct else 0.0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Dispatch

SCORERS = {
    "snake": score_snake,
    "snake_move": score_snake_move,
    "gameqa": score_gameqa,
    "rotation": score_rotation,
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

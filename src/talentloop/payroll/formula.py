"""A small, safe formula language for salary components.

HR writes formulas such as ``round(overtime_hours_150 * base / 21.75 / 8 * 1.5, 2)`` over variables
that payroll declares; this module tokenizes, parses, type-checks and evaluates them itself. No
Python is ever evaluated (no ``eval``, ``exec``, ``compile`` or ``ast``): the only names a formula
can reach are the declared variables and the functions listed in ``FUNCTIONS``.

Grammar (lowest precedence first; ``{ }`` repeats, ``[ ]`` is optional)::

    formula    = or_expr END
    or_expr    = and_expr { "or" and_expr }
    and_expr   = not_expr { "and" not_expr }
    not_expr   = "not" not_expr | comparison
    comparison = sum [ ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) sum ]     (not chained)
    sum        = product { ( "+" | "-" ) product }                          (left to right)
    product    = unary { ( "*" | "/" ) unary }                              (left to right)
    unary      = "-" unary | primary
    primary    = NUMBER | NAME | NAME "(" [ or_expr { "," or_expr } ] ")" | "(" or_expr ")"
    NUMBER     = digit { digit } [ "." digit { digit } ]                    (a Decimal; no exponent)
    NAME       = [a-z_][a-z0-9_]*                                           (not and / or / not)

Two types exist: numbers and conditions. Comparisons, ``and``, ``or`` and ``not`` give conditions;
a condition is accepted only where one is expected (the operands of ``and`` / ``or`` / ``not`` and
the first argument of ``if``), and the formula as a whole must give a number. The checker finds
every type error, unknown name, wrong argument count and literal division by zero before anything
is evaluated, and reports each with its position.

A hostile formula cannot exhaust the server: the text is refused past ``MAX_LENGTH`` characters
before it is read, and the parser refuses nesting (parentheses, function calls, ``-`` and ``not``)
deeper than ``MAX_DEPTH``. A run of the same operator (``1 + 1 + 1 …``) is one node holding a list,
so its length never turns into recursion.

Arithmetic runs in a private decimal context (``INTERMEDIATE_PRECISION`` significant digits,
``INTERMEDIATE_ROUNDING``), so the caller's thread context never changes a result; ``round`` rounds
half up (``ROUND_MODE``). A compiled ``Formula`` is a tree of closures: compile once per run,
evaluate once per person.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NoReturn

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

StrOrPromise = str | Promise

MAX_LENGTH = 2000
"""Characters a formula may have; a longer one is refused before it is read."""
MAX_DEPTH = 50
"""Nesting levels: each parenthesis, function call, ``-`` sign and ``not`` opens one."""
INTERMEDIATE_PRECISION = 28
"""Significant digits kept by every ``+ - * /`` (Python's default, fixed here)."""
INTERMEDIATE_ROUNDING = ROUND_HALF_EVEN
"""How an intermediate result beyond ``INTERMEDIATE_PRECISION`` digits is rounded."""
ROUND_MODE = ROUND_HALF_UP
"""How ``round(x, places)`` rounds: 2.345 -> 2.35, -2.345 -> -2.35 (away from zero on a tie)."""
MAX_ROUND_PLACES = 4

_CONTEXT = Context(
    prec=INTERMEDIATE_PRECISION,
    rounding=INTERMEDIATE_ROUNDING,
    traps=[DivisionByZero, InvalidOperation, Overflow],
)
_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(MAX_ROUND_PLACES + 1))


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``round(value, places)`` of the language: half up, to 0-4 places, in the formula context."""
    return value.quantize(_QUANTA[places], ROUND_MODE, _CONTEXT)


def floor_value(value: Decimal) -> Decimal:
    return value.to_integral_value(ROUND_FLOOR, _CONTEXT)


def ceil_value(value: Decimal) -> Decimal:
    return value.to_integral_value(ROUND_CEILING, _CONTEXT)


# ---------------------------------------------------------------------------------------------------
# Declarations, problems, errors


@dataclass(frozen=True, slots=True)
class VariableSpec:
    """A variable a formula may use; the label and help text are shown in the formula editor."""

    label: StrOrPromise
    help_text: StrOrPromise = ""


@dataclass(frozen=True, slots=True)
class FormulaProblem:
    """One reason a formula is refused: ``position`` is a 0-based offset, ``line`` and ``column`` 1-based."""

    code: str
    message: str
    position: int
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


class FormulaError(ValueError):
    """The formula is refused; ``problems`` says where and why (several when the checker found several)."""

    def __init__(self, problems: list[FormulaProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


class FormulaEvaluationError(ArithmeticError):
    """A formula could not be evaluated for one set of values (a division by zero, a missing value)."""

    def __init__(
        self, code: str, message: str, position: int | None = None, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position
        self.line = line
        self.column = column


def _locate(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column


def _problem(text: str, code: str, message: str, position: int) -> FormulaProblem:
    line, column = _locate(text, position)
    return FormulaProblem(code=code, message=message, position=position, line=line, column=column)


class _Refused(Exception):
    """A syntax problem: reading stops at the first one."""

    def __init__(self, code: str, message: str, position: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position


def _show(text: str, limit: int = 40) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------
# Tokens

_END = "end"
_KEYWORDS = frozenset({"and", "or", "not"})
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
_TOKEN = re.compile(
    r"(?P<space>[ \t\r\n]+)"
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<operator><=|>=|==|!=|[-+*/(),<>])"
)
_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
# Characters a Chinese input method or a word processor types in place of the ASCII ones the language uses.
_FULL_WIDTH = {
    "（": "(",
    "）": ")",
    "，": ",",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "×": "*",
    "÷": "/",
    "＜": "<",
    "＞": ">",
    "＝": "=",
    "。": ".",
    "．": ".",
}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", a keyword, an operator's text, or _END
    text: str
    start: int
    end: int


def _character_problem(text: str, position: int) -> _Refused:
    char = text[position]
    shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    if char in _FULL_WIDTH:
        message = _("“%(char)s” cannot be used in a formula: type “%(ascii)s” instead.") % {
            "char": char,
            "ascii": _FULL_WIDTH[char],
        }
    elif char.isspace():
        message = _("A special space (%(char)s) cannot be used in a formula: type an ordinary space.") % {"char": shown}
    elif char == "=":
        message = _("Use “==” to compare two values; “=” alone is not an operator.")
    elif char == "!":
        message = _("Use “not” to negate a condition, or “!=” for “is not equal to”.")
    elif char in "&|":
        message = _("Use “and” and “or” to combine conditions.")
    elif char == "." and text[position + 1 : position + 2].isdigit():
        message = _("Write a number with a leading zero, such as 0.5.")
    else:
        message = _("“%(char)s” cannot be used in a formula.") % {"char": shown}
    return _Refused("invalid_character", message, position)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, length, match = 0, len(text), _TOKEN.match
    while position < length:
        found = match(text, position)
        if found is None:
            raise _character_problem(text, position)
        kind, value, end = found.lastgroup, found.group(), found.end()
        if kind == "number":
            after = text[end : end + 1]
            if after == ".":
                raise _Refused(
                    "invalid_number", _("A number has one decimal point followed by digits, such as 21.75."), end
                )
            if after.isalnum() or after == "_":
                raise _Refused(
                    "invalid_number",
                    _(
                        "A number cannot be followed directly by a name or letter; "
                        "put an operator between them, such as 2 * base."
                    ),
                    end,
                )
        elif kind == "name":
            if not _NAME.match(value):
                raise _Refused(
                    "invalid_name",
                    _("Names are written in lowercase: “%(name)s” should be “%(lower)s”.")
                    % {"name": value, "lower": value.lower()},
                    position,
                )
            if value in _KEYWORDS:
                kind = value
        elif kind == "operator":
            kind = value
        if kind != "space":
            assert kind is not None
            tokens.append(_Token(kind, value, position, end))
        position = end
    tokens.append(_Token(_END, "", length, length))
    return tokens


# ---------------------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """``first`` followed by ``(operator, operator position, operand)`` steps of one precedence level."""

    first: Node
    steps: tuple[tuple[str, int, Node], ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: str
    operator_position: int
    left: Node
    right: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Logical:
    operator: str  # "and" or "or"
    operands: tuple[Node, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    arguments: tuple[Node, ...]
    start: int
    end: int


Node = Number | Name | Negate | Not | Arithmetic | Comparison | Logical | Call


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != _END:
            self.index += 1
        return token

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(
                "too_deep",
                _("The formula is nested too deeply: at most %(limit)d levels of parentheses, functions and signs.")
                % {"limit": MAX_DEPTH},
                token.start,
            )

    def parse(self) -> Node:
        if self.peek().kind == _END:
            raise _Refused("empty", _("The formula is empty."), 0)
        node = self.or_expr()
        token = self.peek()
        if token.kind == ")":
            raise _Refused(
                "unbalanced_parenthesis", _("This closing parenthesis has no matching opening one."), token.start
            )
        if token.kind != _END:
            raise _Refused(
                "trailing_input",
                _("Unexpected “%(token)s”: the formula should end here, or an operator is missing before it.")
                % {"token": token.text},
                token.start,
            )
        return node

    def or_expr(self) -> Node:
        return self.logical("or", self.and_expr)

    def and_expr(self) -> Node:
        return self.logical("and", self.not_expr)

    def logical(self, operator: str, operand: Callable[[], Node]) -> Node:
        first = operand()
        if self.peek().kind != operator:
            return first
        operands = [first]
        while self.peek().kind == operator:
            self.advance()
            operands.append(operand())
        return Logical(operator, tuple(operands), first.start, operands[-1].end)

    def not_expr(self) -> Node:
        token = self.peek()
        if token.kind != "not":
            return self.comparison()
        self.advance()
        self.enter(token)
        operand = self.not_expr()
        self.depth -= 1
        return Not(operand, token.start, operand.end)

    def comparison(self) -> Node:
        left = self.arithmetic(self.product, ("+", "-"))
        token = self.peek()
        if token.kind not in _COMPARISONS:
            return left
        self.advance()
        right = self.arithmetic(self.product, ("+", "-"))
        if self.peek().kind in _COMPARISONS:
            raise _Refused(
                "chained_comparison", _("Comparisons cannot be chained: write a < b and b < c."), self.peek().start
            )
        return Comparison(token.kind, token.start, left, right, left.start, right.end)

    def product(self) -> Node:
        return self.arithmetic(self.unary, ("*", "/"))

    def arithmetic(self, operand: Callable[[], Node], operators: tuple[str, str]) -> Node:
        first = operand()
        steps: list[tuple[str, int, Node]] = []
        while self.peek().kind in operators:
            token = self.advance()
            steps.append((token.kind, token.start, operand()))
        if not steps:
            return first
        return Arithmetic(first, tuple(steps), first.start, steps[-1][2].end)

    def unary(self) -> Node:
        token = self.peek()
        if token.kind != "-":
            return self.primary()
        self.advance()
        self.enter(token)
        operand = self.unary()
        self.depth -= 1
        return Negate(operand, token.start, operand.end)

    def primary(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            return Number(Decimal(token.text), token.start, token.end)
        if token.kind == "name":
            if self.peek().kind == "(":
                return self.call(token)
            return Name(token.text, token.start, token.end)
        if token.kind == "(":
            self.enter(token)
            inner = self.or_expr()
            self.close(token, _("Expected “)” to close the parenthesis, found “%(token)s”."))
            self.depth -= 1
            return inner
        if token.kind == _END:
            raise _Refused(
                "unexpected_end", _("The formula ends too early: a number, a name or “(” is missing."), token.start
            )
        if token.kind == ")" and self.depth == 0:
            raise _Refused(
                "unbalanced_parenthesis", _("This closing parenthesis has no matching opening one."), token.start
            )
        raise _Refused(
            "unexpected_token",
            _("Unexpected “%(token)s”: a number, a name or “(” is expected here.") % {"token": token.text},
            token.start,
        )

    def call(self, name: _Token) -> Node:
        opening = self.advance()
        self.enter(opening)
        arguments: list[Node] = []
        if self.peek().kind == ")":
            closing = self.advance()
        else:
            while True:
                arguments.append(self.or_expr())
                if self.peek().kind != ",":
                    break
                self.advance()
            closing = self.close(opening, _("Expected “,” or “)” after an argument, found “%(token)s”."))
        self.depth -= 1
        return Call(name.text, tuple(arguments), name.start, closing.end)

    def close(self, opening: _Token, message: str) -> _Token:
        token = self.advance()
        if token.kind == ")":
            return token
        if token.kind == _END:
            raise _Refused("unbalanced_parenthesis", _("This parenthesis is never closed."), opening.start)
        raise _Refused("unexpected_token", message % {"token": token.text}, token.start)


# ---------------------------------------------------------------------------------------------------
# Functions and the static check

_NUMBER = "number"
_CONDITION = "condition"


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function of the language; ``usage`` and ``description`` are shown in the formula editor."""

    minimum: int
    maximum: int | None  # None: any number from ``minimum`` up
    usage: StrOrPromise
    description: StrOrPromise


FUNCTIONS: Mapping[str, FunctionSpec] = MappingProxyType(
    {
        "min": FunctionSpec(
            2, None, gettext_lazy("min(a, b, …)"), gettext_lazy("The smallest of two or more numbers.")
        ),
        "max": FunctionSpec(2, None, gettext_lazy("max(a, b, …)"), gettext_lazy("The largest of two or more numbers.")),
        "round": FunctionSpec(
            2, 2, gettext_lazy("round(value, places)"), gettext_lazy("The value rounded half up to 0-4 decimal places.")
        ),
        "floor": FunctionSpec(
            1, 1, gettext_lazy("floor(value)"), gettext_lazy("The largest whole number not above the value.")
        ),
        "ceil": FunctionSpec(
            1, 1, gettext_lazy("ceil(value)"), gettext_lazy("The smallest whole number not below the value.")
        ),
        "abs": FunctionSpec(1, 1, gettext_lazy("abs(value)"), gettext_lazy("The value without its sign.")),
        "if": FunctionSpec(
            3,
            3,
            gettext_lazy("if(condition, then, else)"),
            gettext_lazy("“then” when the condition holds, otherwise “else”; only the chosen one is worked out."),
        ),
        "clamp": FunctionSpec(
            3, 3, gettext_lazy("clamp(value, low, high)"), gettext_lazy("The value kept between low and high.")
        ),
    }
)


class _Checker:
    def __init__(self, text: str, variables: Mapping[str, VariableSpec]) -> None:
        self.text = text
        self.variables = variables
        self.problems: list[FormulaProblem] = []
        self.used: dict[str, int] = {}  # name -> first position, in order of first use

    def report(self, code: str, message: str, position: int) -> None:
        self.problems.append(_problem(self.text, code, message, position))

    def expect(self, node: Node, wanted: str) -> bool:
        """Check ``node`` and report it if it is of the other type; True when it is fine."""
        found = self.check(node)
        if found is None or found == wanted:
            return found is not None
        shown = _show(self.text[node.start : node.end])
        if wanted == _NUMBER:
            message = _("A number is expected here, but “%(text)s” is a condition (true or false).")
        else:
            message = _("A condition such as rating >= 4 is expected here, but “%(text)s” is a number.")
        self.report("type_error", message % {"text": shown}, node.start)
        return False

    def check(self, node: Node) -> str | None:
        """The type of ``node``, or None when a problem inside it was reported already."""
        if isinstance(node, Number):
            return _NUMBER
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Negate):
            return _NUMBER if self.expect(node.operand, _NUMBER) else None
        if isinstance(node, Not):
            return _CONDITION if self.expect(node.operand, _CONDITION) else None
        if isinstance(node, Arithmetic):
            fine = self.expect(node.first, _NUMBER)
            for operator, position, operand in node.steps:
                before = len(self.problems)
                fine = self.expect(operand, _NUMBER) and fine
                if operator == "/" and len(self.problems) == before and self.constant(operand) == 0:
                    self.report(
                        "division_by_zero",
                        _("Division by zero: “%(text)s” is always 0.")
                        % {"text": _show(self.text[operand.start : operand.end])},
                        position,
                    )
            return _NUMBER if fine else None
        if isinstance(node, Comparison):
            left = self.expect(node.left, _NUMBER)
            right = self.expect(node.right, _NUMBER)
            return _CONDITION if left and right else None
        if isinstance(node, Logical):
            results = [self.expect(operand, _CONDITION) for operand in node.operands]
            return _CONDITION if all(results) else None
        return self.call(node)

    def name(self, node: Name) -> str | None:
        if node.name in self.variables:
            self.used.setdefault(node.name, node.start)
            return _NUMBER
        if node.name in FUNCTIONS:
            message = _("“%(name)s” is a function: write it with its arguments, such as %(usage)s.") % {
                "name": node.name,
                "usage": FUNCTIONS[node.name].usage,
            }
        else:
            close = difflib.get_close_matches(node.name, list(self.variables), n=1)
            if close:
                message = _("Unknown variable “%(name)s”: did you mean “%(suggestion)s”?") % {
                    "name": node.name,
                    "suggestion": close[0],
                }
            else:
                message = _("Unknown variable “%(name)s”.") % {"name": node.name}
        self.report("unknown_variable", message, node.start)
        return None

    def call(self, node: Call) -> str | None:
        function = FUNCTIONS.get(node.function)
        if function is None:
            for argument in node.arguments:
                self.check(argument)
            close = difflib.get_close_matches(node.function, list(FUNCTIONS), n=1)
            if close:
                message = _("Unknown function “%(name)s”: did you mean “%(suggestion)s”?") % {
                    "name": node.function,
                    "suggestion": close[0],
                }
            else:
                message = _("Unknown function “%(name)s”; the functions are %(functions)s.") % {
                    "name": node.function,
                    "functions": ", ".join(FUNCTIONS),
                }
            self.report("unknown_function", message, node.start)
            return None
        count = len(node.arguments)
        if count < function.minimum or (function.maximum is not None and count > function.maximum):
            self.report(
                "wrong_argument_count",
                _("Wrong number of arguments for %(name)s() (%(count)d given): write %(usage)s.")
                % {"name": node.function, "count": count, "usage": function.usage},
                node.start,
            )
            for argument in node.arguments:
                self.check(argument)
            return _NUMBER
        wanted = [_CONDITION, _NUMBER, _NUMBER] if node.function == "if" else [_NUMBER] * count
        before = len(self.problems)
        for argument, kind in zip(node.arguments, wanted, strict=True):
            self.expect(argument, kind)  # every argument, even after a failing one: all problems at once
        fine = len(self.problems) == before  # the checks below work out arguments, which must be sound
        if node.function == "round" and fine:
            places = node.arguments[1]
            if not (
                isinstance(places, Number)
                and places.value == places.value.to_integral_value()
                and 0 <= places.value <= MAX_ROUND_PLACES
            ):
                self.report(
                    "invalid_places",
                    _(
                        "The decimal places of round() are a whole number from 0 to "
                        "%(limit)d written as it is, such as round(value, 2)."
                    )
                    % {"limit": MAX_ROUND_PLACES},
                    places.start,
                )
        if node.function == "clamp" and fine:
            low, high = self.constant(node.arguments[1]), self.constant(node.arguments[2])
            if low is not None and high is not None and low > high:
                self.report(
                    "invalid_bounds",
                    _("In clamp(value, low, high) the low bound %(low)s is above the high bound %(high)s.")
                    % {"low": low, "high": high},
                    node.start,
                )
        return _NUMBER

    def constant(self, node: Node) -> Decimal | None:
        """The value of a checked number expression that uses no variable, or None."""
        if _uses_names(node):
            return None
        try:
            return _number(node, self.text)({})
        except (FormulaEvaluationError, DecimalException):
            return None


def _uses_names(node: Node) -> bool:
    if isinstance(node, Name):
        return True
    if isinstance(node, Number):
        return False
    if isinstance(node, Negate | Not):
        return _uses_names(node.operand)
    if isinstance(node, Arithmetic):
        return _uses_names(node.first) or any(_uses_names(operand) for _, _, operand in node.steps)
    if isinstance(node, Comparison):
        return _uses_names(node.left) or _uses_names(node.right)
    if isinstance(node, Logical):
        return any(_uses_names(operand) for operand in node.operands)
    return any(_uses_names(argument) for argument in node.arguments)


# ---------------------------------------------------------------------------------------------------
# Compilation to closures

_Values = Mapping[str, Decimal]
_NumberFn = Callable[[_Values], Decimal]
_ConditionFn = Callable[[_Values], bool]
_add, _subtract, _multiply, _divide = _CONTEXT.add, _CONTEXT.subtract, _CONTEXT.multiply, _CONTEXT.divide
_OPERATIONS: Mapping[str, Callable[[Decimal, Decimal], Decimal]] = {"+": _add, "-": _subtract, "*": _multiply}


def _zero_divisor(text: str, position: int, divisor: Node) -> Callable[[], NoReturn]:
    """What a division at ``position`` raises when ``divisor`` is 0 at run time."""
    line, column = _locate(text, position)
    shown = _show(text[divisor.start : divisor.end])

    def refuse() -> NoReturn:
        raise FormulaEvaluationError(
            "division_by_zero",
            _("Division by zero at line %(line)d, column %(column)d: “%(text)s” is 0.")
            % {"line": line, "column": column, "text": shown},
            position,
            line,
            column,
        )

    return refuse


def _division(dividend: _NumberFn, divisor: _NumberFn, refuse: Callable[[], NoReturn]) -> _NumberFn:
    def divide(values: _Values) -> Decimal:
        denominator = divisor(values)
        if not denominator:
            refuse()
        return _divide(dividend(values), denominator)

    return divide


def _binary(operator: str, left: _NumberFn, right: _NumberFn) -> _NumberFn:
    operation = _OPERATIONS[operator]
    return lambda values: operation(left(values), right(values))


def _number(node: Node, text: str) -> _NumberFn:
    if isinstance(node, Number):
        value = node.value
        return lambda values: value
    if isinstance(node, Name):
        getter: _NumberFn = itemgetter(node.name)
        return getter
    if isinstance(node, Negate):
        negated = _number(node.operand, text)
        return lambda values: negated(values).copy_negate()
    if isinstance(node, Arithmetic):
        # Left to right: ((first op1 a) op2 b) ...; a long run of one operator is a loop, never a deep chain of calls.
        if len(node.steps) == 1:
            operator, position, operand = node.steps[0]
            left, right = _number(node.first, text), _number(operand, text)
            if operator == "/":
                return _division(left, right, _zero_divisor(text, position, operand))
            return _binary(operator, left, right)
        first = _number(node.first, text)
        plan = tuple(
            (_divide, _number(operand, text), _zero_divisor(text, position, operand))
            if operator == "/"
            else (_OPERATIONS[operator], _number(operand, text), None)
            for operator, position, operand in node.steps
        )
        return _run_steps(first, plan)
    assert isinstance(node, Call)
    return _call(node, text)


def _run_steps(
    first: _NumberFn,
    plan: tuple[tuple[Callable[[Decimal, Decimal], Decimal], _NumberFn, Callable[[], NoReturn] | None], ...],
) -> _NumberFn:
    def run(values: _Values) -> Decimal:
        result = first(values)
        for operation, operand, refuse in plan:
            value = operand(values)
            if refuse is not None and not value:
                refuse()
            result = operation(result, value)
        return result

    return run


def _call(node: Call, text: str) -> _NumberFn:
    name = node.function
    if name == "if":
        condition = _condition(node.arguments[0], text)
        then, otherwise = _number(node.arguments[1], text), _number(node.arguments[2], text)
        return lambda values: then(values) if condition(values) else otherwise(values)
    arguments = [_number(argument, text) for argument in node.arguments]
    if name == "round":
        value = arguments[0]
        places_node = node.arguments[1]
        assert isinstance(places_node, Number)
        places = int(places_node.value)
        return lambda values: round_half_up(value(values), places)
    if name in ("floor", "ceil", "abs"):
        value = arguments[0]
        if name == "floor":
            return lambda values: floor_value(value(values))
        if name == "ceil":
            return lambda values: ceil_value(value(values))
        return lambda values: value(values).copy_abs()
    if name == "clamp":
        return _clamp(node, text, *arguments)
    choose: Callable[..., Decimal] = min if name == "min" else max
    if len(arguments) == 2:
        a, b = arguments
        return lambda values: choose(a(values), b(values))
    return lambda values: choose([argument(values) for argument in arguments])


def _clamp(node: Call, text: str, value: _NumberFn, low: _NumberFn, high: _NumberFn) -> _NumberFn:
    line, column = _locate(text, node.start)

    def clamp(values: _Values) -> Decimal:
        bottom, top = low(values), high(values)
        if bottom > top:
            raise FormulaEvaluationError(
                "invalid_bounds",
                _(
                    "At line %(line)d, column %(column)d the low bound of clamp() (%(low)s) is above the high bound "
                    "(%(high)s)."
                )
                % {"line": line, "column": column, "low": bottom, "high": top},
                node.start,
                line,
                column,
            )
        return min(max(value(values), bottom), top)

    return clamp


def _condition(node: Node, text: str) -> _ConditionFn:
    if isinstance(node, Comparison):
        left, right = _number(node.left, text), _number(node.right, text)
        operator = node.operator
        if operator == "<":
            return lambda values: left(values) < right(values)
        if operator == "<=":
            return lambda values: left(values) <= right(values)
        if operator == ">":
            return lambda values: left(values) > right(values)
        if operator == ">=":
            return lambda values: left(values) >= right(values)
        if operator == "==":
            return lambda values: left(values) == right(values)
        return lambda values: left(values) != right(values)
    if isinstance(node, Not):
        operand = _condition(node.operand, text)
        return lambda values: not operand(values)
    assert isinstance(node, Logical)
    operands = tuple(_condition(operand, text) for operand in node.operands)
    if len(operands) == 2:
        a, b = operands
        if node.operator == "and":
            return lambda values: a(values) and b(values)
        return lambda values: a(values) or b(values)
    if node.operator == "and":
        return lambda values: all(operand(values) for operand in operands)
    return lambda values: any(operand(values) for operand in operands)


# ---------------------------------------------------------------------------------------------------
# The public entry points


class Formula:
    """A checked formula, ready to evaluate many times; build it with ``compile_formula``."""

    __slots__ = ("_run", "positions", "text", "tree", "variables")

    def __init__(self, text: str, tree: Node, positions: Mapping[str, int]) -> None:
        self.text = text
        self.tree = tree
        self.positions = MappingProxyType(dict(positions))
        # The variables the formula uses, in order of first use: a run loads only these.
        self.variables: tuple[str, ...] = tuple(positions)
        self._run = _number(tree, text)

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_recompile, (self.text, self.variables))

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        """The formula's value; ``values`` needs a finite Decimal for each of ``variables`` (others are ignored)."""
        for name in self.variables:
            try:
                value = values[name]
            except KeyError:
                self._missing(name)
            if type(value) is not Decimal or not value.is_finite():
                self._invalid(name, value)
        try:
            result = self._run(values)
        except DecimalException as exc:
            raise FormulaEvaluationError("out_of_range", _("The result is too large to work out.")) from exc
        return result if result else result.copy_abs()  # no "-0" on a payslip

    def _missing(self, name: str) -> NoReturn:
        position = self.positions[name]
        line, column = _locate(self.text, position)
        raise FormulaEvaluationError(
            "missing_value", _("No value was given for “%(name)s”.") % {"name": name}, position, line, column
        )

    def _invalid(self, name: str, value: object) -> None:
        if isinstance(value, Decimal) and value.is_finite():
            return  # a Decimal subclass
        if isinstance(value, Decimal):
            position = self.positions[name]
            line, column = _locate(self.text, position)
            raise FormulaEvaluationError(
                "invalid_value", _("The value of “%(name)s” is not a number.") % {"name": name}, position, line, column
            )
        raise TypeError(f"The value of {name!r} must be a Decimal, not {type(value).__name__}")


def _recompile(text: str, names: tuple[str, ...]) -> Formula:
    return compile_formula(text, {name: VariableSpec(label=name) for name in names})


def _check_declarations(variables: Mapping[str, VariableSpec]) -> None:
    for name in variables:
        if not _NAME.match(name) or name in _KEYWORDS or name in FUNCTIONS:
            raise ValueError(f"{name!r} cannot be a formula variable: use [a-z_][a-z0-9_]*, not a keyword or function")


def compile_formula(text: str, variables: Mapping[str, VariableSpec]) -> Formula:
    """Parse and check ``text`` over the declared ``variables``; raises ``FormulaError`` with every problem."""
    if not isinstance(text, str):
        raise TypeError("A formula is text")
    _check_declarations(variables)
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            [
                _problem(
                    text,
                    "too_long",
                    _("The formula is too long: at most %(limit)d characters, it has %(length)d.")
                    % {"limit": MAX_LENGTH, "length": len(text)},
                    MAX_LENGTH,
                )
            ]
        )
    try:
        return _compile(text, variables)
    except _Refused as refused:
        raise FormulaError([_problem(text, refused.code, refused.message, refused.position)]) from None
    except RecursionError:  # only when the caller's own stack is already nearly full: the limits keep ours small
        raise FormulaError([_problem(text, "too_deep", _("The formula is nested too deeply."), 0)]) from None


def _compile(text: str, variables: Mapping[str, VariableSpec]) -> Formula:
    tree = _Parser(_tokenize(text)).parse()
    checker = _Checker(text, variables)
    if checker.check(tree) == _CONDITION:
        checker.report(
            "type_error",
            _(
                "The formula must give an amount, but it gives a condition (true or false); "
                "use if(condition, amount, amount)."
            ),
            tree.start,
        )
    if checker.problems:
        raise FormulaError(sorted(checker.problems, key=lambda problem: problem.position))
    return Formula(text, tree, checker.used)


# ---------------------------------------------------------------------------------------------------
# The payroll catalogue

PAYROLL_VARIABLES: Mapping[str, VariableSpec] = MappingProxyType(
    {
        "base": VariableSpec(
            gettext_lazy("Monthly base salary"), gettext_lazy("The base salary of the month, in yuan.")
        ),
        "wage_base": VariableSpec(
            gettext_lazy("Wage base of the month"),
            gettext_lazy("The sum of the month's components that count towards the wage base, in yuan."),
        ),
        "attendance_days": VariableSpec(
            gettext_lazy("Attendance days"), gettext_lazy("Days the person attended in the month.")
        ),
        "scheduled_days": VariableSpec(
            gettext_lazy("Scheduled working days"), gettext_lazy("Working days in the month by the person's schedule.")
        ),
        "unpaid_leave_days": VariableSpec(
            gettext_lazy("Unpaid leave days"), gettext_lazy("Days of unpaid leave taken in the month.")
        ),
        "overtime_hours_150": VariableSpec(
            gettext_lazy("Overtime hours (1.5×)"),
            gettext_lazy("Approved overtime hours on working days, paid at one and a half times the hourly wage."),
        ),
        "overtime_hours_200": VariableSpec(
            gettext_lazy("Overtime hours (2×)"),
            gettext_lazy(
                "Approved overtime hours on rest days without time off in lieu, paid at twice the hourly wage."
            ),
        ),
        "overtime_hours_300": VariableSpec(
            gettext_lazy("Overtime hours (3×)"),
            gettext_lazy("Approved overtime hours on statutory holidays, paid at three times the hourly wage."),
        ),
        "years_of_service": VariableSpec(gettext_lazy("Years of service"), gettext_lazy("Complete years of service.")),
        "rating": VariableSpec(
            gettext_lazy("Performance rating"),
            gettext_lazy("The performance rating of the period, 1 to 5; 0 when there is none (see has_rating)."),
        ),
        "has_rating": VariableSpec(
            gettext_lazy("Has a rating"), gettext_lazy("1 when the period has a performance rating, otherwise 0.")
        ),
        "months_employed": VariableSpec(
            gettext_lazy("Months employed"), gettext_lazy("Complete months since the person joined.")
        ),
    }
)

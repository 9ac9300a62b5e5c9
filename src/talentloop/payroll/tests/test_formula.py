"""The salary-component formula language: arithmetic, functions, refusals with their positions, limits.

Figures used in the worked examples:
- 21.75 paid days a month: (365 days - 104 rest days) / 12 = 21.75, from the notice on the average monthly
  working time and wage conversion, 劳社部发〔2008〕3号
  (https://www.mohrss.gov.cn/SYrlzyhshbzb/laodongguanxi_/fwyd/200801/t20080110_84264.html).
- Overtime at no less than 150 % (working days), 200 % (rest days without time off in lieu) and 300 %
  (statutory holidays) of the wage: Labour Law of the PRC, article 44.
"""

from __future__ import annotations

import ast
import pickle
import random
import sys
import time
from collections.abc import Iterator
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path
from types import FrameType

import pytest
from django.utils import translation
from django.utils.functional import Promise

from talentloop.payroll import formula as formula_module
from talentloop.payroll.formula import (
    FUNCTIONS,
    INTERMEDIATE_PRECISION,
    MAX_DEPTH,
    MAX_LENGTH,
    PAYROLL_VARIABLES,
    Formula,
    FormulaError,
    FormulaEvaluationError,
    VariableSpec,
    ceil_value,
    compile_formula,
    floor_value,
    round_half_up,
)

D = Decimal
SYNTAX_CODES = {
    "invalid_character",
    "invalid_number",
    "invalid_name",
    "unexpected_token",
    "unexpected_end",
    "trailing_input",
    "unbalanced_parenthesis",
    "chained_comparison",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def calc(text: str, **values: str) -> Decimal:
    """Compile ``text`` over the payroll catalogue and evaluate it with the given values."""
    return compile_formula(text, PAYROLL_VARIABLES).evaluate({name: D(value) for name, value in values.items()})


def refusal(text: str) -> list[tuple[str, int, int]]:
    """(code, line, column) of each problem ``compile_formula`` reports for ``text``."""
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, PAYROLL_VARIABLES)
    return [(problem.code, problem.line, problem.column) for problem in caught.value.problems]


def only_problem(text: str) -> formula_module.FormulaProblem:
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, PAYROLL_VARIABLES)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


# --- precedence and associativity ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 - 3 - 4", "-5"),  # (2 - 3) - 4 = -5; right to left would be 2 - (3 - 4) = 3
        ("8 / 4 / 2", "1"),  # (8 / 4) / 2 = 1; right to left would be 8 / (4 / 2) = 4
        ("2 * 3 + 4", "10"),  # (2 * 3) + 4 = 10; not 2 * (3 + 4) = 14
        ("2 + 3 * 4", "14"),  # 2 + (3 * 4) = 14; not (2 + 3) * 4 = 20
        ("-2 * 3", "-6"),  # (-2) * 3 = -6
        ("-2 + 3", "1"),  # (-2) + 3 = 1; not -(2 + 3) = -5
        ("1 - -1", "2"),  # 1 - (-1) = 2
        ("- - 1", "1"),  # -(-1) = 1
        ("2 * (3 + 4)", "14"),  # parentheses first: 2 * 7
        ("10 - 2 * 3 + 8 / 4 - 1", "5"),  # 10 - 6 + 2 - 1 = 5
        ("12 / 3 * 2", "8"),  # (12 / 3) * 2 = 8; not 12 / (3 * 2) = 2
    ],
)
def test_precedence_and_associativity(text: str, expected: str) -> None:
    assert calc(text) == D(expected)


def test_comparison_binds_looser_than_arithmetic() -> None:
    # 1 + 1 == 2 reads (1 + 1) == 2, true -> 1; 1 + (1 == 2) would be a type error
    assert calc("if(1 + 1 == 2, 1, 0)") == 1


def test_not_binds_looser_than_comparison() -> None:
    # not 1 > 2 reads not (1 > 2) = not false = true -> 1
    assert calc("if(not 1 > 2, 1, 0)") == 1


def test_and_binds_tighter_than_or() -> None:
    # (false and false) or true = true -> 1; false and (false or true) would be false -> 0
    assert calc("if(1 > 2 and 1 > 2 or 2 > 1, 1, 0)") == 1


# --- Decimal exactness ----------------------------------------------------------------------------------


def test_decimal_is_exact() -> None:
    result = calc("0.1 + 0.2")
    assert type(result) is Decimal
    assert result == D("0.3")  # in binary floating point 0.1 + 0.2 = 0.30000000000000004
    assert str(result) == "0.3"


def test_division_keeps_intermediate_precision() -> None:
    # 1 / 3 to 28 significant digits; 2 / 3 ends in ...6667 (the 29th digit 6 rounds the 28th up)
    assert INTERMEDIATE_PRECISION == 28
    assert calc("1 / 3") == D("0." + "3" * 28)
    assert calc("2 / 3") == D("0." + "6" * 27 + "7")


def test_intermediate_rounding_is_half_even() -> None:
    # 29 significant digits ending in 5, one rounding by "+ 0": half even keeps ...0 (0 is even), ...1 5 -> ...2
    assert calc("1.0000000000000000000000000005 + 0") == D("1." + "0" * 27)
    assert calc("1.0000000000000000000000000015 + 0") == D("1." + "0" * 26 + "2")


def test_the_callers_decimal_context_changes_nothing() -> None:
    compiled = compile_formula("2 / 3", PAYROLL_VARIABLES)
    with localcontext() as context:
        context.prec = 3
        context.rounding = ROUND_DOWN
        assert compiled.evaluate({}) == D("0." + "6" * 27 + "7")  # not 0.666 (3 digits, rounded down)


def test_numbers_keep_their_written_places() -> None:
    assert str(calc("2 * 3")) == "6"
    assert str(calc("21.75 * 2")) == "43.50"  # Decimal keeps the places: 21.75 * 2 = 43.50


def test_negative_zero_is_shown_as_zero() -> None:
    assert str(calc("0 * -1")) == "0"  # Decimal would give -0
    assert str(calc("round(-0.001, 2)")) == "0.00"  # -0.001 rounds to -0.00, shown 0.00


# --- functions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(3, 1, 2)", "1"),
        ("max(3, 1, 2)", "3"),
        ("min(2.5, -1)", "-1"),
        ("max(2.5, -1)", "2.5"),
        ("round(2.345, 2)", "2.35"),  # the tie goes up
        ("round(-2.345, 2)", "-2.35"),  # half up means away from zero on a tie
        ("round(2.344, 2)", "2.34"),
        ("round(2.5, 0)", "3"),  # banker's rounding would give 2
        ("round(1.005, 2)", "1.01"),  # a binary float 1.005 is 1.00499999999999989... and would give 1.00
        ("round(1 / 3, 4)", "0.3333"),
        ("floor(2.7)", "2"),
        ("floor(-2.1)", "-3"),  # towards minus infinity
        ("ceil(2.1)", "3"),
        ("ceil(-2.7)", "-2"),  # towards plus infinity
        ("abs(-3.5)", "3.5"),
        ("abs(3.5)", "3.5"),
        ("clamp(5, 1, 3)", "3"),
        ("clamp(-1, 0, 10)", "0"),
        ("clamp(2.5, 1, 3)", "2.5"),
        ("if(2 > 1, 10, 20)", "10"),
        ("if(2 < 1, 10, 20)", "20"),
    ],
)
def test_functions(text: str, expected: str) -> None:
    assert calc(text) == D(expected)


def test_round_keeps_the_places_asked_for() -> None:
    assert str(calc("round(2, 2)")) == "2.00"
    assert str(calc("round(1234.5, 0)")) == "1235"


def test_named_rounding_functions() -> None:
    assert round_half_up(D("0.125"), 2) == D("0.13")  # tie at the third place goes up
    assert round_half_up(D("-0.125"), 2) == D("-0.13")
    assert round_half_up(D("0.12499"), 2) == D("0.12")
    assert floor_value(D("-0.5")) == D("-1")
    assert ceil_value(D("-0.5")) == 0


def test_if_only_evaluates_the_chosen_branch() -> None:
    text = "if(scheduled_days > 0, base / scheduled_days, 0)"
    # scheduled_days = 0: the untaken branch would divide by zero, and is not worked out
    assert calc(text, scheduled_days="0", base="8700") == 0
    assert calc(text, scheduled_days="20", base="8700") == D("435")  # 8700 / 20 = 435
    assert calc("if(scheduled_days == 0, 0, base / scheduled_days)", scheduled_days="0", base="1") == 0


def test_and_or_stop_early() -> None:
    # scheduled_days = 0: the right side of "and" would divide by zero and is not worked out
    text = "if(scheduled_days > 0 and base / scheduled_days > 100, 1, 0)"
    assert calc(text, scheduled_days="0", base="8700") == 0
    text = "if(scheduled_days == 0 or base / scheduled_days > 100, 1, 0)"
    assert calc(text, scheduled_days="0", base="8700") == 1


@pytest.mark.parametrize(
    ("operator", "answers"),
    [  # answers for (1 ? 2, 2 ? 2, 3 ? 2)
        ("<", (1, 0, 0)),
        ("<=", (1, 1, 0)),
        (">", (0, 0, 1)),
        (">=", (0, 1, 1)),
        ("==", (0, 1, 0)),
        ("!=", (1, 0, 1)),
    ],
)
def test_comparisons(operator: str, answers: tuple[int, int, int]) -> None:
    for left, answer in zip(("1", "2", "3"), answers, strict=True):
        assert calc(f"if({left} {operator} 2, 1, 0)") == answer, f"{left} {operator} 2"


def test_equality_compares_values_not_places() -> None:
    assert calc("if(1.0 == 1, 1, 0)") == 1
    assert calc("if(rating == 4, 1, 0)", rating="4.00") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("if(1 > 0 and 2 > 0 and 3 > 0, 1, 0)", 1),
        ("if(1 > 0 and 2 > 0 and 3 < 0, 1, 0)", 0),
        ("if(1 < 0 or 2 < 0 or 3 > 0, 1, 0)", 1),
        ("if(1 < 0 or 2 < 0 or 3 < 0, 1, 0)", 0),
        ("if(not 1 < 0, 1, 0)", 1),
        ("if(not not 1 < 0, 1, 0)", 0),
        ("if(not (1 > 0 and 2 < 0), 1, 0)", 1),
    ],
)
def test_boolean_operators(text: str, expected: int) -> None:
    assert calc(text) == expected


def test_clamp_with_bounds_the_wrong_way_round_at_run_time() -> None:
    compiled = compile_formula("clamp(base, wage_base, 100)", PAYROLL_VARIABLES)
    assert compiled.evaluate({"base": D(150), "wage_base": D(50)}) == 100
    with pytest.raises(FormulaEvaluationError) as caught:
        compiled.evaluate({"base": D(150), "wage_base": D(200)})
    assert caught.value.code == "invalid_bounds"
    assert (caught.value.line, caught.value.column) == (1, 1)


# --- worked examples over the payroll catalogue ------------------------------------------------------


def test_prorated_base_salary() -> None:
    # 8,700 / 21.75 = 400 a paid day; 400 * 20 attendance days = 8,000
    assert calc("base / 21.75 * attendance_days", base="8700", attendance_days="20") == D("8000")


def test_unpaid_leave_deduction() -> None:
    # 8,700 - 8,700 / 21.75 * 2 = 8,700 - 400 * 2 = 7,900
    assert calc("base - base / 21.75 * unpaid_leave_days", base="8700", unpaid_leave_days="2") == D("7900")


def test_rating_bonus() -> None:
    text = "if(rating >= 4, base * 0.2, 0)"
    assert calc(text, rating="4", base="8700") == D("1740")  # 8,700 * 0.2 = 1,740
    assert calc(text, rating="3", base="8700") == 0


def test_rating_bonus_when_the_rating_may_be_absent() -> None:
    text = "if(has_rating == 1 and rating >= 4, base * 0.2, 0)"
    assert calc(text, has_rating="1", rating="5", base="10000") == D("2000")  # 10,000 * 0.2
    assert calc(text, has_rating="0", rating="0", base="10000") == 0


def test_overtime_at_150_percent() -> None:
    text = "round(overtime_hours_150 * base / 21.75 / 8 * 1.5, 2)"
    # 10 * 8,700 = 87,000; / 21.75 = 4,000; / 8 = 500; * 1.5 = 750 -> 750.00
    assert str(calc(text, overtime_hours_150="10", base="8700")) == "750.00"
    # 10 * 10,000 = 100,000; / 21.75 = 4,597.7011494...; / 8 = 574.7126436...; * 1.5 = 862.0689655... -> 862.07
    assert calc(text, overtime_hours_150="10", base="10000") == D("862.07")


def test_seniority_allowance_with_a_cap() -> None:
    # 50 a year of service, at most 500: 7 years -> 350, 12 years -> 600 capped at 500
    text = "min(years_of_service * 50, 500)"
    assert calc(text, years_of_service="7") == 350
    assert calc(text, years_of_service="12") == 500


# --- evaluation errors ----------------------------------------------------------------------------------


def test_division_by_zero_at_run_time() -> None:
    compiled = compile_formula("base / scheduled_days", PAYROLL_VARIABLES)
    with pytest.raises(FormulaEvaluationError) as caught:
        compiled.evaluate({"base": D(8700), "scheduled_days": D(0)})
    error = caught.value
    assert error.code == "division_by_zero"
    assert (error.position, error.line, error.column) == (5, 1, 6)  # the "/" is the 6th character
    assert "scheduled_days" in error.message
    assert "line 1, column 6" in error.message


def test_division_by_zero_in_a_longer_run_of_divisions() -> None:
    # three divisions make a loop of steps rather than nested calls; the second one fails
    compiled = compile_formula("base / 8 / scheduled_days / 2", PAYROLL_VARIABLES)
    with pytest.raises(FormulaEvaluationError) as caught:
        compiled.evaluate({"base": D(8700), "scheduled_days": D("0.00")})
    assert (caught.value.code, caught.value.column) == ("division_by_zero", 10)
    # 8,700 / 8 = 1,087.5; / 21.75 = 50; / 2 = 25
    assert compiled.evaluate({"base": D(8700), "scheduled_days": D("21.75")}) == 25


def test_missing_value_is_an_error() -> None:
    compiled = compile_formula("base + rating * 100", PAYROLL_VARIABLES)
    with pytest.raises(FormulaEvaluationError) as caught:
        compiled.evaluate({"base": D(1)})
    assert caught.value.code == "missing_value"
    assert "rating" in caught.value.message
    assert caught.value.column == 8  # where rating is first used


def test_a_variable_of_an_untaken_branch_still_needs_a_value() -> None:
    # the values a formula needs do not depend on the data, so a run knows them in advance
    compiled = compile_formula("if(has_rating == 1, rating * 100, 0)", PAYROLL_VARIABLES)
    with pytest.raises(FormulaEvaluationError):
        compiled.evaluate({"has_rating": D(0)})


def test_values_must_be_finite_decimals() -> None:
    compiled = compile_formula("base * 2", PAYROLL_VARIABLES)
    with pytest.raises(TypeError):
        compiled.evaluate({"base": 1.5})  # type: ignore[dict-item]  # a float is refused, not converted
    with pytest.raises(TypeError):
        compiled.evaluate({"base": 2})  # type: ignore[dict-item]
    for value in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(FormulaEvaluationError) as caught:
            compiled.evaluate({"base": D(value)})
        assert caught.value.code == "invalid_value"


def test_values_of_unused_variables_are_ignored() -> None:
    compiled = compile_formula("base * 2", PAYROLL_VARIABLES)
    assert compiled.evaluate({"base": D(3), "rating": 1.5, "other": "x"}) == 6  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("base * base", "9E+999999"),  # beyond the largest exponent
        ("round(base, 4)", "1E+30"),  # 31 digits before the point and 4 after do not fit in 28 digits
    ],
)
def test_results_out_of_range(text: str, value: str) -> None:
    with pytest.raises(FormulaEvaluationError) as caught:
        compile_formula(text, PAYROLL_VARIABLES).evaluate({"base": D(value)})
    assert caught.value.code == "out_of_range"


# --- refusals and where they are --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", " \n\t "])
def test_empty_formula(text: str) -> None:
    assert refusal(text) == [("empty", 1, 1)]


def test_unknown_variable_suggests_the_closest_declared_name() -> None:
    problem = only_problem("base + overtme_hours_150")
    assert (problem.code, problem.position, problem.line, problem.column) == ("unknown_variable", 7, 1, 8)
    assert "“overtime_hours_150”" in problem.message
    assert "“base”" in only_problem("bse * 2").message


def test_unknown_variable_without_a_close_name() -> None:
    problem = only_problem("1 + xyzzy")
    assert (problem.code, problem.column) == ("unknown_variable", 5)
    assert "did you mean" not in problem.message


def test_a_function_name_without_arguments() -> None:
    problem = only_problem("round + 1")
    assert (problem.code, problem.column) == ("unknown_variable", 1)
    assert "round(value, places)" in problem.message


def test_unknown_function() -> None:
    assert refusal("1 + sum(1, 2)") == [("unknown_function", 1, 5)]
    assert "“round”" in only_problem("rnd(base, 2)").message


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("1 + round(base)", 5),
        ("round(base, 2, 3)", 1),
        ("if(rating > 3, 1)", 1),
        ("min(1)", 1),
        ("max()", 1),
        ("abs(1, 2)", 1),
        ("floor()", 1),
        ("ceil(1, 2)", 1),
        ("clamp(1, 2)", 1),
    ],
)
def test_wrong_number_of_arguments(text: str, column: int) -> None:
    assert refusal(text) == [("wrong_argument_count", 1, column)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1 + 2", ("unbalanced_parenthesis", 1, 1)),  # the "(" that is never closed
        ("((1)", ("unbalanced_parenthesis", 1, 1)),
        ("1 + 2)", ("unbalanced_parenthesis", 1, 6)),  # the ")" without its "("
        ("min(1, 2", ("unbalanced_parenthesis", 1, 4)),  # the call's "("
        ("base *\n  (1 + 2", ("unbalanced_parenthesis", 2, 3)),
        ("1 + * 2", ("unexpected_token", 1, 5)),
        ("min(1,)", ("unexpected_token", 1, 7)),
        ("()", ("unexpected_token", 1, 2)),
        ("(1 2)", ("unexpected_token", 1, 4)),
        ("min(1 2)", ("unexpected_token", 1, 7)),
        ("base ** 2", ("unexpected_token", 1, 7)),
        ("+1", ("unexpected_token", 1, 1)),  # there is no unary plus
        ("1 +", ("unexpected_end", 1, 4)),  # just past the end
        ("1 2", ("trailing_input", 1, 3)),
        ("base base", ("trailing_input", 1, 6)),
        ("1 < 2 < 3", ("chained_comparison", 1, 7)),
        ("1e5", ("invalid_number", 1, 2)),  # no exponents
        ("1.", ("invalid_number", 1, 2)),
        ("1.2.3", ("invalid_number", 1, 4)),
        ("2base", ("invalid_number", 1, 2)),
        (".5", ("invalid_character", 1, 1)),
        ("Base * 2", ("invalid_name", 1, 1)),
        ("IF(1 > 0, 1, 0)", ("invalid_name", 1, 1)),
        ("if(rating = 5, 1, 0)", ("invalid_character", 1, 11)),
        ("if(!has_rating, 1, 0)", ("invalid_character", 1, 4)),
        ("if(1 > 0 && 2 > 0, 1, 0)", ("invalid_character", 1, 10)),
        ("base % 2", ("invalid_character", 1, 6)),
        ("base\n+ 2\n+ 3 $", ("invalid_character", 3, 5)),
    ],
)
def test_syntax_errors_and_where(text: str, expected: tuple[str, int, int]) -> None:
    assert refusal(text) == [expected]


def test_hints_for_common_mistakes() -> None:
    assert "“==”" in only_problem("if(rating = 5, 1, 0)").message
    assert "0.5" in only_problem(".5").message
    assert "“base”" in only_problem("Base * 2").message
    assert "“and”" in only_problem("if(1 > 0 && 2 > 0, 1, 0)").message


def test_full_width_punctuation_is_refused_with_a_hint() -> None:
    problem = only_problem("min（base，1）")
    assert (problem.code, problem.column) == ("invalid_character", 4)
    assert "“(”" in problem.message
    assert "“*”" in only_problem("base × 2").message


def test_special_spaces_are_refused_with_a_hint() -> None:
    # U+3000 is the ideographic space of Chinese input methods, U+00A0 the no-break space of word processors
    for space in ("\u3000", "\u00a0"):
        problem = only_problem(f"base{space}* 2")
        assert (problem.code, problem.column) == ("invalid_character", 5)
        assert f"U+{ord(space):04X}" in problem.message
        assert "ordinary space" in problem.message


def test_invisible_characters_are_named() -> None:
    problem = only_problem("base\x00")
    assert (problem.code, problem.column) == ("invalid_character", 5)
    assert "U+0000" in problem.message


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("__import__('os')", 12),
        ("__import__('os').system('ls')", 12),
        ("base.__class__", 5),
        ("().__class__.__bases__", 3),  # characters are read before the grammar
        ('"a"', 1),
        ("'a' * 3", 1),
        ("[1]", 1),
        ("{1: 2}", 1),
        ("lambda: 0", 7),
        ("lambda x: x", 9),
        ("base; 1", 5),
        ("base\n;import os", 1),
        ("exec('1')", 6),
        ('eval("1")', 6),
        ("open('/etc/passwd')", 6),
        ("base if 1 else 2", 6),
        ("base @ 2", 6),
        ("`id`", 1),
        ("base\\\n1", 5),
    ],
)
def test_python_is_a_syntax_error(text: str, column: int) -> None:
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, PAYROLL_VARIABLES)
    [problem] = caught.value.problems
    assert problem.code in SYNTAX_CODES
    assert problem.column == column


def test_python_names_are_just_unknown_names() -> None:
    assert refusal("__import__") == [("unknown_variable", 1, 1)]
    assert refusal("__import__(1)") == [("unknown_function", 1, 1)]
    assert refusal("lambda") == [("unknown_variable", 1, 1)]


def test_the_module_never_runs_python() -> None:
    # No eval/exec/compile/__import__ call and no ast module anywhere in the implementation.
    tree = ast.parse(Path(formula_module.__file__).read_text(encoding="utf-8"))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__", "getattr"}
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) if node.module}
    assert not imported & {"ast", "builtins", "importlib", "os", "subprocess"}


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("not base", 5),
        ("base + (1 > 2)", 9),  # the condition inside the parentheses starts at "1"
        ("-(rating > 3)", 3),
        ("min(1 > 2, 3)", 5),
        ("if(base, 1, 2)", 4),
        ("if(1 > 2, 1 > 2, 0)", 11),
        ("rating >= 4 and base > 0 or 1", 29),
        ("round(rating > 3, 2)", 7),
    ],
)
def test_type_errors(text: str, column: int) -> None:
    assert refusal(text) == [("type_error", 1, column)]


def test_a_formula_must_give_a_number() -> None:
    problem = only_problem("rating >= 4")
    assert (problem.code, problem.column) == ("type_error", 1)
    assert "if(" in problem.message


def test_conditions_are_not_compared() -> None:
    # (1 < 2) == (2 < 3): each side is a condition where == wants numbers
    assert refusal("if((1 < 2) == (2 < 3), 1, 0)") == [("type_error", 1, 5), ("type_error", 1, 16)]


def test_every_problem_is_reported_at_once_in_order() -> None:
    # bse (col 1), foo (col 7), round with one argument (col 16) whose argument x (col 22) is unknown too
    assert refusal("bse + foo(1) + round(x)") == [
        ("unknown_variable", 1, 1),
        ("unknown_function", 1, 7),
        ("wrong_argument_count", 1, 16),
        ("unknown_variable", 1, 22),
    ]


def test_an_unknown_name_does_not_cascade_into_type_errors() -> None:
    assert refusal("if(ratng > 3, bse, 0)") == [("unknown_variable", 1, 4), ("unknown_variable", 1, 15)]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("base / 0", 6),
        ("base / 0.00", 6),
        ("base / -0", 6),
        ("base / (2 - 2)", 6),
        ("base / 4 / (1 * 0)", 10),
        ("base / round(0.001, 2)", 6),
    ],
)
def test_literal_division_by_zero(text: str, column: int) -> None:
    assert refusal(text) == [("division_by_zero", 1, column)]


def test_division_by_a_nonzero_constant_or_a_variable_is_fine() -> None:
    assert calc("base / (2 - 1)", base="5") == 5
    assert calc("base / round(0.005, 2)", base="1") == 100  # round(0.005, 2) = 0.01 (half up)
    compile_formula("base / scheduled_days", PAYROLL_VARIABLES)


@pytest.mark.parametrize("text", ["round(base, 5)", "round(base, 1.5)", "round(base, -1)", "round(base, rating)"])
def test_round_places_are_a_written_whole_number_from_0_to_4(text: str) -> None:
    assert refusal(text) == [("invalid_places", 1, 13)]


def test_clamp_with_written_bounds_the_wrong_way_round() -> None:
    assert refusal("1 + clamp(base, 3, 1)") == [("invalid_bounds", 1, 5)]


def test_checks_that_work_out_arguments_skip_arguments_already_refused() -> None:
    # round(1) inside clamp() or as round()'s places is reported once, and nothing tries to work it out
    assert refusal("clamp(base, round(1), 2)") == [("wrong_argument_count", 1, 13)]
    assert refusal("round(base, min(1))") == [("wrong_argument_count", 1, 13)]
    assert refusal("clamp(base, 1 / 0, 2)") == [("division_by_zero", 1, 15)]


def test_problems_carry_offset_line_and_column() -> None:
    text = "base *\n  21.75 +\n  bonus"
    problem = only_problem(text)
    # "base *\n" is 7 characters, "  21.75 +\n" is 10: bonus starts at offset 7 + 10 + 2 = 19, line 3, column 3
    assert (problem.position, problem.line, problem.column) == (19, 3, 3)
    assert text[problem.position :].startswith("bonus")


def test_formula_error_reads_well() -> None:
    with pytest.raises(FormulaError) as caught:
        compile_formula("bse", PAYROLL_VARIABLES)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "1:1: Unknown variable “bse”: did you mean “base”?"


# --- hostile input ----------------------------------------------------------------------------------------


def test_length_limit() -> None:
    at_limit = "1+" * 999 + "11"  # 2,000 characters: 999 ones and 11 -> 999 + 11 = 1,010
    assert len(at_limit) == MAX_LENGTH == 2000
    assert compile_formula(at_limit, PAYROLL_VARIABLES).evaluate({}) == 1010
    assert refusal(at_limit + "1") == [("too_long", 1, 2001)]


def test_depth_limit() -> None:
    assert MAX_DEPTH == 50
    assert calc("(" * 50 + "1" + ")" * 50) == 1
    assert refusal("(" * 51 + "1" + ")" * 51) == [("too_deep", 1, 51)]  # the 51st "("
    assert calc("-" * 50 + "1") == 1  # an even number of signs
    assert refusal("-" * 51 + "1") == [("too_deep", 1, 51)]
    assert refusal("not " * 51 + "1 > 0") == [("too_deep", 1, 1 + 50 * 4)]  # the 51st "not" starts at 200
    assert refusal("if(" + "not " * 50 + "1 > 0, 1, 0)") == [("too_deep", 1, 4 + 49 * 4)]  # if( is one level
    assert refusal("abs(" * 51 + "1" + ")" * 51) == [("too_deep", 1, 51 * 4)]  # the 51st call's "("


def test_ten_thousand_open_parentheses_are_refused_quickly() -> None:
    started = time.perf_counter()
    assert refusal("(" * 10_000)[0][0] == "too_long"
    assert refusal("(" * 10_000 + "1" + ")" * 10_000)[0][0] == "too_long"
    assert time.perf_counter() - started < 1


def test_a_hundred_thousand_terms_are_refused_quickly() -> None:
    started = time.perf_counter()
    assert refusal("+".join(["1"] * 100_000))[0][0] == "too_long"
    assert time.perf_counter() - started < 1


def test_without_the_length_limit_depth_still_stops_deep_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formula_module, "MAX_LENGTH", 10**6)
    for text in ("(" * 10_000 + "1" + ")" * 10_000, "-" * 10_000 + "1", "not " * 10_000 + "1", "(" * 10_000):
        assert refusal(text)[0][0] == "too_deep"


def test_without_the_length_limit_a_long_run_of_one_operator_is_a_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # 100,000 terms: no recursion, since a run of + (or *) is one node with a list of steps
    monkeypatch.setattr(formula_module, "MAX_LENGTH", 10**6)
    assert compile_formula("+".join(["1"] * 100_000), PAYROLL_VARIABLES).evaluate({}) == 100_000
    assert compile_formula("-".join(["1"] * 100_000), PAYROLL_VARIABLES).evaluate({}) == 1 - 99_999
    assert (
        compile_formula("if(" + " or ".join(["1 > 2"] * 10_000) + " or 1 < 2, 1, 0)", PAYROLL_VARIABLES).evaluate({})
        == 1
    )  # 10,000 false conditions, then a true one


def _deepest_formula() -> str:
    # Each level: an if() around a condition that goes through or, and, a comparison, a sum and a product before
    # the next level's parentheses: 2 nesting levels (call, parenthesis) and 6 tree levels each.
    text = "base"
    for _ in range(MAX_DEPTH // 2):
        text = f"if(1 < 2 or 1 > 2 and 1 < 1 + 1 * ({text}), base, 0)"
    return text


def test_the_deepest_formula_allowed_compiles_and_evaluates() -> None:
    text = _deepest_formula()
    assert len(text) <= MAX_LENGTH
    assert calc(text, base="7") == 7
    assert refusal(f"abs({text})")[0][0] == "too_deep"


def test_a_nearly_full_stack_gives_a_refusal_not_a_recursion_error() -> None:
    depth, frame = 0, sys._getframe()  # count the frames already on the stack
    walker: FrameType | None = frame
    while walker is not None:
        depth, walker = depth + 1, walker.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 60)
    try:
        with pytest.raises(FormulaError) as caught:
            compile_formula("(" * 50 + "1" + ")" * 50, PAYROLL_VARIABLES)
    finally:
        sys.setrecursionlimit(limit)
    # 50 levels are allowed, but 60 frames cannot hold them: the refusal comes from the RecursionError, at offset 0
    assert (caught.value.problems[0].code, caught.value.problems[0].position) == ("too_deep", 0)


# --- the Formula object -------------------------------------------------------------------------------------


def test_variables_in_order_of_first_use() -> None:
    compiled = compile_formula("base * rating + base / attendance_days", PAYROLL_VARIABLES)
    assert compiled.variables == ("base", "rating", "attendance_days")
    assert compile_formula("21.75 * 2", PAYROLL_VARIABLES).variables == ()


def test_only_the_variables_used_need_values() -> None:
    compiled = compile_formula("base * 2", PAYROLL_VARIABLES)
    assert compiled.evaluate({"base": D("4350.5")}) == D("8701.0")


def test_formula_keeps_its_text() -> None:
    text = "round(base / 21.75, 2)"
    compiled = compile_formula(text, PAYROLL_VARIABLES)
    assert compiled.text == text
    assert repr(compiled) == "Formula('round(base / 21.75, 2)')"
    assert isinstance(compiled, Formula)


def test_a_compiled_formula_survives_pickling() -> None:
    # a run may hand formulas to its worker processes
    compiled = compile_formula("if(rating >= 4, round(base * 0.15, 2), 0)", PAYROLL_VARIABLES)
    copy = pickle.loads(pickle.dumps(compiled))  # noqa: S301 - our own object, round-tripped in the test
    assert copy.text == compiled.text
    assert copy.variables == ("rating", "base")
    assert copy.evaluate({"rating": D(4), "base": D("1234.5")}) == D("185.18")  # 1,234.5 * 0.15 = 185.175 -> 185.18


def test_other_declared_variables() -> None:
    variables = {"hours": VariableSpec("Hours"), "rate": VariableSpec("Rate")}
    assert compile_formula("hours * rate", variables).evaluate({"hours": D("7.5"), "rate": D(40)}) == 300
    assert refusal_with(variables, "base") == [("unknown_variable", 1, 1)]


def refusal_with(variables: dict[str, VariableSpec], text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, variables)
    return [(problem.code, problem.line, problem.column) for problem in caught.value.problems]


@pytest.mark.parametrize("name", ["Base", "round", "and", "not", "2x", "with space", ""])
def test_declared_names_must_be_usable(name: str) -> None:
    with pytest.raises(ValueError, match="cannot be a formula variable"):
        compile_formula("1", {name: VariableSpec("x")})


# --- catalogues --------------------------------------------------------------------------------------------


def test_payroll_variable_catalogue() -> None:
    assert set(PAYROLL_VARIABLES) == {
        "base",
        "wage_base",
        "attendance_days",
        "scheduled_days",
        "unpaid_leave_days",
        "overtime_hours_150",
        "overtime_hours_200",
        "overtime_hours_300",
        "years_of_service",
        "rating",
        "has_rating",
        "months_employed",
    }
    for name, spec in PAYROLL_VARIABLES.items():
        assert isinstance(spec.label, Promise), name  # translated when shown, in the reader's language
        assert isinstance(spec.help_text, Promise), name
        assert str(spec.label) and str(spec.help_text)
    # every one of them can be used in a formula
    compiled = compile_formula(" + ".join(PAYROLL_VARIABLES), PAYROLL_VARIABLES)
    assert compiled.evaluate({name: D(1) for name in PAYROLL_VARIABLES}) == 12


def test_function_catalogue() -> None:
    assert set(FUNCTIONS) == {"min", "max", "round", "floor", "ceil", "abs", "if", "clamp"}
    for name, spec in FUNCTIONS.items():
        assert str(spec.usage).startswith(f"{name}(")
        assert isinstance(spec.description, Promise)


# --- random expressions against a reference --------------------------------------------------------------

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _random_expression(rng: random.Random, depth: int, values: dict[str, Decimal]) -> tuple[str, int, Decimal]:
    """A random arithmetic expression: its text with only the parentheses it needs, its precedence and its value.

    The value is worked out here on the tree itself with Decimal operators in a 28-digit half-even context, so
    a parser that grouped the text differently would give another value.
    """
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.5:
            name = rng.choice(sorted(values))
            return name, 4, values[name]
        literal = rng.choice(["0", "1", "2", "3", "7", "0.5", "21.75", "1.005", "100"])
        return literal, 4, Decimal(literal)
    if rng.random() < 0.15:
        text, precedence, value = _random_expression(rng, depth - 1, values)
        return (f"-({text})" if precedence < 3 else f"-{text}"), 3, -value
    operator = rng.choice("+-*/")
    left_text, left_precedence, left = _random_expression(rng, depth - 1, values)
    right_text, right_precedence, right = _random_expression(rng, depth - 1, values)
    if operator == "/" and right == 0:
        operator = "+"
    precedence = _PRECEDENCE[operator]
    if left_precedence < precedence:
        left_text = f"({left_text})"
    if right_precedence <= precedence:  # a right operand of the same level keeps its parentheses: a - (b - c)
        right_text = f"({right_text})"
    value = {"+": left + right, "-": left - right, "*": left * right, "/": left / right if right else left}[operator]
    return f"{left_text} {operator} {right_text}", precedence, value


def test_random_expressions_group_like_the_grammar_says() -> None:
    rng = random.Random(20261207)
    values = {"base": D("8700"), "rating": D("4"), "scheduled_days": D("21.75"), "attendance_days": D("0")}
    with localcontext() as context:
        context.prec, context.rounding = 28, ROUND_HALF_EVEN
        for _ in range(500):
            text, _precedence, expected = _random_expression(rng, 5, values)
            assert compile_formula(text, PAYROLL_VARIABLES).evaluate(values) == expected, text


def test_random_token_soup_is_refused_or_evaluated_never_crashes() -> None:
    # Any text either compiles or is refused with problems inside the text; a compiled one evaluates to a Decimal
    # or raises FormulaEvaluationError. Nothing else (IndexError, RecursionError, InvalidOperation ...) escapes.
    pieces = ["base", "rating", "scheduled_days", "1", "0", "2.5", "0.00", "+", "-", "*", "/", "(", ")", ",", "<"]
    pieces += ["<=", "==", "!=", ">", "and", "or", "not", "min(", "max(", "round(", "floor(", "ceil(", "abs(", "if("]
    pieces += ["clamp(", " ", "\n", "foo(", "x", "4", ".", "'", "="]
    rng = random.Random(7)
    values = {"base": D("8700"), "rating": D("0"), "scheduled_days": D("0")}
    compiled_count = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        try:
            compiled = compile_formula(text, PAYROLL_VARIABLES)
        except FormulaError as error:
            assert error.problems
            assert all(0 <= problem.position <= len(text) for problem in error.problems), text
            continue
        compiled_count += 1
        try:
            assert type(compiled.evaluate(values)) is Decimal
        except FormulaEvaluationError as error:
            assert error.code in {"division_by_zero", "invalid_bounds", "out_of_range"}, text
    assert compiled_count > 20  # the soup does make some valid formulas

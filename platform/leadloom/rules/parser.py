"""Expressions → checked, compiled evaluators. No ``eval``: Python's own parser reads the
text, and only an allowlist of node types is turned into closures over field values.

The language: field names, literals (``'text'``, numbers, ``true``/``false``/``null``),
lists ``[...]``, ``== != < <= > >= in not in``, ``and or not``, ``+ - * /``, parentheses,
``a if condition else b`` and the functions of ``rules.functions``.
"""

from __future__ import annotations

import ast
import difflib
import functools
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any

from leadloom.rules import evaluate as ev
from leadloom.rules.errors import ExpressionError
from leadloom.rules.functions import FUNCTIONS, Env, Function
from leadloom.rules.kinds import Kind, compatible, kind_of

Run = Callable[[Mapping[str, Any], Env], Any]
Typed = tuple[Kind, Run]
MAX_LENGTH = 2000
MAX_DEPTH = 40
CONSTANTS = {"true": True, "false": False, "null": None}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
            ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in"}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_NAMES = {ast.Subscript: "indexing (a[0])",
          ast.Lambda: "lambda", ast.Dict: "mappings {...}", ast.Set: "sets {...}",
          ast.JoinedStr: "f-strings", ast.NamedExpr: "assignment (:=)",
          ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
          ast.Starred: "*arguments", ast.Mod: "%", ast.Pow: "**", ast.FloorDiv: "//"}


class Compiler:
    """Checks one expression against the fields it may use and builds its evaluator."""

    def __init__(self, text: str, fields: Mapping[str, str],
                 options: Mapping[str, Collection[str]],
                 functions: Mapping[str, Function] | None = None) -> None:
        self.text = text
        self.functions = {**FUNCTIONS, **functions} if functions else FUNCTIONS
        self.kinds = {name: _field_kind(name, ftype) for name, ftype in fields.items()}
        self.options = options
        self.names: set[str] = set()
        self.depth = 0

    def compile(self) -> Typed:
        if len(self.text) > MAX_LENGTH:
            raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
        if not self.text.strip():
            raise ExpressionError("the expression is empty", 1)
        try:
            tree = ast.parse(self.text.strip(), mode="eval")
        except SyntaxError as exc:
            lead = len(self.text) - len(self.text.lstrip())
            offset = exc.offset if exc.offset and exc.offset > 0 else len(self.text.strip()) + 1
            raise ExpressionError(f"syntax error: {exc.msg}", offset + lead) from None
        return self.node(tree.body)

    # ---- dispatch --------------------------------------------------------------------
    def node(self, node: ast.AST) -> Typed:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(node, "expression nested too deeply")
        try:
            method = getattr(self, f"_{type(node).__name__}", None)
            if method is None:
                what = next((label for cls, label in _NAMES.items() if isinstance(node, cls)),
                            type(node).__name__)
                raise self.error(node, f"{what} is not supported: use fields, literals, "
                                       "operators and the listed functions")
            result: Typed = method(node)
            return result
        finally:
            self.depth -= 1

    def error(self, node: ast.AST, message: str) -> ExpressionError:
        offset = getattr(node, "col_offset", None)
        lead = len(self.text) - len(self.text.lstrip())
        return ExpressionError(message, None if offset is None else offset + lead + 1)

    # ---- leaves ----------------------------------------------------------------------
    def _Constant(self, node: ast.Constant) -> Typed:
        value = node.value
        if isinstance(value, bool):
            return Kind.BOOL, lambda v, e, _x=value: _x
        if value is None:
            return Kind.ANY, lambda v, e: None
        if isinstance(value, int):
            return Kind.NUMBER, lambda v, e, _x=value: _x
        if isinstance(value, float):
            number = Decimal(str(value))
            return Kind.NUMBER, lambda v, e, _x=number: _x
        if isinstance(value, str):
            return Kind.TEXT, lambda v, e, _x=value: _x
        raise self.error(node, f"'{value!r}' is not a value the language knows")

    def _Name(self, node: ast.Name) -> Typed:
        name = node.id
        if name in self.kinds:
            self.names.add(name)
            return self.kinds[name], lambda v, e, _n=name: v.get(_n)
        if name in CONSTANTS:
            return self._Constant(ast.Constant(CONSTANTS[name]))
        if name in self.functions:
            raise self.error(node, f"'{name}' is a function: call it as {name}(...)")
        close = difflib.get_close_matches(name, list(self.kinds), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise self.error(node, f"unknown field '{name}'{hint}")

    def _Attribute(self, node: ast.Attribute) -> Typed:
        """``old.stage``: a dotted name is a field when the caller declares it so (the
        values before and after a write); any other ``a.b`` is refused."""
        name = _dotted(node)
        if name is not None and name in self.kinds:
            self.names.add(name)
            return self.kinds[name], lambda v, e, _n=name: v.get(_n)
        prefixes = list(dict.fromkeys(k.split(".")[0] for k in self.kinds if "." in k))
        hint = (f": use {' or '.join(p + '.<field>' for p in prefixes)} and the fields"
                if prefixes else ": use fields, literals, operators and the listed functions")
        if name is not None and name.split(".")[0] in prefixes:
            raise self.error(node, f"unknown field '{name}'")
        raise self.error(node, f"attribute access (a.b) is not supported{hint}")

    def _List(self, node: ast.List | ast.Tuple) -> Typed:
        items = [self.node(item) for item in node.elts]
        runs = [run for _, run in items]
        if all(isinstance(item, ast.Constant) for item in node.elts):  # ``x in ['a', 'b']``
            values = [run({}, None) for run in runs]
            return Kind.LIST, lambda v, e: list(values)
        return Kind.LIST, lambda v, e: [run(v, e) for run in runs]

    _Tuple = _List

    # ---- operators -------------------------------------------------------------------
    def _BoolOp(self, node: ast.BoolOp) -> Typed:
        runs = [self.node(value)[1] for value in node.values]
        if isinstance(node.op, ast.And):
            return Kind.BOOL, lambda v, e: all(ev.truthy(r(v, e)) for r in runs)
        return Kind.BOOL, lambda v, e: any(ev.truthy(r(v, e)) for r in runs)

    def _UnaryOp(self, node: ast.UnaryOp) -> Typed:
        kind, run = self.node(node.operand)
        if isinstance(node.op, ast.Not):
            return Kind.BOOL, lambda v, e: not ev.truthy(run(v, e))
        if not compatible(kind, Kind.NUMBER):
            raise self.error(node, f"'-' needs a number, not {kind}")
        if isinstance(node.op, ast.UAdd):
            return kind, run
        return Kind.NUMBER, lambda v, e: ev.negate(run(v, e))

    def _BinOp(self, node: ast.BinOp) -> Typed:
        op = _ARITH.get(type(node.op))
        if op is None:
            what = _NAMES.get(type(node.op), type(node.op).__name__)
            raise self.error(node, f"'{what}' is not supported: use + - * /")
        (left_kind, left), (right_kind, right) = self.node(node.left), self.node(node.right)
        kind = _arith_kind(op, left_kind, right_kind)
        if kind is None:
            raise self.error(node, f"'{op}' cannot combine {left_kind} and {right_kind}")
        return kind, lambda v, e: ev.arithmetic(op, left(v, e), right(v, e))

    def _Compare(self, node: ast.Compare) -> Typed:
        steps = []
        left_node = node.left
        left_kind, left = self.node(left_node)
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            op = _COMPARE[type(op_node)]
            right_kind, right = self.node(right_node)
            self._check_compare(node, op, left_node, left_kind, right_node, right_kind)
            steps.append((_COMPARERS[op], left, right))
            left_node, left_kind, left = right_node, right_kind, right
        if len(steps) == 1:  # the usual case, without a loop per test (grading runs many)
            (compare, a, b), = steps
            return Kind.BOOL, lambda v, e: compare(a(v, e), b(v, e))
        return Kind.BOOL, lambda v, e: all(compare(a(v, e), b(v, e)) for compare, a, b in steps)

    def _check_compare(self, node: ast.AST, op: str, left_node: ast.AST, left: Kind,
                       right_node: ast.AST, right: Kind) -> None:
        if op in ("in", "not in"):
            if right not in (Kind.LIST, Kind.TEXT, Kind.ANY):
                raise self.error(node, f"'{op}' needs a list or a text on its right, "
                                       f"not {right}")
            self._check_options(left_node, right_node)
            self._check_options(right_node, left_node)
            return
        if not compatible(left, right):
            raise self.error(node, f"cannot compare {left} with {right}")
        if op in ("<", "<=", ">", ">=") and Kind.BOOL in (left, right):
            raise self.error(node, f"'{op}' cannot order true/false values")
        self._check_options(left_node, right_node)
        self._check_options(right_node, left_node)

    def _check_options(self, field_node: ast.AST, literal_node: ast.AST) -> None:
        """``budget_status == 'sufficent'``: a literal that is not an option of the field."""
        name = _dotted(field_node)
        if name is None or name.split(".")[-1] not in self.options:
            return
        known = self.options[name.split(".")[-1]]
        literals = [literal_node] if not isinstance(literal_node, (ast.List, ast.Tuple)) else (
            literal_node.elts)
        for item in literals:
            if isinstance(item, ast.Constant) and isinstance(item.value, str) and (
                    item.value not in known):
                raise self.error(item, f"'{item.value}' is not an option of "
                                       f"{name} (options: {', '.join(known)})")

    def _IfExp(self, node: ast.IfExp) -> Typed:
        _, test = self.node(node.test)
        (body_kind, body), (else_kind, orelse) = self.node(node.body), self.node(node.orelse)
        if not compatible(body_kind, else_kind):
            raise self.error(node, f"both branches must give the same kind of value "
                                   f"({body_kind} / {else_kind})")
        kind = body_kind if body_kind != Kind.ANY else else_kind
        return kind, lambda v, e: body(v, e) if ev.truthy(test(v, e)) else orelse(v, e)

    def _Call(self, node: ast.Call) -> Typed:
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only the listed functions can be called, by name")
        fn = self.functions.get(node.func.id)
        if fn is None:
            close = difflib.get_close_matches(node.func.id, list(self.functions), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(node, f"unknown function '{node.func.id}'{hint}")
        if node.keywords:
            raise self.error(node, f"{fn.name}() takes its values in order, without names")
        if len(node.args) != len(fn.args):
            raise self.error(node, f"{fn.name}() takes {len(fn.args)} value(s), "
                                   f"not {len(node.args)}")
        runs = []
        for arg, wanted in zip(node.args, fn.args, strict=True):
            kind, run = self.node(arg)
            if not compatible(kind, wanted):
                raise self.error(arg, f"{fn.name}() needs {wanted} here, not {kind}")
            runs.append(run)
        call = fn.call
        if fn.needs_env:
            return fn.returns, lambda v, e: call(e, *(r(v, e) for r in runs))
        return fn.returns, lambda v, e: call(*(r(v, e) for r in runs))


def _dotted(node: ast.AST) -> str | None:
    """``stage`` → 'stage', ``old.stage`` → 'old.stage'; anything else → None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _field_kind(name: str, ftype: str) -> Kind:
    try:
        return kind_of(ftype)
    except KeyError:
        raise ExpressionError(f"field '{name}' has an unknown type '{ftype}'") from None


def _arith_kind(op: str, left: Kind, right: Kind) -> Kind | None:
    if op == "+" and left == right == Kind.TEXT:
        return Kind.TEXT
    if compatible(left, Kind.NUMBER) and compatible(right, Kind.NUMBER):
        return Kind.NUMBER
    return None


#: each comparison operator's run-time function, chosen when the expression is parsed
_COMPARERS: dict[str, Callable[[Any, Any], bool]] = {
    "==": ev.equal,
    "!=": lambda a, b: not ev.equal(a, b),
    "in": ev.member,
    "not in": lambda a, b: not ev.member(a, b) if a is not None else False,
    **{op: functools.partial(ev.order, op) for op in ev.ORDER},
}

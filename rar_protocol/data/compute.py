"""`compute:` in a table's mapping: new columns from a small arithmetic language over the file's columns.

The language has numbers, column names (in backticks when they hold spaces or symbols: `` `Fed $` ``),
``+ - * /``, parentheses, ``round(x)`` and ``round(x, digits)``. A recursive-descent parser admits only
that grammar and builds a small tree; nothing is ever handed to ``eval``. Values are computed row by
row (``40.6%`` reads as 40.6, ``$1,000.50`` as 1000.5): a blank operand gives a blank result and a suppressed one (``*``, ``<10``) a suppressed result,
never a number made from part of the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from rar_protocol.data.parsing import is_suppression_marker, parse_number

SUPPRESSED_TEXT = "*"
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d*)?|\.\d+)|`(?P<quoted>[^`]+)`|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<symbol>[-+*/(),]))")


class ExpressionError(ValueError):
    """An expression outside the grammar; the message says where and what was expected."""


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Negative:
    operand: Node


@dataclass(frozen=True)
class Operation:
    symbol: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Round:
    operand: Node
    digits: int


Node = Number | Column | Negative | Operation | Round


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) of each token; anything else is an error naming the character."""
    tokens = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            where = len(text) - len(text[position:].lstrip())
            character = text[where]
            hint = " (a column name with spaces or symbols goes in backticks: `Fed $`)" if character not in "`" else " (a backtick opens a column name that is never closed)"
            raise ExpressionError(f"'{character}' at character {where + 1} is not part of the language{hint}")
        kind = match.lastgroup or "symbol"
        tokens.append((kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    """expression := term (('+'|'-') term)*;  term := factor (('*'|'/') factor)*;
    factor := '-' factor | number | column | 'round' '(' expression [',' integer] ')' | '(' expression ')'."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, symbol: str | None = None) -> tuple[str, str, int]:
        token = self._peek()
        if token is None:
            raise ExpressionError(f"the expression ends where {repr(symbol) if symbol else 'a number, a column or ('} was expected")
        if symbol is not None and token[1] != symbol:
            raise ExpressionError(f"'{token[1]}' at character {token[2] + 1} where '{symbol}' was expected")
        self.position += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self._expression()
        token = self._peek()
        if token is not None:
            raise ExpressionError(f"'{token[1]}' at character {token[2] + 1} follows a complete expression (an operator missing?)")
        return node

    def _expression(self) -> Node:
        node = self._term()
        while (token := self._peek()) is not None and token[1] in "+-" and token[0] == "symbol":
            self.position += 1
            node = Operation(token[1], node, self._term())
        return node

    def _term(self) -> Node:
        node = self._factor()
        while (token := self._peek()) is not None and token[1] in "*/" and token[0] == "symbol":
            self.position += 1
            node = Operation(token[1], node, self._factor())
        return node

    def _factor(self) -> Node:
        kind, text, position = self._take()
        if kind == "symbol" and text == "-":
            return Negative(self._factor())
        if kind == "symbol" and text == "(":
            node = self._expression()
            self._take(")")
            return node
        if kind == "number":
            return Number(float(text))
        if kind == "quoted":
            return Column(text.strip())
        if kind == "name":
            following = self._peek()
            if following is not None and following[1] == "(":
                if text != "round":
                    raise ExpressionError(f"'{text}(' at character {position + 1}: the only function is round(x) or round(x, digits)")
                self.position += 1
                operand = self._expression()
                digits = 0
                if (token := self._peek()) is not None and token[1] == ",":
                    self.position += 1
                    kind, written, where = self._take()
                    if kind != "number" or not written.isdigit():
                        raise ExpressionError(f"'{written}' at character {where + 1}: round's digits are a whole number such as 0 or 2")
                    digits = int(written)
                self._take(")")
                return Round(operand, digits)
            return Column(text)
        raise ExpressionError(f"'{text}' at character {position + 1} where a number, a column or ( was expected")


def parse_expression(text: str) -> Node:
    """The tree of an expression written in the compute language; ExpressionError when it is not."""
    return _Parser(text).parse()


def columns_of(node: Node) -> list[str]:
    """The column names an expression reads, in order of first use."""
    if isinstance(node, Column):
        return [node.name]
    if isinstance(node, Negative | Round):
        return columns_of(node.operand)
    if isinstance(node, Operation):
        return list(dict.fromkeys([*columns_of(node.left), *columns_of(node.right)]))
    return []


@dataclass
class Computed:
    """A computed column: values (NaN where blank or suppressed), the suppressed rows, and where a
    division by zero or an unreadable cell kept a row from being computed."""

    values: pd.Series
    suppressed: pd.Series
    divided_by_zero: pd.Series
    unreadable: dict[str, pd.Series]

    def as_text(self) -> pd.Series:
        """The column as text, as the mapping keeps every column until parsing: blank, '*' or the number."""
        text = pd.Series([None if pd.isna(value) else format(value, ".15g") for value in self.values], index=self.values.index, dtype="object")
        text[self.suppressed] = SUPPRESSED_TEXT
        return text


def evaluate(node: Node, frame: pd.DataFrame) -> Computed:
    """Compute an expression on every row of ``frame`` (whose columns are text, as read)."""
    unreadable: dict[str, pd.Series] = {}
    divided_by_zero = pd.Series(False, index=frame.index)

    def value_of(item: Node) -> tuple[pd.Series, pd.Series]:
        if isinstance(item, Number):
            return pd.Series(item.value, index=frame.index, dtype=float), pd.Series(False, index=frame.index)
        if isinstance(item, Column):
            cells = frame[item.name]
            marked = is_suppression_marker(cells)
            # A percent reads as its number (40.6% is 40.6): the expression says what to divide by.
            numbers, bad = parse_number(cells.where(~marked).astype("string").str.replace(r"%\s*$", "", regex=True))
            if bad.any():
                unreadable[item.name] = bad
            return numbers, marked
        if isinstance(item, Negative):
            numbers, marked = value_of(item.operand)
            return -numbers, marked
        if isinstance(item, Round):
            numbers, marked = value_of(item.operand)
            return numbers.map(lambda number: _round_half_up(number, item.digits)).astype(float), marked
        assert isinstance(item, Operation)
        left, left_marked = value_of(item.left)
        right, right_marked = value_of(item.right)
        marked = left_marked | right_marked
        if item.symbol == "+":
            return left + right, marked
        if item.symbol == "-":
            return left - right, marked
        if item.symbol == "*":
            return left * right, marked
        zero = right == 0
        nonlocal divided_by_zero
        # Only a known number divided by a known zero is a mistake; a blank or hidden operand is not.
        divided_by_zero = divided_by_zero | (zero & left.notna() & ~marked)
        return left / right.where(~zero), marked

    values, suppressed = value_of(node)
    values = values.where(~suppressed & ~divided_by_zero)
    return Computed(values.replace([np.inf, -np.inf], np.nan), suppressed, divided_by_zero, unreadable)


def _round_half_up(number: float, digits: int) -> float:
    """Halves away from zero, as Excel rounds (Python's round takes halves to the even digit)."""
    if pd.isna(number):
        return number
    return float(Decimal(repr(number)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))

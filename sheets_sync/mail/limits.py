"""Bounds on what a team's own template may cost: a Jinja2 sandbox whose operators, filters
and string methods refuse results larger than an email could use, a cap on the rendered
size, and a time limit per message.

A template is code the office writes, run for every email: ``n ** (n ** 7)`` took 27 s of
CPU, ``'a' * 10**8`` 2 GB. The operators that build big values in one step (``**``, ``*``,
``%``, the padding filters and methods, ``replace``, ``join``) are checked before they run,
so the allocation never happens; ``+`` and ``~`` results are checked after (at most twice
the cap). Everything else (loops) is stopped by the time limit: checked at every call, attribute, operator and piece of output, and in the
main thread also by an interval timer, which interrupts a loop that does none of those.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from jinja2.compiler import CodeGenerator
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 1_000_000  # characters of one rendered email (a real one is a few thousand)
MAX_INT_BITS = 65_536  # an integer of ~20,000 digits is already no amount of money
RENDER_SECONDS = 2.0  # per message (a built-in template takes well under a millisecond)
_FIELD = re.compile(r"%[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")
_BRACE_FIELD = re.compile(r"\{[^{}]*:([^{}]*)\}|\{[^{}]*:[^{}]*\{")
_PADDING = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_DICT_ATTRIBUTES = frozenset(dir(dict))
# The loop variable's counters and flags: numbers and booleans the sandbox always allows.
_LOOP_NUMBERS = frozenset(["index", "index0", "revindex", "revindex0", "length", "depth", "first", "last"])


class RenderLimit(Exception):
    """A template went past one of the limits (what was refused, in words)."""


def check_size(value: object) -> None:
    """RenderLimit when a value is longer than one email may be."""
    if isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_OUTPUT:
        raise RenderLimit(f"the template made a value of {len(value):,} characters (at most {MAX_OUTPUT:,})")


def _check_int(value: object) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise RenderLimit(f"the template made a number of more than {MAX_INT_BITS:,} bits")


def _check_power(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 \
            and abs(left).bit_length() * right > MAX_INT_BITS:
        raise RenderLimit(f"{left} ** {right} is too big a number for an email")


def _check_repeat(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int) \
                and len(seq) * max(count, 0) > MAX_OUTPUT:
            raise RenderLimit(f"repeating {len(seq):,} characters {count:,} times makes more than "
                              f"{MAX_OUTPUT:,}")
    if isinstance(left, int) and isinstance(right, int) \
            and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
        raise RenderLimit(f"the template made a number of more than {MAX_INT_BITS:,} bits")


def check_percent_format(text: object) -> None:
    """RenderLimit for a ``%`` format whose width or precision is huge or taken from the data."""
    if not isinstance(text, str):
        return
    for width, precision in _FIELD.findall(text):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_OUTPUT):
                raise RenderLimit(f"the format {text[:40]!r} asks for too wide a field")


def _check_brace_format(text: str) -> None:
    for match in _BRACE_FIELD.finditer(text):
        spec = match.group(1)
        if spec is None or any(int(n) > MAX_OUTPUT for n in re.findall(r"\d+", spec)):
            raise RenderLimit(f"the format {text[:40]!r} asks for too wide a field")


class Clock:
    """The time limit of one render: ``check`` raises RenderLimit once it has passed."""

    def __init__(self) -> None:
        self.deadline = float("inf")
        self.seconds = RENDER_SECONDS
        self._handling = False  # our SIGALRM handler is installed for a run of renders (``handling``)

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimit(f"rendering took more than {self.seconds:g} s")

    def _expired(self, signum: int, frame: Any) -> None:
        if self.deadline != float("inf"):  # a render is running (its timer may fire just as it ends)
            raise RenderLimit(f"rendering took more than {self.seconds:g} s")

    @staticmethod
    def _can_time() -> bool:
        return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    @contextlib.contextmanager
    def handling(self) -> Iterator[None]:
        """Renders in the block share one SIGALRM handler (in the main thread), installed here
        and restored after, instead of one installed and restored for each: swapping it took
        a seventh of a short email's render."""
        if self._handling or not self._can_time():
            yield
            return
        previous = signal.signal(signal.SIGALRM, self._expired)
        self._handling = True
        try:
            yield
        finally:
            self._handling = False
            signal.signal(signal.SIGALRM, previous)

    @contextlib.contextmanager
    def running(self, seconds: float = RENDER_SECONDS) -> Iterator[None]:
        """Time-limit the block; in the main thread an interval timer also interrupts it."""
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        use_timer = self._can_time()
        swap = use_timer and not self._handling
        previous: Any = None
        if swap:
            previous = signal.signal(signal.SIGALRM, self._expired)
        if use_timer:
            signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            self.deadline = float("inf")
            if use_timer:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if swap:
                signal.signal(signal.SIGALRM, previous)


class _Generator(CodeGenerator):
    """Compiles ``a ~ b`` so that its result goes through ``environment.sized`` (the one
    operator a sandbox cannot intercept)."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


def _check_join(items: Any) -> None:
    if isinstance(items, (list, tuple)) and sum(len(x) if isinstance(x, str) else 20 for x in items) > MAX_OUTPUT:
        raise RenderLimit(f"joining those would make more than {MAX_OUTPUT:,} characters")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with size checks on the operators, filters and string methods
    that make big values in one step, and the render clock checked at each of them."""

    intercepted_binops = frozenset(["**", "*", "%", "+", "-", "/", "//"])
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=self._finalize_value, **options)
        self.clock = Clock()
        self.filters = dict(self.filters)
        for name in ("center", "indent", "format", "replace", "wordwrap", "truncate", "join"):
            self.filters[name] = self._checked_filter(self.filters[name], name)
        self.globals = {k: v for k, v in self.globals.items() if k != "lipsum"}
        self.value_hook: Callable[[Any], Any] = lambda v: v

    def sized(self, value: Any) -> Any:
        """``value``, once the clock and its size are checked."""
        self.clock.check()
        check_size(value)
        return value

    def _finalize_value(self, value: Any) -> Any:
        clock = self.clock
        if time.monotonic() > clock.deadline:  # Clock.check and check_size written out: every value printed
            clock.check()
        if isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_OUTPUT:
            check_size(value)
        return self.value_hook(value)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        self.clock.check()
        if operator_ == "**":
            _check_power(left, right)
        elif operator_ == "*":
            _check_repeat(left, right)
        elif operator_ == "%":
            check_percent_format(left)
        result = super().call_binop(context, operator_, left, right)
        check_size(result)
        _check_int(result)
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.clock.check()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _PADDING:
                for number in [*args, *kwargs.values()]:
                    if isinstance(number, int) and number > MAX_OUTPUT:
                        raise RenderLimit(f"{name}({number:,}) makes more than {MAX_OUTPUT:,} characters")
            elif name == "replace" and len(args) >= 2:
                _check_replace(owner, args[0], args[1])
            elif name == "join" and args:
                _check_join(args[0])
        result = super().call(__context, __obj, *args, **kwargs)
        check_size(result)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """The sandbox's str.format, refused when a field is huge or its width is data."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_brace_format(value.__self__)
        return wrapped

    def getattr(self, obj: Any, attribute: str) -> Any:
        clock = self.clock
        if time.monotonic() > clock.deadline:  # Clock.check written out: every attribute
            clock.check()
        # ``client.first_name`` on a view (a plain dict): the sandbox's own way first tries
        # the attribute and catches the AttributeError, a third of a built-in template's
        # cost. A name no dict has as an attribute can only be the key, so take it directly.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        if type(obj) is LoopContext and attribute in _LOOP_NUMBERS:  # ``loop.index``: a digest's every call
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.clock.check()
        return super().getitem(obj, argument)

    def _checked_filter(self, function: Callable[..., Any], name: str) -> Callable[..., Any]:
        skip = 1 if hasattr(function, "jinja_pass_arg") else 0  # the context or environment comes first

        def checked(*args: Any, **kwargs: Any) -> Any:
            self.clock.check()
            value, rest = (args[skip], args[skip + 1:]) if len(args) > skip else ("", ())
            numbers = [a for a in [*rest, *kwargs.values()] if isinstance(a, int) and not isinstance(a, bool)]
            if name in ("center", "indent", "wordwrap", "truncate") and any(n > MAX_OUTPUT for n in numbers):
                raise RenderLimit(f"the {name} filter was given {max(numbers):,} (at most {MAX_OUTPUT:,})")
            if name == "format":
                check_percent_format(value)
            if name == "join":
                _check_join(value)
            if name == "replace" and len(rest) >= 2:
                _check_replace(str(value), rest[0], rest[1])
            result = function(*args, **kwargs)
            check_size(result)
            return result

        for attribute in ("jinja_pass_arg",):  # keep @pass_context / @pass_environment
            if hasattr(function, attribute):
                setattr(checked, attribute, getattr(function, attribute))
        return checked


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str):
        count = len(text) + 1 if old == "" else text.count(old)
        if len(text) + count * max(len(new) - len(old), 0) > MAX_OUTPUT:
            raise RenderLimit(f"replace would make more than {MAX_OUTPUT:,} characters")


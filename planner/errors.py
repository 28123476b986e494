"""The planner's exception tree.

Every error a user can cause derives from :class:`PlannerError` and carries a stable ``code`` that
the shells map to an exit status (CLI) or an HTTP status (API). Messages name the field and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pydantic import ValidationError

REQUEST = "request"
"""The entity of a trip request's problems; its fields are named on their own (``start: ...``)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong, as data: what is at fault, which field, and what to do about it.

    Shells render from these fields (the CLI maps ``field`` to its option, the API puts it in
    ``errors[].field``, the operator page finds the row and the column); ``str()`` is the whole
    sentence, as logs and plain messages read it.
    """

    entity: str
    """What is at fault: the file and the entry (``pois.yaml: poi 'jinhai-lake'``), or ``request``."""
    field: str | None
    """The field at fault (a dotted path such as ``seasons.0.start``), or None for the entity."""
    message: str
    """What is wrong and the fix, without repeating the entity or the field."""
    subject: bool = False
    """The field begins the sentence (``colour is not a known field``) rather than labelling it
    (``speed_kmh: Input should be ...``)."""

    def __str__(self) -> str:
        if self.field is None:
            return f"{self.entity}: {self.message}" if self.entity else self.message
        named = f"{self.field} {self.message}" if self.subject else f"{self.field}: {self.message}"
        return named if self.entity in ("", REQUEST) else f"{self.entity}: {named}"


ErrorDetails = Mapping[str, Any]
"""One entry of pydantic's ``ValidationError.errors()`` (``loc``, ``msg``, ``type``, ``input``)."""


def problems_from_validation(
    errors: ValidationError | Iterable[ErrorDetails],
    entity: str,
    *,
    describe: Callable[[ErrorDetails, str | None, str], str] | None = None,
    subject: bool = False,
) -> list[Problem]:
    """Every error of a pydantic validation as a :class:`Problem` of ``entity``, in order.

    ``loc`` becomes the dotted field path (None when the whole object is at fault); the message
    loses pydantic's ``Value error, `` prefix and a leading repeat of the field path. ``describe``
    may reword a message: it gets the raw error, the field path and the message so far.
    """
    from pydantic import ValidationError

    details = errors.errors() if isinstance(errors, ValidationError) else errors
    out = []
    for err in details:
        field = ".".join(str(x) for x in err.get("loc", ())) or None
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if field is not None and msg.startswith((f"{field}:", f"{field} ")):
            msg = msg[len(field) + 1 :].lstrip()
        if describe is not None:
            msg = describe(err, field, msg)
        out.append(Problem(entity, field, msg, subject))
    return out


class Bilingual(Protocol):
    """A text in both languages (a :class:`planner.model.Reason` is one)."""

    @property
    def en(self) -> str: ...

    @property
    def zh(self) -> str: ...


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""

    code = "planner_error"


class ConfigError(PlannerError, ValueError):
    """A configuration file (catalogue, travel settings, boundary) is missing or invalid.

    ``problems`` holds every problem found, each naming the file, the entry and the field, so an
    operator can fix them all in one pass. A plain sentence (``"roads.yaml: modes: ..."``) is a
    problem of its own, with no entity or field to pick out.
    """

    code = "invalid_config"

    def __init__(
        self, problems: Sequence[Problem | str] | Problem | str, *, source: str = ""
    ) -> None:
        items = [problems] if isinstance(problems, Problem | str) else list(problems)
        self.problems = [p if isinstance(p, Problem) else Problem("", None, p) for p in items]
        self.source = source
        head = f"{source}: " if source and len(self.problems) > 1 else ""
        count = f"{len(self.problems)} problems\n" if len(self.problems) > 1 else ""
        super().__init__(head + count + "\n".join(map(str, self.problems)))


class RequestError(PlannerError, ValueError):
    """A trip request cannot be planned as asked (unknown place, end before start, ...).

    ``problem`` says which field is at fault and how to fix it; ``field`` is its field (or its
    entity, ``request``, when the request as a whole is at fault). ``text`` is the problem's
    message in both languages, without the field, for shells that speak the visitor's language
    (None where only the English ``problem.message`` exists).
    """

    code = "invalid_request"

    def __init__(
        self, field: str | Problem, message: str = "", *, text: Bilingual | None = None
    ) -> None:
        self.problem = field if isinstance(field, Problem) else Problem(REQUEST, field, message)
        self.text = text
        super().__init__(str(self.problem))

    @property
    def field(self) -> str:
        return self.problem.field or self.problem.entity or REQUEST

    def __reduce__(self) -> tuple[Any, ...]:  # rebuilt from its problem in another process
        return (_rebuild_request_error, (type(self), self.problem, self.text))


def _rebuild_request_error(
    cls: type[RequestError], problem: Problem, text: Bilingual | None
) -> RequestError:
    return cls(problem, text=text)


class InfeasibleRequest(RequestError):
    """The request is well formed but no itinerary can satisfy it (e.g. a must-visit place closed)."""

    code = "infeasible_request"


class ItineraryCheckError(PlannerError, AssertionError):
    """The independent checker rejected an itinerary. This is a bug in the planner, never user error."""

    code = "internal_check_failed"

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = list(violations)
        super().__init__("itinerary failed the independent check:\n" + "\n".join(self.violations))

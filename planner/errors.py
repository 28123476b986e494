"""The planner's exception tree.

Every error a user can cause derives from :class:`PlannerError` and carries a stable ``code`` that
the shells map to an exit status (CLI) or an HTTP status (API). Messages name the field and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""

    code = "planner_error"


class ConfigError(PlannerError, ValueError):
    """A configuration file (catalogue, travel settings, boundary) is missing or invalid.

    ``problems`` holds every problem found, each a full sentence naming the file, the entry and
    the field, so an operator can fix them all in one pass.
    """

    code = "invalid_config"

    def __init__(self, problems: Sequence[str] | str, *, source: str = "") -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        head = f"{source}: " if source and len(self.problems) > 1 else ""
        count = f"{len(self.problems)} problems\n" if len(self.problems) > 1 else ""
        super().__init__(head + count + "\n".join(self.problems))


class RequestError(PlannerError, ValueError):
    """A trip request cannot be planned as asked (unknown place, end before start, ...).

    ``field`` names the request field at fault; the message says how to fix it.
    """

    code = "invalid_request"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class InfeasibleRequest(RequestError):
    """The request is well formed but no itinerary can satisfy it (e.g. a must-visit place closed)."""

    code = "infeasible_request"


class ItineraryCheckError(PlannerError, AssertionError):
    """The independent checker rejected an itinerary. This is a bug in the planner, never user error."""

    code = "internal_check_failed"

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = list(violations)
        super().__init__("itinerary failed the independent check:\n" + "\n".join(self.violations))

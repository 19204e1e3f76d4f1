"""A clock for code that takes one (`clock: Callable[[], float]`): it moves only when a test says so."""

from dataclasses import dataclass


@dataclass
class ManualClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

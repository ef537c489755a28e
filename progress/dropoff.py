"""Where a plan loses people: per plan day, how many learners reached it, finished it and are stuck on it.

Read from a `progress.cohort.Cohort`, so the chart and the cohort table count the same learners the same way:

- reached day n: the learner ticked a task on day n or on a later day;
- finished day n: reached it, and every task of day n is ticked (`Overview.is_done`);
- stuck on day n: not finished with the plan, behind (`days_behind` > 0, never while paused), and day n is
  their first unfinished day;
- lost after day n: reached day n but no later day (the last day loses nobody).

The SVG's geometry is worked out here (pure), so the template only draws rectangles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from progress.cohort import Cohort
from progress.structure import DayItem

DROPS_SHOWN = 5


@dataclass(frozen=True)
class DayFigure:
    day: DayItem
    reached: int
    finished: int
    stuck: int
    lost: int
    cohort_size: int

    def _share(self, n: int) -> int:
        return round(100 * n / self.cohort_size) if self.cohort_size else 0

    @property
    def reached_percent(self) -> int:
        return self._share(self.reached)

    @property
    def finished_percent(self) -> int:
        return self._share(self.finished)

    @property
    def stuck_percent(self) -> int:
        return self._share(self.stuck)

    @property
    def lost_percent(self) -> int:
        return self._share(self.lost)


def day_figures(c: Cohort) -> list[DayFigure]:
    """One figure per plan day, in plan order."""
    furthest = Counter(learner.furthest_day for learner in c.learners)
    stuck = Counter(
        learner.overview.first_unfinished for learner in c.learners if not learner.finished and learner.days_behind > 0
    )
    reached_from = len(c.learners)  # learners whose furthest day is at or after the current one
    figures: list[DayFigure] = []
    last = c.days[-1].number if c.days else 0
    previous = 0
    for day in c.days:
        n = day.number
        # Everyone whose furthest day lies between the previous plan day and this one stopped before it.
        reached_from -= sum(furthest[k] for k in range(previous, n))
        finished = sum(1 for learner in c.learners if learner.furthest_day >= n and learner.overview.is_done(n))
        lost = furthest[n] if n != last else 0
        figures.append(DayFigure(day, reached_from, finished, stuck[n], lost, len(c.learners)))
        previous = n
    return figures


def largest_drops(figures: list[DayFigure], shown: int = DROPS_SHOWN) -> list[DayFigure]:
    """The days after which most learners stopped, most first (days losing nobody are left out)."""
    losing = [f for f in figures if f.lost]
    return sorted(losing, key=lambda f: (-f.lost, f.day.number))[:shown]


# --- the chart's geometry -------------------------------------------------------------------------------------

STEP = 12  # horizontal room per plan day
BAR = 10
LEFT = 36  # room for the axis labels
TOP = 20  # the phase strip
PLOT = 160  # 100 % of the cohort, for reached and finished
STUCK = 60  # 100 % of the cohort, for stuck (drawn below the axis)
LABELS = 18  # the week labels under everything


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    label: str = ""


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    phases: list[Rect]  # label = "1", "2"... (the phase number)
    weeks: list[Rect]  # alternate weeks are shaded; label = the week number
    bars: list[tuple[DayFigure, Rect, Rect, Rect]]  # reached, finished, stuck
    ticks: list[tuple[int, float]]  # (percent, y) for the axis


def _bands(figures: list[DayFigure], key: str, top: float, height: float) -> list[Rect]:
    bands: list[Rect] = []
    for i, figure in enumerate(figures):
        number = figure.day.week.phase_number if key == "phase" else figure.day.week.number
        if bands and bands[-1].label == str(number):
            last = bands[-1]
            bands[-1] = Rect(last.x, last.y, last.width + STEP, last.height, last.label)
        else:
            bands.append(Rect(LEFT + i * STEP, top, STEP, height, str(number)))
    return bands


def chart(figures: list[DayFigure]) -> Chart:
    """Where every shape of the drop-off chart goes."""
    baseline = TOP + PLOT
    size = figures[0].cohort_size if figures else 0

    def h(n: int, full: int) -> float:
        return round(full * n / size, 1) if size else 0.0

    bars = []
    for i, f in enumerate(figures):
        x = LEFT + i * STEP + (STEP - BAR) / 2
        reached = Rect(x, baseline - h(f.reached, PLOT), BAR, h(f.reached, PLOT))
        finished = Rect(x + 2, baseline - h(f.finished, PLOT), BAR - 4, h(f.finished, PLOT))
        bars.append((f, reached, finished, Rect(x, baseline + 2, BAR, h(f.stuck, STUCK))))
    ticks = [(p, baseline - PLOT * p / 100) for p in (0, 50, 100)]
    return Chart(
        width=LEFT + len(figures) * STEP + 4,
        height=baseline + 2 + STUCK + LABELS,
        baseline=baseline,
        phases=_bands(figures, "phase", 0, TOP - 4),
        weeks=_bands(figures, "week", TOP, PLOT + 2 + STUCK),
        bars=bars,
        ticks=ticks,
    )

"""Does "one more" work here? The messages it took to close tasks, the touches before
prospects converted, and the answers by touch number."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sheets_sync.model.rows import Client, Task, Touch
from sheets_sync.rules import refs
from sheets_sync.rules.cadence import is_real_touch

REMINDER_BUCKETS = ("0", "1", "2", "3", "4+")
CONVERT_BUCKETS = ("0", "1", "2", "3", "4", "5", "6", "7", "8+")


def reminders_before_close(task: Task, touches: Iterable[Touch]) -> int:
    """How many messages the tool sent for a closed task up to and including its Done On
    day: Touches rows whose Ref is a message about it, ``task:<id>:...`` (failed sends do not count)."""
    if task.done_on is None:
        return 0
    return sum(1 for t in touches if t.date <= task.done_on and is_real_touch(t)
               and refs.parse_ref(t.ref).is_message_about(task.task_id))


def _bucket(n: int, buckets: Sequence[str]) -> str:
    return buckets[min(n, len(buckets) - 1)]


def task_messages(touches: Iterable[Touch]) -> dict[str, list[Touch]]:
    """The tool's messages about each task (Touches rows with a Ref ``task:<id>:...``), by task ID."""
    by_task: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        if refs.is_task_ref(touch.ref):
            by_task[refs.parse_ref(touch.ref).task_id].append(touch)
    return by_task


def reminders_to_close(tasks: Iterable[Task], touches: Sequence[Touch], start: dt.date, end: dt.date, *,
                       by_task: Mapping[str, list[Touch]] | None = None) -> dict[str, int]:
    """Tasks marked Done with Done On in [start, end], by the number of messages it took:
    {"0": n, "1": n, "2": n, "3": n, "4+": n}. Cancelled tasks are not closes. ``by_task``:
    ``task_messages(touches)`` when the caller has it already."""
    by_task = task_messages(touches) if by_task is None else by_task
    out = dict.fromkeys(REMINDER_BUCKETS, 0)
    for _, bucket in closes(tasks, start, end, by_task):
        out[bucket] += 1
    return out


def closes(tasks: Iterable[Task], start: dt.date, end: dt.date,
           by_task: Mapping[str, list[Touch]]) -> Iterator[tuple[Task, str]]:
    """Each task marked Done with Done On in [start, end], with its ``REMINDER_BUCKETS`` entry
    (the messages it took, by ``by_task``: ``task_messages``), in the order of ``tasks``."""
    for task in tasks:
        if task.status == "Done" and task.done_on is not None and start <= task.done_on <= end:
            yield task, _bucket(reminders_before_close(task, by_task.get(task.task_id, [])), REMINDER_BUCKETS)


def touches_before_conversion(client: Client, touches: Iterable[Touch]) -> int | None:
    """Outbound touches before a client's Client Since, when the log shows them as a
    prospect first (any touch dated before Client Since); else None."""
    if client.status not in ("Active", "Lost"):
        return None
    before = prospect_phase(client, touches)
    if not before:
        return None
    return sum(1 for t in before if t.direction == "Out")


@dataclass
class Conversion:
    """Touches it took prospects who became clients in the window."""

    touches: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Count, median, mean and the distribution over 0..7, 8+ touches."""
        dist = dict.fromkeys(CONVERT_BUCKETS, 0)
        for n in self.touches:
            dist[_bucket(n, CONVERT_BUCKETS)] += 1
        return {
            "clients": len(self.touches),
            "median": statistics.median(self.touches) if self.touches else None,
            "mean": round(statistics.fmean(self.touches), 2) if self.touches else None,
            "distribution": dist,
        }


def conversions(clients: Iterable[Client], by_client: Mapping[str, list[Touch]], start: dt.date, end: dt.date) -> Conversion:
    """Touches before converting, for clients whose Client Since is in [start, end]."""
    out = Conversion()
    for client in clients:
        if client.client_since is None or not start <= client.client_since <= end:
            continue
        n = touches_before_conversion(client, by_client.get(client.client_id, []))
        if n is not None:
            out.touches.append(n)
    return out


def touch_label(number: int, sequence: int) -> str:
    """A touch number as shown: "8+" for the pool of touches after a 7-touch sequence."""
    return f"{number}+" if sequence and number > sequence else str(number)


def prospect_phase(client: Client, touches: Iterable[Touch]) -> list[Touch]:
    """The touches (that really happened) from the time the client was a prospect, by date:
    all of them for a Prospect or No Sale row, those before Client Since for a client."""
    if client.status in ("Prospect", "No Sale"):
        phase = [t for t in touches if is_real_touch(t)]
    elif client.client_since is not None:
        since = client.client_since  # the date first: most of a client's touches come after it
        phase = [t for t in touches if t.date < since and is_real_touch(t)]
    else:
        phase = []
    return sorted(phase, key=_date)


def _date(touch: Touch) -> dt.date:
    return touch.date


def response_by_touch(clients: Iterable[Client], by_client: Mapping[str, list[Touch]], start: dt.date,
                      end: dt.date, sequence: int = 0) -> dict[int, tuple[int, int]]:
    """For each touch number k of the prospect phase, counting every outbound touch (tool
    emails and staff calls alike) in date order: (sent in [start, end], answered).
    ``sequence``: the prospect sequence's length; touches after it (staff calls count, so a
    row can pass it) are pooled under ``sequence + 1``, shown as "8+" (``touch_label``).

    Touch k is answered when the prospect's first inbound touch on or after it comes before
    touch k+1 (or at any time after, when k was the last). Inbound touches before the first
    outbound one (the prospect called us) answer nothing.
    """
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for client in clients:
        phase = prospect_phase(client, by_client.get(client.client_id, []))
        sent = [t.date for t in phase if t.direction == "Out"]
        if not sent:
            continue
        first_reply = min((t.date for t in phase if t.direction == "In" and t.date >= sent[0]), default=None)
        for k, day in enumerate(sent, start=1):
            if first_reply is not None and day > first_reply:
                break  # after the answer the sequence is no longer "asking"
            if not start <= day <= end:
                continue
            following = sent[k] if k < len(sent) else None
            number = min(k, sequence + 1) if sequence else k
            out[number][0] += 1
            out[number][1] += first_reply is not None and (following is None or first_reply < following)
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}

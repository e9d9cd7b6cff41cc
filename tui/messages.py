"""Messages the dashboard's workers post back to the screen.

Every message carries the slot (0 = A, 1 = B) and the run id it belongs to, so a
result from a run that was cancelled or replaced is dropped on arrival.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailtriage.checks.analysis import Analysis
from textual.message import Message

if TYPE_CHECKING:
    from mailtriage.checks.dns.resolver import QueryLogEntry
    from mailtriage.checks.live.around import Around
    from mailtriage.checks.live.auth import LiveAuth
    from mailtriage.checks.live.plan import LiveResult, LiveSpec
    from mailtriage.checks.message.mbox import MboxListing
    from mailtriage.checks.model import Sample
    from mailtriage.checks.msgtrace.load import Trace


class SampleLoaded(Message):
    """A sample finished loading and its offline analysis is ready."""

    def __init__(self, slot: int, run_id: int, analysis: Analysis) -> None:
        super().__init__()
        self.slot, self.run_id, self.analysis = slot, run_id, analysis


class SampleChanged(Message):
    """The file behind a loaded sample was saved again."""

    def __init__(self, slot: int, path: str) -> None:
        super().__init__()
        self.slot, self.path = slot, path


class SampleFailed(Message):
    """A sample could not be loaded; ``error`` is one line for the user."""

    def __init__(self, slot: int, run_id: int, error: str) -> None:
        super().__init__()
        self.slot, self.run_id, self.error = slot, run_id, error


class PasteParsed(Message):
    """The paste worker parsed pasted text; the dashboard loads it unless the slot moved on."""

    def __init__(self, slot: int, run_id: int, text: str, sample: Sample) -> None:
        super().__init__()
        self.slot, self.run_id, self.text, self.sample = slot, run_id, text, sample


class SamplePasted(Message):
    """Pasted text became the sample of a slot; ``text`` is kept so a ticket can store it.

    Posted by the dashboard once the sample is loaded into ``slot`` (never for a
    paste that failed or was superseded); it bubbles up to the app.
    """

    def __init__(self, slot: int, text: str, sample: Sample) -> None:
        super().__init__()
        self.slot, self.text, self.sample = slot, text, sample


class FileDropped(Message):
    """A new file in the ``--watch`` folder stopped growing: it can be offered as A or B."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class MboxListed(Message):
    """A path given for a slot is a mailbox with several messages: one must be picked."""

    def __init__(self, slot: int, run_id: int, listing: MboxListing) -> None:
        super().__init__()
        self.slot, self.run_id, self.listing = slot, run_id, listing


class LivePlanned(Message):
    """The lookups of a live run are known; they show as pending."""

    def __init__(self, slot: int, run_id: int, specs: tuple[LiveSpec, ...], resolver: str) -> None:
        super().__init__()
        self.slot, self.run_id, self.specs, self.resolver = slot, run_id, specs, resolver


class LiveAnswered(Message):
    """One lookup of a live run finished (found, missing or error)."""

    def __init__(self, slot: int, run_id: int, result: LiveResult) -> None:
        super().__init__()
        self.slot, self.run_id, self.result = slot, run_id, result


class LiveAuthReady(Message):
    """The full re-evaluation of a sample's authentication finished."""

    def __init__(self, slot: int, run_id: int, auth: LiveAuth) -> None:
        super().__init__()
        self.slot, self.run_id, self.auth = slot, run_id, auth


class AroundReady(Message):
    """Reverse DNS, MX-vs-gateway and DNSBL checks of a sample finished."""

    def __init__(self, slot: int, run_id: int, around: Around) -> None:
        super().__init__()
        self.slot, self.run_id, self.around = slot, run_id, around


class QueriesLogged(Message):
    """Progress: the DNS log of a run grew. Coalesced so a slow link stays smooth."""

    def __init__(self, slot: int, run_id: int, log: tuple[QueryLogEntry, ...]) -> None:
        super().__init__()
        self.slot, self.run_id, self.log = slot, run_id, log

    def can_replace(self, message: Message) -> bool:
        """A newer log snapshot of the same run replaces an older queued one."""
        return (
            isinstance(message, QueriesLogged)
            and message.slot == self.slot
            and message.run_id == self.run_id
        )


class LiveFinished(Message):
    """A live run ended; ``status`` is ``done`` or ``cancelled``."""

    def __init__(self, slot: int, run_id: int, status: str) -> None:
        super().__init__()
        self.slot, self.run_id, self.status = slot, run_id, status


class TraceLoaded(Message):
    """A message trace export was read; ``trace`` is ``None`` and ``error`` set when not."""

    def __init__(self, run_id: int, trace: Trace | None, error: str | None = None) -> None:
        super().__init__()
        self.run_id, self.trace, self.error = run_id, trace, error


#: What a live DNS worker posts; each carries the run id it belongs to.
LiveMessage = (
    LivePlanned | LiveAnswered | LiveAuthReady | AroundReady | QueriesLogged | LiveFinished
)

"""progress.reminders.interleave against a real SMTP server (aiosmtpd): the same bytes, replies and errors as
smtplib's own sendmail, work done while replies are on their way, and the batch's emails built in steps."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from django.core.mail import EmailMessage

from progress.reminders import interleave
from tests.progress.reminder_helpers import Sink, SmtpServer

BODY = b"Subject: hi\r\nTo: a@example.com\r\n\r\n.starts with a dot\r\nlast line without a line end"


class Refusing(Sink):
    """A sink that refuses MAIL or RCPT for the listed addresses with the given reply, and answers every
    command after `wait` seconds (a server taking its time)."""

    def __init__(self, mail: dict[str, str] | None = None, rcpt: dict[str, str] | None = None, wait: float = 0.0):
        super().__init__()
        self.mail = mail or {}
        self.rcpt = rcpt or {}
        self.wait = wait
        self.rsets = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        await asyncio.sleep(self.wait)
        if address in self.mail:
            return self.mail[address]
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        await asyncio.sleep(self.wait)
        if address in self.rcpt:
            return self.rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        self.rsets += 1
        return "250 OK"


@pytest.fixture
def served() -> Iterator[Any]:
    servers: list[SmtpServer] = []

    def start(sink: Sink) -> smtplib.SMTP:
        server = SmtpServer(sink).__enter__()
        servers.append(server)
        return smtplib.SMTP("127.0.0.1", server.port, timeout=10)

    yield start
    for server in servers:
        server.__exit__()


def test_the_server_receives_the_bytes_smtplib_would_send(served: Any) -> None:
    sink = Sink()
    client = served(sink)
    client.sendmail("me@example.com", ["a@example.com"], BODY)
    interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False)
    client.quit()
    assert len(sink.raw) == 2
    assert sink.raw[0] == sink.raw[1]
    assert b"\r\n.starts with a dot" in sink.raw[1]  # the added period was taken off again by the server


def test_work_runs_while_each_reply_is_on_its_way(served: Any) -> None:
    """Against a server that takes 50 ms per MAIL and RCPT, steps keep running until the reply is there."""
    sink = Refusing(wait=0.05)
    client = served(sink)
    steps: list[int] = []

    def work() -> bool:
        steps.append(1)
        return len(steps) < 10_000

    interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, work)
    assert len(sink.raw) == 1
    assert len(steps) > 8  # more than one step for each of the four replies


def test_what_raises_just_before_the_message_leaves_it_undelivered_and_the_connection_dropped(served: Any) -> None:
    sink = Sink()
    client = served(sink)
    called: list[int] = []

    def refuse() -> None:
        called.append(1)
        raise LookupError("not now")

    with pytest.raises(LookupError):
        interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False, refuse)
    assert called == [1] and client.sock is None  # dropped, not QUIT (the server would read it as the message)
    interleave.sendmail(
        served(sink), "me@example.com", ["a@example.com"], BODY, lambda: False, lambda: called.append(2)
    )
    assert len(sink.raw) == 1 and called == [1, 2]  # on a new connection the hook runs, and the message goes


def test_a_refused_sender_raises_as_smtplib_and_resets(served: Any) -> None:
    sink = Refusing(mail={"me@example.com": "451 4.3.0 try later"})
    client = served(sink)
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False)
    assert refused.value.smtp_code == 451
    assert sink.rsets == 1
    interleave.sendmail(client, "other@example.com", ["a@example.com"], BODY, lambda: False)
    assert len(sink.raw) == 1  # the connection carries the next message


def test_one_refused_recipient_of_two_still_gets_the_other_sent(served: Any) -> None:
    sink = Refusing(rcpt={"b@example.com": "550 5.1.1 no such user"})
    client = served(sink)
    interleave.sendmail(client, "me@example.com", ["a@example.com", "b@example.com"], BODY, lambda: False)
    assert len(sink.raw) == 1


@pytest.mark.parametrize(("reply", "code"), [("450 4.2.1 mailbox busy", 450), ("550 5.1.1 no such user", 550)])
def test_every_recipient_refused_raises_with_their_codes(served: Any, reply: str, code: int) -> None:
    sink = Refusing(rcpt={"a@example.com": reply})
    client = served(sink)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False)
    assert refused.value.recipients["a@example.com"][0] == code
    assert sink.rsets == 1 and not sink.raw


def test_a_421_closes_the_connection(served: Any) -> None:
    sink = Refusing(rcpt={"a@example.com": "421 4.7.0 closing"})
    client = served(sink)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False)
    assert client.sock is None


def test_a_refused_message_raises_a_data_error(served: Any) -> None:
    sink = Sink(codes=["554 5.7.1 rejected"])
    client = served(sink)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False)
    assert refused.value.smtp_code == 554
    interleave.sendmail(client, "me@example.com", ["a@example.com"], BODY, lambda: False)
    assert len(sink.raw) == 1


def _steps(text: str, n: int, fail_at: int | None = None) -> Generator[None, None, EmailMessage]:
    for i in range(n):
        if i == fail_at:
            raise ValueError(f"{text} broke")
        yield
    return EmailMessage(subject=text, body=text, to=["a@example.com"])


def test_ahead_returns_every_row_in_order_with_its_message_or_its_failure() -> None:
    made = {"a": _steps("a", 3), "b": _steps("b", 2, fail_at=1), "c": _steps("c", 0)}
    ahead = interleave.Ahead(["a", "b", "c"], made.pop)
    out = []
    while ahead:
        row, message, failure = ahead.next()
        out.append((row, message.subject if message else None, str(failure) if failure else None))
    assert out == [("a", "a", None), ("b", None, "b broke"), ("c", "c", None)]
    assert not ahead.step()  # nothing left to build


def test_ahead_builds_in_steps_and_hands_back_what_was_not_returned() -> None:
    ahead = interleave.Ahead(["a", "b", "c"], lambda row: _steps(row, 3))
    assert ahead.next()[0] == "a"
    assert ahead.step()  # "b"'s first step
    assert ahead.rest() == ["b", "c"]


@pytest.mark.parametrize(
    "address",
    ["a@example.com", "first.last+tag@mail.example.org", "Ann <ann@example.com>", " a@example.com ", "<>", "x"],
)
def test_addresses_are_quoted_as_smtplib_quotes_them(address: str) -> None:
    assert interleave._quoted(address) == smtplib.quoteaddr(address)

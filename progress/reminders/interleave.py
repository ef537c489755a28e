"""Building the next emails of a batch while the SMTP server answers the one being sent.

Each email costs one process two kinds of time: CPU to build it (the agenda, three templates, the bytes) and
four SMTP round trips (MAIL, RCPT, DATA, the message), each spent waiting while the server reads and
answers. Done one after the other, the waits add to the CPU. Here each command is written, then a step of
building a later email runs, and only then is the reply read: the server answers while this process works,
so a batch costs about its CPU alone. No thread: Python's interpreter lock made a builder thread and a
sending thread take turns, at more CPU than they saved.

`talk` is smtplib's `SMTP.sendmail` for one recipient list, with the same commands, replies, errors and
resets, paused after each command is written: a batch keeps one going per connection and takes up whichever
has its reply (progress.reminders.sending). `sendmail` runs one to the end, calling `between()` in each
pause. `Ahead` runs the batch's build steps.
"""

from __future__ import annotations

import contextlib
import re
import select
import smtplib
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any

from django.core.mail import EmailMessage

Steps = Generator[None, None, EmailMessage]
# An address smtplib.quoteaddr() would only put in angle brackets (its parser costs as much as a round trip's
# worth of work here, twice per email).
_BARE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# RFC 5321 4.5.2: a line of the message that starts with a period gets another one.
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


Talk = Generator[None, None, None]


def sendmail(
    smtp: smtplib.SMTP,
    sender: str,
    recipients: Sequence[str],
    msg: bytes,
    between: Callable[[], Any],
    before_message: Callable[[], Any] = lambda: None,
) -> None:
    """Send `msg` (CRLF line ends) as smtplib's sendmail would, calling `between()` while each reply is on its
    way (`_meanwhile`) and `before_message()` once the server has said it will take the message, just before
    it is written (what raises there leaves the message unsent). Raises what sendmail raises:
    SMTPSenderRefused, SMTPRecipientsRefused (every recipient refused, or one refused with 421),
    SMTPDataError, SMTPServerDisconnected."""
    for _ in talk(smtp, sender, recipients, msg, before_message):
        _meanwhile(smtp, between)


def talk(
    smtp: smtplib.SMTP,
    sender: str,
    recipients: Sequence[str],
    msg: bytes,
    before_message: Callable[[], Any] = lambda: None,
) -> Talk:
    """`sendmail`'s conversation, pausing (yielding) after each command is written: resumed, it reads the
    reply (waiting for it if need be) and goes on. Ends when the server has accepted the message; raises what
    `sendmail` raises. Several of these, one per connection, let one process keep several servers' replies
    on their way at once (progress.reminders.sending)."""
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(msg)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"FROM:{_quoted(sender)}{size}")
    yield
    code, reply = smtp.getreply()
    if code != 250:
        _end(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        smtp.putcmd("rcpt", f"TO:{_quoted(recipient)}")
        yield
        code, reply = smtp.getreply()
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _end(smtp, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    yield
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)  # as smtplib: no reset here
    body = _LEADING_DOT.sub(b"..", msg)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        before_message()
    except BaseException:
        # The server waits for the message now: a QUIT would be read as part of it, and its reply never come.
        # Dropping the connection leaves the message undelivered.
        smtp.close()
        raise
    smtp.send(body + b".\r\n")
    yield
    code, reply = smtp.getreply()
    if code != 250:
        _end(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _quoted(address: str) -> str:
    return f"<{address}>" if _BARE_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


def _meanwhile(smtp: smtplib.SMTP, work: Callable[[], bool]) -> None:
    """Run `work()` (one step; False when there is nothing left to do) until the server's reply is there:
    at least one step, and at most one after the reply came."""
    while work() and not _readable(smtp.sock):
        pass


def _readable(sock: Any) -> bool:
    """Whether a reply has arrived (poll, not select: any file descriptor number), or is already decrypted
    and waiting in the TLS layer."""
    try:
        if pending(sock):
            return True
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, TypeError, AttributeError):  # closed, or no socket: let getreply() say so
        return True


def pending(sock: Any) -> bool:
    """Whether a TLS socket holds decrypted bytes already (which polling its file descriptor does not see)."""
    return getattr(sock, "pending", None) is not None and bool(sock.pending())


def _end(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, as sendmail does: close on 421 (the server is going away), else reset the transaction
    so the connection can carry the next message."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def finish[T](steps: Generator[None, None, T]) -> T:
    """Run every step at once: what they build."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            built: T = done.value
            return built


class Ahead:
    """The emails of a batch, built in steps: `step()` runs one step of the next email not yet built (while a
    reply is on its way), `next()` finishes the next email and returns it with its row.

    `make(row)` returns the row's steps; a row whose steps raise is returned with the exception instead of
    a message, for the caller to record."""

    def __init__(self, rows: Sequence[Any], make: Callable[[Any], Steps]) -> None:
        self._rows = deque(rows)
        self._make = make
        self._building: tuple[Any, Steps] | None = None
        self._built: deque[tuple[Any, EmailMessage | None, BaseException | None]] = deque()

    def __bool__(self) -> bool:
        return bool(self._built or self._building or self._rows)

    def step(self) -> bool:
        """One step of building; False when every email is built already."""
        if self._building is None:
            if not self._rows:
                return False
            row = self._rows.popleft()
            try:
                self._building = (row, self._make(row))
            except Exception as exc:
                self._built.append((row, None, exc))
                return True
        row, steps = self._building
        try:
            next(steps)
        except StopIteration as done:
            self._building = None
            self._built.append((row, done.value, None))
        except Exception as exc:
            self._building = None
            self._built.append((row, None, exc))
        return True

    def built(self) -> bool:
        """Whether `next()` has an email ready, without building."""
        return bool(self._built)

    def next(self) -> tuple[Any, EmailMessage | None, BaseException | None]:
        while not self._built:
            self.step()
        return self._built.popleft()

    def rest(self) -> list[Any]:
        """The rows not returned yet, for handing back, in order."""
        rows = [row for row, _, _ in self._built]
        if self._building is not None:
            rows.append(self._building[0])
        return rows + list(self._rows)

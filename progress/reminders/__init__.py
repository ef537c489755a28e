"""Daily reminder emails, one module per stage. Plain functions; progress.tasks wraps them for Celery.

    due.py      who is due now, in their own time zone, and which kind of reminder they get
    fanout.py   claim a delivery row for each of them and enqueue the ids in batches after commit
    message.py  the email itself: what it says (the Today page's facts) and its headers
    sending.py  sending a batch over its SMTP connections, classifying failures, retries
    upcoming.py when the next reminder comes (the settings page), and skipping those past at enrollment
    on_demand.py  the test reminder a learner asks for: sent at once, outside the delivery rows
    now.py      one learner's reminder sent at once, outside the daily guarantees (quickstart --remind-now)

The unsubscribe link's signed token lives in progress.unsubscribe, beside the concept it serves.

Exactly once, as far as SMTP allows
    1. The fan-out inserts ReminderDelivery(enrollment, local_date) rows (unique) in a transaction and
       enqueues their ids in batches only after it commits. Two fan-outs at once insert each row once.
    2. A batch claims its rows (pending/retrying -> sending, attempts + 1) with one conditional UPDATE per
       row inside one transaction, so it knows exactly which rows it won, and commits before sending; it
       marks each row sent right after the server accepted that message. A duplicated task, a second
       fan-out or a redelivered message finds the rows sent (or being sent) and skips them.
    3. A worker killed mid-batch leaves its message unacknowledged (acks_late): Redis redelivers it after
       the visibility timeout. Rows it had sent are marked sent and skipped; rows it had claimed but not
       sent are "sending", and once older than REMINDER_STALE_SECONDS they are claimed again and sent.
       The messages in flight at the kill (one per SMTP connection of the batch) are the single window
       where a learner can get two emails: the server accepted one but the worker died before recording
       it (SMTP has no way to ask). Nobody
       gets zero: rows left pending, sending or retrying too long are re-enqueued by the next fan-out
       (the sweep), and a batch that meets rows being sent elsewhere re-checks them once they are stale.
"""

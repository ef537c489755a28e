"""Nudges: a short message an instructor sends from the cohort page to chosen learners of one plan.

    models.py   Nudge (what was sent, by whom, to which plan) and NudgeDelivery (one row per recipient)
    message.py  the email: the sanitised Markdown body, text and HTML, with the reminders' unsubscribe link
    sending.py  claim, send over one connection, classify failures and retry, as progress.reminders does

Delivery follows the daily reminders' rules (see progress.reminders): a row per recipient, inserted once
(unique) and enqueued after commit; claimed by a conditional UPDATE before sending; a 4xx reply or dropped
connection is retried with backoff, a 5xx fails the row; learners who unsubscribed from reminders get no
nudge either, and every nudge carries the same one-click unsubscribe link.
"""

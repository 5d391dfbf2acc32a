"""Delivery: each reader with an e-mail address gets the link to their audience's report of
an as-of date (and, when asked, the self-contained report attached), once.

- ``messages``: what a message says (a date, the reader's own report, links; no other
  center, no participant data);
- ``log``: ``DATA_DIR/delivery_log/<as_of>.jsonl``, one line per send, and what was sent;
- ``smtp``: sending with Python's smtplib over the ``PLCQI_SMTP_*`` settings;
- ``airflow_smtp``: sending through Airflow's SMTP provider (connection ``smtp_default``);
- ``deliver``: the loop: skip what was sent, retry a failed send, go on with the others.
"""

from plcqi.publish.delivery.deliver import DeliveryError, DeliveryResult, deliver

__all__ = ["DeliveryError", "DeliveryResult", "deliver"]

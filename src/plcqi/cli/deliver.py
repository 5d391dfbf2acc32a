"""``plcqi deliver``: parses arguments and calls ``plcqi.publish.delivery``."""

from __future__ import annotations

import sys

import click

from plcqi.cli.options import DATA_DIR, parse_date


@click.command("deliver")
@DATA_DIR
@click.option("--as-of", callback=parse_date, required=True, metavar="DATE",
              help="As-of date of the published reports to send, YYYY-MM-DD.")
@click.option("--attach/--no-attach", default=None,
              help="Also attach each reader's self-contained report [env "
              "PLCQI_DELIVERY_ATTACH; default off].")
@click.option("--resend", is_flag=True,
              help="Send again what the delivery log says was already sent.")
def deliver_command(data_dir, as_of, attach, resend) -> None:
    """E-mail each user with an address the link to their report as of DATE (over the
    PLCQI_SMTP_* settings, links under PLCQI_REPORTS_URL), once per date; every send is
    logged in DATA_DIR/delivery_log/."""
    from plcqi.publish.delivery.deliver import DeliveryError, deliver, smtp_transport

    try:
        transport = smtp_transport()
        result = deliver(data_dir, as_of, transport, attach=attach, resend=resend,
                         sender=transport.config.sender, echo=click.echo)
    except DeliveryError as e:
        raise click.ClickException(str(e)) from None
    click.echo(result.summary())
    if not result.ok:
        click.echo(f"{len(result.failed)} report e-mail(s) not delivered: see above; run "
                   "again to retry them (what was sent is not sent twice)", err=True)
        sys.exit(1)

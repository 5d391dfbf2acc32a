"""``plcqi report``: parses arguments and calls ``plcqi.publish``, nothing more."""

from __future__ import annotations

import click

from plcqi.cli.options import DATA_DIR, as_of_option


@click.command("report")
@DATA_DIR
@click.option("--center", "centers", multiple=True, metavar="ID",
              help="Only this center's report (repeatable). Default: every center, every "
              "ACF region with its grantees' profiles, the leadership report and the "
              "data-quality page.")
@click.option("--region", "regions", multiple=True, type=click.IntRange(1, 10), metavar="N",
              help="Only this ACF region's TA planning report and its grantees' profiles "
              "(1-10, repeatable).")
@as_of_option(help="As-of date; must be the one the warehouse was built for (default: that).")
@click.option("--pdf", is_flag=True, help="Also print each report to PDF (headless Chromium).")
@click.option("--include-comments", is_flag=True,
              help="Show free-text survey comments (redacted, escaped). Off by default.")
def report_command(data_dir, centers, regions, as_of, pdf, include_comments) -> None:
    """Render the CQI reports as self-contained HTML under DATA_DIR/reports/."""
    from plcqi.publish import PublishError, render_all
    from plcqi.publish.safety import UnsafeReport

    try:
        result = render_all(data_dir, as_of=as_of, centers=list(centers) or None,
                            regions=list(regions) or None,
                            include_comments=include_comments, pdf=pdf)
    except (PublishError, UnsafeReport, RuntimeError) as e:
        raise click.ClickException(str(e)) from None
    for path in result.paths + result.pdfs:
        click.echo(str(path))
    click.echo(f"{len(result.paths)} page(s) as of {result.as_of}"
               + (f", {len(result.pdfs)} PDF(s)" if result.pdfs else "")
               + f" in {result.seconds:.1f}s")
    if result.problems:
        for problem in result.problems:
            click.echo(f"not published: {problem}", err=True)
        raise SystemExit(1)

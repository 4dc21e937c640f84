"""`artui demo`: a realistic demo book (also the benchmark book)."""

from typing import Annotated

import typer

from artui.cli import app, book, fail, state


@app.command()
def demo(
    customers: Annotated[int, typer.Option(min=1, help="How many customers.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same book.")] = 1,
) -> None:
    """Create a realistic demo book: customers, contacts, three years of invoices,
    receipts, credits, bounced checks, calls, promises and disputes."""
    from artui import demo as demo_book
    from artui.book import is_initialized
    from db.engine import make_engine, normalize_url

    engine = make_engine(state.db)
    if is_initialized(engine):
        engine.dispose()
        b = book()
        if not demo_book.is_empty(b):
            fail(
                f"The book at {normalize_url(state.db)} already has customers; the demo "
                "needs an empty book (choose another --db)."
            )
    else:
        engine.dispose()
        b = book(create=True, company="Demo Distribution Co.")
    stats = demo_book.build(
        b, customers=customers, seed=seed, progress=lambda m: typer.echo(m, err=True)
    )
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(stats.counts.items()))
    typer.echo(
        f"Built a demo book at {b.url} in {stats.seconds:.1f} s: {stats.customers} "
        f"customers, {kinds}, {stats.applications} applications."
    )

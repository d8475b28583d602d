"""The manual's generated pages (docs/reference/): the command line from the Typer application,
the variables the theme's templates are given, and the tables of project/reference.py, each
written between its markers and checked by the tests, as `cog --check` does.

    python -m rameau_cli.manual            # write them again
    python -m rameau_cli.manual --check    # exit 1 when a page is not what the code says
"""

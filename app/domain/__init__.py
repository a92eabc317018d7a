"""The pure domain of Leerlijn: plain data in, plain data out.

Nothing in this package imports Flask, SQLAlchemy or marshmallow, reads files or talks to the
network; ``tests/test_architecture.py`` enforces that.
"""

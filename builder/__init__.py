"""The open budget portal builder: disclosure texts in, open data and a static site out."""

__version__ = "0.1.0"

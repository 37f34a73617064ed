"""The site's MkDocs run (``mkdocs_run``) and its page workers (``mkdocs_workers``).

They run in a process of their own (``builder.pipeline.site`` starts it), which imports
MkDocs and these two modules only: not ``builder.pipeline``, whose stages import the data
libraries (about 1 s of CPU and 2 s of wall clock a run, measured with ``python -c "import
builder.pipeline"``, for a run that otherwise takes a few seconds after one change).
"""

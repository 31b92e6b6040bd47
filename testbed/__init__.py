"""What the tests and the benchmarks both run on: where the data is, videos built from real faces
and an X display. Neither ``tests`` nor ``benchmarks`` imports the other; both import this.
Never shipped in the app (``emotune`` does not import it)."""

"""The runtime: what the app, the export, the page's checks and the benchmarks share."""

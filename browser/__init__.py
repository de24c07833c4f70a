"""Drive a real headless Chromium: what the browser tests and the benchmarks share.

Not part of the runtime (mnist_draw/): it needs Playwright, a development dependency.
"""

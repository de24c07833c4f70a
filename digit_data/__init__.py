"""The training data's readers: MNIST (mnist.py) and the UCI pen digits (pendigits.py).

Training, the export's checks, the tests and the benchmarks read them; the app and the page
never do, so they live outside the runtime package (mnist_draw/) that the app imports.
"""

"""python -m export: a trained .keras file -> TF.js graph models under web/model/ and a SavedModel.

convert.py    the pipeline: Keras -> SavedModel -> TF.js variants, each checked, then swapped in
source.py     the model it starts from (one finished training run) and the check digits
metadata.py   metadata.json, what the page and the app read besides the weights
targets.py    the folders it replaces: which may be, locking, leftovers, the swap
stroke.py     the pen-path model's export; check.py the checks in TensorFlow and in Node
"""


class ExportError(RuntimeError):
    """The export failed and nothing was replaced; the message is one line."""

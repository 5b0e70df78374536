"""Build scripts for the model files shipped in this folder (not part of the installed package).

``python -m models.build`` trains the default English-Indonesian sentence-embedding model
(``models/fidelity-en-id-static``) from the public data in ``../shared/data``.
"""

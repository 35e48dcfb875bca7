"""The learned attribution extractor: a MiniLM token tagger (source / cue / content) and its decoder.

Pure (torch, transformers, no Django, no database). `model` loads and runs the tagger, `grouping` links
tagged spans into attributions, `training` fine-tunes it; `claims` and `component` connect it to spaCy.
"""

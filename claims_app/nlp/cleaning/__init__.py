"""Strip page furniture from decoded article text and pull out its metadata (no Django here)."""

from claims_app.nlp.cleaning.article import NO_TEXT_AFTER_CLEANING, NO_TEXT_IN_HTML, clean_article, detect_format

__all__ = ["NO_TEXT_AFTER_CLEANING", "NO_TEXT_IN_HTML", "clean_article", "detect_format"]

"""Alert template mining: recognise that alerts differing only in hosts, ids or numbers are the same kind."""

from openconductor.correlation.templates.masking import WILDCARD, MaskedText, mask_text
from openconductor.correlation.templates.miner import MinerConfig, TemplateMatch, TemplateMiner

__all__ = ["WILDCARD", "MaskedText", "MinerConfig", "TemplateMatch", "TemplateMiner", "mask_text"]

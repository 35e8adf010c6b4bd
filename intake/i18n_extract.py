"""A Babel extractor for the flow's YAML files, so their wording reaches the catalogs like code's does.

Options (set per file in babel.cfg):
  keys     = space-separated mapping keys whose string values are msgids (prompt hint …)
  sections = top-level sections whose every string value is a msgid (messages statuses)
  context  = a msgctxt for everything this file yields (keyword)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import yaml


def extract_yaml(fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: dict[str, str]) -> Iterator[tuple]:
    keys = set(options.get("keys", "").split())
    sections = set(options.get("sections", "").split())
    context = options.get("context")
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    for key_node, value_node in root.value:
        in_section = key_node.value in sections
        for line, text in _walk(value_node, keys, in_section, key_node.value):
            if context:
                yield line, "pgettext", (context, text), []
            else:
                yield line, "gettext", text, []


def _walk(node: yaml.Node, keys: set[str], in_section: bool, key: str | None) -> Iterator[tuple[int, str]]:
    """Every string value under a wanted key, or anywhere inside a wanted section."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":str") and node.value and (in_section or key in keys):
            yield node.start_mark.line + 1, node.value
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, keys, in_section, key)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _walk(value_node, keys, in_section, key_node.value)

"""The YAML reader reads through libyaml where it can, with the same result as the pure reader and the same errors."""

from __future__ import annotations

import pytest
import yaml
from conftest import DATA_DIR, REPO_ROOT

from kloe_nb import yaml_source
from kloe_nb.errors import InvalidInputError
from kloe_nb.yaml_source import read_yaml_text

FILES = sorted([*(REPO_ROOT / "frameworks").glob("*.yaml"), *DATA_DIR.rglob("*.yaml")])
pytestmark = pytest.mark.skipif(not yaml_source.LIBYAML, reason="PyYAML was built without libyaml: only the pure reader is there")


def read(text: str) -> tuple[object, ...]:
    try:
        document = read_yaml_text(text, "x.yaml")
    except InvalidInputError as error:
        return ("refused", str(error))
    return document.data, document.positions, document.key_positions, document.retyped


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_libyaml_and_the_pure_reader_give_the_same_values_positions_retyped_scalars_and_errors(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    fast = read(text)
    monkeypatch.setattr(yaml_source, "LIBYAML", False)
    assert fast == read(text)


def test_the_bundled_frameworks_are_read_by_libyaml():
    for path in (REPO_ROOT / "frameworks").glob("*.yaml"):
        assert isinstance(yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml_source._FastBoundedLoader), yaml.MappingNode)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n\tb: 2\n",  # a tab
        "a: 'unclosed\n",
        "a: [1, 2\n",
        "a: 1\x07\n",  # a character the pure reader refuses
        "a: &x [*x]\n",
        "- " * 150 + "x\n",
    ],
    ids=["tab", "unclosed quote", "unclosed bracket", "control character", "alias loop", "too deep"],
)
def test_an_error_is_reported_in_the_pure_readers_words(text, monkeypatch):
    with pytest.raises(InvalidInputError) as fast:
        read_yaml_text(text, "bad.yaml")
    monkeypatch.setattr(yaml_source, "LIBYAML", False)
    with pytest.raises(InvalidInputError) as pure:
        read_yaml_text(text, "bad.yaml")
    assert str(fast.value) == str(pure.value)

"""The docs page's script, run in Node.js on a small fake DOM with the real spec.

The browser tests need Chromium, so this test runs the page's own inline
script under Node with ``document`` and ``fetch`` replaced: it checks that
every operation is rendered and that spec text is only ever set as text.
"""

import json
import re
import shutil
import subprocess

import pytest

NODE = shutil.which("node")

# A DOM with the few calls the page makes. Setting innerHTML throws, so the
# test fails if the page ever parses spec text as HTML.
FAKE_DOM = r"""
class Node {
  constructor(tag) {
    this.tag = tag;
    this.children = [];
    this.attributes = {};
    this._text = "";
  }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  append(...nodes) { for (const node of nodes) this.children.push(node); }
  set textContent(value) { this._text = String(value); this.children = []; }
  get textContent() {
    return this._text + this.children.map((child) => child.textContent).join("");
  }
  set innerHTML(value) { throw new Error("innerHTML set with: " + value); }
  get innerHTML() { throw new Error("innerHTML read"); }
}
class TextNode { constructor(text) { this.textContent = text; } }
const byId = {};
for (const id of ["title", "description", "status", "tags", "operations"]) {
  byId[id] = new Node("div");
}
globalThis.document = {
  createElement: (tag) => new Node(tag),
  createTextNode: (text) => new TextNode(text),
  getElementById: (id) => byId[id],
};
function count(node, tag) {
  if (!(node instanceof Node)) return 0;
  const own = node.tag === tag ? 1 : 0;
  return own + node.children.reduce((sum, child) => sum + count(child, tag), 0);
}
"""

RUNNER = r"""
globalThis.fetch = async (url) => {
  fetched.push(url);
  return { ok: true, status: 200, json: async () => spec };
};
const fetched = [];
const unhandled = [];
process.on("unhandledRejection", (error) => unhandled.push(String(error)));
PAGE_SCRIPT
setTimeout(() => {
  console.log(JSON.stringify({
    fetched,
    unhandled,
    status: byId.status.textContent,
    operations: count(byId.operations, "details"),
    sections: count(byId.operations, "section"),
    text: byId.operations.textContent,
  }));
}, 200);
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_docs_script_renders_every_operation(api, tmp_path):
    spec = api.get("/api/openapi.json").json
    # Spec text that would run as markup if the page used innerHTML.
    spec["paths"]["/api/tasks"]["post"]["summary"] = "<img src=x onerror=alert(1)>"
    html = api.get("/api/docs").body.decode()
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert len(scripts) == 1

    program = (
        f"const spec = {json.dumps(spec)};\n"
        + FAKE_DOM
        + RUNNER.replace("PAGE_SCRIPT", scripts[0])
    )
    path = tmp_path / "page.js"
    path.write_text(program, encoding="utf-8")
    result = subprocess.run(
        [NODE, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = json.loads(result.stdout.strip().splitlines()[-1])

    expected = sum(len(item) for item in spec["paths"].values())
    tags = {op["tags"][0] for item in spec["paths"].values() for op in item.values()}
    assert output["fetched"] == ["openapi.json"]
    assert output["unhandled"] == []
    assert output["operations"] == expected
    assert output["sections"] == len(tags)
    assert output["status"] == f"{expected} operations, OpenAPI 3.1.0."
    assert "<img src=x onerror=alert(1)>" in output["text"]
    assert "TaskCreate" in output["text"]
    assert "Unauthenticated" in output["text"] or "401" in output["text"]

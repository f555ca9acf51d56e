#!/usr/bin/env python3
"""End to end with the official Python MCP SDK (PyPI `mcp`): spawns `memvault mcp` over stdio,
lists tools, adds, searches, builds context and checks the tier policy.

    python3 Tests/MCPEndToEnd/mcp_e2e.py .build/debug/memvault

Exits 0 when every check passes; prints the first failure and exits 1 otherwise.
"""
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile

from mcp import ClientSession, StdioServerParameters, stdio_client

BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/memvault")
MARKER = "KESTRELBASALT"  # only in the chronological tier, which client "limited" may not see
TOOLS = ["memory_search", "memory_get", "memory_context", "memory_recent", "memory_add",
         "memory_update", "memory_forget", "memory_history", "memory_digest"]


def check(condition, what):
    if not condition:
        print(f"mcp_e2e: FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def run(env, *args, stdin=None):
    result = subprocess.run([BINARY, *args], env=env, input=stdin, capture_output=True, text=True)
    check(result.returncode == 0, f"memvault {' '.join(args)}: {result.stderr}")
    return result.stdout


def text_of(result):
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def dump(result):
    """The whole result as JSON, without the echo of the query (which is the caller's own text)."""
    data = result.model_dump(mode="json", by_alias=True)
    if isinstance(data.get("structuredContent"), dict):
        data["structuredContent"].pop("query", None)
    return json.dumps(data, ensure_ascii=False)



async def as_client(env, client, body):
    params = StdioServerParameters(command=BINARY, args=["mcp", "--client", client], env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "memvault", f"server name {init.server_info.name}")
            check("memory_search" in (init.instructions or ""), "instructions mention memory_search")
            await body(session)


async def limited(session):
    tools = await session.list_tools()
    names = [t.name for t in tools.tools]
    check(names == TOOLS, f"tool names {names}")
    for tool in tools.tools:
        check(tool.output_schema is not None, f"{tool.name} has an output schema")
        check(tool.annotations is not None and tool.annotations.read_only_hint is not None, f"{tool.name} annotations")

    added = await session.call_tool("memory_add", {"text": "Planning the Alps trip with Maria in July #travel",
                                                   "title": "Alps trip", "tier": "general"})
    check(not added.is_error, f"memory_add: {text_of(added)}")
    memory = added.structured_content["memory"]
    check(memory["src"] == "mcp:limited", f"src {memory['src']}")
    new_id = memory["id"]

    found = await session.call_tool("memory_search", {"query": "Alps trip July", "k": 5})
    check(not found.is_error, f"memory_search: {text_of(found)}")
    ids = [r["id"] for r in found.structured_content["results"]]
    check(new_id in ids, f"added memory found by search: {ids}")

    context = await session.call_tool("memory_context", {"query": "Alps trip", "budget_tokens": 300})
    check(not context.is_error, f"memory_context: {text_of(context)}")
    block = context.structured_content
    check(new_id in block["text"] and block["tokens"] <= 300, f"context block {block}")
    check(block["text"].startswith("# Memories:"), "context header")

    got = await session.call_tool("memory_get", {"ids": [new_id]})
    check("Planning the Alps trip" in text_of(got), "memory_get text")

    # The policy: nothing of the chronological tier, whatever is asked.
    for result in [
        await session.call_tool("memory_search", {"query": MARKER}),
        await session.call_tool("memory_search", {"query": MARKER, "mode": "lexical"}),
        await session.call_tool("memory_context", {"query": MARKER, "budget_tokens": 2000}),
        await session.call_tool("memory_recent", {"days": 36500}),
        await session.call_tool("memory_search", {"query": MARKER, "tiers": ["chronological"]}),
        await session.call_tool("memory_search", {"query": "doctor results", "k": 50}),
        await session.call_tool("memory_context", {"query": "doctor results"}),
    ]:
        check(MARKER not in dump(result), f"marker leaked: {dump(result)[:300]}")
    refused = await session.call_tool("memory_add", {"text": "x", "tier": "chronological"})
    check(refused.is_error and "not granted" in text_of(refused), f"write to a tier not granted: {text_of(refused)}")
    unknown = await session.call_tool("memory_nope", {})
    check(unknown.is_error and "unknown tool" in text_of(unknown), "unknown tool is a tool error")
    bad = await session.call_tool("memory_search", {"query": "x", "k": "ten"})
    check(bad.is_error and "'k'" in text_of(bad), "ill-typed argument is a tool error")
    still = await session.call_tool("memory_search", {"query": "Alps"})
    check(not still.is_error, "server keeps serving after errors")

    # Tags: replaced, added, removed; a bad tag is one tool error and nothing changes.
    updated = await session.call_tool("memory_update", {"id": new_id, "tags": ["mountains"]})
    check(not updated.is_error, f"memory_update tags: {text_of(updated)}")
    check(updated.structured_content["memory"]["tags"] == ["mountains"], f"tags replaced: {updated.structured_content}")
    added_tag = await session.call_tool("memory_update", {"id": new_id, "add_tags": ["travel"]})
    check(sorted(added_tag.structured_content["memory"]["tags"]) == ["mountains", "travel"], "add_tags")
    removed_tag = await session.call_tool("memory_update", {"id": new_id, "remove_tags": ["mountains"]})
    check(removed_tag.structured_content["memory"]["tags"] == ["travel"], "remove_tags")
    bad_tag = await session.call_tool("memory_update", {"id": new_id, "tags": ["not a tag"]})
    check(bad_tag.is_error and "invalid tag" in text_of(bad_tag), f"a bad tag is a tool error: {text_of(bad_tag)}")

    # Resources: listed under the policy, and readable.
    listed = await session.list_resources()
    uris = [str(r.uri) for r in listed.resources]
    check(f"memvault://memory/{new_id}" in uris, f"the new memory is listed: {uris}")
    check("memvault://digest/today" in uris, "today's digest is listed")
    check(MARKER not in listed.model_dump_json(), "marker leaked in resources/list")
    check(len([u for u in uris if u.startswith("memvault://memory/")]) == 2, f"only the general tier's memories: {uris}")
    limited.new_id = new_id


async def full(session):
    found = await session.call_tool("memory_search", {"query": MARKER, "mode": "lexical"})
    check(MARKER in dump(found), "the granted client sees the chronological tier")
    resource = await session.read_resource(f"memvault://memory/{limited.new_id}")
    check("Planning the Alps trip" in resource.contents[0].text, "memory resource")
    listed = await session.list_resources()
    memories = [str(r.uri) for r in listed.resources if str(r.uri).startswith("memvault://memory/")]
    check(len(memories) == 3, f"the granted client lists the chronological memory too: {memories}")
    for uri in memories:
        contents = await session.read_resource(uri)
        check(contents.contents[0].text.startswith("## "), f"{uri} reads as Markdown")


def main():
    home = tempfile.mkdtemp(prefix="memvault-e2e-")
    try:
        env = dict(os.environ)
        env.update({"HOME": home, "XDG_RUNTIME_DIR": home, "TZ": "Europe/Berlin", "GIT_CONFIG_NOSYSTEM": "1"})
        for key in list(env):
            if key.startswith("MEMVAULT_PASSPHRASE_") or key in ("MEMVAULT_DIR", "MEMVAULT_USER"):
                del env[key]
        env.setdefault("MEMVAULT_MODEL_DIR", os.path.expanduser("~/.cache/memvault/models/all-MiniLM-L6-v2"))
        vault = os.path.join(home, "vault")
        run(env, "init", vault)
        env["MEMVAULT_DIR"] = vault
        with open(os.path.join(vault, "memvault.toml"), "a") as settings:
            settings.write('\n[mcp]\ndefault_tiers = ["general"]\n[mcp.clients.full]\ntiers = ["chronological", "general"]\n')
        run(env, "add", f"Saw the doctor about {MARKER} results", "--tier", "chronological")
        run(env, "add", "Maria likes the mountains", "--tier", "general")
        asyncio.run(as_client(env, "limited", limited))
        asyncio.run(as_client(env, "full", full))
        shown = run(env, "show", limited.new_id)
        check("Planning the Alps trip" in shown, "the CLI sees the server's write")
        print("mcp_e2e: ok")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()

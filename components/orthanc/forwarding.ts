import { ForwardingRule } from "../config/peers";

/**
 * Orthanc has no setting that forwards on its own: its Lua scripting does. pacstack keeps remote Lua off
 * (ExecuteLuaEnabled false: no REST client runs code) and renders one fixed script into the ConfigMap, loaded with
 * `LuaScripts`. Its only inputs are the targets' names, validated as lowercase DNS labels and checked here again.
 */
const SAFE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const REST_COLLECTION = { peer: "peers", modality: "modalities" } as const;

/** A name as a Lua string literal; refuses anything outside the safe names (never escapes its way around them). */
export function luaName(name: string): string {
    if (!SAFE_NAME.test(name)) throw new Error(`refusing ${JSON.stringify(name)} in a Lua script: only lowercase letters, digits and - are allowed`);
    return `"${name}"`;
}

/**
 * The forwarding script: for every study that became stable (no new instance for StableAge seconds), one
 * asynchronous store job per target, `/peers/<name>/store` (HTTPS) or `/modalities/<name>/store` (DICOM TLS
 * C-STORE, Orthanc's AE title calling). A target that fails (unknown, refused) is logged and the next one is tried;
 * a failed job stays in /jobs, where it can be resubmitted. Undefined when nothing is forwarded.
 */
export function renderForwardingScript(rules: ForwardingRule[]): string | undefined {
    const stable = rules.filter((r) => r.trigger === "stable-study");
    if (stable.length === 0) return undefined;
    const targets = stable.map((r) => `    "/${REST_COLLECTION[r.target.kind]}/" .. ${luaName(r.target.name)} .. "/store",`);
    return [
        "-- Rendered by pacstack (components/orthanc/forwarding.ts) from orthanc.forwarding: edit the stack, not this file.",
        "local targets = {",
        ...targets,
        "}",
        "",
        "function OnStableStudy(studyId, tags, metadata)",
        "  local body = DumpJson({ Resources = { studyId }, Synchronous = false }, true)",
        "  for _, target in ipairs(targets) do",
        "    local ok, answer = pcall(RestApiPost, target, body, false)",
        "    if ok then",
        '      print("pacstack forwarding: study " .. studyId .. " to " .. target .. ": job " .. tostring(ParseJson(answer)["ID"]))',
        "    else",
        '      print("pacstack forwarding: study " .. studyId .. " to " .. target .. " FAILED: " .. tostring(answer))',
        "    end",
        "  end",
        "end",
        "",
    ].join("\n");
}

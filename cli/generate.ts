import * as fs from "fs";
import * as path from "path";
import { policyPackConfigFor } from "../components/guardrails/policyConfig";
import { stableJson } from "./serialize";
import { projectRoot, readStackSettings } from "./stackConfig";

/** Every generated artefact: path relative to the repository root, and its content. */
export function generatedFiles(root = projectRoot()): Map<string, string> {
    const files = new Map<string, string>();
    const stacksDir = path.join(root, "stacks");
    for (const file of fs.readdirSync(stacksDir).filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name)).sort()) {
        const stack = file.replace(/^Pulumi\.|\.yaml$/g, "");
        const settings = readStackSettings(path.join(stacksDir, file), stack);
        files.set(path.join("policy-pack", "config", `${stack}.json`), stableJson(policyPackConfigFor(settings)));
    }
    return files;
}

if (require.main === module) {
    const root = projectRoot();
    for (const [relative, content] of generatedFiles(root)) {
        const target = path.join(root, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        process.stdout.write(`wrote ${relative}\n`);
    }
}

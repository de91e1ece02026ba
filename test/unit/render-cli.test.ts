import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../support/render";

describe("bulwark render, as a user runs it (compiled, own process)", () => {
    it("a misspelled key prints the key-naming error, exits 1 and prints no stack trace", () => {
        const bin = path.join(repoRoot, "dist", "cli", "bulwark.js");
        if (!fs.existsSync(bin)) assert.fail(`${bin} is missing: run npm run build`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-render-"));
        try {
            const config = path.join(dir, "Pulumi.dev.yaml");
            fs.writeFileSync(config, "config:\n  bulwark:platform:\n    enforcment: audit\n");
            const result = spawnSync(process.execPath, [bin, "render", "--stack", "dev", "--config", config, "--out", path.join(dir, "out")], { encoding: "utf8" });
            assert.strictEqual(result.status, 1, result.stderr);
            assert.match(result.stderr, /bulwark:platform\.enforcment: unknown key/);
            // The Pulumi runtime rejects its own promises with the same error; none of that may surface.
            assert.doesNotMatch(result.stderr, /\n\s+at |RunError|Node\.js v/, result.stderr);
            assert.strictEqual(result.stderr.match(/enforcment: unknown key/g)?.length, 1, result.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

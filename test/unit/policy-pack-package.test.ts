import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../support/render";

// tools/package-policy-pack.js is plain JavaScript (it runs before and outside the TypeScript build).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packagePolicyPack } = require(path.join(repoRoot, "tools", "package-policy-pack.js")) as { packagePolicyPack(out: string): { files: number; packages: string[] } };

describe("the policy pack packaged on its own (npm run pack:policy)", function () {
    let out: string;
    before(function () {
        if (!fs.existsSync(path.join(repoRoot, "dist", "policy-pack", "index.js"))) assert.fail("dist/ is missing: run npm run build");
        out = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-pack-"));
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("needs only the dependencies policy-pack/package.json declares, and loads its catalog with nothing else", function () {
        const { files, packages } = packagePolicyPack(out);
        const manifest = JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8"));
        assert.ok(files > 10);
        for (const name of packages) assert.ok(manifest.dependencies[name], `${name} is declared`);
        assert.match(fs.readFileSync(path.join(out, "PulumiPolicy.yaml"), "utf8"), /^main: index\.js$/m);
        assert.match(fs.readFileSync(path.join(out, "index.js"), "utf8"), /require\("\.\/components\/guardrails\/crossguard"\)/);
        // Outside the repository, with a node_modules holding only the declared packages (linked to
        // the installed copies, whose own dependencies resolve from where they are installed).
        for (const name of Object.keys(manifest.dependencies)) fs.mkdirSync(path.dirname(path.join(out, "node_modules", name)), { recursive: true });
        for (const name of Object.keys(manifest.dependencies)) fs.symlinkSync(path.join(repoRoot, "node_modules", name), path.join(out, "node_modules", name));
        // The catalog, not index.js: constructing the PolicyPack starts its gRPC server.
        const crossguard = require(path.join(out, "components", "guardrails", "crossguard.js")) as { crossGuardPolicies(): { name: string }[] };
        assert.ok(crossguard.crossGuardPolicies().some((policy) => policy.name === "pss-privileged"));
    });

    it("fails naming a package the pack requires but the manifest does not declare", function () {
        const manifestPath = path.join(repoRoot, "policy-pack", "package.json");
        const original = fs.readFileSync(manifestPath, "utf8");
        const manifest = JSON.parse(original);
        delete manifest.dependencies["js-yaml"];
        try {
            fs.writeFileSync(manifestPath, JSON.stringify(manifest));
            assert.throws(() => packagePolicyPack(path.join(out, "again")), /does not declare js-yaml/);
        } finally {
            fs.writeFileSync(manifestPath, original);
        }
    });
});

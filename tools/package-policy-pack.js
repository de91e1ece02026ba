#!/usr/bin/env node
// Packages the CrossGuard policy pack on its own, for `pulumi policy publish`:
//
//   npm run pack:policy [-- <out dir>]      (default .bulwark/policy-pack)
//   cd .bulwark/policy-pack && npm install && pulumi policy publish <org>
//
// The pack in policy-pack/ imports the guardrail catalog from components/, so in the repository it
// resolves through the root's node_modules. This copies the compiled pack and exactly the compiled
// modules it reaches (found by following its relative require() calls) into one folder, next to
// policy-pack/package.json, and fails when the pack reaches a package that file does not declare.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");

/** The compiled files the pack reaches, and the packages they require. */
function closure(entry) {
    const files = new Set();
    const packages = new Set();
    const visit = (file) => {
        if (files.has(file)) return;
        files.add(file);
        const text = fs.readFileSync(file, "utf8");
        for (const [, request] of text.matchAll(/require\("([^"]+)"\)/g)) {
            if (request.startsWith(".")) {
                const target = path.resolve(path.dirname(file), request);
                const resolved = [`${target}.js`, path.join(target, "index.js"), target].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
                if (resolved === undefined) throw new Error(`${path.relative(root, file)} requires ${request}, which is not compiled in dist/`);
                visit(resolved);
            } else if (!require("module").builtinModules.includes(request.replace(/^node:/, ""))) {
                packages.add(request.startsWith("@") ? request.split("/").slice(0, 2).join("/") : request.split("/")[0]);
            }
        }
    };
    visit(entry);
    return { files: [...files], packages: [...packages].sort() };
}

function packagePolicyPack(outDir) {
    const entry = path.join(dist, "policy-pack", "index.js");
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "policy-pack", "package.json"), "utf8"));
    const { files, packages } = closure(entry);
    const undeclared = packages.filter((name) => !(manifest.dependencies ?? {})[name]);
    if (undeclared.length > 0) throw new Error(`policy-pack/package.json does not declare ${undeclared.join(", ")}, which the pack requires`);
    fs.rmSync(outDir, { recursive: true, force: true });
    for (const file of files) {
        // The pack's own index moves to the top; everything else keeps its place under components/.
        const relative = file === entry ? "index.js" : path.relative(dist, file);
        let text = fs.readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=.*$/m, "");
        if (file === entry) text = text.replace(/require\("\.\.\//g, 'require("./');
        fs.mkdirSync(path.dirname(path.join(outDir, relative)), { recursive: true });
        fs.writeFileSync(path.join(outDir, relative), text);
    }
    fs.writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify({ ...manifest, main: "index.js" }, null, 2)}\n`);
    const policyYaml = fs.readFileSync(path.join(root, "policy-pack", "PulumiPolicy.yaml"), "utf8").replace(/^main: .*$/m, "main: index.js");
    fs.writeFileSync(path.join(outDir, "PulumiPolicy.yaml"), policyYaml);
    return { files: files.length, packages };
}

module.exports = { closure, packagePolicyPack };

if (require.main === module) {
    const outDir = path.resolve(process.argv[2] ?? path.join(root, ".bulwark", "policy-pack"));
    try {
        const { files, packages } = packagePolicyPack(outDir);
        process.stdout.write(`policy pack: ${files} modules in ${outDir}; dependencies ${packages.join(", ")}\nnext: cd ${path.relative(process.cwd(), outDir) || "."} && npm install && pulumi policy publish <org>\n`);
    } catch (error) {
        process.stderr.write(`package-policy-pack: ${error.message}\n`);
        process.exit(1);
    }
}

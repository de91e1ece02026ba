#!/usr/bin/env node
// Runs `tsc -p .` only when a compiled input is newer than the last successful build, so a second
// `npm run render` / `npm run check` starts the compiled CLI at once. Even an incremental tsc loads
// and type-checks the whole program (about 7 s of CPU here) before it finds nothing to do, while
// comparing modification times takes milliseconds. Plain JavaScript, because it runs before any
// TypeScript is compiled. `npm run build` (`--force`) always runs tsc.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const stamp = path.join(root, "dist", ".build-stamp");
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
const skip = new Set(["node_modules", "dist", ".git", ".bulwark"]);

/** The newest mtime (ms) among the .ts/.json files under an include entry such as `cli/**\/*.ts`. */
function newest(entry) {
    const start = path.join(root, entry.split("/**")[0].split("*")[0]);
    let latest = 0;
    const visit = (file) => {
        let stat;
        try {
            stat = fs.statSync(file);
        } catch {
            return;
        }
        if (stat.isDirectory()) {
            if (skip.has(path.basename(file))) return;
            for (const name of fs.readdirSync(file)) visit(path.join(file, name));
        } else if (/\.(ts|json)$/.test(file)) {
            latest = Math.max(latest, stat.mtimeMs);
        }
    };
    visit(start);
    return latest;
}

function upToDate() {
    let built;
    try {
        built = fs.statSync(stamp).mtimeMs;
    } catch {
        return false;
    }
    const inputs = [...tsconfig.include, "tsconfig.json", "package-lock.json"];
    return inputs.every((entry) => newest(entry) <= built);
}

if (process.argv.includes("--force") || !upToDate()) {
    // The stamp gets the time the build started: a file saved during the build is newer than it.
    const started = new Date();
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    const result = spawnSync(process.execPath, [tsc, "-p", root], { stdio: "inherit" });
    if (result.status !== 0) process.exit(result.status ?? 1);
    fs.mkdirSync(path.dirname(stamp), { recursive: true });
    fs.writeFileSync(stamp, `${started.toISOString()}\n`);
    fs.utimesSync(stamp, started, started);
}

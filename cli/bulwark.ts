#!/usr/bin/env node
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";
import type { PlatformSettings } from "../components/settings";
import { SettingsError } from "../components/settings/errors";
import { checkObjects, CheckViolation } from "./check";
import { CliError } from "./errors";
import { InputProblem, ManifestObject, parseTexts, readTexts } from "./input";
import { checkStreaming } from "./streamCheck";

const usage = `usage:
  bulwark render --stack <name> [--config <Pulumi.<stack>.yaml>] --out <dir>
  bulwark check [--format text|json|sarif] [--stack <name>] [--config <Pulumi.<stack>.yaml>] [--verify-signatures] <file|dir|->...
  bulwark fix [--write] [--stack <name>] [--config <Pulumi.<stack>.yaml>] <file|dir|->...
  bulwark up --local [--stack dev]   local control plane + real \`pulumi up\` with the policy pack (npm start)
  bulwark demo [--stack dev]         a sample app through CrossGuard, Pod Security and admission policies
  bulwark down [--stack dev]         \`pulumi destroy\`, then stop the local control plane

exit codes (check): 0 no mandatory violation, 1 a mandatory violation, 2 unreadable input or usage error
exit codes (fix): 0 written (defaulted YAML on stdout, or files rewritten with --write), 2 unreadable input or usage error
exit codes (render): 0 written, 1 invalid stack configuration, 2 usage error`;

function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>) {
    try {
        return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (error) {
        throw new CliError(`${(error as Error).message}\n${usage}`);
    }
}

async function render(argv: string[]): Promise<number> {
    const { values } = parse(argv, { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" } });
    const stack = values.stack as string | undefined;
    const out = values.out as string | undefined;
    if (stack === undefined || out === undefined) throw new CliError(`render needs --stack and --out\n${usage}`);
    // Loaded here, not at the top: the Pulumi SDK costs most of a second to import and `check` never needs it.
    const { defaultStackConfigPath, readStackConfig } = await import("./stackConfig");
    const { renderStack, writeRender } = await import("./render");
    const config = readStackConfig((values.config as string | undefined) ?? defaultStackConfigPath(stack));
    const started = process.hrtime.bigint();
    const result = await renderStack(stack, config);
    const { files } = writeRender(result, out);
    const millis = Number(process.hrtime.bigint() - started) / 1e6;
    process.stderr.write(`rendered stack ${stack}: ${result.resources.length} resources, ${files} files in ${path.resolve(out)} (${millis.toFixed(0)} ms)\n`);
    return 0;
}

function formatText(violations: readonly CheckViolation[], problems: readonly InputProblem[]): string {
    const lines = violations.map(
        (violation) =>
            `${violation.file}#${violation.documentIndex} ${violation.kind} ${violation.namespace ? `${violation.namespace}/` : ""}${violation.name}: ` +
            `[${violation.enforcementLevel}] ${violation.guardrail}: ${violation.message}`,
    );
    lines.push(...problems.map((problem) => `${problem.file}: ${problem.reason}`));
    const mandatory = violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
    lines.push(`${violations.length} violation(s), ${mandatory} mandatory, ${problems.length} unreadable input(s)`);
    return `${lines.join("\n")}\n`;
}

/**
 * The stack's settings for `check --stack/--config`. Loaded on demand, as every optional feature of
 * `check` should be (`await import` in the branch that needs it): a plain `check` then loads only
 * the reader, the evaluator and the catalog, and starts in a fraction of a second.
 */
async function checkSettings(stack: string | undefined, configOption: string | undefined) {
    if (stack === undefined && configOption === undefined) return undefined;
    const { defaultStackConfigPath, readStackSettings } = await import("./stackConfig");
    const configPath = configOption ?? defaultStackConfigPath(stack as string);
    return readStackSettings(configPath, stack ?? path.basename(configPath).replace(/^Pulumi\.|\.yaml$/g, ""));
}

/**
 * The three ways `check` reads its input, all with the same result: document by document (the
 * default), over worker threads (opt-in, BULWARK_CHECK_THREADS), or every object in memory, which
 * signature verification needs and the other two fall back to on input they do not take.
 */
async function checkInputs(sources: readonly string[], settings: PlatformSettings | undefined, keepObjects: boolean): Promise<{ violations: CheckViolation[]; problems: InputProblem[]; objects: ManifestObject[] }> {
    // The threaded path's module loads only when more than one thread is asked for.
    const threaded = Number(process.env.BULWARK_CHECK_THREADS ?? 1) > 1 ? await import("./parallel") : undefined;
    if (!keepObjects && (threaded === undefined || threaded.workerCount() < 2)) {
        const streamed = checkStreaming(sources, settings);
        if (streamed !== undefined) return { ...streamed, objects: [] };
    }
    const texts = readTexts(sources);
    const parallel = keepObjects || threaded === undefined ? undefined : await threaded.checkInParallel(texts, settings);
    if (parallel !== undefined) return { violations: parallel, problems: texts.flatMap((input) => (input.problem === undefined ? [] : [input.problem])), objects: [] };
    const { objects, problems } = parseTexts(texts);
    return { violations: checkObjects(objects, { settings }), problems, objects };
}

async function check(argv: string[]): Promise<number> {
    const { values, positionals } = parse(argv, { format: { type: "string", default: "text" }, stack: { type: "string" }, config: { type: "string" }, "verify-signatures": { type: "boolean" } });
    const format = values.format as string;
    if (format !== "text" && format !== "json" && format !== "sarif") throw new CliError(`--format must be text, json or sarif (got ${JSON.stringify(format)})`);
    if (positionals.length === 0) throw new CliError(`check needs at least one file, directory or '-'\n${usage}`);
    const settings = await checkSettings(values.stack as string | undefined, values.config as string | undefined);
    const verifySignatures = values["verify-signatures"] === true;
    const { violations, problems, objects } = await checkInputs(positionals, settings, verifySignatures);
    if (verifySignatures) {
        // Loaded on demand: the verifier pulls in the Sigstore libraries.
        const { signatureViolations } = await import("./verifySignatures");
        violations.push(...(await signatureViolations(objects, settings)));
    }
    if (format === "sarif") {
        // Loaded on demand, like every optional feature of check.
        const { toSarif } = await import("./sarif");
        process.stdout.write(`${JSON.stringify(toSarif(violations, problems), null, 2)}\n`);
        for (const problem of problems) process.stderr.write(`${problem.file}: ${problem.reason}\n`);
    } else if (format === "json") {
        process.stdout.write(`${JSON.stringify(violations, null, 2)}\n`);
        for (const problem of problems) process.stderr.write(`${problem.file}: ${problem.reason}\n`);
    } else {
        process.stdout.write(formatText(violations, problems));
    }
    if (problems.length > 0) return 2;
    return violations.some((violation) => violation.enforcementLevel === "mandatory") ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    try {
        if (command === "render") return await render(rest);
        if (command === "check") return await check(rest);
        // Loaded on demand, so a plain `check` starts without the fixer and the settings schema.
        if (command === "fix") return (await import("./fixCommand")).fixCommand(parse(rest, { write: { type: "boolean", default: false }, stack: { type: "string" }, config: { type: "string" } }), usage);
        if (command === "up" || command === "down" || command === "demo") {
            const { values } = parse(rest, { stack: { type: "string" }, local: { type: "boolean" } });
            // Loaded on demand, so `check` and `render` start without the local front door's modules.
            const { downLocal, requireStack, upLocal } = await import("./local/frontDoor");
            const { demo } = await import("./local/demo");
            const stack = requireStack(values.stack as string | undefined);
            if (command === "up" && values.local !== true) throw new CliError(`up needs --local (the only target so far; for a real cluster run pulumi up, see the README)\n${usage}`);
            if (command === "up") return await upLocal({ stack });
            if (command === "down") return await downLocal({ stack });
            return await demo({ stack });
        }
        if (command === "--help" || command === "-h" || command === "help") {
            process.stdout.write(`${usage}\n`);
            return 0;
        }
        throw new CliError(`unknown command ${JSON.stringify(command ?? "")}\n${usage}`);
    } catch (error) {
        if (error instanceof CliError) {
            process.stderr.write(`bulwark: ${error.message}\n`);
            return error.exitCode;
        }
        if (error instanceof Error && error.name === "EngineUnavailableError") {
            process.stderr.write(`bulwark: ${error.message}\n`);
            return 2;
        }
        if (error instanceof SettingsError) {
            process.stderr.write(`bulwark: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`bulwark: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 3;
        },
    );
}
